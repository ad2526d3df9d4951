/* vmcompactd: QMP over the event loop. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmp.h"
#include <vmcompact/util.h>

/* More than any answer vmcompactd asks for: a QEMU that says more is cut off. */
#define MAX_MESSAGE	(256 * 1024)

__attribute__((format(printf, 3, 4)))
static void fail(struct vmcd_qmp *q, int res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	if (!q->waiting)
		return;
	q->waiting = false;
	q->reply(q, res, NULL);
}

static void send_text(struct vmcd_qmp *q, const char *text)
{
	q->tx_len = strlen(text);
	q->tx_off = 0;
	memcpy(q->tx, text, q->tx_len);
	vmcd_send(q->loop, &q->send_op, q->fd, q->tx, q->tx_len);
}

static void message(struct vmcd_qmp *q, json_object *msg)
{
	json_object *ret, *error, *desc;
	int id;

	if (json_object_object_get_ex(msg, "QMP", NULL)) {
		/* The greeting: negotiate, then what was asked for. */
		send_text(q, "{\"execute\":\"qmp_capabilities\",\"id\":0}\r\n");
		return;
	}
	if (json_object_object_get_ex(msg, "event", NULL))
		return;
	id = json_object_get_int(json_object_object_get(msg, "id"));
	if (json_object_object_get_ex(msg, "error", &error)) {
		if (id != (int)(q->ready ? q->id : 0))
			return;
		desc = json_object_object_get(error, "desc");
		fail(q, -EREMOTEIO, "QEMU: %s",
		     desc ? json_object_get_string(desc) : "error");
		return;
	}
	if (!json_object_object_get_ex(msg, "return", &ret))
		return;
	if (!q->ready) {
		if (id)
			return;
		q->ready = true;
		if (q->waiting)
			send_text(q, q->pending);
		return;
	}
	if (!q->waiting || id != (int)q->id)
		return;
	q->waiting = false;
	q->reply(q, 0, ret);
}

static void received(struct vmcd_op *op, int res)
{
	struct vmcd_qmp *q = container_of(op, struct vmcd_qmp, recv_op);
	const char *p = q->rx;
	size_t left = res > 0 ? (size_t)res : 0;

	if (q->fd < 0)
		return;
	if (res <= 0) {
		fail(q, -EPIPE, "%s: %s", q->path,
		     res ? strerror(-res) : "connection closed (QEMU gone?)");
		vmcd_qmp_close(q);
		return;
	}
	while (left) {
		json_object *msg;
		size_t used;

		/* Whitespace between messages: the tokener takes the rest. */
		while (left && (*p == '\r' || *p == '\n' || *p == ' ')) {
			p++;
			left--;
		}
		if (!left)
			break;
		msg = json_tokener_parse_ex(q->tok, p, (int)left);
		used = json_tokener_get_parse_end(q->tok);
		if (!msg && json_tokener_get_error(q->tok) == json_tokener_continue &&
		    (q->partial += used) <= MAX_MESSAGE)
			break;
		json_tokener_reset(q->tok);
		q->partial = 0;
		if (!msg) {
			fail(q, -EPROTO, "%s: not JSON, or a message over %d bytes",
			     q->path, MAX_MESSAGE);
			vmcd_qmp_close(q);
			return;
		}
		message(q, msg);
		json_object_put(msg);
		if (q->fd < 0)
			return;
		p += used;
		left -= used;
	}
	vmcd_recv(q->loop, &q->recv_op, q->fd, q->rx, sizeof(q->rx));
}

static void sent(struct vmcd_op *op, int res)
{
	struct vmcd_qmp *q = container_of(op, struct vmcd_qmp, send_op);

	if (q->fd < 0)
		return;
	if (res < 0) {
		fail(q, -EPIPE, "writing to %s: %s", q->path, strerror(-res));
		return;
	}
	q->tx_off += (size_t)res;
	if (q->tx_off < q->tx_len)
		vmcd_send(q->loop, &q->send_op, q->fd, q->tx + q->tx_off,
			  q->tx_len - q->tx_off);
}

int vmcd_qmp_connect(struct vmcd_qmp *q)
{
	q->recv_op.done = received;
	q->send_op.done = sent;
	q->ready = false;
	q->waiting = false;
	if (!q->tok) {
		q->tok = json_tokener_new();
		if (!q->tok) {
			snprintf(q->err, sizeof(q->err), "out of memory");
			return -1;
		}
	}
	json_tokener_reset(q->tok);
	q->partial = 0;
	q->fd = vmc_unix_connect(q->path, q->err, sizeof(q->err));
	if (q->fd < 0)
		return -1;
	vmcd_recv(q->loop, &q->recv_op, q->fd, q->rx, sizeof(q->rx));
	return 0;
}

void vmcd_qmp_command(struct vmcd_qmp *q, const char *execute,
		      json_object *args, int timeout_ms)
{
	json_object *cmd = json_object_new_object();
	const char *text;

	q->waiting = true;
	q->deadline_ms = vmcd_now_ms() + timeout_ms;
	q->id++;
	json_object_object_add(cmd, "execute", json_object_new_string(execute));
	if (args)
		json_object_object_add(cmd, "arguments", args);
	json_object_object_add(cmd, "id", json_object_new_int((int)q->id));
	text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
	if (q->fd < 0 || strlen(text) + 3 > sizeof(q->pending) ||
	    q->send_op.busy) {
		fail(q, -EPIPE, "%s: %s", q->path, q->fd < 0 ?
		     "not connected" : "cannot send the command now");
	} else {
		snprintf(q->pending, sizeof(q->pending), "%s\r\n", text);
		if (q->ready)
			send_text(q, q->pending);
	}
	json_object_put(cmd);
}

void vmcd_qmp_tick(struct vmcd_qmp *q, int64_t now_ms)
{
	if (q->waiting && now_ms >= q->deadline_ms)
		fail(q, -ETIMEDOUT, "%s: no answer in time", q->path);
}

void vmcd_qmp_close(struct vmcd_qmp *q)
{
	if (q->fd < 0)
		return;
	shutdown(q->fd, SHUT_RDWR);
	close(q->fd);
	q->fd = -1;
	fail(q, -EPIPE, "%s", q->err[0] ? q->err : "connection closed");
}

bool vmcd_qmp_busy(const struct vmcd_qmp *q)
{
	return q->recv_op.busy || q->send_op.busy;
}

/* vmcompactd: QMP over the event loop (qmp.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <vmcompact/util.h>

#include "qmp.h"

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
	size_t len = strlen(text);

	memcpy(q->tx, text, len);
	vmcd_send_all(q->loop, &q->sender, &q->sock, q->tx, len);
}

/* One message from QEMU; false once the connection is gone. */
static bool message(void *ctx, json_object *msg)
{
	struct vmcd_qmp *q = ctx;
	struct vmcd_qmp_message m;
	/* The handshake's id is 0; commands count from 1. */
	int64_t want = q->ready ? (int64_t)q->id : 0;

	vmcd_qmp_classify(msg, &m);
	switch (m.kind) {
	case QMP_GREETING:
		send_text(q, "{\"execute\":\"qmp_capabilities\",\"id\":0}\r\n");
		break;
	case QMP_ERROR:
		if (q->waiting && m.id == want)
			fail(q, -EREMOTEIO, "QEMU: %s", m.desc);
		break;
	case QMP_RETURN:
		if (!q->ready && m.id == 0) {
			q->ready = true;
			if (q->waiting)
				send_text(q, q->pending);
		} else if (q->ready && q->waiting && m.id == want) {
			q->waiting = false;
			q->reply(q, 0, m.ret);
		}
		break;
	case QMP_EVENT:
		if (q->ready)
			q->event(q, m.event);
		break;
	case QMP_OTHER:
		break;
	}
	return vmcd_fd_open(&q->sock);
}

static void received(struct vmcd_op *op, int res)
{
	struct vmcd_qmp *q = container_of(op, struct vmcd_qmp, recv_op);

	if (!vmcd_fd_open(&q->sock))
		return;
	if (res <= 0) {
		fail(q, -EPIPE, "%s: %s", q->path,
		     res ? strerror(-res) : "connection closed (QEMU gone?)");
		vmcd_qmp_close(q);
		return;
	}
	if (vmcd_qmp_read(&q->reader, q->rx, (size_t)res, message, q) < 0) {
		fail(q, -EPROTO, "%s: not JSON, or a message over %d bytes",
		     q->path, VMCD_QMP_MAX_MESSAGE);
		vmcd_qmp_close(q);
		return;
	}
	vmcd_recv(q->loop, &q->recv_op, &q->sock, q->rx, sizeof(q->rx));
}

static void sent(struct vmcd_sender *s, int res)
{
	struct vmcd_qmp *q = container_of(s, struct vmcd_qmp, sender);

	if (vmcd_fd_open(&q->sock) && res < 0)
		fail(q, -EPIPE, "writing to %s: %s", q->path, strerror(-res));
}

int vmcd_qmp_init(struct vmcd_qmp *q, struct vmcd_loop *loop,
		  const char *path, vmcd_qmp_reply_fn *reply,
		  vmcd_qmp_event_fn *event)
{
	q->loop = loop;
	q->path = path;
	q->reply = reply;
	q->event = event;
	q->recv_op.done = received;
	q->sender.done = sent;
	vmcd_fd_init(&q->sock, -1);
	return vmcd_qmp_reader_init(&q->reader);
}

void vmcd_qmp_free(struct vmcd_qmp *q)
{
	vmcd_qmp_reader_free(&q->reader);
}

int vmcd_qmp_connect(struct vmcd_qmp *q)
{
	int fd;

	q->ready = false;
	q->waiting = false;
	vmcd_qmp_reader_reset(&q->reader);
	fd = vmc_unix_connect(q->path, q->err, sizeof(q->err));
	if (fd < 0)
		return -1;
	vmcd_fd_init(&q->sock, fd);
	vmcd_recv(q->loop, &q->recv_op, &q->sock, q->rx, sizeof(q->rx));
	return 0;
}

bool vmcd_qmp_connected(const struct vmcd_qmp *q)
{
	return vmcd_fd_open(&q->sock);
}

void vmcd_qmp_command(struct vmcd_qmp *q, const char *execute,
		      json_object *args, int timeout_ms)
{
	json_object *cmd = json_object_new_object();
	const char *text;

	q->waiting = true;
	q->err[0] = '\0';
	q->deadline_ms = vmcd_now_ms() + timeout_ms;
	q->id++;
	json_object_object_add(cmd, "execute", json_object_new_string(execute));
	if (args)
		json_object_object_add(cmd, "arguments", args);
	json_object_object_add(cmd, "id", json_object_new_int64(q->id));
	text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
	if (!vmcd_fd_open(&q->sock) || !text ||
	    strlen(text) + 3 > sizeof(q->pending) || q->sender.op.busy) {
		fail(q, -EPIPE, "%s: %s", q->path, !vmcd_fd_open(&q->sock) ?
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
	if (!vmcd_fd_open(&q->sock))
		return;
	vmcd_fd_close(q->loop, &q->sock);
	if (q->waiting && !q->err[0])
		snprintf(q->err, sizeof(q->err), "%s: connection closed", q->path);
	if (q->waiting) {
		q->waiting = false;
		q->reply(q, -EPIPE, NULL);
	}
}

bool vmcd_qmp_busy(const struct vmcd_qmp *q)
{
	return vmcd_fd_busy(&q->sock);
}

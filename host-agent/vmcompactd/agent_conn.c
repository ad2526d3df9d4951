/* vmcompactd: requests to a guest agent over the event loop. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_conn.h"
#include <vmcompact/util.h>

/* Hand the waiting request its answer, once. */
static void finish(struct vmcd_agent *a, int res, const struct vmc_frame *f)
{
	if (!a->want)
		return;
	a->want = 0;
	a->reply(a, res, f);
}

__attribute__((format(printf, 3, 4)))
static void fail(struct vmcd_agent *a, int res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
	finish(a, res, NULL);
}

static void guest_error(struct vmcd_agent *a, const struct vmc_frame *f)
{
	struct vmc_error e, bad;

	if (vmc_decode_error(f, &e, &bad)) {
		fail(a, -EPROTO, "invalid ERROR from the guest: %s", bad.msg);
		return;
	}
	a->sys_errno = e.sys_errno;
	fail(a, -EREMOTEIO, "guest: %s: %s", vmc_strerror(e.code), e.msg);
}

/* A frame or rejected input from the guest. */
static void event(struct vmcd_agent *a, const struct vmc_event *ev)
{
	/* Garbage, and answers to requests that timed out, are skipped. */
	if (ev->error || !a->want || ev->frame.seq != a->seq)
		return;
	if (ev->frame.type == VMC_ERROR)
		guest_error(a, &ev->frame);
	else if (ev->frame.type != a->want)
		fail(a, -EPROTO, "guest answered %s with %s",
		     vmc_type_name(a->want), vmc_type_name(ev->frame.type));
	else
		finish(a, 0, &ev->frame);
}

static void start_recv(struct vmcd_agent *a)
{
	vmcd_recv(a->loop, &a->recv_op, a->fd, a->rx, sizeof(a->rx));
}

static void received(struct vmcd_op *op, int res)
{
	struct vmcd_agent *a = container_of(op, struct vmcd_agent, recv_op);
	const uint8_t *data = a->rx;
	size_t len = res > 0 ? (size_t)res : 0;
	struct vmc_event ev;

	if (a->fd < 0)
		return;
	if (res <= 0 && res != -EINTR && res != -EAGAIN) {
		snprintf(a->err, sizeof(a->err), "%s: %s", a->path,
			 res ? strerror(-res) : "connection closed (QEMU gone?)");
		vmcd_agent_close(a);
		return;
	}
	while (vmc_parser_feed(&a->parser, &data, &len, &ev)) {
		event(a, &ev);
		if (a->fd < 0)
			return;
	}
	start_recv(a);
}

static void sent(struct vmcd_op *op, int res)
{
	struct vmcd_agent *a = container_of(op, struct vmcd_agent, send_op);

	if (a->fd < 0)
		return;
	if (res < 0) {
		fail(a, -EPIPE, "writing to %s: %s", a->path, strerror(-res));
		return;
	}
	a->tx_off += (size_t)res;
	if (a->tx_off < a->tx_len)
		vmcd_send(a->loop, &a->send_op, a->fd, a->tx + a->tx_off,
			  a->tx_len - a->tx_off);
}

void vmcd_agent_tick(struct vmcd_agent *a, int64_t now_ms)
{
	if (a->want && now_ms >= a->deadline_ms)
		fail(a, -ETIMEDOUT, "no %s (seq %u) from the guest in time",
		     vmc_type_name(a->want), a->seq);
}

int vmcd_agent_connect(struct vmcd_agent *a)
{
	a->recv_op.done = received;
	a->send_op.done = sent;
	a->want = 0;
	vmc_parser_reset(&a->parser);
	if (getrandom(&a->seq, sizeof(a->seq), GRND_NONBLOCK) != sizeof(a->seq))
		a->seq = (uint32_t)getpid() << 8;
	a->fd = vmc_unix_connect(a->path, a->err, sizeof(a->err));
	if (a->fd < 0)
		return -1;
	start_recv(a);
	return 0;
}

uint32_t vmcd_agent_next_seq(struct vmcd_agent *a)
{
	if (++a->seq == 0)
		a->seq = 1;
	return a->seq;
}

void vmcd_agent_request(struct vmcd_agent *a, size_t len, uint16_t want,
			int timeout_ms)
{
	a->want = want;
	a->sys_errno = 0;
	a->deadline_ms = vmcd_now_ms() + timeout_ms;
	if (a->fd < 0 || !len || a->send_op.busy) {
		/* busy: a guest answered before it had all of the last request. */
		fail(a, -EPIPE, "%s: %s", a->path,
		     a->fd < 0 ? "not connected" : !len ?
		     "request does not encode" : "still sending the last request");
		return;
	}
	a->tx_len = len;
	a->tx_off = 0;
	vmcd_send(a->loop, &a->send_op, a->fd, a->tx, len);
}

void vmcd_agent_close(struct vmcd_agent *a)
{
	if (a->fd < 0)
		return;
	/* The recv and send in flight complete at once. */
	shutdown(a->fd, SHUT_RDWR);
	close(a->fd);
	a->fd = -1;
	fail(a, -EPIPE, "%s", a->err[0] ? a->err : "connection closed");
}

bool vmcd_agent_busy(const struct vmcd_agent *a)
{
	return a->recv_op.busy || a->send_op.busy;
}

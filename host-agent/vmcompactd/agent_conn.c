/* vmcompactd: requests to a guest agent over the event loop (agent_conn.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <vmcompact/util.h>

#include "agent_conn.h"

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

/* The guest broke the protocol: say how, and hang up on it. */
__attribute__((format(printf, 2, 3)))
static void hang_up(struct vmcd_agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
	vmcd_fd_close(a->loop, &a->sock);
	finish(a, -EPROTO, NULL);
}

static void guest_error(struct vmcd_agent *a, const struct vmc_frame *f)
{
	struct vmc_error e, bad;

	if (vmc_decode_error(f, &e, &bad)) {
		hang_up(a, "invalid ERROR from the guest: %s", bad.msg);
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
		hang_up(a, "guest answered %s with %s", vmc_type_name(a->want),
			vmc_type_name(ev->frame.type));
	else
		finish(a, 0, &ev->frame);
}

/* Take the events in len bytes at data (none: what the parser holds). */
static void parse(struct vmcd_agent *a, const uint8_t *data, size_t len)
{
	struct vmc_event ev;

	while (vmcd_fd_open(&a->sock)) {
		if (vmc_parser_wasted(&a->parser) > VMC_MAX_WASTED) {
			hang_up(a, "the guest sent %zu bytes that make no frame",
				vmc_parser_wasted(&a->parser));
			return;
		}
		if (!vmc_parser_feed(&a->parser, &data, &len, &ev))
			return;
		event(a, &ev);
	}
}

static void received(struct vmcd_op *op, int res)
{
	struct vmcd_agent *a = container_of(op, struct vmcd_agent, recv_op);

	if (!vmcd_fd_open(&a->sock))
		return;
	if (res <= 0 && res != -EINTR && res != -EAGAIN) {
		snprintf(a->err, sizeof(a->err), "%s: %s", a->path,
			 res ? strerror(-res) : "connection closed (QEMU gone?)");
		vmcd_agent_close(a);
		return;
	}
	if (res > 0) {
		a->last_rx_ms = vmcd_now_ms();
		a->rx_total += (size_t)res;
		if (a->rx_total > VMCD_AGENT_MAX_RX) {
			hang_up(a, "the guest sent %zu bytes without answering",
				a->rx_total);
			return;
		}
		parse(a, a->rx, (size_t)res);
	}
	vmcd_recv(a->loop, &a->recv_op, &a->sock, a->rx, sizeof(a->rx));
}

static void sent(struct vmcd_sender *s, int res)
{
	struct vmcd_agent *a = container_of(s, struct vmcd_agent, sender);

	if (vmcd_fd_open(&a->sock) && res < 0)
		fail(a, -EPIPE, "writing to %s: %s", a->path, strerror(-res));
}

void vmcd_agent_tick(struct vmcd_agent *a, int64_t now_ms)
{
	struct vmc_event ev;

	if (vmcd_fd_open(&a->sock) && vmc_parser_pending(&a->parser) &&
	    now_ms - a->last_rx_ms >= VMC_PARTIAL_TIMEOUT_MS) {
		if (vmc_parser_expire(&a->parser, &ev))
			event(a, &ev);
		parse(a, NULL, 0);
	}
	if (a->want && now_ms >= a->deadline_ms)
		fail(a, -ETIMEDOUT, "no %s (seq %u) from the guest in time",
		     vmc_type_name(a->want), a->seq);
}

void vmcd_agent_init(struct vmcd_agent *a, struct vmcd_loop *loop,
		     const char *path, vmcd_agent_reply_fn *reply)
{
	a->loop = loop;
	a->path = path;
	a->reply = reply;
	a->recv_op.done = received;
	a->sender.done = sent;
	vmcd_fd_init(&a->sock, -1);
}

int vmcd_agent_connect(struct vmcd_agent *a)
{
	int fd;

	a->want = 0;
	a->err[0] = '\0';
	vmc_parser_reset(&a->parser);
	if (getrandom(&a->seq, sizeof(a->seq), GRND_NONBLOCK) != sizeof(a->seq))
		a->seq = (uint32_t)getpid() << 8;
	fd = vmc_unix_connect(a->path, a->err, sizeof(a->err));
	if (fd < 0)
		return -1;
	vmcd_fd_init(&a->sock, fd);
	a->last_rx_ms = vmcd_now_ms();
	vmcd_recv(a->loop, &a->recv_op, &a->sock, a->rx, sizeof(a->rx));
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
	a->rx_total = 0;
	a->err[0] = '\0';
	a->deadline_ms = vmcd_now_ms() + timeout_ms;
	if (!vmcd_fd_open(&a->sock) || !len || a->sender.op.busy) {
		/* busy: a guest answered before it had all of the last request. */
		fail(a, -EPIPE, "%s: %s", a->path,
		     !vmcd_fd_open(&a->sock) ? "not connected" : !len ?
		     "request does not encode" : "still sending the last request");
		return;
	}
	vmcd_send_all(a->loop, &a->sender, &a->sock, a->tx, len);
}

void vmcd_agent_close(struct vmcd_agent *a)
{
	if (!vmcd_fd_open(&a->sock))
		return;
	vmcd_fd_close(a->loop, &a->sock);
	if (a->want && !a->err[0])
		snprintf(a->err, sizeof(a->err), "%s: connection closed", a->path);
	finish(a, -EPIPE, NULL);
}

bool vmcd_agent_busy(const struct vmcd_agent *a)
{
	return vmcd_fd_busy(&a->sock);
}

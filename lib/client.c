/*
 * Connection to a guest agent: framing, timeouts, and matching responses to
 * requests.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <vmcompact/client.h>
#include <vmcompact/util.h>

int vmc_client_fail(struct vmc_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vmc_client_open(struct vmc_client *c, const char *socket_path,
		    int timeout_ms)
{
	/* A guest that stops reading must not block a write forever. */
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = timeout_ms % 1000 * 1000 };

	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->rx_len = 0;
	vmc_parser_reset(&c->parser);
	/*
	 * Start from a random seq, so that answers to an earlier client's
	 * requests still queued in the guest are not taken for ours.
	 */
	if (getrandom(&c->seq, sizeof(c->seq), GRND_NONBLOCK) !=
	    sizeof(c->seq))
		c->seq = (uint32_t)now_ms() ^ (uint32_t)getpid() << 16;

	c->fd = vmc_unix_connect(socket_path, c->err, sizeof(c->err));
	if (c->fd < 0)
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		vmc_client_fail(c, "%s: %s", socket_path, strerror(errno));
		vmc_client_close(c);
		return -1;
	}
	return 0;
}

void vmc_client_close(struct vmc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int vmc_client_send(struct vmc_client *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return vmc_client_fail(c, "timed out writing to the guest (is the agent reading?)");
		if (n < 0)
			return vmc_client_fail(c, "writing to the guest: %s",
					       strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read what the socket has; 0 if nothing came before the wait ran out. */
static int receive(struct vmc_client *c, int wait_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int ready = poll(&pfd, 1, wait_ms);
	ssize_t n;

	if (ready < 0 && errno != EINTR)
		return vmc_client_fail(c, "poll: %s", strerror(errno));
	if (ready <= 0)
		return 0;
	n = read(c->fd, c->rx, sizeof(c->rx));
	if (n == 0)
		return vmc_client_fail(c, "the guest connection was closed (QEMU gone?)");
	if (n < 0 && errno != EINTR && errno != EAGAIN)
		return vmc_client_fail(c, "reading from the guest: %s",
				       strerror(errno));
	c->rx_next = c->rx;
	c->rx_len = n > 0 ? (size_t)n : 0;
	return 1;
}

static int next_event(struct vmc_client *c, struct vmc_event *ev,
		      int64_t deadline)
{
	for (;;) {
		int64_t left;
		bool partial;
		int rc;

		if (vmc_parser_wasted(&c->parser) > VMC_MAX_WASTED)
			return vmc_client_fail(c, "the guest sent %zu bytes without a good frame in them",
					       vmc_parser_wasted(&c->parser));
		if (vmc_parser_feed(&c->parser, &c->rx_next, &c->rx_len, ev))
			return 1;
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		/* A sender silent mid-frame has given it up (PROTOCOL.md 5.3). */
		partial = vmc_parser_pending(&c->parser) &&
			  left > VMC_PARTIAL_TIMEOUT_MS;
		rc = receive(c, partial ? VMC_PARTIAL_TIMEOUT_MS : (int)left);
		if (rc < 0)
			return -1;
		if (!rc && partial && vmc_parser_expire(&c->parser, ev))
			return 1;
	}
}

int vmc_client_next(struct vmc_client *c, struct vmc_event *ev,
		    int timeout_ms)
{
	return next_event(c, ev, now_ms() + timeout_ms);
}

__attribute__((format(printf, 2, 3)))
static void note_skipped(struct vmc_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->skipped, sizeof(c->skipped), fmt, ap);
	va_end(ap);
}

static int guest_error(struct vmc_client *c, const struct vmc_frame *f)
{
	struct vmc_error e, bad;

	if (vmc_decode_error(f, &e, &bad))
		return vmc_client_fail(c, "invalid answer from the guest: %s", bad.msg);
	c->sys_errno = e.sys_errno;
	if (e.code == VMC_ERR_DEVICE)
		return vmc_client_fail(c, "guest: %s: %s (errno %u)",
				       vmc_strerror(e.code), e.msg,
				       e.sys_errno);
	return vmc_client_fail(c, "guest: %s: %s", vmc_strerror(e.code),
			       e.msg);
}

/*
 * Send the request of len bytes in c->tx and wait for its response, which
 * must be of type want.  Input that is not the answer (garbage, stale
 * responses to an earlier client) is skipped, and named if no answer comes.
 */
static int request(struct vmc_client *c, size_t len, uint16_t want,
		   int timeout_ms, struct vmc_frame *resp)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct vmc_event ev;
	int rc;

	c->sys_errno = 0;
	if (vmc_client_send(c, c->tx, len) < 0)
		return -1;
	c->skipped[0] = '\0';
	while ((rc = next_event(c, &ev, deadline)) > 0) {
		if (ev.error) {
			note_skipped(c, "%s (%s)", vmc_strerror(ev.error),
				     ev.why);
		} else if (ev.frame.seq != c->seq) {
			note_skipped(c, "%s with seq %u",
				     vmc_type_name(ev.frame.type),
				     ev.frame.seq);
		} else if (ev.frame.type == VMC_ERROR) {
			return guest_error(c, &ev.frame);
		} else if (ev.frame.type != want) {
			return vmc_client_fail(c, "guest answered seq %u with type 0x%04x (%s), not %s",
					       c->seq, ev.frame.type,
					       vmc_type_name(ev.frame.type),
					       vmc_type_name(want));
		} else {
			*resp = ev.frame;
			return 0;
		}
	}
	if (rc == 0)
		vmc_client_fail(c, "no %s (seq %u) from the guest within %d ms (agent not running, or another client connected?)%s%s",
				vmc_type_name(want), c->seq, timeout_ms,
				c->skipped[0] ? "; last input skipped: " : "",
				c->skipped);
	return -1;
}

static uint32_t next_seq(struct vmc_client *c)
{
	/* 0 is what the agent echoes when it cannot tell the request. */
	if (++c->seq == 0)
		c->seq = 1;
	return c->seq;
}

int vmc_client_hello(struct vmc_client *c, struct vmc_hello *h)
{
	size_t len = vmc_encode_hello_req(c->tx, sizeof(c->tx), next_seq(c));
	struct vmc_error err;
	struct vmc_frame f;

	if (request(c, len, VMC_HELLO_RESP, c->timeout_ms, &f) < 0)
		return -1;
	if (vmc_decode_hello_resp(&f, h, &err))
		return vmc_client_fail(c, "invalid answer from the guest: %s", err.msg);
	return 0;
}

int vmc_client_map(struct vmc_client *c, const struct vmc_map_req *req,
		   struct vmc_map_resp *m, struct vacate_block *blocks)
{
	size_t len = vmc_encode_map_req(c->tx, sizeof(c->tx), next_seq(c), req);
	struct vmc_error err;
	struct vmc_frame f;

	if (request(c, len, VMC_MAP_RESP, c->timeout_ms, &f) < 0)
		return -1;
	if (vmc_decode_map_resp(&f, req, m, blocks, &err))
		return vmc_client_fail(c, "invalid answer from the guest: %s", err.msg);
	return 0;
}

int vmc_client_vacate(struct vmc_client *c, const struct vmc_vacate_req *req,
		      uint32_t block_pages, int timeout_ms,
		      struct vmc_vacate_resp *v, struct vacate_result *results)
{
	size_t len = vmc_encode_vacate_req(c->tx, sizeof(c->tx), next_seq(c),
					   req);
	struct vmc_error err;
	struct vmc_frame f;

	if (!len)
		return vmc_client_fail(c, "a VACATE request names at most %d blocks",
				       VMC_VACATE_MAX_BLOCKS);
	if (request(c, len, VMC_VACATE_RESP, timeout_ms, &f) < 0)
		return -1;
	if (vmc_decode_vacate_resp(&f, req, block_pages, v, results, &err))
		return vmc_client_fail(c, "invalid answer from the guest: %s", err.msg);
	return 0;
}

int vmc_client_release(struct vmc_client *c)
{
	size_t len = vmc_encode_release_req(c->tx, sizeof(c->tx), next_seq(c));
	struct vmc_error err;
	struct vmc_frame f;

	if (request(c, len, VMC_RELEASE_RESP, c->timeout_ms, &f) < 0)
		return -1;
	if (vmc_decode_empty(&f, &err))
		return vmc_client_fail(c, "invalid answer from the guest: %s", err.msg);
	return 0;
}

int vmc_client_census(struct vmc_client *c, uint32_t room,
		      struct vmc_census_resp *resp,
		      struct vacate_census_entry *entries)
{
	size_t len = vmc_encode_census_req(c->tx, sizeof(c->tx), next_seq(c),
					   room);
	struct vmc_error err;
	struct vmc_frame f;

	if (request(c, len, VMC_CENSUS_RESP, c->timeout_ms, &f) < 0)
		return -1;
	if (vmc_decode_census_resp(&f, room, resp, entries, &err))
		return vmc_client_fail(c, "invalid answer from the guest: %s", err.msg);
	return 0;
}

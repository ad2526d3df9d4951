/*
 * vmcompactd's connection to one guest agent, on the event loop: one
 * request at a time, its answer matched by seq and type, within a
 * deadline.  The answer's payload is not decoded here: the caller knows
 * the request it answers (PROTOCOL.md section 6).
 *
 * The guest is untrusted, and what it sends costs it, not the daemon:
 * the connection is dropped once it sends VMC_MAX_WASTED bytes that make
 * no good frame (a stream of overlapping fake headers would otherwise
 * cost a 64 KiB crc per 4 bytes), or more than VMCD_AGENT_MAX_RX bytes
 * for one request; a frame it leaves unfinished for
 * VMC_PARTIAL_TIMEOUT_MS is given up (PROTOCOL.md 5.3).
 */
#ifndef VMCD_AGENT_CONN_H
#define VMCD_AGENT_CONN_H

#include <vmcompact/proto.h>

#include "loop.h"

/* Most bytes taken from a guest for one request: the answer and some. */
#define VMCD_AGENT_MAX_RX	(2 * VMC_FRAME_MAX)

struct vmcd_agent;

/*
 * The answer: res 0 and the frame of the wanted type, or a negative errno
 * with a->err set: -EREMOTEIO the guest sent an ERROR (a->sys_errno set
 * for a DEVICE error), -ETIMEDOUT no answer in time, -EPROTO the guest
 * broke the protocol (the connection is closed), -EPIPE the connection
 * is gone.
 */
typedef void vmcd_agent_reply_fn(struct vmcd_agent *a, int res,
				 const struct vmc_frame *f);

struct vmcd_agent {
	struct vmcd_loop *loop;
	const char *path;
	struct vmcd_fd sock;
	uint32_t seq;		/* of the request waiting for its answer */
	uint16_t want;		/* its answer's type; 0: none waiting */
	vmcd_agent_reply_fn *reply;
	char err[512];
	uint32_t sys_errno;
	int64_t deadline_ms;	/* CLOCK_MONOTONIC, of the waiting request */
	int64_t last_rx_ms;	/* when bytes last came */
	size_t rx_total;	/* bytes since the last request was sent */
	struct vmcd_op recv_op;
	struct vmcd_sender sender;
	uint8_t rx[4096];
	struct vmc_parser parser;
	uint8_t tx[VMC_FRAME_MAX];
};

/* Set up a (once, before anything else). */
void vmcd_agent_init(struct vmcd_agent *a, struct vmcd_loop *loop,
		     const char *path, vmcd_agent_reply_fn *reply);

/* Connect and start reading: 0, or -1 with a->err. */
int vmcd_agent_connect(struct vmcd_agent *a);

/* The next seq, for encoding a request into a->tx. */
uint32_t vmcd_agent_next_seq(struct vmcd_agent *a);

/*
 * Send the len bytes of a->tx (a request with seq a->seq) and call
 * a->reply once with its answer of type want, or a failure.
 */
void vmcd_agent_request(struct vmcd_agent *a, size_t len, uint16_t want,
			int timeout_ms);

/*
 * Deadlines: fail the waiting request with -ETIMEDOUT past its deadline;
 * give up a frame left unfinished for VMC_PARTIAL_TIMEOUT_MS.
 */
void vmcd_agent_tick(struct vmcd_agent *a, int64_t now_ms);

/* Close the connection; a waiting request fails with -EPIPE. */
void vmcd_agent_close(struct vmcd_agent *a);

/* Whether the loop still uses the connection (closed or not). */
bool vmcd_agent_busy(const struct vmcd_agent *a);

#endif /* VMCD_AGENT_CONN_H */

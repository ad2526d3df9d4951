/*
 * vmcompactd's connection to one guest agent, on the event loop: one
 * request at a time, its answer matched by seq and type, within a
 * deadline.  The answer's payload is not decoded here: the caller knows
 * the request it answers (PROTOCOL.md section 6).
 */
#ifndef VMCD_AGENT_CONN_H
#define VMCD_AGENT_CONN_H

#include <vmcompact/proto.h>

#include "loop.h"

struct vmcd_agent;

/*
 * The answer: res 0 and the frame of the wanted type, or a negative errno
 * with a->err set: -EREMOTEIO the guest sent an ERROR (a->sys_errno set
 * for a DEVICE error), -ETIMEDOUT no answer in time, -EPIPE the
 * connection is gone (a->fd is closed by then).
 */
typedef void vmcd_agent_reply_fn(struct vmcd_agent *a, int res,
				 const struct vmc_frame *f);

struct vmcd_agent {
	struct vmcd_loop *loop;
	const char *path;
	int fd;
	uint32_t seq;		/* of the request waiting for its answer */
	uint16_t want;		/* its answer's type; 0: none waiting */
	vmcd_agent_reply_fn *reply;
	char err[512];
	uint32_t sys_errno;
	int64_t deadline_ms;	/* CLOCK_MONOTONIC, of the waiting request */
	struct vmcd_op recv_op, send_op;
	size_t tx_len, tx_off;
	uint8_t rx[4096];
	struct vmc_parser parser;
	uint8_t tx[VMC_FRAME_MAX];
};

/* Connect (a->fd >= 0 after) and start reading: 0, or -1 with a->err. */
int vmcd_agent_connect(struct vmcd_agent *a);

/* The next seq, for encoding a request into a->tx. */
uint32_t vmcd_agent_next_seq(struct vmcd_agent *a);

/*
 * Send the len bytes of a->tx (a request with seq a->seq) and call
 * a->reply once with its answer of type want, or a failure.
 */
void vmcd_agent_request(struct vmcd_agent *a, size_t len, uint16_t want,
			int timeout_ms);

/* Fail the waiting request with -ETIMEDOUT if now_ms is past its deadline. */
void vmcd_agent_tick(struct vmcd_agent *a, int64_t now_ms);

/* Close the connection; a waiting request fails with -EPIPE. */
void vmcd_agent_close(struct vmcd_agent *a);

/* Whether any operation of a is still in flight. */
bool vmcd_agent_busy(const struct vmcd_agent *a);

#endif /* VMCD_AGENT_CONN_H */

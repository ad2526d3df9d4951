/*
 * vmcompactd's QMP client for one QEMU, on the event loop: the greeting,
 * qmp_capabilities, then one command at a time, and QEMU's events
 * (RESET, STOP...) as they come.
 */
#ifndef VMCD_QMP_H
#define VMCD_QMP_H

#include <json-c/json.h>

#include "loop.h"
#include "qmp_reader.h"

struct vmcd_qmp;

/*
 * A command's answer: res 0 and its "return" value (valid during the
 * call), or a negative errno with q->err set: -EREMOTEIO QEMU answered
 * with an error, -ETIMEDOUT no answer in time, -EPIPE the connection is
 * gone, -EPROTO QEMU sent something that is not QMP.
 */
typedef void vmcd_qmp_reply_fn(struct vmcd_qmp *q, int res, json_object *ret);

/* An event QEMU sent, by its name; the call may close the connection. */
typedef void vmcd_qmp_event_fn(struct vmcd_qmp *q, const char *event);

struct vmcd_qmp {
	struct vmcd_loop *loop;
	const char *path;
	struct vmcd_fd sock;
	bool ready;		/* capabilities negotiated */
	bool waiting;		/* a command (or the handshake) is out */
	unsigned int id;
	int64_t deadline_ms;
	vmcd_qmp_reply_fn *reply;
	vmcd_qmp_event_fn *event;
	char err[256];
	struct vmcd_qmp_reader reader;
	struct vmcd_op recv_op;
	struct vmcd_sender sender;
	char pending[512];	/* the command to send once ready */
	char tx[512];
	char rx[4096];
};

/* Set up q (once, before anything else): 0, or -1 out of memory. */
int vmcd_qmp_init(struct vmcd_qmp *q, struct vmcd_loop *loop,
		  const char *path, vmcd_qmp_reply_fn *reply,
		  vmcd_qmp_event_fn *event);
void vmcd_qmp_free(struct vmcd_qmp *q);

/* Connect and start the handshake: 0, or -1 with q->err set. */
int vmcd_qmp_connect(struct vmcd_qmp *q);

/* Whether a connection is open (it may still be in its handshake). */
bool vmcd_qmp_connected(const struct vmcd_qmp *q);

/*
 * Run "execute" with "arguments" args (NULL for none; taken over), and
 * call q->reply once with the answer.  The handshake goes first if it has
 * not finished.
 */
void vmcd_qmp_command(struct vmcd_qmp *q, const char *execute,
		      json_object *args, int timeout_ms);

void vmcd_qmp_tick(struct vmcd_qmp *q, int64_t now_ms);
void vmcd_qmp_close(struct vmcd_qmp *q);
/* Whether the loop still uses the connection (closed or not). */
bool vmcd_qmp_busy(const struct vmcd_qmp *q);

#endif /* VMCD_QMP_H */

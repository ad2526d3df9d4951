/*
 * vmcompactd's event loop: one io_uring for every VM.  Each operation in
 * flight is a struct vmcd_op embedded in its owner; its completion calls
 * op->done with the result (a byte count, 0, or a negative errno).  An op
 * is in flight at most once: owners check op->busy before reusing it.
 *
 * Descriptors that operations use are struct vmcd_fd, and only the loop
 * closes them, once no operation of theirs is in flight: an operation
 * queued or running after close() could find the number taken by the
 * next file opened, another VM's socket.  The owner of a vmcd_fd keeps
 * it (and the buffers of its operations) until vmcd_fd_busy() is false.
 */
#ifndef VMCD_LOOP_H
#define VMCD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

/* The struct that embeds the member p points to. */
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

struct vmcd_fd {
	int fd;			/* -1: none, or closed */
	bool closing;		/* released: closed when ops reaches 0 */
	unsigned int ops;	/* operations in flight on it */
};

struct vmcd_op {
	void (*done)(struct vmcd_op *op, int res);
	struct vmcd_fd *file;	/* the descriptor it uses, or NULL */
	bool busy;
	struct __kernel_timespec ts;	/* for timeouts */
};

struct vmcd_loop {
	struct io_uring ring;
	bool stop;
	unsigned int in_flight;
};

int vmcd_loop_init(struct vmcd_loop *l, unsigned int entries);
void vmcd_loop_exit(struct vmcd_loop *l);

/* Take fd over (it may be -1). */
void vmcd_fd_init(struct vmcd_fd *f, int fd);

/* Whether f can take new operations. */
static inline bool vmcd_fd_open(const struct vmcd_fd *f)
{
	return f->fd >= 0 && !f->closing;
}

/* Whether f is still in use by the loop (closed or not). */
static inline bool vmcd_fd_busy(const struct vmcd_fd *f)
{
	return f->ops > 0;
}

/*
 * Give f up: a socket is shut down and every operation on f cancelled,
 * so they complete soon (-ECANCELED, or 0 bytes); the loop closes the
 * descriptor after the last.  Nothing more may be queued on f.
 */
void vmcd_fd_close(struct vmcd_loop *l, struct vmcd_fd *f);

/*
 * Queue an operation (submitted on the next turn of the loop).  Those on
 * a descriptor return false, queueing nothing, if f is not open.
 */
bool vmcd_recv(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       void *buf, size_t len);
bool vmcd_send(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       const void *buf, size_t len);
bool vmcd_read(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       void *buf, size_t len);
/*
 * A whole buffer sent, as many sends as it takes: then done(s, 0), or
 * done(s, -errno) at the first that fails (-EPIPE if f is closed meanwhile).
 * buf must live until then; s->op.busy while it goes.
 */
struct vmcd_sender {
	struct vmcd_op op;
	struct vmcd_loop *loop;
	const uint8_t *buf;
	size_t len, off;
	void (*done)(struct vmcd_sender *s, int res);
};

bool vmcd_send_all(struct vmcd_loop *l, struct vmcd_sender *s,
		   struct vmcd_fd *f, const void *buf, size_t len);

/* Completes with the new connection's fd. */
bool vmcd_accept(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f);
/* Completes with the poll events once one of events is there. */
bool vmcd_poll(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       unsigned int events);
/* Completes with -ETIME after ms milliseconds. */
void vmcd_sleep(struct vmcd_loop *l, struct vmcd_op *op, int64_t ms);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t vmcd_now_ms(void);

/* Run until l->stop is set and nothing is in flight, or on error. */
int vmcd_loop_run(struct vmcd_loop *l);

#endif /* VMCD_LOOP_H */

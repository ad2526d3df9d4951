/*
 * vmcompactd's event loop: one io_uring for every VM.  Each operation in
 * flight is a struct vmcd_op embedded in its owner; its completion calls
 * op->done with the result (a byte count, 0, or a negative errno).  An op
 * is in flight at most once: owners check op->busy before reusing it.
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

struct vmcd_op {
	void (*done)(struct vmcd_op *op, int res);
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

/* Queue an operation (submitted on the next turn of the loop). */
void vmcd_recv(struct vmcd_loop *l, struct vmcd_op *op, int fd, void *buf,
	       size_t len);
void vmcd_send(struct vmcd_loop *l, struct vmcd_op *op, int fd,
	       const void *buf, size_t len);
void vmcd_read(struct vmcd_loop *l, struct vmcd_op *op, int fd, void *buf,
	       size_t len);
/* Completes with the new connection's fd. */
void vmcd_accept(struct vmcd_loop *l, struct vmcd_op *op, int fd);
/* Completes with -ETIME after ms milliseconds. */
void vmcd_sleep(struct vmcd_loop *l, struct vmcd_op *op, int64_t ms);
/* Ask for op to complete early (-ECANCELED) if it is in flight. */
void vmcd_cancel(struct vmcd_loop *l, struct vmcd_op *op);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t vmcd_now_ms(void);

/* Run until l->stop is set and nothing is in flight, or on error. */
int vmcd_loop_run(struct vmcd_loop *l);

#endif /* VMCD_LOOP_H */

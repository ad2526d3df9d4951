/* vmcompactd's io_uring loop. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "loop.h"

/* Completions of vmcd_cancel()'s own requests carry no op. */
#define CANCEL_TAG 0

int vmcd_loop_init(struct vmcd_loop *l, unsigned int entries)
{
	l->stop = false;
	l->in_flight = 0;
	return io_uring_queue_init(entries, &l->ring, 0);
}

void vmcd_loop_exit(struct vmcd_loop *l)
{
	io_uring_queue_exit(&l->ring);
}

/* A free sqe: when the ring is full, submit what it holds first. */
static struct io_uring_sqe *sqe_for(struct vmcd_loop *l, struct vmcd_op *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	while (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (op) {
		op->busy = true;
		l->in_flight++;
	}
	return sqe;
}

static void tag(struct io_uring_sqe *sqe, struct vmcd_op *op)
{
	io_uring_sqe_set_data(sqe, op);
}

void vmcd_recv(struct vmcd_loop *l, struct vmcd_op *op, int fd, void *buf,
	       size_t len)
{
	struct io_uring_sqe *sqe = sqe_for(l, op);

	io_uring_prep_recv(sqe, fd, buf, len, 0);
	tag(sqe, op);
}

void vmcd_send(struct vmcd_loop *l, struct vmcd_op *op, int fd,
	       const void *buf, size_t len)
{
	struct io_uring_sqe *sqe = sqe_for(l, op);

	io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
	tag(sqe, op);
}

void vmcd_read(struct vmcd_loop *l, struct vmcd_op *op, int fd, void *buf,
	       size_t len)
{
	struct io_uring_sqe *sqe = sqe_for(l, op);

	io_uring_prep_read(sqe, fd, buf, (unsigned int)len, 0);
	tag(sqe, op);
}

void vmcd_accept(struct vmcd_loop *l, struct vmcd_op *op, int fd)
{
	struct io_uring_sqe *sqe = sqe_for(l, op);

	io_uring_prep_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
	tag(sqe, op);
}

void vmcd_sleep(struct vmcd_loop *l, struct vmcd_op *op, int64_t ms)
{
	struct io_uring_sqe *sqe = sqe_for(l, op);

	op->ts.tv_sec = ms / 1000;
	op->ts.tv_nsec = ms % 1000 * 1000000;
	io_uring_prep_timeout(sqe, &op->ts, 0, 0);
	tag(sqe, op);
}

void vmcd_cancel(struct vmcd_loop *l, struct vmcd_op *op)
{
	struct io_uring_sqe *sqe;

	if (!op->busy)
		return;
	sqe = sqe_for(l, NULL);
	io_uring_prep_cancel(sqe, op, 0);
	io_uring_sqe_set_data64(sqe, CANCEL_TAG);
}

int vmcd_loop_run(struct vmcd_loop *l)
{
	while (!l->stop || l->in_flight) {
		struct io_uring_cqe *cqe;
		int rc = io_uring_submit_and_wait(&l->ring, 1);

		if (rc < 0 && rc != -EINTR)
			return rc;
		while (io_uring_peek_cqe(&l->ring, &cqe) == 0) {
			struct vmcd_op *op = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(&l->ring, cqe);
			if (!op)
				continue;
			op->busy = false;
			l->in_flight--;
			op->done(op, res);
		}
	}
	return 0;
}

int64_t vmcd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* vmcompactd's io_uring loop (loop.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

/* Completions of cancel requests carry no op. */
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

void vmcd_fd_init(struct vmcd_fd *f, int fd)
{
	f->fd = fd;
	f->closing = false;
	f->ops = 0;
}

/* The last operation on a released descriptor is over: close it. */
static void put_fd(struct vmcd_fd *f)
{
	if (--f->ops == 0 && f->closing && f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
}

/* A free sqe: when the ring is full, submit what it holds first. */
static struct io_uring_sqe *sqe_for(struct vmcd_loop *l, struct vmcd_op *op,
				    struct vmcd_fd *f)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	while (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (op) {
		op->busy = true;
		op->file = f;
		l->in_flight++;
		io_uring_sqe_set_data(sqe, op);
	} else {
		io_uring_sqe_set_data64(sqe, CANCEL_TAG);
	}
	if (f)
		f->ops++;
	return sqe;
}

void vmcd_fd_close(struct vmcd_loop *l, struct vmcd_fd *f)
{
	struct io_uring_sqe *sqe;

	if (f->fd < 0 || f->closing)
		return;
	f->closing = true;
	if (!f->ops) {
		close(f->fd);
		f->fd = -1;
		return;
	}
	/* ENOTSOCK for a signalfd or a file: the cancel does it then. */
	shutdown(f->fd, SHUT_RDWR);
	sqe = sqe_for(l, NULL, NULL);
	io_uring_prep_cancel_fd(sqe, f->fd, IORING_ASYNC_CANCEL_ALL);
}

bool vmcd_recv(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       void *buf, size_t len)
{
	if (!vmcd_fd_open(f))
		return false;
	io_uring_prep_recv(sqe_for(l, op, f), f->fd, buf, len, 0);
	return true;
}

bool vmcd_send(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       const void *buf, size_t len)
{
	if (!vmcd_fd_open(f))
		return false;
	io_uring_prep_send(sqe_for(l, op, f), f->fd, buf, len, MSG_NOSIGNAL);
	return true;
}

static void sent_some(struct vmcd_op *op, int res)
{
	struct vmcd_sender *s = container_of(op, struct vmcd_sender, op);

	if (res < 0) {
		s->done(s, res);
		return;
	}
	s->off += (size_t)res;
	if (s->off == s->len)
		s->done(s, 0);
	else if (!vmcd_send(s->loop, op, op->file, s->buf + s->off,
			    s->len - s->off))
		s->done(s, -EPIPE);
}

bool vmcd_send_all(struct vmcd_loop *l, struct vmcd_sender *s,
		   struct vmcd_fd *f, const void *buf, size_t len)
{
	s->loop = l;
	s->buf = buf;
	s->len = len;
	s->off = 0;
	s->op.done = sent_some;
	return vmcd_send(l, &s->op, f, buf, len);
}

bool vmcd_read(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       void *buf, size_t len)
{
	if (!vmcd_fd_open(f))
		return false;
	io_uring_prep_read(sqe_for(l, op, f), f->fd, buf, (unsigned int)len, 0);
	return true;
}

bool vmcd_accept(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f)
{
	if (!vmcd_fd_open(f))
		return false;
	io_uring_prep_accept(sqe_for(l, op, f), f->fd, NULL, NULL,
			     SOCK_CLOEXEC);
	return true;
}

bool vmcd_poll(struct vmcd_loop *l, struct vmcd_op *op, struct vmcd_fd *f,
	       unsigned int events)
{
	if (!vmcd_fd_open(f))
		return false;
	io_uring_prep_poll_add(sqe_for(l, op, f), f->fd, events);
	return true;
}

void vmcd_sleep(struct vmcd_loop *l, struct vmcd_op *op, int64_t ms)
{
	struct io_uring_sqe *sqe = sqe_for(l, op, NULL);

	op->ts.tv_sec = ms / 1000;
	op->ts.tv_nsec = ms % 1000 * 1000000;
	io_uring_prep_timeout(sqe, &op->ts, 0, 0);
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
			if (op->file)
				put_fd(op->file);
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

/* Host memory pressure triggers (psi.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <vmcompact/util.h>

#include "log.h"
#include "psi.h"

static struct vmcd_loop *loop;
static struct vmcd_fd file;
static struct vmcd_op poll_op;
static void (*fired)(void);

static void polled(struct vmcd_op *op, int res)
{
	if (!vmcd_fd_open(&file))
		return;
	if (res < 0 || (res & (POLLERR | POLLNVAL))) {
		vmcd_log(LOG_ERR, NULL, "memory pressure trigger: %s",
			 res < 0 ? strerror(-res) : "the file went away");
		vmcd_fd_close(loop, &file);
		return;
	}
	if (res & POLLPRI)
		fired();
	vmcd_poll(loop, op, &file, POLLPRI);
}

int vmcd_psi_open(struct vmcd_loop *l, const char *path, const char *trigger,
		  void (*f)(void), char *err, size_t err_size)
{
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return vmc_failf(err, err_size, "%s: %s", path, strerror(errno));
	/* The kernel takes the trigger with its terminating NUL. */
	if (write(fd, trigger, strlen(trigger) + 1) < 0) {
		vmc_failf(err, err_size, "%s: trigger \"%s\": %s", path,
			  trigger, strerror(errno));
		close(fd);
		return -1;
	}
	loop = l;
	fired = f;
	vmcd_fd_init(&file, fd);
	poll_op.done = polled;
	vmcd_poll(loop, &poll_op, &file, POLLPRI);
	return 0;
}

void vmcd_psi_close(void)
{
	if (loop)
		vmcd_fd_close(loop, &file);
}

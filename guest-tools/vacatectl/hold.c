/* Keeping held blocks: wait, with the file open, for a time or a signal. */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "vacatectl.h"

void vctl_hold_wait(int64_t seconds)
{
	int64_t deadline = vmc_now_ns() + seconds * 1000000000;
	sigset_t stop;

	/* Taken as they come, rather than killing us: the caller releases. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	for (;;) {
		int64_t left = deadline - vmc_now_ns();
		struct timespec ts = { .tv_sec = left / 1000000000,
				       .tv_nsec = left % 1000000000 };

		if (seconds >= 0 && left <= 0)
			return;
		/*
		 * A signal ends the wait.  EAGAIN (the time is up) and EINTR
		 * (stopped and continued) go round again.
		 */
		if (sigtimedwait(&stop, NULL, seconds < 0 ? NULL : &ts) > 0 ||
		    (errno != EINTR && errno != EAGAIN))
			return;
	}
}

/* Monotonic time, for timing requests and holds. */
#include <time.h>

#include "vacatectl.h"

int64_t vctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#include <stdarg.h>
#include <stdio.h>

#include "harness.h"

static bool failed, skipped;
static int nr_failed;
static char reason[512];

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed)
		return;
	failed = true;
	n = snprintf(reason, sizeof(reason), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(reason + n, sizeof(reason) - (size_t)n, fmt, ap);
	va_end(ap);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	skipped = true;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
}

bool t_failed(void)
{
	return failed;
}

void t_run(const char *name, void (*fn)(void))
{
	failed = false;
	skipped = false;
	fn();
	if (skipped && !failed) {
		printf("SKIP %s: %s\n", name, reason);
	} else if (failed) {
		printf("FAIL %s: %s\n", name, reason);
		nr_failed++;
	} else {
		printf("PASS %s\n", name);
	}
	fflush(stdout);
}

int t_exit_status(void)
{
	return nr_failed ? 1 : 0;
}

/*
 * A framework-free unit test harness.  Each case prints one line,
 * "PASS name" or "FAIL name: reason", and the binary exits non-zero if any
 * case failed.
 */
#ifndef VMC_HARNESS_H
#define VMC_HARNESS_H

#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Fail the running case (the first reason sticks) and return from it. */
#define CHECK(cond) CHECKF(cond, "%s", #cond)
#define CHECKF(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			t_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			return;						\
		}							\
	} while (0)

__attribute__((format(printf, 3, 4)))
void t_fail(const char *file, int line, const char *fmt, ...);

/* Whether the running case has failed, for helpers that return values. */
bool t_failed(void);

/* The running case cannot run here: it says SKIP with the reason. */
__attribute__((format(printf, 1, 2)))
void t_skip(const char *fmt, ...);

void t_run(const char *name, void (*fn)(void));

/* The exit status: 1 if any case failed. */
int t_exit_status(void);

#endif /* VMC_HARNESS_H */

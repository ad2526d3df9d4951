/* Small helpers of every vmcompact program: messages, numbers, time, sockets. */
#ifndef VMCOMPACT_UTIL_H
#define VMCOMPACT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Room for a message that says what went wrong. */
#define VMC_ERR_LEN 512

/* The message, formatted into err; returns -1. */
__attribute__((format(printf, 3, 4)))
int vmc_failf(char *err, size_t size, const char *fmt, ...);

/* A number in decimal or 0x hex: 0, or -1 if s is not one or overflows. */
int vmc_parse_u64(const char *s, uint64_t *v);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t vmc_now_ns(void);

/*
 * unix.c: connect to the unix stream socket at path: its fd
 * (close-on-exec), or -1 with "PATH: why" (or "socket: why") in err.
 */
int vmc_unix_connect(const char *path, char *err, size_t err_size);

#endif /* VMCOMPACT_UTIL_H */

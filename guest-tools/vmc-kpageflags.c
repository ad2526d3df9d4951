// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-kpageflags: count the pages whose /proc/kpageflags entry has a given
 * bit set (include/uapi/linux/kernel-page-flags.h: KPF_BUDDY 10,
 * KPF_OFFLINE 23, ...), over all of RAM or in [START, END) (pfns, decimal
 * or 0x hex).  Prints the count.
 *
 *   vmc-kpageflags BIT [START END]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 4096

static unsigned long long arg_ull(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "vmc-kpageflags: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static uint64_t flags[CHUNK];
	unsigned long long bit, pfn = 0, end = ~0ULL, count = 0;
	int fd;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: vmc-kpageflags BIT [START END]\n");
		return 2;
	}
	bit = arg_ull(argv[1]);
	if (bit > 63) {
		fprintf(stderr, "vmc-kpageflags: bit %llu is not below 64\n", bit);
		return 2;
	}
	if (argc == 4) {
		pfn = arg_ull(argv[2]);
		end = arg_ull(argv[3]);
	}
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "vmc-kpageflags: /proc/kpageflags: %s\n", strerror(errno));
		return 1;
	}
	while (pfn < end) {
		unsigned long long want = end - pfn < CHUNK ? end - pfn : CHUNK;
		ssize_t n = pread(fd, flags, want * sizeof(flags[0]),
				  (off_t)(pfn * sizeof(flags[0])));

		if (n < 0) {
			fprintf(stderr, "vmc-kpageflags: read at pfn %llu: %s\n",
				pfn, strerror(errno));
			return 1;
		}
		if (n == 0)	/* past the last pfn */
			break;
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(flags[0]); i++)
			count += (flags[i] >> bit) & 1;
		pfn += n / sizeof(flags[0]);
	}
	close(fd);
	printf("%llu\n", count);
	return 0;
}

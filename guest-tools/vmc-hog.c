// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-hog: hold MIB MiB of anonymous memory, every page written, and sleep
 * until killed.  Prints "vmc-hog: ready PID" once the memory is touched.
 * Without swap nothing can reclaim it: a tenant at its memory cgroup's
 * limit, for the OOM tests.
 *
 *   vmc-hog MIB
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long mib, len, page = (unsigned long)sysconf(_SC_PAGESIZE);
	char *end, *p;

	if (argc != 2) {
		fprintf(stderr, "usage: vmc-hog MIB\n");
		return 2;
	}
	errno = 0;
	mib = strtoul(argv[1], &end, 0);
	if (errno || *end || !mib || mib > (1UL << 20)) {
		fprintf(stderr, "vmc-hog: bad size '%s'\n", argv[1]);
		return 2;
	}
	len = mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "vmc-hog: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	for (unsigned long off = 0; off < len; off += page)
		p[off] = (char)(off / page) | 1;
	printf("vmc-hog: ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

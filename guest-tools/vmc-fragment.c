// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-fragment: the fragmentation workload of ENVIRONMENT.md, as a guest
 * helper.  In DIR, ROUNDS times: write a BIG_MB file of a known pattern,
 * then create NFILES small files in a new subdirectory.  Page cache and
 * dentry/inode slab pages end up interleaved in most pageblocks.
 *
 *   vmc-fragment DIR [ROUNDS [BIG_MB [NFILES]]]     (defaults 20 120 20000)
 *   vmc-fragment --verify DIR [ROUNDS [BIG_MB]]     check the big files
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static unsigned long arg_ul(int argc, char **argv, int i, unsigned long def)
{
	char *end;
	unsigned long v;

	if (i >= argc)
		return def;
	errno = 0;
	v = strtoul(argv[i], &end, 0);
	if (errno || *end || end == argv[i]) {
		fprintf(stderr, "vmc-fragment: bad number '%s'\n", argv[i]);
		exit(2);
	}
	return v;
}

/* Every 8-byte word holds its own file offset xor the round number. */
static void fill_chunk(uint64_t *buf, unsigned long round, uint64_t off)
{
	for (size_t i = 0; i < CHUNK / 8; i++)
		buf[i] = (off + i * 8) ^ ((uint64_t)round << 56);
}

static int big_file(const char *dir, unsigned long round, unsigned long mb,
		    int verify)
{
	static uint64_t want[CHUNK / 8], got[CHUNK / 8];
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/big%lu", dir, round);
	fd = verify ? open(path, O_RDONLY) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "vmc-fragment: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (unsigned long i = 0; i < mb; i++) {
		uint64_t off = (uint64_t)i * CHUNK;
		ssize_t n;

		fill_chunk(want, round, off);
		n = verify ? read(fd, got, CHUNK) : write(fd, want, CHUNK);
		if (n != CHUNK) {
			fprintf(stderr, "vmc-fragment: %s: short %s at %lu MiB\n",
				path, verify ? "read" : "write", i);
			close(fd);
			return -1;
		}
		if (verify && memcmp(want, got, CHUNK)) {
			fprintf(stderr, "vmc-fragment: %s: corrupt at %lu MiB\n", path, i);
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

static int small_files(const char *dir, unsigned long round, unsigned long n)
{
	char path[4096];
	size_t len;

	len = (size_t)snprintf(path, sizeof(path), "%s/small%lu", dir, round);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "vmc-fragment: mkdir %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (unsigned long i = 0; i < n; i++) {
		int fd;

		snprintf(path + len, sizeof(path) - len, "/f%lu", i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, path, len) != (ssize_t)len || close(fd)) {
			fprintf(stderr, "vmc-fragment: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int verify = argc > 1 && !strcmp(argv[1], "--verify");
	int a = verify ? 2 : 1;
	unsigned long rounds, mb, nfiles;
	const char *dir;

	if (argc <= a) {
		fprintf(stderr, "usage: vmc-fragment [--verify] DIR [ROUNDS [BIG_MB [NFILES]]]\n");
		return 2;
	}
	dir = argv[a];
	rounds = arg_ul(argc, argv, a + 1, 20);
	mb = arg_ul(argc, argv, a + 2, 120);
	nfiles = arg_ul(argc, argv, a + 3, 20000);

	for (unsigned long r = 0; r < rounds; r++) {
		if (big_file(dir, r, mb, verify))
			return 1;
		if (!verify && small_files(dir, r, nfiles))
			return 1;
	}
	sync();
	printf("vmc-fragment: %s %lu rounds of %lu MiB%s\n",
	       verify ? "verified" : "wrote", rounds, mb,
	       verify ? "" : " + small files");
	return 0;
}

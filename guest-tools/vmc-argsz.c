// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-argsz: how /dev/vacate takes an ioctl argument whose @argsz is not
 * the size of the structure this program was built with.  The rules
 * (include/uapi/linux/vacate.h, as copy_struct_from_user()):
 *  - argsz larger than the kernel's structure, the bytes past it zero:
 *    accepted, as if they were not there;
 *  - the same with a byte past it that is not zero: E2BIG, nothing done;
 *  - argsz below the structure's first version: EINVAL.
 * For VACATE_IOC_MAP, VACATE_IOC_VACATE (PROBE of one block),
 * VACATE_IOC_CHEAPEST (PROBE of one block) and VACATE_IOC_CENSUS, with the
 * structures of the uapi header this is built against (the kernel's are
 * the same size, or the header is stale).  Prints one "PASS name (...)" or
 * "FAIL name: why" line per check; exits 1 if any failed.
 *
 *   vmc-argsz
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vacate.h>

#define TAIL 8

static int fd, fails;

/*
 * An argument buffer: the structure, then TAIL bytes, in one allocation
 * (the kernel reads argsz bytes from the start).  Kept for the whole run.
 */
static void *arg_buf(size_t size)
{
	void *p = calloc(1, size + TAIL);

	if (!p) {
		perror("vmc-argsz: calloc");
		exit(2);
	}
	return p;
}

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT";
	case ERANGE: return "ERANGE";
	case ENXIO: return "ENXIO";
	case ENOMEM: return "ENOMEM";
	case ENOTTY: return "ENOTTY";
	default: return strerror(e);
	}
}

/* ioctl: 0 or the errno. */
static int call(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static void result(const char *name, int want, int got, const char *what)
{
	if (want == got) {
		printf("PASS %s (%s: %s)\n", name, what, err_name(got));
	} else {
		printf("FAIL %s: %s: %s, want %s\n", name, what, err_name(got),
		       err_name(want));
		fails++;
	}
}

/*
 * The three cases for one ioctl: @fill() prepares a valid argument of
 * @size bytes (its first version @minsz), @check() says whether the
 * kernel's answer to it looks right.
 */
static void argsz_cases(const char *ioc, unsigned long cmd, size_t size,
			size_t minsz, void (*fill)(void *),
			int (*check)(const void *))
{
	unsigned char *arg = arg_buf(size);
	char name[64], what[128];
	int got;

	/* The plain size first: the rest means nothing if that fails. */
	fill(arg);
	got = call(cmd, arg);
	snprintf(name, sizeof(name), "%s-argsz-exact", ioc);
	snprintf(what, sizeof(what), "argsz %zu", size);
	result(name, 0, got, what);

	fill(arg);
	*(uint32_t *)arg = size + TAIL;
	got = call(cmd, arg);
	snprintf(name, sizeof(name), "%s-argsz-zero-tail", ioc);
	snprintf(what, sizeof(what), "argsz %zu, %d zero bytes past the structure%s",
		 size + TAIL, TAIL,
		 !got && !check(arg) ? ", but a wrong answer" : "");
	result(name, 0, got || check(arg) ? got : -1, what);

	fill(arg);
	*(uint32_t *)arg = size + TAIL;
	arg[size + TAIL - 1] = 0x5a;
	got = call(cmd, arg);
	snprintf(name, sizeof(name), "%s-argsz-nonzero-tail", ioc);
	snprintf(what, sizeof(what), "argsz %zu, byte %zu past the structure is 0x5a",
		 size + TAIL, size + TAIL - 1);
	result(name, E2BIG, got, what);

	fill(arg);
	*(uint32_t *)arg = minsz - 4;
	got = call(cmd, arg);
	snprintf(name, sizeof(name), "%s-argsz-too-small", ioc);
	snprintf(what, sizeof(what), "argsz %zu, first version %zu bytes",
		 minsz - 4, minsz);
	result(name, EINVAL, got, what);
	free(arg);
}

static struct vacate_block map_blocks[4];
static uint64_t probe_pfn;
static struct vacate_result results[2];

static void map_fill(void *p)
{
	struct vacate_map *m = p;

	memset(m, 0, sizeof(*m) + TAIL);
	m->argsz = sizeof(*m);
	m->blocks = (uintptr_t)map_blocks;
	m->nr_blocks = 4;
}

static int map_check(const void *p)
{
	const struct vacate_map *m = p;

	return m->nr_blocks >= 1 && m->nr_blocks <= 4 && m->block_pages > 0 &&
	       m->max_pfn > m->min_pfn;
}

static void vacate_fill(void *p)
{
	struct vacate_request *r = p;

	memset(r, 0, sizeof(*r) + TAIL);
	memset(results, 0, sizeof(results));
	r->argsz = sizeof(*r);
	r->mode = VACATE_MODE_PROBE;
	r->nr_blocks = 1;
	r->pfns = (uintptr_t)&probe_pfn;
	r->results = (uintptr_t)results;
	r->max_results = 1;
}

static int vacate_check(const void *p)
{
	(void)p;
	return results[0].start_pfn == probe_pfn && results[0].error == 0;
}

static int cheapest_check(const void *p)
{
	const struct vacate_request *r = p;

	return r->nr_blocks <= 1 && results[1].start_pfn == 0;
}

static struct vacate_census_entry census_entries[4];

static void census_fill(void *p)
{
	struct vacate_census *c = p;

	memset(c, 0, sizeof(*c) + TAIL);
	c->argsz = sizeof(*c);
	c->entries = (uintptr_t)census_entries;
	c->nr_entries = 4;
}

static int census_check(const void *p)
{
	const struct vacate_census *c = p;

	return c->slab_pages >= c->blocks;
}

int main(void)
{
	struct vacate_map m;
	static struct vacate_block b[1024];
	unsigned long i;

	fd = open("/dev/vacate", O_RDONLY);
	if (fd < 0) {
		printf("FAIL argsz-open: /dev/vacate: %s\n", strerror(errno));
		return 1;
	}
	printf("vmc-argsz: sizes: vacate_map %zu, vacate_request %zu, vacate_result %zu, vacate_census %zu, vacate_block %zu\n",
	       sizeof(struct vacate_map), sizeof(struct vacate_request),
	       sizeof(struct vacate_result), sizeof(struct vacate_census),
	       sizeof(struct vacate_block));

	/* A block to probe: the first whole one, in the first 1024. */
	memset(&m, 0, sizeof(m));
	m.argsz = sizeof(m);
	m.blocks = (uintptr_t)b;
	m.nr_blocks = 1024;
	if (call(VACATE_IOC_MAP, &m)) {
		printf("FAIL argsz-map: VACATE_IOC_MAP: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < m.nr_blocks && b[i].flags; i++)
		;
	if (i == m.nr_blocks) {
		printf("FAIL argsz-map: no whole block in the first %u\n", m.nr_blocks);
		return 1;
	}
	probe_pfn = b[i].start_pfn;

	argsz_cases("map", VACATE_IOC_MAP, sizeof(struct vacate_map),
		    offsetof(struct vacate_map, next_pfn) + sizeof(uint64_t),
		    map_fill, map_check);
	argsz_cases("vacate-probe", VACATE_IOC_VACATE,
		    sizeof(struct vacate_request),
		    offsetof(struct vacate_request, done) + sizeof(uint32_t),
		    vacate_fill, vacate_check);
	argsz_cases("cheapest-probe", VACATE_IOC_CHEAPEST,
		    sizeof(struct vacate_request),
		    offsetof(struct vacate_request, done) + sizeof(uint32_t),
		    vacate_fill, cheapest_check);
	argsz_cases("census", VACATE_IOC_CENSUS, sizeof(struct vacate_census),
		    offsetof(struct vacate_census, reserved) + sizeof(uint32_t),
		    census_fill, census_check);
	close(fd);
	return fails ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-mapcheck [-t PAGES] [-n READINGS]: check /dev/vacate's map against
 * /proc/meminfo in the same guest.  The map's free pages summed over all
 * blocks must match MemFree, and its slab pages must match Slab, within a
 * margin of 1% of the /proc figure plus 256 pages around the figures read
 * just before and just after the map (the system keeps running while it
 * is taken); with -t, the free pages within PAGES instead.  With a CMA
 * area (CmaTotal), the free pages of its blocks must match CmaFree as the
 * free pages do, and its blocks must make CmaTotal exactly.  Frees after
 * RCU and per-cpu lists blur a reading, a drift does not go away: with -n,
 * up to READINGS readings a second apart are taken, until one passes.
 * Prints one "PASS name", "FAIL name: why" or "SKIP name: why" line per
 * check, of the last reading.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vacate.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct meminfo {
	unsigned long free_kb, slab_kb, cma_total_kb, cma_free_kb;
};

static int read_meminfo(struct meminfo *m)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %lu kB", &m->free_kb);
		sscanf(line, "Slab: %lu kB", &m->slab_kb);
		sscanf(line, "CmaTotal: %lu kB", &m->cma_total_kb);
		sscanf(line, "CmaFree: %lu kB", &m->cma_free_kb);
	}
	fclose(f);
	return 0;
}

/*
 * MIGRATE_CMA's number: its place among the "Number of blocks type"
 * columns of /proc/pagetypeinfo, which are in MIGRATE_* order; -1 if the
 * kernel has none.
 */
static int cma_migratetype(void)
{
	char line[512], *tok;
	FILE *f = fopen("/proc/pagetypeinfo", "r");
	int i, mt = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Number of blocks type", 21))
			continue;
		for (i = 0, tok = strtok(line + 21, " \n"); tok;
		     i++, tok = strtok(NULL, " \n"))
			if (!strcmp(tok, "CMA"))
				mt = i;
		break;
	}
	fclose(f);
	return mt;
}

struct totals {
	unsigned long blocks, block_pages, free, slab, all;
	unsigned long cma_blocks, cma_free;	/* of MIGRATE_CMA blocks */
};

static int read_map(struct totals *t, int cma_mt)
{
	enum { N = 1024 };
	static struct vacate_block b[N];
	struct vacate_map m = { .argsz = sizeof(m) };
	int fd = open("/dev/vacate", O_RDONLY);

	if (fd < 0)
		return -1;
	memset(t, 0, sizeof(*t));
	do {
		m.blocks = (unsigned long)b;
		m.nr_blocks = N;
		if (ioctl(fd, VACATE_IOC_MAP, &m)) {
			close(fd);
			return -1;
		}
		for (unsigned int i = 0; i < m.nr_blocks; i++) {
			t->free += b[i].free;
			if (b[i].migratetype == cma_mt) {
				t->cma_blocks++;
				t->cma_free += b[i].free;
			}
			t->slab += b[i].slab_mobile + b[i].slab_reclaimable +
				   b[i].slab_unmovable;
			t->all += b[i].free + b[i].lru + b[i].slab_mobile +
				  b[i].slab_reclaimable + b[i].slab_unmovable +
				  b[i].other + b[i].absent;
		}
		t->blocks += m.nr_blocks;
		t->block_pages = m.block_pages;
		m.start_pfn = m.next_pfn;
	} while (m.next_pfn < m.max_pfn);
	close(fd);
	return 0;
}

/* The lines of one reading, printed once the last reading is taken. */
struct report {
	char text[4096];
	size_t len;
	int fails;
};

static void say(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len = MIN(r->len + (size_t)n, sizeof(r->text) - 1);
}

/* GOT, from the map, against LO..HI, from /proc, TOL pages either side. */
static void check(struct report *r, const char *name, unsigned long got,
		  unsigned long lo, unsigned long hi, unsigned long tol)
{
	unsigned long min = lo > tol ? lo - tol : 0;

	if (got >= min && got <= hi + tol) {
		say(r, "PASS %s (map %lu pages, /proc %lu..%lu)\n", name, got, lo, hi);
		return;
	}
	say(r, "FAIL %s: map %lu pages, /proc %lu..%lu, tolerance %lu\n",
	    name, got, lo, hi, tol);
	r->fails++;
}

static unsigned long kb_per_page;

/*
 * GOT, from the map, against a /proc figure read as BEFORE_KB and AFTER_KB
 * around it: within TOL pages, or if TOL is 0, 1% of it plus 256 pages.
 */
static void check_kb(struct report *r, const char *name, unsigned long got,
		     unsigned long before_kb, unsigned long after_kb,
		     unsigned long tol)
{
	unsigned long lo = MIN(before_kb, after_kb) / kb_per_page;
	unsigned long hi = MAX(before_kb, after_kb) / kb_per_page;

	check(r, name, got, lo, hi, tol ? tol : (hi / 100) + 256);
}

/* TOL: the margin of the free page checks, 0 for the default. */
static void read_and_check(struct report *r, unsigned long tol)
{
	struct meminfo before, after;
	int cma_mt = cma_migratetype();
	struct totals t;

	if (read_meminfo(&before) || read_map(&t, cma_mt) ||
	    read_meminfo(&after)) {
		say(r, "FAIL map-read: %s\n", strerror(errno));
		r->fails++;
		return;
	}
	check_kb(r, "map-free-matches-memfree", t.free, before.free_kb,
		 after.free_kb, tol);
	/* Slab also counts kmalloc_large() pages, which are not PageSlab. */
	check_kb(r, "map-slab-matches-slab", t.slab, before.slab_kb,
		 after.slab_kb, 0);
	if (before.cma_total_kb && cma_mt < 0) {
		say(r, "FAIL map-cma-free-matches-cmafree: CmaTotal %lu kB, but no CMA column in /proc/pagetypeinfo\n",
		    before.cma_total_kb);
		r->fails++;
	} else if (before.cma_total_kb) {
		check_kb(r, "map-cma-free-matches-cmafree", t.cma_free,
			 before.cma_free_kb, after.cma_free_kb, tol);
		/* Exact: a CMA block never changes type. */
		check(r, "map-cma-blocks-match-cmatotal",
		      t.cma_blocks * t.block_pages,
		      before.cma_total_kb / kb_per_page,
		      before.cma_total_kb / kb_per_page, 0);
	} else {
		say(r, "SKIP map-cma-free-matches-cmafree: no CMA area (CmaTotal 0, or no CONFIG_CMA)\n");
	}
	if (t.blocks && t.all == t.blocks * t.block_pages) {
		say(r, "PASS map-counters-sum-to-block-size (%lu blocks)\n", t.blocks);
	} else {
		say(r, "FAIL map-counters-sum-to-block-size: %lu pages in %lu blocks\n",
		    t.all, t.blocks);
		r->fails++;
	}
	if (t.block_pages * kb_per_page == 2048) {
		say(r, "PASS map-blocks-are-2MiB\n");
	} else {
		say(r, "FAIL map-blocks-are-2MiB: %lu pages per block\n", t.block_pages);
		r->fails++;
	}
}

static unsigned long number(const char *arg, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || !v || arg[0] == '-') {
		fprintf(stderr, "vmc-mapcheck: %s must be a positive number, not \"%s\"\n",
			what, arg);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long tol = 0, tries = 1;
	struct report r;
	int opt;

	kb_per_page = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;

	while ((opt = getopt(argc, argv, "t:n:")) != -1) {
		switch (opt) {
		case 't':
			tol = number(optarg, "the margin of the free pages (-t)");
			break;
		case 'n':
			tries = number(optarg, "the number of readings (-n)");
			break;
		default:
			fprintf(stderr, "usage: vmc-mapcheck [-t PAGES] [-n READINGS]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vmc-mapcheck: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	for (;;) {
		memset(&r, 0, sizeof(r));
		read_and_check(&r, tol);
		if (!r.fails || !--tries)
			break;
		sleep(1);
	}
	fputs(r.text, stdout);
	return r.fails ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-mapcheck: check /dev/vacate's map against /proc/meminfo in the same
 * guest.  The map's free pages summed over all blocks must match MemFree,
 * and its slab pages must match Slab, within TOLERANCE: 1% of the /proc
 * figure plus 256 pages, around the figures read just before and just
 * after the map (the system keeps running while it is taken).  With a CMA
 * area (CmaTotal), the free pages of its blocks must match CmaFree the same
 * way, and its blocks must make CmaTotal.
 * Prints one "PASS name" or "FAIL name: why" line per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vacate.h>

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

static int check(const char *name, unsigned long got, unsigned long lo,
		 unsigned long hi)
{
	unsigned long tol = (hi / 100) + 256;
	unsigned long min = lo > tol ? lo - tol : 0;

	if (got >= min && got <= hi + tol) {
		printf("PASS %s (map %lu pages, /proc %lu..%lu)\n", name, got, lo, hi);
		return 0;
	}
	printf("FAIL %s: map %lu pages, /proc %lu..%lu, tolerance %lu\n",
	       name, got, lo, hi, tol);
	return 1;
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

int main(void)
{
	unsigned long kb_per_page = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	struct meminfo before, after;
	int fails = 0, cma_mt = cma_migratetype();
	struct totals t;

	if (read_meminfo(&before) || read_map(&t, cma_mt) ||
	    read_meminfo(&after)) {
		printf("FAIL map-read: %s\n", strerror(errno));
		return 1;
	}
	fails += check("map-free-matches-memfree", t.free,
		       MIN(before.free_kb, after.free_kb) / kb_per_page,
		       MAX(before.free_kb, after.free_kb) / kb_per_page);
	fails += check("map-slab-matches-slab", t.slab,
		       MIN(before.slab_kb, after.slab_kb) / kb_per_page,
		       MAX(before.slab_kb, after.slab_kb) / kb_per_page);
	if (before.cma_total_kb && cma_mt < 0) {
		printf("FAIL map-cma-free-matches-cmafree: CmaTotal %lu kB, but no CMA column in /proc/pagetypeinfo\n",
		       before.cma_total_kb);
		fails++;
	} else if (before.cma_total_kb) {
		fails += check("map-cma-free-matches-cmafree", t.cma_free,
			       MIN(before.cma_free_kb, after.cma_free_kb) / kb_per_page,
			       MAX(before.cma_free_kb, after.cma_free_kb) / kb_per_page);
		fails += check("map-cma-blocks-match-cmatotal",
			       t.cma_blocks * t.block_pages,
			       before.cma_total_kb / kb_per_page,
			       before.cma_total_kb / kb_per_page);
	} else {
		printf("SKIP map-cma-free-matches-cmafree: no CMA area (CmaTotal 0, or no CONFIG_CMA)\n");
	}
	if (t.blocks && t.all == t.blocks * t.block_pages) {
		printf("PASS map-counters-sum-to-block-size (%lu blocks)\n", t.blocks);
	} else {
		printf("FAIL map-counters-sum-to-block-size: %lu pages in %lu blocks\n",
		       t.all, t.blocks);
		fails++;
	}
	if (t.block_pages * kb_per_page == 2048) {
		printf("PASS map-blocks-are-2MiB\n");
	} else {
		printf("FAIL map-blocks-are-2MiB: %lu pages per block\n", t.block_pages);
		fails++;
	}
	return fails ? 1 : 0;
}

/*
 * A request to empty blocks, as vacatectl (the kernel) and vmcompactctl
 * (the agent) make it, and what it did: checked, summed, as text and as
 * JSON, the same for both.
 */
#ifndef VMCOMPACT_REPORT_H
#define VMCOMPACT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vacate.h>
#include <vmcompact/map.h>

/* A block named by --block (its number) or --pfn (its first pfn). */
struct vmc_pick {
	uint64_t value;
	bool is_block;
};

/*
 * The first pfns of n picks, for blocks of block_pages pages, into pfns:
 * 0, or -1 with err set if a block number is beyond any pfn (2^40).
 */
int vmc_picks_to_pfns(const struct vmc_pick *picks, size_t n,
		      uint32_t block_pages, uint64_t *pfns, char *err,
		      size_t err_size);

/* report.c: what a request did, as the kernel (or the agent) said. */
struct vmc_report {
	uint32_t mode;
	uint32_t block_pages;
	uint64_t asked;		/* blocks named, K, or (all) blocks in RAM */
	uint64_t acted;		/* blocks acted on */
	uint64_t done;		/* emptied (free, hold) or possible (probe) */
	const struct vacate_result *results;	/* of the first acted on */
	size_t nr_results;
	uint64_t wall_ns;	/* the ioctl's time */
	/* summed over the results by vmc_report_finish() */
	uint64_t pages_migrated;
	uint64_t objects_moved;
	uint64_t objects_freed;
	uint64_t time_ns;
	/* from the maps before and after (vmc_report_finish()) */
	uint64_t free_blocks_before;
	uint64_t free_blocks_after;
	uint64_t free_blocks_possible;
};

/*
 * With the fields above the sums set: check the kernel's counts (nothing
 * acted on beyond what was asked, nothing done beyond that, no result
 * beyond it) and sum.  0, or -1 with the problem in err.
 */
int vmc_report_finish(struct vmc_report *r, const struct vmc_map *before,
		      const struct vmc_map *after, char *err, size_t size);

/* One line per block, then the totals. */
void vmc_print_result(FILE *out, const struct vacate_result *res,
		      uint32_t block_pages);
void vmc_print_report(FILE *out, const struct vmc_report *r);

/* report_json.c: the same as one JSON object; 0, or -1 out of memory. */
int vmc_print_report_json(FILE *out, const struct vmc_report *r);

#endif /* VMCOMPACT_REPORT_H */

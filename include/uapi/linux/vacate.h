/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vacate: look at, and later empty, whole pageblocks of guest memory.
 *
 * Every ioctl argument starts with its own size in bytes (@argsz), so the
 * structures can grow at the end: the kernel accepts any @argsz at least as
 * large as the first version of the structure, and ignores nothing it does
 * not understand: bytes past the structure it knows must be zero (-E2BIG
 * otherwise, as copy_struct_from_user()), unknown flags are refused with
 * -EINVAL.  Every structure has the same layout on 32-bit and 64-bit
 * user space: no implicit padding, 64-bit fields at 8-byte offsets.
 */
#ifndef _UAPI_LINUX_VACATE_H
#define _UAPI_LINUX_VACATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VACATE_IOC_MAGIC	0xB8

/* struct vacate_block.flags */
#define VACATE_BLOCK_ABSENT	(1U << 0) /* no page of the block is online */
#define VACATE_BLOCK_PARTIAL	(1U << 1) /* some pages of the block are absent */

/*
 * Page counts of one block, by what holds each page.  Every online page of
 * the block is counted in exactly one of the seven counters, so
 * free + lru + slab_mobile + slab_reclaimable + slab_unmovable + other
 * + absent == block_pages of the map.
 */
struct vacate_block {
	__u64 start_pfn;	/* first pfn of the block */
	__u32 free;		/* pages in the buddy allocator */
	__u32 lru;		/* LRU and non-LRU movable pages */
	__u32 slab_mobile;	/* slab pages of caches whose objects move */
	__u32 slab_reclaimable;	/* slab pages of SLAB_RECLAIM_ACCOUNT caches */
	__u32 slab_unmovable;	/* all other slab pages */
	__u32 other;		/* online pages of any other kind */
	__u32 absent;		/* pages that are not online (holes) */
	__u8 migratetype;	/* the block's MIGRATE_* type */
	__u8 nid;		/* NUMA node */
	__u16 zone;		/* zone index within the node */
	__u32 flags;		/* VACATE_BLOCK_* */
	__u32 reserved;		/* zero */
};

/*
 * VACATE_IOC_MAP: describe up to @nr_blocks blocks starting at the block
 * that holds @start_pfn (rounded down to a block boundary).
 *
 * In:  argsz, flags (0), start_pfn, nr_blocks, blocks (user pointer).
 * Out: start_pfn (rounded), nr_blocks (blocks written), block_pages,
 *      min_pfn/max_pfn (RAM spans [min_pfn, max_pfn)) and next_pfn (where
 *      the next call should start; max_pfn once the map is complete).
 *
 * Errors: EINVAL for an unknown flag, a too small argsz or nr_blocks == 0,
 * ERANGE for a start_pfn at or beyond max_pfn, E2BIG for more than
 * VACATE_MAP_MAX_BLOCKS blocks, EFAULT for a bad pointer.
 */
#define VACATE_MAP_MAX_BLOCKS	65536

struct vacate_map {
	__u32 argsz;
	__u32 flags;
	__u64 start_pfn;
	__u64 blocks;		/* struct vacate_block[nr_blocks] */
	__u32 nr_blocks;
	__u32 block_pages;
	__u64 min_pfn;
	__u64 max_pfn;
	__u64 next_pfn;
};

#define VACATE_IOC_MAP		_IOWR(VACATE_IOC_MAGIC, 0x00, struct vacate_map)

/*
 * Emptying blocks.
 *
 * PROBE classifies every page of a block and estimates what emptying it
 * would cost, moving nothing.  FREE empties the block and gives it back to
 * the page allocator as whole free blocks (which free page reporting and
 * migration then see as such).  HOLD empties it and keeps its pages for the
 * open file: they go back when the file is closed or on VACATE_IOC_RELEASE.
 */
#define VACATE_MODE_PROBE	0
#define VACATE_MODE_FREE	1
#define VACATE_MODE_HOLD	2

/* Why pages of a block could not be emptied (struct vacate_result.reason) */
#define VACATE_WHY_PINNED	0	/* LRU/movable page migration did not move */
#define VACATE_WHY_SLAB		1	/* slab page of a cache that cannot move */
#define VACATE_WHY_SLAB_PINNED	2	/* slab page whose objects stayed */
#define VACATE_WHY_PAGETABLE	3	/* page table */
#define VACATE_WHY_RESERVED	4	/* reserved page (firmware, memblock) */
#define VACATE_WHY_KERNEL_IMAGE	5	/* the kernel's text and data */
#define VACATE_WHY_KERNEL	6	/* any other kernel allocation */
#define VACATE_WHY_ABSENT	7	/* hole in the block */
#define VACATE_WHY_HELD		8	/* already held by a vacate */
#define VACATE_NR_WHY		9
/*
 * Every page of a block reserved by its migratetype (CMA, the high-order
 * atomic reserve) counts as VACATE_WHY_RESERVED, every page of a block
 * isolated by someone else (memory offlining) as VACATE_WHY_HELD.
 */

/* struct vacate_result.flags */
#define VACATE_RES_FREE		(1U << 0) /* the block was free already */
#define VACATE_RES_IMPOSSIBLE	(1U << 1) /* unmovable pages: cost is not meaningful */
#define VACATE_RES_DONE		(1U << 2) /* FREE/HOLD: the block is empty */

#define VACATE_CACHE_NAME_LEN	32

/*
 * The outcome for one block.  A PROBE fills in the estimates and the
 * reasons; FREE and HOLD also what they did and, if the block could not
 * be emptied, what still holds it (reasons counted after the attempt).
 */
struct vacate_result {
	__u64 start_pfn;
	__s32 error;		/* 0, or the -errno that stopped this block */
	__u32 flags;		/* VACATE_RES_* */
	__u32 cost;		/* est_migrate + est_move + 4 * est_drop */
	__u32 est_migrate;	/* LRU/movable pages to migrate */
	__u32 est_move;		/* slab objects of mobile caches to move */
	__u32 est_drop;		/* slab objects of reclaimable caches to drop */
	__u32 pages_migrated;	/* LRU/movable pages the block held when taken */
	__u32 objects_moved;
	__u32 objects_freed;	/* dropped by reclaim callbacks */
	__u32 reserved;		/* zero */
	__u64 time_ns;		/* time spent on this block */
	__u32 why[VACATE_NR_WHY];	/* pages per VACATE_WHY_* */
	/*
	 * The first cache that cannot move; after a failed FREE or HOLD
	 * with no slab page of such a cache left, the first mobile cache
	 * with a slab page left.
	 */
	char blocker[VACATE_CACHE_NAME_LEN];
	__u32 pad;		/* zero: the same size on 32-bit user space */
};

/*
 * VACATE_IOC_VACATE: act on the @nr_blocks blocks whose first pfns are in
 * @pfns (a user array of __u64).  Every pfn must be block aligned, within
 * RAM, in one zone, not a hole, and listed once; otherwise the call fails
 * with EINVAL (unaligned, repeated, unknown mode or flag), ERANGE (outside
 * RAM), ENXIO (a hole) or E2BIG (more than VACATE_MAX_BLOCKS) and changes
 * nothing.  Results go to @results (struct vacate_result[@nr_blocks]).
 *
 * VACATE_IOC_CHEAPEST: probe every block, then act on the @nr_blocks
 * cheapest ones that are neither free nor impossible (all of them for
 * VACATE_ALL_BLOCKS), cheapest first, but on no more blocks than the free
 * pages outside fully free blocks can make up (beyond that, emptying a
 * block would only fill another free one).  Reclaim frees pages: while
 * that bound stopped a pass that emptied blocks, it probes again and goes
 * on with the cheapest blocks not acted on yet, a few times at most.
 * @pfns is not used; @nr_blocks comes back as the number of blocks acted
 * on (at most as many as asked, each once), of which the first
 * @max_results have their result in @results.
 *
 * @done comes back as the number of blocks left empty (FREE/HOLD) or found
 * possible (PROBE).  A signal stops the call between blocks (EINTR).
 */
#define VACATE_MAX_BLOCKS	(1U << 20)
#define VACATE_ALL_BLOCKS	0xffffffffU

struct vacate_request {
	__u32 argsz;
	__u32 flags;		/* 0 */
	__u32 mode;		/* VACATE_MODE_* */
	__u32 nr_blocks;
	__u64 pfns;		/* __u64[nr_blocks], VACATE_IOC_VACATE only */
	__u64 results;		/* struct vacate_result[], see above */
	__u32 max_results;	/* VACATE_IOC_CHEAPEST: room in @results */
	__u32 done;
};

#define VACATE_IOC_VACATE	_IOWR(VACATE_IOC_MAGIC, 0x01, struct vacate_request)
#define VACATE_IOC_CHEAPEST	_IOWR(VACATE_IOC_MAGIC, 0x02, struct vacate_request)
/* Give back every block this file holds. */
#define VACATE_IOC_RELEASE	_IO(VACATE_IOC_MAGIC, 0x03)

/*
 * VACATE_IOC_CENSUS: which slab caches keep blocks from being free.  A
 * block is "otherwise free" when each of its pages is free or a slab page,
 * and at least one is a slab page.  For every cache with slab pages in
 * such blocks, one entry: @pages of its slab pages are in them, spread
 * over @blocks of them, out of @all_pages slab pages it has in RAM.
 *
 * In:  argsz, flags (0), entries (user pointer), nr_entries (room).
 * Out: nr_entries (caches found; only the room is written, most pages
 *      first), blocks and slab_pages (otherwise-free blocks, and the slab
 *      pages in them).
 */
struct vacate_census_entry {
	char name[VACATE_CACHE_NAME_LEN];
	__u32 pages;
	__u32 blocks;
	__u32 all_pages;
	__u32 mobile;		/* 1 if the cache's objects can move */
};

struct vacate_census {
	__u32 argsz;
	__u32 flags;
	__u64 entries;		/* struct vacate_census_entry[nr_entries] */
	__u32 nr_entries;
	__u32 blocks;
	__u32 slab_pages;
	__u32 reserved;		/* zero */
};

#define VACATE_IOC_CENSUS	_IOWR(VACATE_IOC_MAGIC, 0x04, struct vacate_census)

#endif /* _UAPI_LINUX_VACATE_H */

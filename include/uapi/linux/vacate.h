/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vacate: look at, and later empty, whole pageblocks of guest memory.
 *
 * Every ioctl argument starts with its own size in bytes (@argsz), so the
 * structures can grow at the end: the kernel accepts any @argsz at least as
 * large as the first version of the structure and ignores nothing it does
 * not understand (unknown flags are refused with -EINVAL).
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

#endif /* _UAPI_LINUX_VACATE_H */

/*
 * A guest's whole block map, read through a client and checked across
 * responses (PROTOCOL.md section 6), and what to make of it.
 */
#ifndef VMC_MAP_H
#define VMC_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

/* Most blocks a map may span: 8 TiB of 2 MiB blocks, 200 MiB of records. */
#define VMC_HOST_MAX_BLOCKS	(1u << 22)

struct vmc_map {
	uint32_t page_size;
	uint32_t block_pages;
	uint64_t min_pfn;	/* RAM spans [min_pfn, max_pfn) */
	uint64_t max_pfn;
	size_t nr;
	size_t cap;
	struct vacate_block *blocks;	/* strictly ascending start_pfn */
};

/* Read the map of the guest that answered HELLO with h. */
int vmc_map_fetch(struct vmc_client *c, const struct vmc_hello *h,
		  struct vmc_map *map);
void vmc_map_free(struct vmc_map *map);

/* mapstat.c: the seven page counters of a block, in uapi order. */
#define VMC_NR_COUNTERS 7
#define VMC_COUNTER_FREE 0
extern const char *const vmc_counter_names[VMC_NR_COUNTERS];
uint32_t vmc_block_counter(const struct vacate_block *b, int i);

/*
 * What holds a block, as one character: ' ' absent, 'U' unmovable slab,
 * 'r' reclaimable slab, 'M' mobile slab, 'o' other pages, 'm' LRU or
 * movable pages, '.' only free pages; the first that applies wins.
 */
char vmc_block_class(const struct vacate_block *b, uint32_t block_pages);

struct vmc_totals {
	uint64_t pages[VMC_NR_COUNTERS];
	uint64_t blocks;		/* blocks described */
	uint64_t free_blocks;		/* blocks with every page free */
	uint64_t free_blocks_possible;	/* free pages / block_pages */
};

void vmc_map_totals(const struct vmc_map *map, struct vmc_totals *t);

#endif /* VMC_MAP_H */

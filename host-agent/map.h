/*
 * A guest's whole block map, read response by response from a source (an
 * agent through a client: fetch.h; /dev/vacate itself: vacatectl) and
 * checked across responses (PROTOCOL.md section 6), and what to make of it.
 *
 * Shared by vmcompactctl and the guest's vacatectl: no client, no output
 * beyond the FILE given, no exit.
 */
#ifndef VMC_MAP_H
#define VMC_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vmcompact/proto.h>

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

/*
 * Where the responses come from.  get() answers one MAP request into
 * blocks (room for VMC_MAP_RESP_MAX_BLOCKS), checked on its own the way
 * vmc_decode_map_resp() checks a MAP_RESP; or it returns -1 with a message
 * in err.  The reader's own refusals go to err as well.
 */
struct vmc_map_source {
	int (*get)(struct vmc_map_source *src, const struct vmc_map_req *req,
		   struct vmc_map_resp *m, struct vacate_block *blocks);
	void *ctx;		/* for get() */
	uint32_t page_size;
	uint32_t block_pages;	/* announced beforehand, or 0 */
	char *err;
	size_t err_size;
};

/* Read a whole map: 0, or -1 with src->err set and *map empty. */
int vmc_map_read(struct vmc_map_source *src, struct vmc_map *map);
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

/* render.c: a picture of the blocks, then the totals. */
void vmc_map_print_text(FILE *out, const struct vmc_map *map);

/* json.c: the same as one line of JSON; 0, or -1 if it could not be built. */
int vmc_map_print_json(FILE *out, const struct vmc_map *map);

#endif /* VMC_MAP_H */

/*
 * A guest's whole block map, read response by response from a source (an
 * agent through a client: client.h; /dev/vacate itself: device.h) and
 * checked across responses (PROTOCOL.md section 6), and what to make of
 * it: classes, totals, a picture, JSON.
 *
 * A map can be streamed (each response goes to a sink as it comes, so a
 * large guest costs one response of memory) or held whole (struct
 * vmc_map, 48 bytes a block).  No output beyond the FILE given, no exit.
 */
#ifndef VMCOMPACT_MAP_H
#define VMCOMPACT_MAP_H

#include <stdbool.h>
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
 * blocks (room for VMC_MAP_RESP_MAX_BLOCKS), checked on its own as
 * vmc_check_map_resp() does; or it returns -1 with a message in err.  The
 * reader's own refusals go to err as well.
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

/*
 * Where the blocks go.  begin() gets the layout (a map with no blocks),
 * blocks() the blocks of each response in order, end() is called once
 * the map is complete.  Each returns 0, or -1 to stop the reading.
 */
struct vmc_map_sink {
	int (*begin)(struct vmc_map_sink *s, const struct vmc_map *layout);
	int (*blocks)(struct vmc_map_sink *s, const struct vacate_block *b,
		      size_t n);
	int (*end)(struct vmc_map_sink *s);
};

/* Read a whole map into sink: 0, or -1 with src->err set. */
int vmc_map_stream(struct vmc_map_source *src, struct vmc_map_sink *sink);

/* Read a whole map and hold it: 0, or -1 with src->err set, *map empty. */
int vmc_map_read(struct vmc_map_source *src, struct vmc_map *map);
void vmc_map_free(struct vmc_map *map);

/* map_stat.c: the seven page counters of a block, in uapi order. */
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

/* Totals block by block (start from zeros), or of a held map at once. */
void vmc_totals_add(struct vmc_totals *t, const struct vacate_block *b,
		    uint32_t block_pages);
void vmc_map_totals(const struct vmc_map *map, struct vmc_totals *t);

/*
 * Printing a map as it comes: the text form (map_text.c: a picture of the
 * blocks, then the totals) or one line of JSON (map_json.c).  Set up with
 * vmc_map_printer_init(), then stream into &p->sink; a write that fails
 * (or JSON out of memory) stops the reading with p->failed set.
 */
struct vmc_map_printer {
	struct vmc_map_sink sink;
	FILE *out;
	struct vmc_map layout;
	struct vmc_totals totals;
	uint64_t next_block;	/* text: the next block of the picture */
	bool failed;
};

void vmc_map_printer_init(struct vmc_map_printer *p, FILE *out, bool json);

/* A held map, the same way: 0, or -1 if the output failed. */
int vmc_map_print(FILE *out, const struct vmc_map *map, bool json);

#endif /* VMCOMPACT_MAP_H */

/*
 * Reading a whole map: MAP_REQ from pfn 0, then from each next_pfn, until
 * max_pfn.  The codec checks each response on its own; this checks that
 * they fit together, which also bounds the memory and the number of
 * requests a lying guest can cause.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "map.h"

void vmc_map_free(struct vmc_map *map)
{
	free(map->blocks);
	map->blocks = NULL;
	map->nr = 0;
	map->cap = 0;
}

/* Room for one more response, growing to no more than limit blocks. */
static int reserve(struct vmc_client *c, struct vmc_map *map, size_t limit)
{
	size_t need = map->nr + VMC_MAP_RESP_MAX_BLOCKS;
	size_t cap = map->cap * 2;
	void *p;

	if (need <= map->cap)
		return 0;
	if (cap > limit)
		cap = limit;
	if (cap < need)
		cap = need;
	p = reallocarray(map->blocks, cap, sizeof(*map->blocks));
	if (!p)
		return vmc_client_fail(c, "out of memory for %zu blocks", cap);
	map->blocks = p;
	map->cap = cap;
	return 0;
}

/* The first response fixes the layout; returns the span in blocks. */
static int64_t first_response(struct vmc_client *c, struct vmc_map *map,
			      const struct vmc_hello *h,
			      const struct vmc_map_resp *m)
{
	uint64_t bp = m->block_pages;
	uint64_t lo = m->min_pfn / bp;
	uint64_t hi = (m->max_pfn + bp - 1) / bp;

	if (h->block_pages && m->block_pages != h->block_pages)
		return vmc_client_fail(c, "guest maps blocks of %u pages but said %u in HELLO",
				       m->block_pages, h->block_pages);
	if (hi - lo > VMC_HOST_MAX_BLOCKS)
		return vmc_client_fail(c, "guest RAM spans %" PRIu64 " blocks, more than the %u this tool reads",
				       hi - lo, VMC_HOST_MAX_BLOCKS);
	map->block_pages = m->block_pages;
	map->min_pfn = m->min_pfn;
	map->max_pfn = m->max_pfn;
	return (int64_t)(hi - lo);
}

/*
 * A later response must show the same layout.  Its blocks cannot repeat
 * earlier ones: the codec made the previous next_pfn reach past the last
 * block, and this response starts at the block holding it.
 */
static int next_response(struct vmc_client *c, const struct vmc_map *map,
			 const struct vmc_map_resp *m)
{
	if (m->block_pages != map->block_pages || m->min_pfn != map->min_pfn ||
	    m->max_pfn != map->max_pfn)
		return vmc_client_fail(c, "guest memory layout changed while reading the map (hotplug?): retry");
	return 0;
}

int vmc_map_fetch(struct vmc_client *c, const struct vmc_hello *h,
		  struct vmc_map *map)
{
	struct vmc_map_req req = {
		.start_pfn = 0,		/* the agent starts at min_pfn */
		.max_blocks = VMC_MAP_RESP_MAX_BLOCKS,
	};
	struct vmc_map_resp m;
	size_t span = 0;	/* in blocks, known after the first response */

	*map = (struct vmc_map){ .page_size = h->page_size };
	do {
		if (reserve(c, map, span + VMC_MAP_RESP_MAX_BLOCKS) < 0 ||
		    vmc_client_map(c, &req, &m, map->blocks + map->nr) < 0)
			goto fail;
		if (!map->nr) {
			int64_t n = first_response(c, map, h, &m);

			if (n < 0)
				goto fail;
			span = (size_t)n;
		} else if (next_response(c, map, &m) < 0) {
			goto fail;
		}
		/*
		 * Every response adds ascending blocks within the span: the
		 * map never holds more than span blocks, nor takes more
		 * requests.
		 */
		map->nr += m.nr;
		req.start_pfn = m.next_pfn;
	} while (req.start_pfn < map->max_pfn);
	return 0;

fail:
	vmc_map_free(map);
	return -1;
}

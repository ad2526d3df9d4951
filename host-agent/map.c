/*
 * Reading a whole map: a request from pfn 0, then from each next_pfn, until
 * max_pfn.  The source checks each response on its own; this checks that
 * they fit together, which also bounds the memory and the number of
 * requests a lying guest (or kernel) can cause.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "map.h"

__attribute__((format(printf, 2, 3)))
static int fail(struct vmc_map_source *src, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(src->err, src->err_size, fmt, ap);
	va_end(ap);
	return -1;
}

void vmc_map_free(struct vmc_map *map)
{
	free(map->blocks);
	map->blocks = NULL;
	map->nr = 0;
	map->cap = 0;
}

/* Room for one more response, growing to no more than limit blocks. */
static int reserve(struct vmc_map_source *src, struct vmc_map *map,
		   size_t limit)
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
		return fail(src, "out of memory for %zu blocks", cap);
	map->blocks = p;
	map->cap = cap;
	return 0;
}

/* The first response fixes the layout; returns the span in blocks. */
static int64_t first_response(struct vmc_map_source *src, struct vmc_map *map,
			      const struct vmc_map_resp *m)
{
	uint64_t bp = m->block_pages;
	uint64_t lo = m->min_pfn / bp;
	uint64_t hi = (m->max_pfn + bp - 1) / bp;

	if (src->block_pages && m->block_pages != src->block_pages)
		return fail(src, "guest maps blocks of %u pages but said %u in HELLO",
			    m->block_pages, src->block_pages);
	if (hi - lo > VMC_HOST_MAX_BLOCKS)
		return fail(src, "guest RAM spans %" PRIu64 " blocks, more than the %u this tool reads",
			    hi - lo, VMC_HOST_MAX_BLOCKS);
	map->block_pages = m->block_pages;
	map->min_pfn = m->min_pfn;
	map->max_pfn = m->max_pfn;
	return (int64_t)(hi - lo);
}

/*
 * A later response must show the same layout.  Its blocks cannot repeat
 * earlier ones: the source made the previous next_pfn reach past the last
 * block, and this response starts at the block holding it.
 */
static int next_response(struct vmc_map_source *src, const struct vmc_map *map,
			 const struct vmc_map_resp *m)
{
	if (m->block_pages != map->block_pages || m->min_pfn != map->min_pfn ||
	    m->max_pfn != map->max_pfn)
		return fail(src, "guest memory layout changed while reading the map (hotplug?): retry");
	return 0;
}

int vmc_map_read(struct vmc_map_source *src, struct vmc_map *map)
{
	struct vmc_map_req req = {
		.start_pfn = 0,		/* the agent starts at min_pfn */
		.max_blocks = VMC_MAP_RESP_MAX_BLOCKS,
	};
	struct vmc_map_resp m;
	size_t span = 0;	/* in blocks, known after the first response */

	*map = (struct vmc_map){ .page_size = src->page_size };
	do {
		if (reserve(src, map, span + VMC_MAP_RESP_MAX_BLOCKS) < 0 ||
		    src->get(src, &req, &m, map->blocks + map->nr) < 0)
			goto fail;
		if (!map->nr) {
			int64_t n = first_response(src, map, &m);

			if (n < 0)
				goto fail;
			span = (size_t)n;
		} else if (next_response(src, map, &m) < 0) {
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

/*
 * Reading a whole map: a request from pfn 0, then from each next_pfn, until
 * max_pfn.  The source checks each response on its own; this checks that
 * they fit together, which also bounds the memory and the number of
 * requests a lying guest (or kernel) can cause.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include <vmcompact/map.h>

__attribute__((format(printf, 2, 3)))
static int fail(struct vmc_map_source *src, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(src->err, src->err_size, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first response fixes the layout. */
static int first_response(struct vmc_map_source *src, struct vmc_map *layout,
			  const struct vmc_map_resp *m)
{
	uint64_t bp = m->block_pages;
	uint64_t span = (m->max_pfn + bp - 1) / bp - m->min_pfn / bp;

	if (src->block_pages && m->block_pages != src->block_pages)
		return fail(src, "guest maps blocks of %u pages but said %u in HELLO",
			    m->block_pages, src->block_pages);
	if (span > VMC_HOST_MAX_BLOCKS)
		return fail(src, "guest RAM spans %" PRIu64 " blocks, more than the %u this tool reads",
			    span, VMC_HOST_MAX_BLOCKS);
	*layout = (struct vmc_map){
		.page_size = src->page_size,
		.block_pages = m->block_pages,
		.min_pfn = m->min_pfn,
		.max_pfn = m->max_pfn,
	};
	return 0;
}

/*
 * A later response must show the same layout.  Its blocks cannot repeat
 * earlier ones: the source made the previous next_pfn reach past the last
 * block, and this response starts at the block holding it.  So every
 * response adds ascending blocks within the span: no more blocks, nor
 * requests, than the span allows.
 */
static int next_response(struct vmc_map_source *src,
			 const struct vmc_map *layout,
			 const struct vmc_map_resp *m)
{
	if (m->block_pages != layout->block_pages ||
	    m->min_pfn != layout->min_pfn || m->max_pfn != layout->max_pfn)
		return fail(src, "guest memory layout changed while reading the map (hotplug?): retry");
	return 0;
}

int vmc_map_stream(struct vmc_map_source *src, struct vmc_map_sink *sink)
{
	static struct vacate_block blocks[VMC_MAP_RESP_MAX_BLOCKS];
	struct vmc_map_req req = {
		.start_pfn = 0,		/* the agent starts at min_pfn */
		.max_blocks = VMC_MAP_RESP_MAX_BLOCKS,
	};
	struct vmc_map layout = { 0 };
	struct vmc_map_resp m;

	do {
		if (src->get(src, &req, &m, blocks) < 0)
			return -1;
		if (!layout.block_pages) {
			if (first_response(src, &layout, &m) < 0 ||
			    sink->begin(sink, &layout) < 0)
				return -1;
		} else if (next_response(src, &layout, &m) < 0) {
			return -1;
		}
		if (sink->blocks(sink, blocks, m.nr) < 0)
			return -1;
		req.start_pfn = m.next_pfn;
	} while (req.start_pfn < layout.max_pfn);
	return sink->end(sink);
}

/* Holding the map: a sink that keeps every block. */
struct collector {
	struct vmc_map_sink sink;
	struct vmc_map_source *src;
	struct vmc_map *map;
};

static int collect_begin(struct vmc_map_sink *s, const struct vmc_map *layout)
{
	struct collector *c = (struct collector *)s;

	*c->map = *layout;
	return 0;
}

static int collect_blocks(struct vmc_map_sink *s, const struct vacate_block *b,
			  size_t n)
{
	struct collector *c = (struct collector *)s;
	struct vmc_map *map = c->map;
	size_t cap = map->cap ? map->cap * 2 : n;
	void *p;

	if (map->nr + n > map->cap) {
		if (cap < map->nr + n)
			cap = map->nr + n;
		p = reallocarray(map->blocks, cap, sizeof(*map->blocks));
		if (!p)
			return fail(c->src, "out of memory for %zu blocks", cap);
		map->blocks = p;
		map->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		map->blocks[map->nr++] = b[i];
	return 0;
}

static int collect_end(struct vmc_map_sink *s)
{
	(void)s;
	return 0;
}

int vmc_map_read(struct vmc_map_source *src, struct vmc_map *map)
{
	struct collector c = {
		.sink = { collect_begin, collect_blocks, collect_end },
		.src = src,
		.map = map,
	};

	*map = (struct vmc_map){ .page_size = src->page_size };
	if (vmc_map_stream(src, &c.sink) == 0)
		return 0;
	vmc_map_free(map);
	return -1;
}

void vmc_map_free(struct vmc_map *map)
{
	free(map->blocks);
	map->blocks = NULL;
	map->nr = 0;
	map->cap = 0;
}

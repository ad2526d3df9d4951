/*
 * The JSON form of a map (--json), one line, written as it comes: the
 * layout, each block as json-c builds it (then dropped), the totals.
 */
#include <inttypes.h>

#include <vmcompact/json.h>
#include "map_print.h"

static json_object *block_json(uint32_t block_pages,
			       const struct vacate_block *b)
{
	json_object *obj = json_object_new_object();
	char class[2] = { vmc_block_class(b, block_pages), '\0' };

	vmc_json_add_int(obj, "pfn", (int64_t)b->start_pfn);
	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		vmc_json_add_int(obj, vmc_counter_names[c],
				 vmc_block_counter(b, c));
	vmc_json_add_int(obj, "migratetype", b->migratetype);
	vmc_json_add_int(obj, "nid", b->nid);
	vmc_json_add_int(obj, "zone", b->zone);
	vmc_json_add_int(obj, "flags", b->flags);
	json_object_object_add(obj, "class", json_object_new_string(class));
	return obj;
}

static json_object *totals_json(const struct vmc_totals *t)
{
	json_object *obj = json_object_new_object();

	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		vmc_json_add_int(obj, vmc_counter_names[c], (int64_t)t->pages[c]);
	vmc_json_add_int(obj, "blocks", (int64_t)t->blocks);
	vmc_json_add_int(obj, "free_blocks", (int64_t)t->free_blocks);
	vmc_json_add_int(obj, "free_blocks_possible",
			 (int64_t)t->free_blocks_possible);
	return obj;
}

/* obj as plain JSON text after sep, then dropped. */
static int put(struct vmc_map_printer *p, const char *sep, json_object *obj)
{
	const char *text = json_object_to_json_string_ext(obj,
							  JSON_C_TO_STRING_PLAIN);

	if (!text)
		p->failed = true;
	else
		fprintf(p->out, "%s%s", sep, text);
	json_object_put(obj);
	return p->failed || ferror(p->out) ? -1 : 0;
}

static int begin(struct vmc_map_sink *s, const struct vmc_map *map)
{
	struct vmc_map_printer *p = map_printer(s);

	p->layout = *map;
	fprintf(p->out, "{\"page_size\":%u,\"block_pages\":%u,\"min_pfn\":%" PRIu64 ",\"max_pfn\":%" PRIu64 ",\"blocks\":[",
		map->page_size, map->block_pages, map->min_pfn, map->max_pfn);
	return 0;
}

static int blocks(struct vmc_map_sink *s, const struct vacate_block *b,
		  size_t n)
{
	struct vmc_map_printer *p = map_printer(s);
	uint32_t bp = p->layout.block_pages;

	for (size_t i = 0; i < n; i++) {
		if (put(p, p->totals.blocks ? "," : "", block_json(bp, &b[i])))
			return -1;
		vmc_totals_add(&p->totals, &b[i], bp);
	}
	return 0;
}

static int end(struct vmc_map_sink *s)
{
	struct vmc_map_printer *p = map_printer(s);

	if (put(p, "],\"totals\":", totals_json(&p->totals)) == 0)
		fputs("}\n", p->out);
	return printer_status(p);
}

const struct vmc_map_sink vmc_map_json_sink = { begin, blocks, end };

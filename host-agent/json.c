/* The JSON form of a map (--json), built with json-c. */
#include "jsonout.h"
#include "map.h"

static json_object *block_json(const struct vmc_map *map,
			       const struct vacate_block *b)
{
	json_object *obj = json_object_new_object();
	char class[2] = { vmc_block_class(b, map->block_pages), '\0' };

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

static json_object *totals_json(const struct vmc_map *map)
{
	json_object *obj = json_object_new_object();
	struct vmc_totals t;

	vmc_map_totals(map, &t);
	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		vmc_json_add_int(obj, vmc_counter_names[c], (int64_t)t.pages[c]);
	vmc_json_add_int(obj, "blocks", (int64_t)t.blocks);
	vmc_json_add_int(obj, "free_blocks", (int64_t)t.free_blocks);
	vmc_json_add_int(obj, "free_blocks_possible",
			 (int64_t)t.free_blocks_possible);
	return obj;
}

int vmc_map_print_json(FILE *out, const struct vmc_map *map)
{
	json_object *root = json_object_new_object();
	json_object *blocks = json_object_new_array();

	vmc_json_add_int(root, "page_size", map->page_size);
	vmc_json_add_int(root, "block_pages", map->block_pages);
	vmc_json_add_int(root, "min_pfn", (int64_t)map->min_pfn);
	vmc_json_add_int(root, "max_pfn", (int64_t)map->max_pfn);
	for (size_t i = 0; i < map->nr; i++)
		json_object_array_add(blocks, block_json(map, &map->blocks[i]));
	json_object_object_add(root, "blocks", blocks);
	json_object_object_add(root, "totals", totals_json(map));
	return vmc_json_print(out, root);
}

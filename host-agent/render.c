/* The text form of a map: a picture of the blocks, then totals. */
#include <inttypes.h>

#include "map.h"

#define BLOCKS_PER_LINE 64

static uint64_t pfn_to_mib(const struct vmc_map *map, uint64_t pfn)
{
	return pfn * map->page_size >> 20;
}

static double pages_to_mib(const struct vmc_map *map, uint64_t pages)
{
	return (double)pages * map->page_size / (1 << 20);
}

/*
 * One character per block, BLOCKS_PER_LINE to a line that starts with its
 * address.  Lines start at multiples of BLOCKS_PER_LINE blocks so the
 * addresses are round; blocks the guest did not describe show as absent.
 */
static void print_picture(FILE *out, const struct vmc_map *map)
{
	uint64_t bp = map->block_pages;
	uint64_t first = map->min_pfn / bp / BLOCKS_PER_LINE * BLOCKS_PER_LINE;
	uint64_t end = (map->max_pfn + bp - 1) / bp;
	size_t i = 0;

	for (uint64_t blk = first; blk < end; blk++) {
		char c = ' ';

		if (blk % BLOCKS_PER_LINE == 0)
			fprintf(out, "%s%8" PRIu64 " MiB |",
				blk == first ? "" : "|\n",
				pfn_to_mib(map, blk * bp));
		if (i < map->nr && map->blocks[i].start_pfn == blk * bp)
			c = vmc_block_class(&map->blocks[i++], map->block_pages);
		fputc(c, out);
	}
	fputs("|\n", out);
}

static void print_totals(FILE *out, const struct vmc_map *map)
{
	struct vmc_totals t;

	vmc_map_totals(map, &t);
	fprintf(out, "\n%-18s %12s %12s\n", "class", "pages", "MiB");
	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		fprintf(out, "%-18s %12" PRIu64 " %12.1f\n",
			vmc_counter_names[c], t.pages[c],
			pages_to_mib(map, t.pages[c]));
	fprintf(out, "\nblocks described:     %" PRIu64 "\n"
		"fully free blocks:    %" PRIu64 "\n"
		"free blocks possible: %" PRIu64 "\n",
		t.blocks, t.free_blocks, t.free_blocks_possible);
}

void vmc_map_print_text(FILE *out, const struct vmc_map *map)
{
	fprintf(out, "guest RAM: pfn 0x%" PRIx64 "-0x%" PRIx64 ", blocks of %u pages (%.0f KiB)\n",
		map->min_pfn, map->max_pfn, map->block_pages,
		pages_to_mib(map, map->block_pages) * 1024);
	fputs("legend: '.' free  'm' free+LRU/movable  'M' mobile slab  'r' reclaimable slab\n"
	      "        'U' unmovable slab  'o' other  ' ' absent\n", out);
	print_picture(out, map);
	print_totals(out, map);
}

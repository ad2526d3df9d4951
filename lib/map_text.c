/*
 * The text form of a map, printed as it comes: a picture of the blocks,
 * one character each (map.h), then the totals.
 */
#include <inttypes.h>

#include "map_print.h"

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
 * Lines start at multiples of BLOCKS_PER_LINE blocks so the addresses are
 * round; blocks the guest did not describe show as absent.
 */
static uint64_t first_block(const struct vmc_map *map)
{
	return map->min_pfn / map->block_pages / BLOCKS_PER_LINE *
	       BLOCKS_PER_LINE;
}

/* The next block's character, after its line's address if it starts one. */
static void draw(struct vmc_map_printer *p, char c)
{
	const struct vmc_map *map = &p->layout;
	uint64_t blk = p->next_block++;

	if (blk % BLOCKS_PER_LINE == 0)
		fprintf(p->out, "%s%8" PRIu64 " MiB |",
			blk == first_block(map) ? "" : "|\n",
			pfn_to_mib(map, blk * map->block_pages));
	fputc(c, p->out);
}

/* Absent blocks up to (not including) block end. */
static void skip_to(struct vmc_map_printer *p, uint64_t end)
{
	while (p->next_block < end)
		draw(p, ' ');
}

static int begin(struct vmc_map_sink *s, const struct vmc_map *map)
{
	struct vmc_map_printer *p = map_printer(s);

	p->layout = *map;
	p->next_block = first_block(map);
	fprintf(p->out, "guest RAM: pfn 0x%" PRIx64 "-0x%" PRIx64 ", blocks of %u pages (%.0f KiB)\n",
		map->min_pfn, map->max_pfn, map->block_pages,
		pages_to_mib(map, map->block_pages) * 1024);
	fputs("legend: '.' free  'm' free+LRU/movable  'M' mobile slab  'r' reclaimable slab\n"
	      "        'U' unmovable slab  'o' other  ' ' absent\n", p->out);
	return 0;
}

static int blocks(struct vmc_map_sink *s, const struct vacate_block *b,
		  size_t n)
{
	struct vmc_map_printer *p = map_printer(s);
	uint32_t bp = p->layout.block_pages;

	for (size_t i = 0; i < n; i++) {
		skip_to(p, b[i].start_pfn / bp);
		draw(p, vmc_block_class(&b[i], bp));
		vmc_totals_add(&p->totals, &b[i], bp);
	}
	return ferror(p->out) ? -1 : 0;
}

static int end(struct vmc_map_sink *s)
{
	struct vmc_map_printer *p = map_printer(s);
	const struct vmc_map *map = &p->layout;
	const struct vmc_totals *t = &p->totals;

	skip_to(p, (map->max_pfn + map->block_pages - 1) / map->block_pages);
	fputs("|\n", p->out);
	fprintf(p->out, "\n%-18s %12s %12s\n", "class", "pages", "MiB");
	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		fprintf(p->out, "%-18s %12" PRIu64 " %12.1f\n",
			vmc_counter_names[c], t->pages[c],
			pages_to_mib(map, t->pages[c]));
	fprintf(p->out, "\nblocks described:     %" PRIu64 "\n"
		"fully free blocks:    %" PRIu64 "\n"
		"free blocks possible: %" PRIu64 "\n",
		t->blocks, t->free_blocks, t->free_blocks_possible);
	return printer_status(p);
}

const struct vmc_map_sink vmc_map_text_sink = { begin, blocks, end };

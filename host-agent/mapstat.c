/* What a map says: block classes and totals. */
#include "map.h"

const char *const vmc_counter_names[VMC_NR_COUNTERS] = {
	"free", "lru", "slab_mobile", "slab_reclaimable", "slab_unmovable",
	"other", "absent",
};

uint32_t vmc_block_counter(const struct vacate_block *b, int i)
{
	const uint32_t counters[VMC_NR_COUNTERS] = {
		b->free, b->lru, b->slab_mobile, b->slab_reclaimable,
		b->slab_unmovable, b->other, b->absent,
	};

	return counters[i];
}

char vmc_block_class(const struct vacate_block *b, uint32_t block_pages)
{
	if (b->absent == block_pages)
		return ' ';
	if (b->slab_unmovable)
		return 'U';
	if (b->slab_reclaimable)
		return 'r';
	if (b->slab_mobile)
		return 'M';
	if (b->other)
		return 'o';
	if (b->lru)
		return 'm';
	return '.';
}

void vmc_map_totals(const struct vmc_map *map, struct vmc_totals *t)
{
	*t = (struct vmc_totals){ .blocks = map->nr };
	for (size_t i = 0; i < map->nr; i++) {
		const struct vacate_block *b = &map->blocks[i];

		for (int c = 0; c < VMC_NR_COUNTERS; c++)
			t->pages[c] += vmc_block_counter(b, c);
		t->free_blocks += b->free == map->block_pages;
	}
	t->free_blocks_possible = t->pages[VMC_COUNTER_FREE] / map->block_pages;
}

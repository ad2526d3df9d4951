/* What a map says: block classes and totals. */
#include <vmcompact/map.h>

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

void vmc_totals_add(struct vmc_totals *t, const struct vacate_block *b,
		    uint32_t block_pages)
{
	for (int c = 0; c < VMC_NR_COUNTERS; c++)
		t->pages[c] += vmc_block_counter(b, c);
	t->blocks++;
	t->free_blocks += b->free == block_pages;
	t->free_blocks_possible = t->pages[VMC_COUNTER_FREE] / block_pages;
}

void vmc_map_totals(const struct vmc_map *map, struct vmc_totals *t)
{
	*t = (struct vmc_totals){ 0 };
	for (size_t i = 0; i < map->nr; i++)
		vmc_totals_add(t, &map->blocks[i], map->block_pages);
}

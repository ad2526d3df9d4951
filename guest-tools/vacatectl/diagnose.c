/*
 * The kernel refuses a bad request as a whole, with one errno.  The map
 * read before the request tells which block (or which field) it meant, so
 * that the message can name it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vacatectl.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const struct vacate_block *map_block(const struct vmc_map *map,
					    uint64_t pfn)
{
	for (size_t i = 0; i < map->nr; i++)
		if (map->blocks[i].start_pfn == pfn)
			return &map->blocks[i];
	return NULL;
}

/* VACATE_IOC_VACATE's EINVAL: an unaligned or repeated block. */
static bool bad_pfn(const struct vmc_map *map,
		    const struct vctl_request_view *req, char *buf,
		    size_t size)
{
	uint64_t *sorted;
	bool found = false;

	for (uint32_t i = 0; i < req->nr_blocks; i++) {
		if (req->pfns[i] % map->block_pages) {
			snprintf(buf, size, "pfn 0x%" PRIx64 " is not the first of a block (a multiple of %u)",
				 req->pfns[i], map->block_pages);
			return true;
		}
	}
	sorted = malloc(req->nr_blocks * sizeof(*sorted));
	if (!sorted)
		return false;
	memcpy(sorted, req->pfns, req->nr_blocks * sizeof(*sorted));
	qsort(sorted, req->nr_blocks, sizeof(*sorted), cmp_u64);
	for (uint32_t i = 1; i < req->nr_blocks && !found; i++) {
		if (sorted[i] == sorted[i - 1]) {
			snprintf(buf, size, "block %" PRIu64 " (pfn 0x%" PRIx64 ") is named more than once",
				 sorted[i] / map->block_pages, sorted[i]);
			found = true;
		}
	}
	free(sorted);
	return found;
}

/* VACATE_IOC_VACATE's ERANGE and ENXIO. */
static bool bad_block(const struct vmc_map *map,
		      const struct vctl_request_view *req, int err,
		      char *buf, size_t size)
{
	for (uint32_t i = 0; i < req->nr_blocks; i++) {
		uint64_t pfn = req->pfns[i];
		const struct vacate_block *b;

		if (err == ERANGE && (pfn < map->min_pfn || pfn >= map->max_pfn)) {
			snprintf(buf, size, "pfn 0x%" PRIx64 " is outside RAM, pfns [0x%" PRIx64 ", 0x%" PRIx64 ")",
				 pfn, map->min_pfn, map->max_pfn);
			return true;
		}
		b = err == ENXIO ? map_block(map, pfn) : NULL;
		if (b && b->absent) {
			snprintf(buf, size, "block %" PRIu64 " (pfn 0x%" PRIx64 ") has %u absent pages",
				 pfn / map->block_pages, pfn, b->absent);
			return true;
		}
	}
	return false;
}

bool vctl_diagnose(const struct vmc_map *map,
		   const struct vctl_request_view *req, int err, char *buf,
		   size_t size)
{
	if (err == EINVAL && !vmc_mode_name(req->mode)) {
		snprintf(buf, size, "mode %u is none of probe (%u), free (%u) and hold (%u)",
			 req->mode, VACATE_MODE_PROBE, VACATE_MODE_FREE,
			 VACATE_MODE_HOLD);
		return true;
	}
	if (req->cmd == VACATE_IOC_CHEAPEST) {
		if (err == EINVAL && !req->nr_blocks) {
			snprintf(buf, size, "--cheapest 0 asks for no block");
			return true;
		}
		if (err == E2BIG) {
			snprintf(buf, size, "--cheapest %u is more than %u",
				 req->nr_blocks, VACATE_MAX_BLOCKS);
			return true;
		}
		return false;
	}
	if (err == EINVAL)
		return bad_pfn(map, req, buf, size);
	return bad_block(map, req, err, buf, size);
}

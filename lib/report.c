/* What a request did, checked and summed, as text. */
#include <inttypes.h>
#include <string.h>

#include <vmcompact/names.h>
#include <vmcompact/report.h>
#include <vmcompact/util.h>

static const struct {
	uint32_t flag;
	const char *name;
} result_flags[] = {
	{ VACATE_RES_FREE, "was free" },
	{ VACATE_RES_IMPOSSIBLE, "impossible" },
	{ VACATE_RES_DONE, "done" },
};

int vmc_picks_to_pfns(const struct vmc_pick *picks, size_t n,
		      uint32_t block_pages, uint64_t *pfns, char *err,
		      size_t err_size)
{
	for (size_t i = 0; i < n; i++) {
		const struct vmc_pick *p = &picks[i];

		if (p->is_block && p->value > UINT64_MAX / block_pages)
			return vmc_failf(err, err_size, "block %" PRIu64 " is beyond any pfn (blocks are %u pages)",
					 p->value, block_pages);
		pfns[i] = p->is_block ? p->value * block_pages : p->value;
	}
	return 0;
}

int vmc_report_finish(struct vmc_report *r, const struct vmc_map *before,
		       const struct vmc_map *after, char *err, size_t size)
{
	struct vmc_totals t;

	if (r->acted > r->asked) {
		snprintf(err, size, "the kernel says it acted on %" PRIu64 " blocks, more than the %" PRIu64 " asked",
			 r->acted, r->asked);
		return -1;
	}
	if (r->done > r->acted) {
		snprintf(err, size, "the kernel says %" PRIu64 " blocks are done of %" PRIu64 " acted on",
			 r->done, r->acted);
		return -1;
	}
	if (r->nr_results > r->acted)
		r->nr_results = r->acted;
	for (size_t i = 0; i < r->nr_results; i++) {
		const struct vacate_result *res = &r->results[i];

		r->pages_migrated += res->pages_migrated;
		r->objects_moved += res->objects_moved;
		r->objects_freed += res->objects_freed;
		r->time_ns += res->time_ns;
	}
	vmc_map_totals(before, &t);
	r->free_blocks_before = t.free_blocks;
	vmc_map_totals(after, &t);
	r->free_blocks_after = t.free_blocks;
	r->free_blocks_possible = t.free_blocks_possible;
	return 0;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void vmc_print_result(FILE *out, const struct vacate_result *res,
		       uint32_t block_pages)
{
	const char *sep = "; why: ";
	char name[32];
	uint32_t flags = res->flags;

	fprintf(out, "block %" PRIu64 " pfn 0x%" PRIx64 ": ",
		(uint64_t)res->start_pfn / block_pages,
		(uint64_t)res->start_pfn);
	if (res->error)
		fprintf(out, "failed %s",
			vmc_errno_name(res->error, name, sizeof(name)));
	else
		fputs("ok", out);
	for (size_t i = 0; i < ARRAY_SIZE(result_flags); i++) {
		if (flags & result_flags[i].flag)
			fprintf(out, ", %s", result_flags[i].name);
		flags &= ~result_flags[i].flag;
	}
	if (flags)
		fprintf(out, ", flags 0x%x", flags);
	fprintf(out, "; cost %u (migrate %u, move %u, drop %u); migrated %u, moved %u, freed %u; %.3f ms",
		res->cost, res->est_migrate, res->est_move, res->est_drop,
		res->pages_migrated, res->objects_moved, res->objects_freed,
		ms(res->time_ns));
	for (int i = 0; i < VACATE_NR_WHY; i++) {
		if (!res->why[i])
			continue;
		fprintf(out, "%s%s %u", sep, vmc_why_names[i], res->why[i]);
		sep = ", ";
	}
	if (res->blocker[0])
		fprintf(out, "; blocker %.*s",
			(int)strnlen(res->blocker, sizeof(res->blocker)),
			res->blocker);
	fputc('\n', out);
}

void vmc_print_report(FILE *out, const struct vmc_report *r)
{
	for (size_t i = 0; i < r->nr_results; i++)
		vmc_print_result(out, &r->results[i], r->block_pages);
	fprintf(out, "\nblocks asked:         %" PRIu64 "\n"
		"blocks acted on:      %" PRIu64 "\n"
		"blocks %-15s%" PRIu64 "\n",
		r->asked, r->acted,
		r->mode == VACATE_MODE_PROBE ? "possible:" : "done:",
		r->done);
	if (r->nr_results < r->acted)
		fprintf(out, "results shown:        %zu (the kernel kept the rest)\n",
			r->nr_results);
	fprintf(out, "pages migrated:       %" PRIu64 "\n"
		"objects moved:        %" PRIu64 "\n"
		"objects freed:        %" PRIu64 "\n"
		"time:                 %.3f ms (%.3f ms in the blocks)\n"
		"fully free blocks:    %" PRIu64 " before, %" PRIu64 " after\n"
		"free blocks possible: %" PRIu64 "\n",
		r->pages_migrated, r->objects_moved, r->objects_freed,
		ms(r->wall_ns), ms(r->time_ns), r->free_blocks_before,
		r->free_blocks_after, r->free_blocks_possible);
}

/* The census as text: totals, one line per cache, the 90% cover. */
#include <vmcompact/census.h>

/* Tenths of a percent as "12.3%", right-aligned in width. */
static void percent(FILE *out, int width, uint32_t tenths)
{
	char s[16];

	snprintf(s, sizeof(s), "%u.%u%%", tenths / 10, tenths % 10);
	fprintf(out, "%*s", width, s);
}

static void print_cover(FILE *out, const struct vmc_census *c)
{
	uint64_t pages = 0;
	bool reached;
	size_t n;

	fprintf(out, "cover %u%%: ", VMC_CENSUS_COVER);
	if (!c->slab_pages) {
		fputs("no slab page keeps a block from being free\n", out);
		return;
	}
	reached = vmc_census_cover(c, VMC_CENSUS_COVER, &n);
	for (size_t i = 0; i < n; i++)
		pages += c->entries[i].pages;
	fprintf(out, reached ? "%zu %s " : "none; the %zu %s only ", n,
		n == 1 ? "cache holds" : "caches hold");
	percent(out, 0, vmc_tenths(pages, c->slab_pages));
	fputs(" of the blocking pages", out);
	for (size_t i = 0; reached && i < n; i++)
		fprintf(out, "%s%s", i ? ", " : ": ", c->entries[i].name);
	fputc('\n', out);
}

void vmc_print_census(FILE *out, const struct vmc_census *c, size_t top)
{
	size_t shown = vmc_census_shown(c, top);
	uint64_t sum = 0;

	fprintf(out, "otherwise-free blocks: %u, slab pages in them: %u\n",
		c->blocks, c->slab_pages);
	for (size_t i = 0; i < shown; i++) {
		const struct vacate_census_entry *e = &c->entries[i];

		sum += e->pages;
		fprintf(out, "%-*s %6u pages %5u blocks %7u all ",
			VACATE_CACHE_NAME_LEN - 1, e->name, e->pages,
			e->blocks, e->all_pages);
		percent(out, 6, vmc_tenths(e->pages, c->slab_pages));
		percent(out, 7, vmc_tenths(sum, c->slab_pages));
		fprintf(out, " cumulative  %s\n", e->mobile ? "mobile" : "-");
	}
	print_cover(out, c);
}

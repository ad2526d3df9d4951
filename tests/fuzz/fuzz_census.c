/*
 * libFuzzer: the checks of what the kernel (or the guest, through the
 * agent) says about a census and a vacate request (lib/census.c,
 * lib/report.c), and the reports made of what passes: a census checked
 * against its room, and a report against the maps before and after.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmcompact/census.h>
#include <vmcompact/report.h>

#define MAX_ENTRIES 64
#define MAX_RESULTS 64

static FILE *devnull;

static void take(const uint8_t **data, size_t *size, void *p, size_t n)
{
	size_t k = n < *size ? n : *size;

	memcpy(p, *data, k);
	memset((uint8_t *)p + k, 0, n - k);
	*data += k;
	*size -= k;
}

static void census(const uint8_t **data, size_t *size)
{
	struct vmc_census c = { 0 };
	struct vacate_census q;
	char err[512];
	uint32_t room;
	size_t n;

	take(data, size, &q, sizeof(q));
	room = q.argsz % MAX_ENTRIES + 1;
	c.entries = calloc(room, sizeof(*c.entries));
	take(data, size, c.entries, room * sizeof(*c.entries));
	if (vmc_census_check(&c, &q, room, err, sizeof(err)) == 0) {
		uint64_t sum = 0;

		for (size_t i = 0; i < c.nr; i++) {
			assert(strlen(c.entries[i].name) < VACATE_CACHE_NAME_LEN);
			sum += c.entries[i].pages;
		}
		assert(c.nr <= room && sum <= c.slab_pages);
		vmc_print_census(devnull, &c, q.flags % 4);
		assert(vmc_print_census_json(devnull, &c, q.flags % 4) == 0);
		if (vmc_census_cover(&c, 90, &n))
			assert(n <= c.nr);
	}
	vmc_census_free(&c);
}

static void report(const uint8_t **data, size_t *size)
{
	static struct vacate_result results[MAX_RESULTS];
	static struct vacate_block blocks[2];
	struct vmc_map before = { .page_size = 4096, .block_pages = 512,
				  .nr = 1, .blocks = &blocks[0] };
	struct vmc_map after = { .page_size = 4096, .block_pages = 512,
				 .nr = 1, .blocks = &blocks[1] };
	struct vmc_report r = { .block_pages = 512, .results = results };
	uint64_t counts[4];
	char err[512];

	take(data, size, counts, sizeof(counts));
	take(data, size, blocks, sizeof(blocks));
	take(data, size, results, sizeof(results));
	r.mode = (uint32_t)counts[0];
	r.asked = counts[1];
	r.acted = counts[2];
	r.done = counts[3];
	r.nr_results = counts[0] >> 32 & (MAX_RESULTS - 1);
	if (vmc_report_finish(&r, &before, &after, err, sizeof(err)) == 0) {
		assert(r.done <= r.acted && r.acted <= r.asked);
		assert(r.nr_results <= r.acted);
		vmc_print_report(devnull, &r);
		assert(vmc_print_report_json(devnull, &r) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!size)
		return 0;
	if (*data & 1) {
		data++, size--;
		census(&data, &size);
	} else {
		data++, size--;
		report(&data, &size);
	}
	return 0;
}

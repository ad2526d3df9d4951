/*
 * libFuzzer: the map reader (lib/map_read.c) over a source that answers
 * anything the way a guest's MAP_RESP would be checked (each response
 * by vmc_check_map_resp(), the reader the rest), held and streamed into
 * both printers.  Whatever the answers, the reader ends, holds only
 * ascending blocks within the span, and the printers count what it read.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <vmcompact/map.h>

struct fuzz_source {
	struct vmc_map_source src;
	const uint8_t *data;
	size_t size;
	unsigned int calls;
};

static char err[512];
static FILE *devnull;

static void take(struct fuzz_source *f, void *p, size_t n)
{
	size_t k = n < f->size ? n : f->size;

	memcpy(p, f->data, k);
	memset((uint8_t *)p + k, 0, n - k);
	f->data += k;
	f->size -= k;
}

static int get(struct vmc_map_source *src, const struct vmc_map_req *req,
	       struct vmc_map_resp *m, struct vacate_block *blocks)
{
	struct fuzz_source *f = (struct fuzz_source *)src;
	struct vmc_error e;

	/* The reader never asks more than the span allows. */
	assert(++f->calls <= VMC_HOST_MAX_BLOCKS + 1);
	if (!f->size)
		return -1;
	take(f, m, sizeof(*m));
	if (m->nr > VMC_MAP_RESP_MAX_BLOCKS)
		m->nr %= VMC_MAP_RESP_MAX_BLOCKS + 1;
	take(f, blocks, m->nr * sizeof(*blocks));
	if (vmc_check_map_resp(req, m, blocks, &e)) {
		snprintf(src->err, src->err_size, "%s", e.msg);
		return -1;
	}
	return 0;
}

static void source(struct fuzz_source *f, const uint8_t *data, size_t size)
{
	*f = (struct fuzz_source){
		.src = { .get = get, .page_size = 4096, .err = err,
			 .err_size = sizeof(err) },
		.data = data,
		.size = size,
	};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_map_printer p;
	struct fuzz_source f;
	struct vmc_totals t;
	struct vmc_map map;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	source(&f, data, size);
	if (vmc_map_read(&f.src, &map) == 0) {
		for (size_t i = 1; i < map.nr; i++)
			assert(map.blocks[i].start_pfn > map.blocks[i - 1].start_pfn);
		assert(map.nr <= VMC_HOST_MAX_BLOCKS);
		vmc_map_totals(&map, &t);
		assert(t.blocks == map.nr);
		assert(vmc_map_print(devnull, &map, false) == 0);
		assert(vmc_map_print(devnull, &map, true) == 0);
		vmc_map_free(&map);
	}
	for (int json = 0; json < 2; json++) {
		source(&f, data, size);
		vmc_map_printer_init(&p, devnull, json);
		if (vmc_map_stream(&f.src, &p.sink) == 0)
			assert(p.totals.blocks >= 1);
	}
	return 0;
}

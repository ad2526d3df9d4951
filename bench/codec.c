/*
 * make bench: the codec's cost for the largest messages a host decodes,
 * a full MAP_RESP (1364 blocks) and a full VACATE_RESP (512 results),
 * and for the frame parser that finds them in a byte stream.  Prints one
 * line per figure: name, nanoseconds per message, MB/s.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <vmcompact/proto.h>

#define ROUNDS 2000

static uint8_t frame[VMC_FRAME_MAX];
static struct vacate_block blocks[VMC_MAP_RESP_MAX_BLOCKS];
static struct vacate_result results[VMC_VACATE_MAX_BLOCKS];
static struct vmc_parser parser;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, double ns, size_t bytes)
{
	printf("%-24s %10.0f ns/message %8.0f MB/s\n", name, ns / ROUNDS,
	       bytes * (double)ROUNDS / ns * 1e3);
}

/* The one frame in buf, parsed. */
static int parse(const uint8_t *buf, size_t len, struct vmc_frame *f)
{
	struct vmc_event ev;

	vmc_parser_reset(&parser);
	if (!vmc_parser_feed(&parser, &buf, &len, &ev) || ev.error)
		return -1;
	*f = ev.frame;
	return 0;
}

static int bench_map(void)
{
	struct vmc_map_req req = { .start_pfn = 0, .max_blocks = VMC_MAP_RESP_MAX_BLOCKS };
	struct vmc_map_resp m = {
		.min_pfn = 0, .max_pfn = (uint64_t)VMC_MAP_RESP_MAX_BLOCKS * 512,
		.block_pages = 512, .nr = VMC_MAP_RESP_MAX_BLOCKS,
	};
	struct vmc_map_resp got;
	struct vmc_error err;
	struct vmc_frame f;
	size_t len;
	double t;

	m.next_pfn = m.max_pfn;
	for (uint32_t i = 0; i < m.nr; i++)
		blocks[i] = (struct vacate_block){ .start_pfn = i * 512ull,
						   .free = 500, .lru = 12 };
	len = vmc_encode_map_resp(frame, sizeof(frame), 1, &m, blocks);
	t = now_ns();
	for (int r = 0; r < ROUNDS; r++) {
		if (parse(frame, len, &f) ||
		    vmc_decode_map_resp(&f, &req, &got, blocks, &err))
			return -1;
	}
	report("map_resp parse+decode", now_ns() - t, len);
	return 0;
}

static int bench_vacate(void)
{
	struct vmc_vacate_req req = { .mode = VACATE_MODE_FREE,
				      .count = VMC_VACATE_ALL,
				      .flags = VMC_VACATE_CHEAPEST };
	struct vmc_vacate_resp v = { .mode = VACATE_MODE_FREE,
				     .acted = VMC_VACATE_MAX_BLOCKS,
				     .done = VMC_VACATE_MAX_BLOCKS,
				     .nr = VMC_VACATE_MAX_BLOCKS };
	struct vmc_vacate_resp got;
	struct vmc_error err;
	struct vmc_frame f;
	size_t len;
	double t;

	for (uint32_t i = 0; i < v.nr; i++) {
		results[i] = (struct vacate_result){ .start_pfn = i * 512ull,
						     .flags = VACATE_RES_DONE };
		strcpy(results[i].blocker, "dentry");
	}
	t = now_ns();
	for (int r = 0; r < ROUNDS; r++)
		len = vmc_encode_vacate_resp(frame, sizeof(frame), 1, &v, results);
	report("vacate_resp encode", now_ns() - t, len);
	t = now_ns();
	for (int r = 0; r < ROUNDS; r++) {
		if (parse(frame, len, &f) ||
		    vmc_decode_vacate_resp(&f, &req, 512, &got, results, &err))
			return -1;
	}
	report("vacate_resp parse+decode", now_ns() - t, len);
	return 0;
}

int main(void)
{
	if (bench_map() || bench_vacate()) {
		fprintf(stderr, "bench-codec: a message did not decode\n");
		return 1;
	}
	return 0;
}

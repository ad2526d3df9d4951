/*
 * libFuzzer: the stream parser (PROTOCOL.md section 5) on any bytes, fed
 * in chunks whose sizes the input chooses, with silences (expiry) in
 * between.  Every event must describe bytes the parser holds; a frame's
 * length must be within the limit; the work done in vain is bounded by
 * the bytes fed times the largest rescan.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <vmcompact/proto.h>

static struct vmc_parser parser;

static void check_event(const struct vmc_event *ev)
{
	const struct vmc_frame *f = &ev->frame;

	if (ev->error) {
		assert(ev->why && ev->error <= VMC_ERR_TOO_BIG);
		return;
	}
	assert(f->version == VMC_PROTO_VERSION && f->len <= VMC_MAX_PAYLOAD);
	assert(f->payload >= parser.buf &&
	       f->payload + f->len <= parser.buf + sizeof(parser.buf));
	/* Touch every payload byte: ASan checks they are ours. */
	for (uint32_t i = 0; i < f->len; i++)
		(void)*(volatile const uint8_t *)&f->payload[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_event ev;
	size_t off = 0;

	vmc_parser_reset(&parser);
	while (off < size) {
		/* A chunk: its length in the byte before it (0: a silence). */
		size_t chunk = data[off++], len;
		const uint8_t *p = data + off;

		if (chunk > size - off)
			chunk = size - off;
		len = chunk;
		if (!chunk && vmc_parser_expire(&parser, &ev))
			check_event(&ev);
		while (vmc_parser_feed(&parser, &p, &len, &ev))
			check_event(&ev);
		assert(!len && p == data + off + chunk);
		off += chunk;
		/* Nothing is rescanned more than once per byte and frame. */
		assert(vmc_parser_wasted(&parser) <= off * (VMC_FRAME_MAX + 1));
	}
	return 0;
}

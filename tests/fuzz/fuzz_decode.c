/*
 * libFuzzer: every decoder of the codec, both directions, on any payload.
 * The first byte picks the message; for answers checked against their
 * request, the request's fields come next.  A payload a decoder accepts
 * must encode again to the same bytes (so nothing it accepted was lost
 * or invented), and decode again the same.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <vmcompact/proto.h>

static uint8_t frame[VMC_FRAME_MAX];
static struct vacate_block blocks[VMC_MAP_RESP_MAX_BLOCKS];
static struct vacate_result results[VMC_VACATE_MAX_BLOCKS];
static struct vacate_census_entry entries[VMC_CENSUS_MAX_ENTRIES];
static struct vmc_vacate_req vreq, vreq2;

/* Take n bytes of the input as a little-endian number (0 past its end). */
static uint64_t take(const uint8_t **data, size_t *size, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && *size; i++, (*data)++, (*size)--)
		v |= (uint64_t)**data << (8 * i);
	return v;
}

static struct vmc_frame as_frame(uint16_t type, const uint8_t *p, size_t len)
{
	return (struct vmc_frame){ .version = VMC_PROTO_VERSION, .type = type,
				   .seq = 7, .len = (uint32_t)len, .payload = p };
}

/* The frame's payload is the input again, byte for byte. */
static void same_payload(size_t flen, const uint8_t *p, size_t len)
{
	assert(flen == VMC_HDR_SIZE + len);
	assert(!memcmp(frame + VMC_HDR_SIZE, p, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_error err, e;
	struct vmc_map_req mreq;
	struct vmc_map_resp m;
	struct vmc_vacate_resp v;
	struct vmc_census_resp c;
	struct vmc_hello h;
	struct vmc_frame f;
	uint32_t room, bp;
	uint8_t which;

	if (!size)
		return 0;
	which = data[0] % 9;
	data++;
	size--;
	switch (which) {
	case 0:
		f = as_frame(VMC_HELLO_RESP, data, size);
		if (!vmc_decode_hello_resp(&f, &h, &err))
			same_payload(vmc_encode_hello_resp(frame, sizeof(frame), 7, &h),
				     data, size);
		break;
	case 1:
		f = as_frame(VMC_MAP_REQ, data, size);
		if (!vmc_decode_map_req(&f, &mreq, &err))
			same_payload(vmc_encode_map_req(frame, sizeof(frame), 7, &mreq),
				     data, size);
		break;
	case 2:
		mreq.start_pfn = take(&data, &size, 8);
		mreq.max_blocks = (uint32_t)take(&data, &size, 4);
		f = as_frame(VMC_MAP_RESP, data, size);
		if (!vmc_decode_map_resp(&f, &mreq, &m, blocks, &err))
			same_payload(vmc_encode_map_resp(frame, sizeof(frame), 7, &m, blocks),
				     data, size);
		break;
	case 3:
		f = as_frame(VMC_ERROR, data, size);
		if (!vmc_decode_error(&f, &e, &err))
			same_payload(vmc_encode_error(frame, sizeof(frame), 7, &e),
				     data, size);
		break;
	case 4:
		f = as_frame(VMC_VACATE_REQ, data, size);
		if (!vmc_decode_vacate_req(&f, &vreq, &err))
			same_payload(vmc_encode_vacate_req(frame, sizeof(frame), 7, &vreq),
				     data, size);
		break;
	case 5:
		/* The request first, as the host sends it, then the answer. */
		bp = 1u << (take(&data, &size, 1) % 25);
		vreq2 = (struct vmc_vacate_req){
			.mode = (uint32_t)take(&data, &size, 1) % 3,
			.count = (uint32_t)take(&data, &size, 2) % 513,
			.flags = (uint32_t)take(&data, &size, 1) & 1,
		};
		for (uint32_t i = 0; !(vreq2.flags & 1) && i < vreq2.count; i++)
			vreq2.pfns[i] = (uint64_t)i * bp;
		f = as_frame(VMC_VACATE_RESP, data, size);
		if (!vmc_decode_vacate_resp(&f, &vreq2, bp, &v, results, &err))
			same_payload(vmc_encode_vacate_resp(frame, sizeof(frame), 7, &v, results),
				     data, size);
		break;
	case 6:
		f = as_frame(VMC_CENSUS_REQ, data, size);
		if (!vmc_decode_census_req(&f, &room, &err))
			same_payload(vmc_encode_census_req(frame, sizeof(frame), 7, room),
				     data, size);
		break;
	case 7:
		room = 1 + (uint32_t)take(&data, &size, 2) % VMC_CENSUS_MAX_ENTRIES;
		f = as_frame(VMC_CENSUS_RESP, data, size);
		if (!vmc_decode_census_resp(&f, room, &c, entries, &err))
			same_payload(vmc_encode_census_resp(frame, sizeof(frame), 7, &c, entries),
				     data, size);
		break;
	default:
		f = as_frame(VMC_RELEASE_REQ, data, size);
		assert(vmc_decode_empty(&f, &err) == (size ? -1 : 0));
	}
	return 0;
}

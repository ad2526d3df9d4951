/*
 * CENSUS_REQ and CENSUS_RESP: PROTOCOL.md section 3.8.  The decoder checks
 * the frame; what the counts mean together is the census reader's to
 * check (guest-tools/vacatectl/census.c), as for the kernel's own answer.
 */
#include <string.h>

#include <vmcompact/proto.h>
#include "wire.h"

size_t vmc_encode_census_req(uint8_t *buf, size_t cap, uint32_t seq,
			     uint32_t room)
{
	struct wr w = payload_writer(buf, cap);

	wr_u32(&w, room);
	return seal_payload(buf, cap, VMC_CENSUS_REQ, seq, &w);
}

int vmc_decode_census_req(const struct vmc_frame *f, uint32_t *room,
			  struct vmc_error *err)
{
	struct rd r = payload_reader(f);

	*room = rd_u32(&r);
	if (!rd_done(&r))
		return vmc_bad_payload(err, "CENSUS_REQ: payload must be 4 bytes, got %u",
				       f->len);
	if (!*room || *room > VMC_CENSUS_MAX_ENTRIES)
		return vmc_bad_payload(err, "CENSUS_REQ: room %u is not in [1, %d]",
				       *room, VMC_CENSUS_MAX_ENTRIES);
	return 0;
}

size_t vmc_encode_census_resp(uint8_t *buf, size_t cap, uint32_t seq,
			      const struct vmc_census_resp *c,
			      const struct vacate_census_entry *entries)
{
	struct wr w = payload_writer(buf, cap);

	if (c->nr > VMC_CENSUS_MAX_ENTRIES)
		return 0;
	wr_u32(&w, c->blocks);
	wr_u32(&w, c->slab_pages);
	wr_u32(&w, c->found);
	wr_u32(&w, c->nr);
	for (uint32_t i = 0; i < c->nr; i++) {
		const struct vacate_census_entry *e = &entries[i];

		put_fixed_name(&w, e->name, sizeof(e->name));
		wr_u32(&w, e->pages);
		wr_u32(&w, e->blocks);
		wr_u32(&w, e->all_pages);
		wr_u32(&w, e->mobile);
	}
	return seal_payload(buf, cap, VMC_CENSUS_RESP, seq, &w);
}

int vmc_decode_census_resp(const struct vmc_frame *f, uint32_t room,
			   struct vmc_census_resp *c,
			   struct vacate_census_entry *entries,
			   struct vmc_error *err)
{
	struct rd r = payload_reader(f);
	uint32_t want;

	c->blocks = rd_u32(&r);
	c->slab_pages = rd_u32(&r);
	c->found = rd_u32(&r);
	c->nr = rd_u32(&r);
	if (r.short_read)
		return vmc_bad_payload(err, "CENSUS_RESP: %u bytes, shorter than its fixed fields",
				       f->len);
	want = c->found < room ? c->found : room;
	if (c->nr != want)
		return vmc_bad_payload(err, "CENSUS_RESP: %u entries for %u caches found and room for %u",
				       c->nr, c->found, room);
	if (f->len != VMC_CENSUS_RESP_FIXED + (uint64_t)c->nr * VMC_CENSUS_REC_SIZE)
		return vmc_bad_payload(err, "CENSUS_RESP: %u bytes do not hold exactly %u entries",
				       f->len, c->nr);
	for (uint32_t i = 0; i < c->nr; i++) {
		struct vacate_census_entry *e = &entries[i];

		memcpy(e->name, rd_bytes(&r, sizeof(e->name)), sizeof(e->name));
		e->pages = rd_u32(&r);
		e->blocks = rd_u32(&r);
		e->all_pages = rd_u32(&r);
		e->mobile = rd_u32(&r);
		if (!fixed_name_ok(e->name, sizeof(e->name)))
			return vmc_bad_payload(err, "CENSUS_RESP entry %u: the name is not printable and NUL-padded",
					       i);
	}
	return 0;
}

/*
 * MAP_REQ and MAP_RESP, and the checks that let the host trust a MAP_RESP:
 * PROTOCOL.md sections 3.2, 3.3 and 6.
 */
#include <inttypes.h>

#include <vmcompact/proto.h>
#include "wire.h"

#define KNOWN_FLAGS (VACATE_BLOCK_ABSENT | VACATE_BLOCK_PARTIAL)

size_t vmc_encode_map_req(uint8_t *buf, size_t cap, uint32_t seq,
			  const struct vmc_map_req *req)
{
	struct wr w = payload_writer(buf, cap);

	wr_u64(&w, req->start_pfn);
	wr_u32(&w, req->max_blocks);
	return seal_payload(buf, cap, VMC_MAP_REQ, seq, &w);
}

int vmc_decode_map_req(const struct vmc_frame *f, struct vmc_map_req *req,
		       struct vmc_error *err)
{
	struct rd r = payload_reader(f);

	req->start_pfn = rd_u64(&r);
	req->max_blocks = rd_u32(&r);
	if (!rd_done(&r))
		return vmc_bad_payload(err, "MAP_REQ: payload must be %d bytes, got %u",
				       VMC_MAP_REQ_SIZE, f->len);
	if (!req->max_blocks)
		return vmc_bad_payload(err, "MAP_REQ: max_blocks is 0");
	return 0;
}

static void put_block(struct wr *w, const struct vacate_block *b)
{
	wr_u64(w, b->start_pfn);
	wr_u32(w, b->free);
	wr_u32(w, b->lru);
	wr_u32(w, b->slab_mobile);
	wr_u32(w, b->slab_reclaimable);
	wr_u32(w, b->slab_unmovable);
	wr_u32(w, b->other);
	wr_u32(w, b->absent);
	wr_u8(w, b->migratetype);
	wr_u8(w, b->nid);
	wr_u16(w, b->zone);
	wr_u32(w, b->flags);
	wr_u32(w, b->reserved);
}

static void get_block(struct rd *r, struct vacate_block *b)
{
	b->start_pfn = rd_u64(r);
	b->free = rd_u32(r);
	b->lru = rd_u32(r);
	b->slab_mobile = rd_u32(r);
	b->slab_reclaimable = rd_u32(r);
	b->slab_unmovable = rd_u32(r);
	b->other = rd_u32(r);
	b->absent = rd_u32(r);
	b->migratetype = rd_u8(r);
	b->nid = rd_u8(r);
	b->zone = rd_u16(r);
	b->flags = rd_u32(r);
	b->reserved = rd_u32(r);
}

size_t vmc_encode_map_resp(uint8_t *buf, size_t cap, uint32_t seq,
			   const struct vmc_map_resp *m,
			   const struct vacate_block *blocks)
{
	struct wr w = payload_writer(buf, cap);

	wr_u64(&w, m->start_pfn);
	wr_u64(&w, m->min_pfn);
	wr_u64(&w, m->max_pfn);
	wr_u64(&w, m->next_pfn);
	wr_u32(&w, m->block_pages);
	wr_u32(&w, m->nr);
	/* Stop at the first record that overflows: nr is the guest's. */
	for (uint32_t i = 0; i < m->nr && wr_ok(&w); i++)
		put_block(&w, &blocks[i]);
	return seal_payload(buf, cap, VMC_MAP_RESP, seq, &w);
}

static uint64_t align_down(uint64_t pfn, uint32_t block_pages)
{
	return pfn & ~(uint64_t)(block_pages - 1);
}

/* The fields that frame the block records, against the request. */
static int check_span(const struct vmc_map_req *req,
		      const struct vmc_map_resp *m, struct vmc_error *err)
{
	uint64_t first = req->start_pfn > m->min_pfn ? req->start_pfn : m->min_pfn;

	if (!pow2(m->block_pages) || m->block_pages > VMC_MAX_BLOCK_PAGES)
		return vmc_bad_payload(err, "MAP_RESP: block_pages %u is not a power of two up to %u",
				       m->block_pages, VMC_MAX_BLOCK_PAGES);
	if (m->min_pfn >= m->max_pfn || m->max_pfn > VMC_MAX_PFN)
		return vmc_bad_payload(err, "MAP_RESP: RAM span [0x%" PRIx64 ", 0x%" PRIx64 ") is empty or ends beyond pfn 0x%llx",
				       m->min_pfn, m->max_pfn, VMC_MAX_PFN);
	if (m->start_pfn != align_down(first, m->block_pages))
		return vmc_bad_payload(err, "MAP_RESP: start_pfn 0x%" PRIx64 " for a request at pfn 0x%" PRIx64 ", expected 0x%" PRIx64,
				       m->start_pfn, req->start_pfn,
				       align_down(first, m->block_pages));
	if (m->next_pfn <= req->start_pfn || m->next_pfn > m->max_pfn)
		return vmc_bad_payload(err, "MAP_RESP: next_pfn 0x%" PRIx64 " is not in (0x%" PRIx64 ", max_pfn 0x%" PRIx64 "]",
				       m->next_pfn, req->start_pfn, m->max_pfn);
	return 0;
}

/* Block i, whose predecessor is prev (NULL for the first). */
static int check_block(const struct vmc_map_resp *m,
		       const struct vacate_block *prev,
		       const struct vacate_block *b, uint32_t i,
		       struct vmc_error *err)
{
	uint32_t bp = m->block_pages;
	uint64_t floor = prev ? prev->start_pfn + bp : m->start_pfn;
	uint64_t sum = (uint64_t)b->free + b->lru + b->slab_mobile +
		       b->slab_reclaimable + b->slab_unmovable + b->other +
		       b->absent;
	const char *why = NULL;

	if (b->start_pfn & (bp - 1))
		why = "pfn not block-aligned";
	else if (b->start_pfn < floor)
		why = "pfn not above start_pfn and the previous block";
	else if (b->start_pfn >= m->next_pfn)
		why = "pfn at or beyond next_pfn";
	else if (sum != bp)
		why = "counters do not sum to block_pages";
	else if (b->flags & ~KNOWN_FLAGS)
		why = "unknown flags";
	else if (!(b->flags & VACATE_BLOCK_ABSENT) != (b->absent != bp))
		why = "ABSENT flag disagrees with the absent count";
	else if (!(b->flags & VACATE_BLOCK_PARTIAL) !=
		 (b->absent == 0 || b->absent == bp))
		why = "PARTIAL flag disagrees with the absent count";
	else if (b->reserved)
		why = "reserved is not 0";
	if (!why)
		return 0;
	return vmc_bad_payload(err, "MAP_RESP block %u (pfn 0x%" PRIx64 ", counters sum %" PRIu64 " of %u, flags 0x%x): %s",
			       i, (uint64_t)b->start_pfn, sum, bp,
			       b->flags, why);
}

int vmc_check_map_resp(const struct vmc_map_req *req,
		       const struct vmc_map_resp *m,
		       const struct vacate_block *blocks, struct vmc_error *err)
{
	uint32_t max = req->max_blocks < VMC_MAP_RESP_MAX_BLOCKS ?
		       req->max_blocks : VMC_MAP_RESP_MAX_BLOCKS;
	uint64_t last_end;

	if (!m->nr || m->nr > max)
		return vmc_bad_payload(err, "MAP_RESP: nr %u is not in [1, %u]",
				       m->nr, max);
	if (check_span(req, m, err))
		return -1;
	for (uint32_t i = 0; i < m->nr; i++)
		if (check_block(m, i ? &blocks[i - 1] : NULL, &blocks[i], i, err))
			return -1;

	/* Else the next request would describe the last block again. */
	last_end = blocks[m->nr - 1].start_pfn + m->block_pages;
	if (m->next_pfn < last_end && m->next_pfn != m->max_pfn)
		return vmc_bad_payload(err, "MAP_RESP: next_pfn 0x%" PRIx64 " falls inside the last block, at pfn 0x%" PRIx64,
				       m->next_pfn,
				       (uint64_t)blocks[m->nr - 1].start_pfn);
	return 0;
}

int vmc_decode_map_resp(const struct vmc_frame *f,
			const struct vmc_map_req *req, struct vmc_map_resp *m,
			struct vacate_block *blocks, struct vmc_error *err)
{
	uint32_t max = req->max_blocks < VMC_MAP_RESP_MAX_BLOCKS ?
		       req->max_blocks : VMC_MAP_RESP_MAX_BLOCKS;
	struct rd r = payload_reader(f);

	m->start_pfn = rd_u64(&r);
	m->min_pfn = rd_u64(&r);
	m->max_pfn = rd_u64(&r);
	m->next_pfn = rd_u64(&r);
	m->block_pages = rd_u32(&r);
	m->nr = rd_u32(&r);
	if (r.short_read)
		return vmc_bad_payload(err, "MAP_RESP: %u bytes, shorter than its fixed fields",
				       f->len);
	/* Before the records are read: nr bounds what blocks[] must hold. */
	if (!m->nr || m->nr > max)
		return vmc_bad_payload(err, "MAP_RESP: nr %u is not in [1, %u]",
				       m->nr, max);
	if (f->len != VMC_MAP_RESP_FIXED + (uint64_t)m->nr * VMC_BLOCK_REC_SIZE)
		return vmc_bad_payload(err, "MAP_RESP: %u bytes do not hold exactly %u blocks",
				       f->len, m->nr);
	for (uint32_t i = 0; i < m->nr; i++)
		get_block(&r, &blocks[i]);
	return vmc_check_map_resp(req, m, blocks, err);
}

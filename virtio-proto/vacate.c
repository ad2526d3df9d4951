/*
 * VACATE_REQ, VACATE_RESP, RELEASE_REQ and RELEASE_RESP, and the checks
 * that let the host trust a VACATE_RESP: PROTOCOL.md sections 3.5-3.7
 * and 6.
 */
#include <inttypes.h>
#include <string.h>

#include <vmcompact/proto.h>
#include "wire.h"

#define KNOWN_FLAGS (VACATE_RES_FREE | VACATE_RES_IMPOSSIBLE | VACATE_RES_DONE)
/* Linux errnos are below 4096 (MAX_ERRNO). */
#define MAX_ERRNO 4095

size_t vmc_encode_vacate_req(uint8_t *buf, size_t cap, uint32_t seq,
			     const struct vmc_vacate_req *req)
{
	struct wr w = payload_writer(buf, cap);
	bool list = !(req->flags & VMC_VACATE_CHEAPEST);

	if (list && req->count > VMC_VACATE_MAX_BLOCKS)
		return 0;
	wr_u32(&w, req->mode);
	wr_u32(&w, req->count);
	wr_u32(&w, req->flags);
	wr_u32(&w, 0);
	for (uint32_t i = 0; list && i < req->count; i++)
		wr_u64(&w, req->pfns[i]);
	return seal_payload(buf, cap, VMC_VACATE_REQ, seq, &w);
}

int vmc_decode_vacate_req(const struct vmc_frame *f,
			  struct vmc_vacate_req *req, struct vmc_error *err)
{
	struct rd r = payload_reader(f);
	uint32_t reserved;
	bool list;

	req->mode = rd_u32(&r);
	req->count = rd_u32(&r);
	req->flags = rd_u32(&r);
	reserved = rd_u32(&r);
	if (r.short_read)
		return vmc_bad_payload(err, "VACATE_REQ: %u bytes, shorter than its fixed fields",
				       f->len);
	if (req->mode > VACATE_MODE_HOLD)
		return vmc_bad_payload(err, "VACATE_REQ: unknown mode %u",
				       req->mode);
	if (req->flags & ~VMC_VACATE_CHEAPEST)
		return vmc_bad_payload(err, "VACATE_REQ: unknown flags 0x%x",
				       req->flags & ~VMC_VACATE_CHEAPEST);
	if (reserved)
		return vmc_bad_payload(err, "VACATE_REQ: reserved is not 0");
	list = !(req->flags & VMC_VACATE_CHEAPEST);
	if (!req->count || (req->count > VMC_VACATE_MAX_BLOCKS &&
			    (list || req->count != VMC_VACATE_ALL)))
		return vmc_bad_payload(err, "VACATE_REQ: count %u is not in [1, %d]%s",
				       req->count, VMC_VACATE_MAX_BLOCKS,
				       list ? "" : " or all");
	if (f->len != VMC_VACATE_REQ_FIXED + (list ? 8ull * req->count : 0))
		return vmc_bad_payload(err, "VACATE_REQ: %u bytes for %s",
				       f->len, list ? "that many pfns" :
				       "a CHEAPEST request (no pfns)");
	for (uint32_t i = 0; list && i < req->count; i++)
		req->pfns[i] = rd_u64(&r);
	return 0;
}

static void put_result(struct wr *w, const struct vacate_result *res)
{
	wr_u64(w, res->start_pfn);
	/* The kernel's -errno travels as a positive number. */
	wr_u32(w, -(uint32_t)res->error);
	wr_u32(w, res->flags);
	wr_u32(w, res->cost);
	wr_u32(w, res->est_migrate);
	wr_u32(w, res->est_move);
	wr_u32(w, res->est_drop);
	wr_u32(w, res->pages_migrated);
	wr_u32(w, res->objects_moved);
	wr_u32(w, res->objects_freed);
	wr_u64(w, res->time_ns);
	for (int i = 0; i < VACATE_NR_WHY; i++)
		wr_u32(w, res->why[i]);
	put_fixed_name(w, res->blocker, sizeof(res->blocker));
}

/* false if the errno is out of range. */
static bool get_result(struct rd *r, struct vacate_result *res)
{
	const uint8_t *name;
	uint32_t e;

	memset(res, 0, sizeof(*res));
	res->start_pfn = rd_u64(r);
	e = rd_u32(r);
	res->error = e <= MAX_ERRNO ? -(int32_t)e : 0;
	res->flags = rd_u32(r);
	res->cost = rd_u32(r);
	res->est_migrate = rd_u32(r);
	res->est_move = rd_u32(r);
	res->est_drop = rd_u32(r);
	res->pages_migrated = rd_u32(r);
	res->objects_moved = rd_u32(r);
	res->objects_freed = rd_u32(r);
	res->time_ns = rd_u64(r);
	for (int i = 0; i < VACATE_NR_WHY; i++)
		res->why[i] = rd_u32(r);
	name = rd_bytes(r, sizeof(res->blocker));
	if (name)
		memcpy(res->blocker, name, sizeof(res->blocker));
	return e <= MAX_ERRNO;
}

size_t vmc_encode_vacate_resp(uint8_t *buf, size_t cap, uint32_t seq,
			      const struct vmc_vacate_resp *v,
			      const struct vacate_result *results)
{
	struct wr w = payload_writer(buf, cap);

	if (v->nr > VMC_VACATE_MAX_BLOCKS)
		return 0;
	wr_u32(&w, v->mode);
	wr_u32(&w, v->acted);
	wr_u32(&w, v->done);
	wr_u32(&w, v->nr);
	wr_u64(&w, v->wall_ns);
	for (uint32_t i = 0; i < v->nr; i++)
		put_result(&w, &results[i]);
	return seal_payload(buf, cap, VMC_VACATE_RESP, seq, &w);
}

size_t vmc_encode_release_req(uint8_t *buf, size_t cap, uint32_t seq)
{
	return vmc_frame_seal(buf, cap, VMC_PROTO_VERSION, VMC_RELEASE_REQ,
			      seq, 0);
}

size_t vmc_encode_release_resp(uint8_t *buf, size_t cap, uint32_t seq)
{
	return vmc_frame_seal(buf, cap, VMC_PROTO_VERSION, VMC_RELEASE_RESP,
			      seq, 0);
}

/* Result i of a response to req. */
static const char *check_result(const struct vmc_vacate_req *req,
				uint32_t block_pages,
				const struct vacate_result *res, uint32_t i)
{
	uint64_t why = 0;

	for (int k = 0; k < VACATE_NR_WHY; k++)
		why += res->why[k];
	if (!(req->flags & VMC_VACATE_CHEAPEST) &&
	    res->start_pfn != req->pfns[i])
		return "not the block asked for at its place";
	if (res->start_pfn & (block_pages - 1))
		return "pfn not block-aligned";
	if (res->start_pfn >= VMC_MAX_PFN)
		return "pfn beyond any RAM";
	if (res->flags & ~KNOWN_FLAGS)
		return "unknown flags";
	if ((res->flags & VACATE_RES_DONE) &&
	    (res->error || req->mode == VACATE_MODE_PROBE))
		return "done with an error, or by a probe";
	if (why > block_pages)
		return "more pages with a reason than the block has";
	if (!fixed_name_ok(res->blocker, sizeof(res->blocker)))
		return "blocker is not a printable, NUL-padded name";
	return NULL;
}

/* CHEAPEST: the guest names the blocks, so each must be named once. */
static bool repeated(const struct vacate_result *results, uint32_t i)
{
	for (uint32_t k = 0; k < i; k++)
		if (results[k].start_pfn == results[i].start_pfn)
			return true;
	return false;
}

int vmc_decode_vacate_resp(const struct vmc_frame *f,
			   const struct vmc_vacate_req *req,
			   uint32_t block_pages, struct vmc_vacate_resp *v,
			   struct vacate_result *results,
			   struct vmc_error *err)
{
	bool cheapest = req->flags & VMC_VACATE_CHEAPEST;
	struct rd r = payload_reader(f);
	uint32_t want_nr;

	v->mode = rd_u32(&r);
	v->acted = rd_u32(&r);
	v->done = rd_u32(&r);
	v->nr = rd_u32(&r);
	v->wall_ns = rd_u64(&r);
	if (r.short_read)
		return vmc_bad_payload(err, "VACATE_RESP: %u bytes, shorter than its fixed fields",
				       f->len);
	if (!pow2(block_pages) || block_pages > VMC_MAX_BLOCK_PAGES)
		return vmc_bad_payload(err, "VACATE_RESP: the guest's block_pages %u is unusable",
				       block_pages);
	if (v->mode != req->mode)
		return vmc_bad_payload(err, "VACATE_RESP: mode %u for a request of mode %u",
				       v->mode, req->mode);
	if (cheapest ? v->acted > req->count : v->acted != req->count)
		return vmc_bad_payload(err, "VACATE_RESP: acted on %u blocks, asked %s %u",
				       v->acted, cheapest ? "at most" : "exactly",
				       req->count);
	if (v->done > v->acted)
		return vmc_bad_payload(err, "VACATE_RESP: %u blocks done of %u acted on",
				       v->done, v->acted);
	want_nr = v->acted < VMC_VACATE_MAX_BLOCKS ? v->acted :
						     VMC_VACATE_MAX_BLOCKS;
	if (v->nr != want_nr)
		return vmc_bad_payload(err, "VACATE_RESP: %u results for %u blocks acted on, expected %u",
				       v->nr, v->acted, want_nr);
	if (f->len != VMC_VACATE_RESP_FIXED + (uint64_t)v->nr * VMC_RESULT_REC_SIZE)
		return vmc_bad_payload(err, "VACATE_RESP: %u bytes do not hold exactly %u results",
				       f->len, v->nr);
	for (uint32_t i = 0; i < v->nr; i++) {
		const char *why = NULL;

		if (!get_result(&r, &results[i]))
			why = "errno beyond 4095";
		else
			why = check_result(req, block_pages, &results[i], i);
		if (!why && cheapest && repeated(results, i))
			why = "block named twice";
		if (why)
			return vmc_bad_payload(err, "VACATE_RESP result %u (pfn 0x%" PRIx64 ", flags 0x%x): %s",
					       i, (uint64_t)results[i].start_pfn,
					       results[i].flags, why);
	}
	return 0;
}

/*
 * Answering requests: one response or one ERROR for every parser event,
 * whatever the host sent.
 */
#include <unistd.h>

#include "agent.h"

/* 64 KiB each: static rather than on the stack. */
static struct vacate_block blocks[VMC_MAP_RESP_MAX_BLOCKS];
static struct vacate_result results[VMC_VACATE_MAX_BLOCKS];
static struct vmc_vacate_req vreq;
static struct vacate_census_entry census_entries[VMC_CENSUS_MAX_ENTRIES];

/*
 * The handlers return the length of their response in out, or 0 with *err
 * set.  out has room for any frame, so encoding a valid response cannot
 * fail.
 */
static size_t hello(const char *dev, const struct vmc_frame *f, uint8_t *out,
		    struct vmc_error *err)
{
	struct vmc_hello h = {
		.caps = VMC_CAP_MAP | VMC_CAP_VACATE | VMC_CAP_CENSUS,
		.page_size = (uint32_t)sysconf(_SC_PAGESIZE),
		.version = VMC_PROTO_VERSION,
		.name = AGENT_NAME,
	};
	struct vmc_error unusable;
	struct vmc_map_resp m;

	if (vmc_decode_empty(f, err))
		return 0;
	/* A one-block map tells block_pages; 0 says the device is unusable. */
	if (!agent_map(dev, 0, 1, &m, blocks, &unusable))
		h.block_pages = m.block_pages;
	return vmc_encode_hello_resp(out, VMC_FRAME_MAX, f->seq, &h);
}

static size_t map(const char *dev, const struct vmc_frame *f, uint8_t *out,
		  struct vmc_error *err)
{
	struct vmc_map_req req;
	struct vmc_map_resp m;

	if (vmc_decode_map_req(f, &req, err))
		return 0;
	/* What fits in one frame; the host asks again from next_pfn. */
	if (req.max_blocks > VMC_MAP_RESP_MAX_BLOCKS)
		req.max_blocks = VMC_MAP_RESP_MAX_BLOCKS;
	if (agent_map(dev, req.start_pfn, req.max_blocks, &m, blocks, err))
		return 0;
	return vmc_encode_map_resp(out, VMC_FRAME_MAX, f->seq, &m, blocks);
}

static size_t vacate(const char *dev, const struct vmc_frame *f,
		     uint8_t *out, struct vmc_error *err)
{
	struct vmc_vacate_resp v;

	if (vmc_decode_vacate_req(f, &vreq, err) ||
	    agent_vacate(dev, &vreq, &v, results, err))
		return 0;
	return vmc_encode_vacate_resp(out, VMC_FRAME_MAX, f->seq, &v, results);
}

static size_t release(const char *dev, const struct vmc_frame *f,
		      uint8_t *out, struct vmc_error *err)
{
	if (vmc_decode_empty(f, err) || agent_release(dev, err))
		return 0;
	return vmc_encode_release_resp(out, VMC_FRAME_MAX, f->seq);
}

static size_t census(const char *dev, const struct vmc_frame *f,
		     uint8_t *out, struct vmc_error *err)
{
	struct vmc_census_resp c;
	uint32_t room;

	if (vmc_decode_census_req(f, &room, err) ||
	    agent_census(dev, room, &c, census_entries, err))
		return 0;
	return vmc_encode_census_resp(out, VMC_FRAME_MAX, f->seq, &c,
				      census_entries);
}

static size_t respond(const char *dev, const struct vmc_frame *f,
		      uint8_t *out, struct vmc_error *err)
{
	switch (f->type) {
	case VMC_HELLO_REQ:
		return hello(dev, f, out, err);
	case VMC_MAP_REQ:
		return map(dev, f, out, err);
	case VMC_VACATE_REQ:
		return vacate(dev, f, out, err);
	case VMC_RELEASE_REQ:
		return release(dev, f, out, err);
	case VMC_CENSUS_REQ:
		return census(dev, f, out, err);
	}
	vmc_error_set(err, VMC_ERR_UNKNOWN_TYPE, 0, "type 0x%04x (%s)",
		      f->type, vmc_type_name(f->type));
	return 0;
}

size_t agent_answer(const char *vacate_dev, const struct vmc_event *ev,
		    uint8_t *out)
{
	struct vmc_error err = { 0 };
	size_t len;

	if (ev->error) {
		vmc_error_set(&err, ev->error, 0, "%s", ev->why);
	} else {
		len = respond(vacate_dev, &ev->frame, out, &err);
		if (len)
			return len;
	}
	agent_log("seq %u: %s: %s", ev->frame.seq, vmc_strerror(err.code),
		  err.msg);
	return vmc_encode_error(out, VMC_FRAME_MAX, ev->frame.seq, &err);
}

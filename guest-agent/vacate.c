/*
 * The agent's /dev/vacate (device.h).  MAP opens the device per request:
 * the module may come after the agent.  VACATE, RELEASE and CENSUS go
 * through one file that stays open: blocks held in HOLD mode belong to
 * it, and stay held between requests and across host connections until
 * RELEASE_REQ (or the agent's exit).
 */
#include <vmcompact/device.h>
#include <vmcompact/util.h>

#include "agent.h"

static struct vmc_dev held = { .fd = -1 };

static int held_file(const char *dev, unsigned long cmd, struct vmc_error *err)
{
	return held.fd < 0 ? vmc_dev_open(&held, dev, cmd, err) : 0;
}

int agent_map(const char *dev, uint64_t start_pfn, uint32_t max_blocks,
	      struct vmc_map_resp *m, struct vacate_block *blocks,
	      struct vmc_error *err)
{
	struct vmc_dev d;
	int rc;

	if (vmc_dev_open(&d, dev, VACATE_IOC_MAP, err))
		return -1;
	rc = vmc_dev_map(&d, start_pfn, max_blocks, m, blocks, err);
	vmc_dev_close(&d);
	return rc;
}

int agent_vacate(const char *dev, const struct vmc_vacate_req *req,
		 struct vmc_vacate_resp *v, struct vacate_result *results,
		 struct vmc_error *err)
{
	bool cheapest = req->flags & VMC_VACATE_CHEAPEST;
	unsigned long cmd = cheapest ? VACATE_IOC_CHEAPEST : VACATE_IOC_VACATE;
	struct vacate_request q = {
		.argsz = sizeof(q),
		.mode = req->mode,
		.nr_blocks = req->count,
		.pfns = cheapest ? 0 : (uintptr_t)req->pfns,
		.results = (uintptr_t)results,
		.max_results = cheapest ? VMC_VACATE_MAX_BLOCKS : 0,
	};
	int64_t start = vmc_now_ns();

	if (held_file(dev, cmd, err) || vmc_dev_vacate(&held, cmd, &q, err))
		return -1;
	*v = (struct vmc_vacate_resp){
		.mode = req->mode,
		.acted = q.nr_blocks,
		.done = q.done,
		.nr = q.nr_blocks < VMC_VACATE_MAX_BLOCKS ? q.nr_blocks :
							    VMC_VACATE_MAX_BLOCKS,
		.wall_ns = (uint64_t)(vmc_now_ns() - start),
	};
	return 0;
}

int agent_release(const char *dev, struct vmc_error *err)
{
	if (held_file(dev, VACATE_IOC_RELEASE, err))
		return -1;
	return vmc_dev_release(&held, err);
}

int agent_census(const char *dev, uint32_t room, struct vmc_census_resp *c,
		 struct vacate_census_entry *entries, struct vmc_error *err)
{
	struct vacate_census q = {
		.argsz = sizeof(q),
		.entries = (uintptr_t)entries,
		.nr_entries = room,
	};

	if (held_file(dev, VACATE_IOC_CENSUS, err) ||
	    vmc_dev_census(&held, &q, err))
		return -1;
	*c = (struct vmc_census_resp){
		.blocks = q.blocks,
		.slab_pages = q.slab_pages,
		.found = q.nr_entries,
		.nr = q.nr_entries < room ? q.nr_entries : room,
	};
	return 0;
}

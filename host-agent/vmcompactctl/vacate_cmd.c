/*
 * vmcompactctl vacate and release: the host asks the guest agent to empty
 * blocks (VACATE_REQ), between two maps, and reports what the guest did
 * the way vacatectl does in the guest.  Everything the guest says is
 * checked by the codec and then by vmc_report_finish().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* All large: static rather than on the stack. */
static struct vmc_vacate_req req;
static struct vacate_result results[VMC_VACATE_MAX_BLOCKS];

/* Connect and say hello to an agent that can vacate. */
static int open_agent(struct vmc_client *c, const struct ctl_opts *o,
		      struct vmc_hello *h)
{
	if (ctl_open_agent(c, o, h, VMC_CAP_VACATE, "vacate blocks") < 0)
		return -1;
	if (!h->block_pages)
		return vmc_client_fail(c, "the guest's vacate device is unavailable");
	return 0;
}

/* The request of the command line; 0, or -1 with c->err set. */
static int make_request(struct vmc_client *c, const struct ctl_opts *o,
			uint32_t block_pages)
{
	req.mode = o->mode;
	if (o->cheapest) {
		req.flags = VMC_VACATE_CHEAPEST;
		req.count = o->cheapest_k;
		return 0;
	}
	req.flags = 0;
	req.count = (uint32_t)o->nr_picks;
	return vmc_picks_to_pfns(o->picks, o->nr_picks, block_pages, req.pfns,
				 c->err, sizeof(c->err));
}

/* What the guest's refusal means, when it refused the whole request. */
static void explain(const struct vmc_client *c, uint32_t sys_errno)
{
	const char *what = vmc_errno_meaning(req.flags & VMC_VACATE_CHEAPEST ?
					      VACATE_IOC_CHEAPEST :
					      VACATE_IOC_VACATE,
					      (int)sys_errno);

	fprintf(stderr, "vmcompactctl: %s\n", c->err);
	if (what)
		fprintf(stderr, "vmcompactctl: the guest kernel says: %s\n", what);
}

int ctl_cmd_vacate(struct vmc_client *c, const struct ctl_opts *o)
{
	struct vmc_map before = { 0 }, after = { 0 };
	struct vmc_vacate_resp v;
	struct vmc_report r;
	struct vmc_hello h;
	char err[VMC_ERR_LEN];
	int rc = 1;

	if (open_agent(c, o, &h) < 0 || make_request(c, o, h.block_pages) < 0 ||
	    vmc_map_fetch(c, &h, &before) < 0)
		goto fail;
	if (vmc_client_vacate(c, &req, h.block_pages, o->vacate_timeout_ms,
			      &v, results) < 0) {
		explain(c, c->sys_errno);
		goto out;
	}
	r = (struct vmc_report){
		.mode = v.mode,
		.block_pages = h.block_pages,
		.asked = o->cheapest && o->cheapest_k == VMC_VACATE_ALL ?
			 before.nr : req.count,
		.acted = v.acted,
		.done = v.done,
		.results = results,
		.nr_results = v.nr,
		.wall_ns = v.wall_ns,
	};
	if (vmc_map_fetch(c, &h, &after) < 0)
		goto fail;
	if (vmc_report_finish(&r, &before, &after, err, sizeof(err))) {
		vmc_client_fail(c, "the guest's answer does not hold together: %s", err);
		goto fail;
	}
	if (o->json ? vmc_print_report_json(stdout, &r) < 0 :
		      (vmc_print_report(stdout, &r), 0)) {
		vmc_client_fail(c, "cannot build the JSON (out of memory?)");
		goto fail;
	}
	if (v.mode == VACATE_MODE_HOLD)
		fprintf(stderr, "vmcompactctl: the guest agent holds %u blocks until 'vmcompactctl release'\n",
			v.done);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "vmcompactctl: %s\n", c->err);
out:
	vmc_map_free(&before);
	vmc_map_free(&after);
	return rc;
}

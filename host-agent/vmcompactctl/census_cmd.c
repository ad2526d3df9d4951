/*
 * vmcompactctl census: which slab caches keep the guest's blocks from
 * being free (CENSUS_REQ), read and checked by the same census reader as
 * vacatectl census in the guest, and printed the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* VACATE_IOC_CENSUS through the agent: at most a frame's worth of caches. */
static int ask_agent(struct vmc_census_source *src, struct vacate_census *q)
{
	struct vmc_client *c = src->ctx;
	uint32_t room = q->nr_entries < VMC_CENSUS_MAX_ENTRIES ?
			q->nr_entries : VMC_CENSUS_MAX_ENTRIES;
	struct vmc_census_resp resp;

	if (vmc_client_census(c, room, &resp,
			      (struct vacate_census_entry *)(uintptr_t)q->entries) < 0) {
		snprintf(src->err, src->err_size, "%s", c->err);
		return -1;
	}
	q->blocks = resp.blocks;
	q->slab_pages = resp.slab_pages;
	/* What the protocol cannot carry, the reader is not told of. */
	q->nr_entries = resp.nr;
	return 0;
}

int ctl_cmd_census(struct vmc_client *c, const struct ctl_opts *o)
{
	char err[VMC_ERR_LEN];
	struct vmc_census_source src = {
		.ask = ask_agent,
		.name = o->socket,
		.ctx = c,
		.err = err,
		.err_size = sizeof(err),
	};
	struct vmc_census census;
	struct vmc_hello h;
	int rc = 0;

	if (ctl_open_agent(c, o, &h, VMC_CAP_CENSUS, "take a census") < 0) {
		fprintf(stderr, "vmcompactctl: %s\n", c->err);
		return 1;
	}
	if (vmc_census_read(&src, &census)) {
		fprintf(stderr, "vmcompactctl: %s\n", err);
		rc = 1;
	} else if (o->json && vmc_print_census_json(stdout, &census, o->top) < 0) {
		fprintf(stderr, "vmcompactctl: cannot build the JSON (out of memory?)\n");
		rc = 1;
	} else if (!o->json) {
		vmc_print_census(stdout, &census, o->top);
	}
	vmc_census_free(&census);
	return rc;
}

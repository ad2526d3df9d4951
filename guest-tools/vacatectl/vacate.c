/*
 * vacatectl vacate: one VACATE_IOC_VACATE or VACATE_IOC_CHEAPEST request
 * between two maps, its report, and for HOLD the hold.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "vacatectl.h"

struct job {
	const struct vctl_args *a;
	unsigned long cmd;
	struct vmc_map before;
	struct vmc_map after;
	uint64_t *pfns;			/* VACATE_IOC_VACATE */
	struct vacate_result *results;
	size_t room;			/* in results */
	struct vacate_request req;
	struct vmc_report r;
	struct vmc_dev dev;
	char err[VMC_ERR_LEN];
};

/* The request's blocks as first pfns: 0, or the exit status. */
static int make_pfns(struct job *j)
{
	const struct vctl_args *a = j->a;

	j->pfns = calloc(a->nr_picks, sizeof(*j->pfns));
	if (!j->pfns) {
		fprintf(stderr, "vacatectl: out of memory\n");
		return VCTL_EXIT_FAILED;
	}
	if (vmc_picks_to_pfns(a->picks, a->nr_picks, j->before.block_pages,
			      j->pfns, j->err, sizeof(j->err))) {
		fprintf(stderr, "vacatectl: %s\n", j->err);
		return VCTL_EXIT_USAGE;
	}
	return 0;
}

static int prepare(struct job *j)
{
	const struct vctl_args *a = j->a;
	int rc;

	j->req = (struct vacate_request){
		.argsz = sizeof(j->req),
		.mode = a->mode,
	};
	if (a->cheapest) {
		j->cmd = VACATE_IOC_CHEAPEST;
		j->req.nr_blocks = a->cheapest_k;
		/* Never more results than blocks in RAM. */
		j->room = a->cheapest_k < j->before.nr ? a->cheapest_k :
							 j->before.nr;
		j->req.max_results = (uint32_t)j->room;
	} else {
		j->cmd = VACATE_IOC_VACATE;
		j->req.nr_blocks = (uint32_t)a->nr_picks;
		j->room = a->nr_picks;
		rc = make_pfns(j);
		if (rc)
			return rc;
		j->req.pfns = (uintptr_t)j->pfns;
	}
	j->results = calloc(j->room ? j->room : 1, sizeof(*j->results));
	if (!j->results) {
		fprintf(stderr, "vacatectl: out of memory for %zu results\n",
			j->room);
		return VCTL_EXIT_FAILED;
	}
	j->req.results = (uintptr_t)j->results;
	return 0;
}

/* A request the kernel refused as a whole: what it means, and for which block. */
static int refused(const struct job *j, const struct vmc_error *e)
{
	const struct vctl_request_view view = {
		.cmd = j->cmd,
		.mode = j->req.mode,
		.nr_blocks = j->req.nr_blocks,
		.pfns = j->pfns,
	};
	char why[256];

	vctl_fail(e);
	if (vctl_diagnose(&j->before, &view, (int)e->sys_errno, why,
			  sizeof(why)))
		fprintf(stderr, "vacatectl: %s\n", why);
	return VCTL_EXIT_FAILED;
}

static int run(struct job *j)
{
	const struct vctl_args *a = j->a;
	struct vmc_error e;
	int64_t start;

	if (vmc_dev_open(&j->dev, a->device, j->cmd, &e))
		return vctl_fail(&e);
	start = vmc_now_ns();
	if (vmc_dev_vacate(&j->dev, j->cmd, &j->req, &e))
		return refused(j, &e);
	/* CHEAPEST writes back the blocks it acted on; VACATE acts on all. */
	j->r = (struct vmc_report){
		.mode = a->mode,
		.block_pages = j->before.block_pages,
		.asked = j->req.nr_blocks,
		.acted = j->req.nr_blocks,
		.done = j->req.done,
		.results = j->results,
		.nr_results = j->room,
		.wall_ns = (uint64_t)(vmc_now_ns() - start),
	};
	if (a->cheapest)
		j->r.asked = a->cheapest_k == VACATE_ALL_BLOCKS ?
			     j->before.nr : a->cheapest_k;
	if (vctl_read_map(a->device, &j->after, j->err, sizeof(j->err)) ||
	    vmc_report_finish(&j->r, &j->before, &j->after, j->err,
			       sizeof(j->err))) {
		fprintf(stderr, "vacatectl: %s\n", j->err);
		return VCTL_EXIT_FAILED;
	}
	return 0;
}

/* Keep the held blocks until the time is up or a signal comes. */
static void hold(struct job *j)
{
	struct vmc_error e;

	fprintf(stderr, "vacatectl: holding %" PRIu64 " blocks\n", j->r.done);
	vctl_hold_wait(j->a->hold_seconds);
	/* Closing would release them too; this says if it went wrong. */
	if (vmc_dev_release(&j->dev, &e)) {
		vctl_fail(&e);
		return;
	}
	fprintf(stderr, "vacatectl: released %" PRIu64 " blocks\n", j->r.done);
}

int vctl_cmd_vacate(const struct vctl_args *a)
{
	struct job j = { .a = a, .dev = { .fd = -1 } };
	int rc;

	if (vctl_read_map(a->device, &j.before, j.err, sizeof(j.err))) {
		fprintf(stderr, "vacatectl: %s\n", j.err);
		return VCTL_EXIT_FAILED;
	}
	rc = prepare(&j);
	if (!rc)
		rc = run(&j);
	if (!rc && a->json && vmc_print_report_json(stdout, &j.r) < 0) {
		fprintf(stderr, "vacatectl: cannot build the JSON (out of memory?)\n");
		rc = VCTL_EXIT_FAILED;
	}
	if (!rc && !a->json)
		vmc_print_report(stdout, &j.r);
	fflush(stdout);
	if (!rc && a->mode == VACATE_MODE_HOLD)
		hold(&j);
	vmc_dev_close(&j.dev);
	free(j.pfns);
	free(j.results);
	vmc_map_free(&j.before);
	vmc_map_free(&j.after);
	return rc;
}

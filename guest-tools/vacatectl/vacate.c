/*
 * vacatectl vacate: one VACATE_IOC_VACATE or VACATE_IOC_CHEAPEST request
 * between two maps, its report, and for HOLD the hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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
	struct vctl_report r;
	int fd;
	char err[VCTL_ERR_LEN];
};

/* The request's blocks as first pfns: 0, or the exit status. */
static int make_pfns(struct job *j)
{
	const struct vctl_args *a = j->a;
	uint32_t bp = j->before.block_pages;

	j->pfns = calloc(a->nr_picks, sizeof(*j->pfns));
	if (!j->pfns) {
		fprintf(stderr, "vacatectl: out of memory\n");
		return VCTL_EXIT_FAILED;
	}
	for (size_t i = 0; i < a->nr_picks; i++) {
		const struct vctl_pick *p = &a->picks[i];

		if (p->is_block && p->value > UINT64_MAX / bp) {
			fprintf(stderr, "vacatectl: block %" PRIu64 " is beyond any pfn (blocks are %u pages)\n",
				p->value, bp);
			return VCTL_EXIT_USAGE;
		}
		j->pfns[i] = p->is_block ? p->value * bp : p->value;
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
static int refused(const struct job *j, int err)
{
	const struct vctl_request_view view = {
		.cmd = j->cmd,
		.mode = j->req.mode,
		.nr_blocks = j->req.nr_blocks,
		.pfns = j->pfns,
	};
	char why[256];

	vctl_fail_device(j->a->device, vctl_ioctl_name(j->cmd), j->cmd, err);
	if (vctl_diagnose(&j->before, &view, err, why, sizeof(why)))
		fprintf(stderr, "vacatectl: %s\n", why);
	return VCTL_EXIT_FAILED;
}

static int run(struct job *j)
{
	const struct vctl_args *a = j->a;
	int64_t start;

	j->fd = open(a->device, O_RDONLY | O_CLOEXEC);
	if (j->fd < 0)
		return vctl_fail_device(a->device, "open", j->cmd, errno);
	start = vctl_now_ns();
	if (ioctl(j->fd, j->cmd, &j->req) < 0)
		return refused(j, errno);
	/* CHEAPEST writes back the blocks it acted on; VACATE acts on all. */
	j->r = (struct vctl_report){
		.mode = a->mode,
		.block_pages = j->before.block_pages,
		.asked = j->req.nr_blocks,
		.acted = j->req.nr_blocks,
		.done = j->req.done,
		.results = j->results,
		.nr_results = j->room,
		.wall_ns = (uint64_t)(vctl_now_ns() - start),
	};
	if (a->cheapest)
		j->r.asked = a->cheapest_k == VACATE_ALL_BLOCKS ?
			     j->before.nr : a->cheapest_k;
	if (vctl_read_map(a->device, &j->after, j->err, sizeof(j->err)) ||
	    vctl_report_finish(&j->r, &j->before, &j->after, j->err,
			       sizeof(j->err))) {
		fprintf(stderr, "vacatectl: %s\n", j->err);
		return VCTL_EXIT_FAILED;
	}
	return 0;
}

/* Keep the held blocks until the time is up or a signal comes. */
static void hold(struct job *j)
{
	fprintf(stderr, "vacatectl: holding %" PRIu64 " blocks\n", j->r.done);
	vctl_hold_wait(j->a->hold_seconds);
	/* Closing would release them too; this says if it went wrong. */
	if (ioctl(j->fd, VACATE_IOC_RELEASE) < 0) {
		vctl_fail_device(j->a->device, "VACATE_IOC_RELEASE",
				 VACATE_IOC_RELEASE, errno);
		return;
	}
	fprintf(stderr, "vacatectl: released %" PRIu64 " blocks\n", j->r.done);
}

int vctl_cmd_vacate(const struct vctl_args *a)
{
	struct job j = { .a = a, .fd = -1 };
	int rc;

	if (vctl_read_map(a->device, &j.before, j.err, sizeof(j.err))) {
		fprintf(stderr, "vacatectl: %s\n", j.err);
		return VCTL_EXIT_FAILED;
	}
	rc = prepare(&j);
	if (!rc)
		rc = run(&j);
	if (!rc && a->json && vctl_print_report_json(stdout, &j.r) < 0) {
		fprintf(stderr, "vacatectl: cannot build the JSON (out of memory?)\n");
		rc = VCTL_EXIT_FAILED;
	}
	if (!rc && !a->json)
		vctl_print_report(stdout, &j.r);
	fflush(stdout);
	if (!rc && a->mode == VACATE_MODE_HOLD)
		hold(&j);
	if (j.fd >= 0)
		close(j.fd);
	free(j.pfns);
	free(j.results);
	vmc_map_free(&j.before);
	vmc_map_free(&j.after);
	return rc;
}

/*
 * vacatectl: look at and empty 2 MiB blocks of this machine's memory
 * through /dev/vacate.  A static guest program; see usage() below.
 */
#include <stdio.h>
#include <string.h>

#include "vacatectl.h"

static void usage(FILE *out)
{
	fputs("usage: vacatectl map [--json] [--device PATH]\n"
	      "       vacatectl vacate (--block N ... | --pfn P ... | --cheapest K|all)\n"
	      "                 --mode probe|free|hold [--json] [--hold-seconds S]\n"
	      "                 [--device PATH]\n"
	      "       vacatectl census [--json] [--top N] [--device PATH]\n"
	      "\n"
	      "map prints the block map, as vmcompactctl map does from the host.\n"
	      "vacate probes (moving nothing), frees or holds the blocks named by their\n"
	      "number N (pfn / block pages) or first pfn P (numbers decimal or 0x hex),\n"
	      "or the K cheapest (or all) blocks worth it, and prints one line per\n"
	      "block and the totals.  --mode also takes a raw mode number, passed to\n"
	      "the kernel as is.  hold keeps the blocks for S seconds (default: until\n"
	      "SIGINT or SIGTERM), saying \"vacatectl: holding N blocks\" on stderr,\n"
	      "then gives them back.\n"
	      "\n"
	      "census names the slab caches that keep blocks from being free: blocks\n"
	      "whose pages are all free or slab (\"otherwise free\").  It prints their\n"
	      "number and slab pages, then per cache, most pages first (the first N\n"
	      "with --top): its pages in those blocks, the blocks, all its slab pages,\n"
	      "its share of the blocking pages, the cumulative share, and whether its\n"
	      "objects can move (\"mobile\"); last the fewest caches from the top that\n"
	      "hold 90% of the blocking pages (over all caches, whatever --top says;\n"
	      "null in JSON if all of them hold less).\n"
	      "\n"
	      "PATH defaults to " VCTL_DEFAULT_DEVICE ".\n"
	      "\n"
	      "Exit status: 0 done, 1 the device or the kernel refused or failed,\n"
	      "2 usage error.\n", out);
}

int vctl_fail(const struct vmc_error *e)
{
	fprintf(stderr, "vacatectl: %s\n", e->msg);
	return VCTL_EXIT_FAILED;
}

static int (*const commands[])(const struct vctl_args *a) = {
	[VCTL_MAP] = vctl_cmd_map,
	[VCTL_VACATE] = vctl_cmd_vacate,
	[VCTL_CENSUS] = vctl_cmd_census,
};

int main(int argc, char **argv)
{
	char err[VMC_ERR_LEN];
	struct vctl_args a;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return VCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (vctl_parse_args(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "vacatectl: %s\n", err);
		usage(stderr);
		vctl_args_free(&a);
		return VCTL_EXIT_USAGE;
	}
	rc = commands[a.command](&a);
	vctl_args_free(&a);
	return rc;
}

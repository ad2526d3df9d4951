/*
 * The command line of vacatectl, checked as far as it can be without the
 * kernel.  What the kernel judges (alignment, RAM, counts, a raw mode
 * number) is left to it, so that its refusals can be seen and tested.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vacatectl.h"

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "block", required_argument, NULL, 'b' },
	{ "pfn", required_argument, NULL, 'p' },
	{ "cheapest", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "hold-seconds", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 't' },
	{ 0 }
};

static const struct {
	const char *name;
	const char *options;	/* the short codes of what it takes */
} commands[] = {
	[VCTL_MAP] = { "map", "dj" },
	[VCTL_VACATE] = { "vacate", "djbpcms" },
	[VCTL_CENSUS] = { "census", "djt" },
};

static int find_command(const char *name, enum vctl_command *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(name, commands[i].name)) {
			*cmd = (enum vctl_command)i;
			return 0;
		}
	}
	return -1;
}

static bool takes(enum vctl_command cmd, int c)
{
	return strchr(commands[cmd].options, c);
}

static int parse_cheapest(const char *s, uint32_t *k)
{
	uint64_t v;

	if (!strcmp(s, "all")) {
		*k = VACATE_ALL_BLOCKS;
		return 0;
	}
	if (vmc_parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*k = (uint32_t)v;
	return 0;
}

/* One option c with value optarg (if it takes one). */
static int take(struct vctl_args *a, int c, const char *name, char *err,
		size_t size)
{
	struct vmc_pick *pick = &a->picks[a->nr_picks];
	uint64_t v;

	switch (c) {
	case 'd':
		a->device = optarg;
		break;
	case 'j':
		a->json = true;
		break;
	case 'b':
	case 'p':
		if (vmc_parse_u64(optarg, &pick->value))
			return vmc_failf(err, size, "bad --%s '%s': want a number, decimal or 0x hex, below 2^64",
					  name, optarg);
		pick->is_block = c == 'b';
		a->nr_picks++;
		break;
	case 'c':
		if (parse_cheapest(optarg, &a->cheapest_k))
			return vmc_failf(err, size, "bad --cheapest '%s': want a count below 2^32 or 'all'",
					  optarg);
		a->cheapest = true;
		break;
	case 'm':
		if (vmc_parse_mode(optarg, &a->mode))
			return vmc_failf(err, size, "bad --mode '%s': want probe, free or hold",
					  optarg);
		a->has_mode = true;
		break;
	case 's':
		if (vmc_parse_u64(optarg, &v) || v > INT32_MAX)
			return vmc_failf(err, size, "bad --hold-seconds '%s': want whole seconds",
					  optarg);
		a->hold_seconds = (int64_t)v;
		break;
	case 't':
		if (vmc_parse_u64(optarg, &v) || !v || v > UINT32_MAX)
			return vmc_failf(err, size, "bad --top '%s': want a number of caches, 1 or more",
					  optarg);
		a->top = (uint32_t)v;
		break;
	}
	return 0;
}

/*
 * getopt_long() said '?': arg, the argument it last stepped over, is an
 * unknown long option or one with a value it does not take; else this was
 * a short option, and there are none.
 */
static int bad_option(const char *arg, char *err, size_t size)
{
	if (!strncmp(arg, "--", 2))
		return vmc_failf(err, size, "unknown option '%s'", arg);
	return vmc_failf(err, size, "unknown option '-%c'", optopt);
}

/* What vacate needs beyond well-formed options. */
static int check_vacate(const struct vctl_args *a, char *err, size_t size)
{
	if (a->cheapest && a->nr_picks)
		return vmc_failf(err, size, "--cheapest cannot be combined with --block or --pfn");
	if (!a->cheapest && !a->nr_picks)
		return vmc_failf(err, size, "vacate needs --block, --pfn or --cheapest");
	if (!a->has_mode)
		return vmc_failf(err, size, "vacate needs --mode probe, free or hold");
	if (a->hold_seconds >= 0 && a->mode != VACATE_MODE_HOLD)
		return vmc_failf(err, size, "--hold-seconds is for --mode hold");
	return 0;
}

int vctl_parse_args(int argc, char **argv, struct vctl_args *a, char *err,
		    size_t size)
{
	const char *cmd = argv[1];
	int c, i;

	*a = (struct vctl_args){
		.device = VCTL_DEFAULT_DEVICE,
		.hold_seconds = -1,
	};
	if (find_command(cmd, &a->command))
		return vmc_failf(err, size, "unknown command '%s'", cmd);
	/* No more picks than arguments. */
	a->picks = calloc((size_t)argc, sizeof(*a->picks));
	if (!a->picks)
		return vmc_failf(err, size, "out of memory");

	/* The options follow the command: parse as if it were argv[0]. */
	argc--;
	argv++;
	optind = 0;		/* glibc: start over, as for a new argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, &i)) != -1) {
		if (c == ':')
			return vmc_failf(err, size, "option '%s' needs a value",
					  argv[optind - 1]);
		if (c == '?')
			return bad_option(argv[optind - 1], err, size);
		if (!takes(a->command, c))
			return vmc_failf(err, size, "%s does not take --%s", cmd,
					  longopts[i].name);
		if (take(a, c, longopts[i].name, err, size))
			return -1;
	}
	if (optind < argc)
		return vmc_failf(err, size, "unexpected argument '%s'", argv[optind]);
	return a->command == VCTL_VACATE ? check_vacate(a, err, size) : 0;
}

void vctl_args_free(struct vctl_args *a)
{
	free(a->picks);
	a->picks = NULL;
	a->nr_picks = 0;
}

/*
 * vmcompactctl: talk to a guest's vmcompact-agent through the unix socket
 * of the QEMU chardev behind its virtio-serial port, or to a running
 * vmcompactd through its control socket.  A table of commands, each a
 * function (ctl.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_VACATE_TIMEOUT_MS (1800 * 1000)

/* Options beyond --socket, --timeout and --json, which every command takes. */
#define OPT_RAW		(1u << 1)	/* --hex, --frame, --expect */
#define OPT_VACATE	(1u << 2)	/* --block, --pfn, --cheapest, --mode */
#define OPT_CONTROL	(1u << 3)	/* --control instead of --socket */
#define OPT_VM		(1u << 4)	/* --vm */
#define OPT_TOP		(1u << 5)	/* --top */
#define OPT_MIB		(1u << 6)	/* --mib */
#define OPT_LONG	(1u << 7)	/* --vacate-timeout */

/* All large: static rather than on the stack. */
static struct vmc_client client;
static struct raw_bytes raw;
static struct ctl_opts opts;

static void usage(FILE *out)
{
	fprintf(out, "usage: vmcompactctl hello --socket PATH\n"
	      "       vmcompactctl map --socket PATH\n"
	      "       vmcompactctl vacate --socket PATH (--block N | --pfn PFN)... --mode MODE\n"
	      "                    [--vacate-timeout SEC]\n"
	      "       vmcompactctl vacate --socket PATH --cheapest K|all --mode MODE ...\n"
	      "       vmcompactctl release --socket PATH\n"
	      "       vmcompactctl census --socket PATH [--top N]\n"
	      "       vmcompactctl send-raw --socket PATH [--expect N]\n"
	      "                    (--hex HEX | --frame TYPE:SEQ[:HEX[:VERSION]])...\n"
	      "       vmcompactctl status --control PATH\n"
	      "       vmcompactctl cycle --control PATH --vm NAME\n"
	      "       vmcompactctl reclaim --control PATH --vm NAME --mib N [--vacate-timeout SEC]\n"
	      "       vmcompactctl metrics --control PATH\n"
	      "       vmcompactctl --version\n"
	      "Every command takes --json (one JSON object per line on stdout) and\n"
	      "--timeout SEC (default 5: each reply).\n"
	      "\n"
	      "PATH is the unix socket of QEMU's -chardev socket,server=on behind the\n"
	      "guest's org.vmcompact.0 port, or vmcompactd's --control socket.\n"
	      "send-raw writes the bytes in order (--frame builds a frame with a valid\n"
	      "crc) and prints each frame that comes back, until N frames came or the\n"
	      "guest was silent for SEC.\n"
	      "vacate asks the guest to empty blocks (MODE probe, free or hold; at most\n"
	      "%d per request) and waits up to --vacate-timeout (default 1800) for it;\n"
	      "held blocks stay held by the guest agent until release.\n"
	      "census names the slab caches that keep blocks from being free.\n"
	      "status, cycle, reclaim and metrics ask a running vmcompactd: its VMs, a\n"
	      "cycle of one now, N MiB of one returned to the host as whole blocks (and\n"
	      "what came back), its Prometheus metrics.\n",
		VMC_VACATE_MAX_BLOCKS);
}

static const struct command {
	const char *name;
	int (*run)(struct vmc_client *c, const struct ctl_opts *o);
	unsigned int opts;
} commands[] = {
	{ "hello", ctl_cmd_hello, 0 },
	{ "map", ctl_cmd_map, 0 },
	{ "send-raw", ctl_cmd_send_raw, OPT_RAW },
	{ "vacate", ctl_cmd_vacate, OPT_VACATE | OPT_LONG },
	{ "release", ctl_cmd_release, 0 },
	{ "census", ctl_cmd_census, OPT_TOP },
	{ "status", ctl_cmd_status, OPT_CONTROL },
	{ "cycle", ctl_cmd_cycle, OPT_CONTROL | OPT_VM },
	{ "reclaim", ctl_cmd_reclaim, OPT_CONTROL | OPT_VM | OPT_MIB | OPT_LONG },
	{ "metrics", ctl_cmd_metrics, OPT_CONTROL },
};

static int parse_timeout(const char *s, int *ms)
{
	double sec;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (errno || end == s || *end || !(sec > 0) || sec > 86400)
		return -1;
	*ms = sec * 1000 < 1 ? 1 : (int)(sec * 1000);
	return 0;
}

static int parse_count(const char *s, unsigned int *n)
{
	uint64_t v;

	if (vmc_parse_u64(s, &v) || v > 1000000)
		return -1;
	*n = (unsigned int)v;
	return 0;
}

/* --block N or --pfn PFN: 0, or -1 if not a number or too many. */
static int add_pick(struct ctl_opts *o, const char *s, bool is_block)
{
	uint64_t v;

	if (o->nr_picks == VMC_VACATE_MAX_BLOCKS || vmc_parse_u64(s, &v))
		return -1;
	o->picks[o->nr_picks++] = (struct vmc_pick){ v, is_block };
	return 0;
}

static int parse_cheapest(const char *s, uint32_t *k)
{
	uint64_t v;

	if (!strcmp(s, "all")) {
		*k = VMC_VACATE_ALL;
		return 0;
	}
	if (vmc_parse_u64(s, &v) || !v || v > VMC_VACATE_MAX_BLOCKS)
		return -1;
	*k = (uint32_t)v;
	return 0;
}

/* What a command needs beyond well-formed options: NULL, or why not. */
static const char *missing(const struct command *cmd, const struct ctl_opts *o)
{
	if (cmd->opts & OPT_CONTROL ? !o->control : !o->socket)
		return cmd->opts & OPT_CONTROL ? "needs --control PATH" :
		       "needs --socket PATH";
	if ((cmd->opts & OPT_VM) && !o->vm)
		return "needs --vm NAME";
	if ((cmd->opts & OPT_MIB) && !o->mib)
		return "needs --mib N";
	if (!(cmd->opts & OPT_VACATE))
		return NULL;
	if (!o->has_mode)
		return "needs --mode probe|free|hold";
	if (o->cheapest == !!o->nr_picks)
		return "needs blocks (--block, --pfn) or --cheapest, not both";
	return NULL;
}

static unsigned int option_class(int c)
{
	switch (c) {
	case 'x': case 'f': case 'e': return OPT_RAW;
	case 'b': case 'p': case 'c': case 'm': return OPT_VACATE;
	case 'V': return OPT_LONG;
	case 'C': return OPT_CONTROL;
	case 'M': return OPT_VM;
	case 'T': return OPT_TOP;
	case 'N': return OPT_MIB;
	default: return 0;
	}
}

/* One option c of cmd: 0, or -1 if its value is bad. */
static int take(struct ctl_opts *o, int c, const char *v)
{
	uint64_t n;

	switch (c) {
	case 's': o->socket = v; return 0;
	case 'C': o->control = v; return 0;
	case 'M': o->vm = v; return 0;
	case 'j': o->json = true; return 0;
	case 'T': return parse_count(v, &o->top);
	case 't': return parse_timeout(v, &o->timeout_ms);
	case 'V': return parse_timeout(v, &o->vacate_timeout_ms);
	case 'b': case 'p': return add_pick(o, v, c == 'b');
	case 'c': o->cheapest = true; return parse_cheapest(v, &o->cheapest_k);
	case 'm':
		o->has_mode = true;
		return vmc_parse_mode(v, &o->mode) || !vmc_mode_name(o->mode) ? -1 : 0;
	case 'e': return parse_count(v, &o->expect);
	case 'x': return raw_add_hex(o->raw, v);
	case 'f': return raw_add_frame(o->raw, v);
	case 'N':
		if (vmc_parse_u64(v, &n) || !n || n > (1u << 20))
			return -1;
		o->mib = n;
		return 0;
	}
	return -1;
}

/* Parse the options of cmd; 0, or -1 after saying why. */
static int parse_opts(int argc, char **argv, const struct command *cmd,
		      struct ctl_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "hex", required_argument, NULL, 'x' },
		{ "frame", required_argument, NULL, 'f' },
		{ "expect", required_argument, NULL, 'e' },
		{ "block", required_argument, NULL, 'b' },
		{ "pfn", required_argument, NULL, 'p' },
		{ "cheapest", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "vacate-timeout", required_argument, NULL, 'V' },
		{ "control", required_argument, NULL, 'C' },
		{ "vm", required_argument, NULL, 'M' },
		{ "top", required_argument, NULL, 'T' },
		{ "mib", required_argument, NULL, 'N' },
		{ 0 }
	};
	const char *why;
	int c, i;

	while ((c = getopt_long(argc, argv, "", longopts, &i)) != -1) {
		if (c == '?')
			return -1;
		if (option_class(c) & ~cmd->opts) {
			fprintf(stderr, "vmcompactctl: %s does not take --%s\n",
				cmd->name, longopts[i].name);
			return -1;
		}
		if (take(o, c, optarg)) {
			/* raw_add_*() said why already. */
			if (c != 'x' && c != 'f')
				fprintf(stderr, "vmcompactctl: bad value '%s' for --%s\n",
					optarg, longopts[i].name);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmcompactctl: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	why = missing(cmd, o);
	if (why)
		fprintf(stderr, "vmcompactctl: %s %s\n", cmd->name, why);
	return why ? -1 : 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct ctl_opts *o = &opts;
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmcompactctl %s\n", VMC_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "vmcompactctl: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	/* The options follow the command: parse as if it were argv[0]. */
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->vacate_timeout_ms = DEFAULT_VACATE_TIMEOUT_MS;
	o->raw = &raw;
	if (parse_opts(argc - 1, argv + 1, cmd, o) < 0) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	return cmd->run(&client, o);
}

/*
 * vmcompactctl: talk to a guest's vmcompact-agent through the unix socket
 * of the QEMU chardev behind its virtio-serial port.
 *
 * Exit status: 0 success, 1 guest or protocol error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define EXIT_GUEST	1
#define EXIT_USAGE	2

#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_VACATE_TIMEOUT_MS (1800 * 1000)

/* Options beyond --socket and --timeout, which every command takes. */
#define OPT_JSON	(1u << 0)
#define OPT_RAW		(1u << 1)	/* --hex, --frame, --expect */
#define OPT_VACATE	(1u << 2)	/* --block, --pfn, --cheapest, --mode, --vacate-timeout */
#define OPT_CONTROL	(1u << 3)	/* --control instead of --socket */
#define OPT_VM		(1u << 4)	/* --vm */
#define OPT_TOP		(1u << 5)	/* --top */

/* All large: static rather than on the stack. */
static struct vmc_client client;
static struct raw_bytes raw;
static struct ctl_opts opts;

static void usage(FILE *out)
{
	fprintf(out, "usage: vmcompactctl hello --socket PATH [--timeout SEC]\n"
	      "       vmcompactctl map --socket PATH [--json] [--timeout SEC]\n"
	      "       vmcompactctl vacate --socket PATH (--block N | --pfn PFN)... --mode MODE\n"
	      "                    [--json] [--timeout SEC] [--vacate-timeout SEC]\n"
	      "       vmcompactctl vacate --socket PATH --cheapest K|all --mode MODE ...\n"
	      "       vmcompactctl release --socket PATH [--timeout SEC]\n"
	      "       vmcompactctl census --socket PATH [--json] [--top N] [--timeout SEC]\n"
	      "       vmcompactctl status --control PATH [--json]\n"
	      "       vmcompactctl cycle --control PATH --vm NAME\n"
	      "       vmcompactctl send-raw --socket PATH [--timeout SEC] [--expect N]\n"
	      "                    (--hex HEX | --frame TYPE:SEQ[:HEX[:VERSION]])...\n"
	      "\n"
	      "PATH is the unix socket of QEMU's -chardev socket,server=on behind the\n"
	      "guest's org.vmcompact.0 port.  SEC (default 5) bounds each reply.\n"
	      "send-raw writes the bytes in order (--frame builds a frame with a valid\n"
	      "crc) and prints each frame that comes back, until N frames came or the\n"
	      "guest was silent for SEC.\n"
	      "vacate asks the guest to empty blocks (MODE probe, free or hold; at most\n"
	      "%d per request) and waits up to --vacate-timeout (default 1800) for it;\n"
	      "held blocks stay held by the guest agent until release.\n"
	      "census names the slab caches that keep blocks from being free.\n"
	      "status and cycle ask a running vmcompactd (its --control socket) for its\n"
	      "VMs, and for a cycle of one of them now.\n",
		VMC_VACATE_MAX_BLOCKS);
}

static int fail(const struct vmc_client *c)
{
	fprintf(stderr, "vmcompactctl: %s\n", c->err);
	return EXIT_GUEST;
}

static void print_hello(const struct vmc_hello *h)
{
	printf("agent:        %s\n", h->name);
	printf("protocol:     %u\n", h->version);
	printf("page size:    %u\n", h->page_size);
	if (h->block_pages)
		printf("block pages:  %u\n", h->block_pages);
	else
		printf("block pages:  unknown (the guest's vacate device is unavailable)\n");
	printf("capabilities: 0x%x%s%s%s\n", h->caps,
	       h->caps & VMC_CAP_MAP ? " map" : "",
	       h->caps & VMC_CAP_VACATE ? " vacate" : "",
	       h->caps & VMC_CAP_CENSUS ? " census" : "");
}

static int cmd_hello(struct vmc_client *c, const struct ctl_opts *o)
{
	struct vmc_hello h;

	if (vmc_client_open(c, o->socket, o->timeout_ms) < 0 ||
	    vmc_client_hello(c, &h) < 0)
		return fail(c);
	print_hello(&h);
	return 0;
}

int ctl_open_agent(struct vmc_client *c, const struct ctl_opts *o,
		   struct vmc_hello *h, uint32_t cap, const char *cannot)
{
	if (vmc_client_open(c, o->socket, o->timeout_ms) < 0 ||
	    vmc_client_hello(c, h) < 0)
		return -1;
	if (!(h->caps & cap))
		return vmc_client_fail(c, "the agent (%s) cannot %s", h->name,
				       cannot);
	return 0;
}

static int cmd_map(struct vmc_client *c, const struct ctl_opts *o)
{
	struct vmc_map_printer p;
	struct vmc_map_source src;
	struct vmc_hello h;

	if (ctl_open_agent(c, o, &h, VMC_CAP_MAP, "map") < 0)
		return fail(c);
	/* Printed as it comes: a large guest's map is never held whole. */
	vmc_map_source_client(&src, c, &h);
	vmc_map_printer_init(&p, stdout, o->json);
	if (vmc_map_stream(&src, &p.sink) == 0)
		return 0;
	if (p.failed)
		vmc_client_fail(c, "cannot write the map (out of memory?)");
	return fail(c);
}

static int cmd_send_raw(struct vmc_client *c, const struct ctl_opts *o)
{
	if (!raw.len) {
		fprintf(stderr, "vmcompactctl: send-raw needs --hex or --frame\n");
		return EXIT_USAGE;
	}
	if (vmc_client_open(c, o->socket, o->timeout_ms) < 0 ||
	    raw_exchange(c, &raw, o->expect) < 0)
		return fail(c);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct vmc_client *c, const struct ctl_opts *o);
	unsigned int opts;
} commands[] = {
	{ "hello", cmd_hello, 0 },
	{ "map", cmd_map, OPT_JSON },
	{ "send-raw", cmd_send_raw, OPT_RAW },
	{ "vacate", ctl_cmd_vacate, OPT_JSON | OPT_VACATE },
	{ "release", ctl_cmd_release, 0 },
	{ "census", ctl_cmd_census, OPT_JSON | OPT_TOP },
	{ "status", ctl_cmd_status, OPT_CONTROL | OPT_JSON },
	{ "cycle", ctl_cmd_cycle, OPT_CONTROL | OPT_VM },
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
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 1000000)
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

static int check_vacate(const struct ctl_opts *o)
{
	const char *why = NULL;

	if (!o->has_mode)
		why = "vacate needs --mode probe|free|hold";
	else if (o->cheapest == !!o->nr_picks)
		why = "vacate needs blocks (--block, --pfn) or --cheapest, not both";
	if (why)
		fprintf(stderr, "vmcompactctl: %s\n", why);
	return why ? -1 : 0;
}

static unsigned int option_class(int c)
{
	switch (c) {
	case 'j':
		return OPT_JSON;
	case 'x':
	case 'f':
	case 'e':
		return OPT_RAW;
	case 'b':
	case 'p':
	case 'c':
	case 'm':
	case 'V':
		return OPT_VACATE;
	case 'C':
		return OPT_CONTROL;
	case 'M':
		return OPT_VM;
	case 'T':
		return OPT_TOP;
	default:
		return 0;
	}
}

static int bad_value(const char *name, const char *value)
{
	fprintf(stderr, "vmcompactctl: bad value '%s' for --%s\n", value, name);
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
		{ 0 }
	};
	int c, i;

	while ((c = getopt_long(argc, argv, "", longopts, &i)) != -1) {
		if (c == '?')
			return -1;
		if (option_class(c) & ~cmd->opts) {
			fprintf(stderr, "vmcompactctl: %s does not take --%s\n",
				cmd->name, longopts[i].name);
			return -1;
		}
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'C':
			o->control = optarg;
			break;
		case 'M':
			o->vm = optarg;
			break;
		case 'T':
			if (parse_count(optarg, &o->top))
				return bad_value(longopts[i].name, optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			if (parse_timeout(optarg, &o->timeout_ms))
				return bad_value(longopts[i].name, optarg);
			break;
		case 'V':
			if (parse_timeout(optarg, &o->vacate_timeout_ms))
				return bad_value(longopts[i].name, optarg);
			break;
		case 'b':
		case 'p':
			if (add_pick(o, optarg, c == 'b'))
				return bad_value(longopts[i].name, optarg);
			break;
		case 'c':
			if (parse_cheapest(optarg, &o->cheapest_k))
				return bad_value(longopts[i].name, optarg);
			o->cheapest = true;
			break;
		case 'm':
			if (vmc_parse_mode(optarg, &o->mode) ||
			    !vmc_mode_name(o->mode))
				return bad_value(longopts[i].name, optarg);
			o->has_mode = true;
			break;
		case 'e':
			if (parse_count(optarg, &o->expect))
				return bad_value(longopts[i].name, optarg);
			break;
		case 'x':
			if (raw_add_hex(&raw, optarg))
				return -1;
			break;
		case 'f':
			if (raw_add_frame(&raw, optarg))
				return -1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmcompactctl: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (cmd->opts & OPT_CONTROL ? !o->control : !o->socket) {
		fprintf(stderr, "vmcompactctl: %s needs --%s PATH\n", cmd->name,
			cmd->opts & OPT_CONTROL ? "control" : "socket");
		return -1;
	}
	if ((cmd->opts & OPT_VM) && !o->vm) {
		fprintf(stderr, "vmcompactctl: %s needs --vm NAME\n", cmd->name);
		return -1;
	}
	return (cmd->opts & OPT_VACATE) ? check_vacate(o) : 0;
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
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "vmcompactctl: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The options follow the command: parse as if it were argv[0]. */
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->vacate_timeout_ms = DEFAULT_VACATE_TIMEOUT_MS;
	if (parse_opts(argc - 1, argv + 1, cmd, o) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(&client, o);
}

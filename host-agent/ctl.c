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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define EXIT_GUEST	1
#define EXIT_USAGE	2

#define DEFAULT_TIMEOUT_MS 5000

/* Options beyond --socket and --timeout, which every command takes. */
#define OPT_JSON	(1u << 0)
#define OPT_RAW		(1u << 1)	/* --hex, --frame, --expect */

struct ctl_opts {
	const char *socket;
	int timeout_ms;
	bool json;
	unsigned int expect;
};

/* Both large: static rather than on the stack. */
static struct vmc_client client;
static struct raw_bytes raw;

static void usage(FILE *out)
{
	fputs("usage: vmcompactctl hello --socket PATH [--timeout SEC]\n"
	      "       vmcompactctl map --socket PATH [--json] [--timeout SEC]\n"
	      "       vmcompactctl send-raw --socket PATH [--timeout SEC] [--expect N]\n"
	      "                    (--hex HEX | --frame TYPE:SEQ[:HEX[:VERSION]])...\n"
	      "\n"
	      "PATH is the unix socket of QEMU's -chardev socket,server=on behind the\n"
	      "guest's org.vmcompact.0 port.  SEC (default 5) bounds each reply.\n"
	      "send-raw writes the bytes in order (--frame builds a frame with a valid\n"
	      "crc) and prints each frame that comes back, until N frames came or the\n"
	      "guest was silent for SEC.\n", out);
}

static int fail(void)
{
	fprintf(stderr, "vmcompactctl: %s\n", client.err);
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
	printf("capabilities: 0x%x%s\n", h->caps,
	       h->caps & VMC_CAP_MAP ? " map" : "");
}

static int cmd_hello(const struct ctl_opts *o)
{
	struct vmc_hello h;

	if (vmc_client_open(&client, o->socket, o->timeout_ms) < 0 ||
	    vmc_client_hello(&client, &h) < 0)
		return fail();
	print_hello(&h);
	return 0;
}

static int cmd_map(const struct ctl_opts *o)
{
	struct vmc_hello h;
	struct vmc_map map;
	int rc = 0;

	if (vmc_client_open(&client, o->socket, o->timeout_ms) < 0 ||
	    vmc_client_hello(&client, &h) < 0)
		return fail();
	if (!(h.caps & VMC_CAP_MAP)) {
		vmc_client_fail(&client, "the agent (%s) cannot map", h.name);
		return fail();
	}
	if (vmc_map_fetch(&client, &h, &map) < 0)
		return fail();
	if (!o->json)
		vmc_map_print_text(stdout, &map);
	else if (vmc_map_print_json(stdout, &map) < 0)
		rc = vmc_client_fail(&client, "cannot build the JSON (out of memory?)");
	vmc_map_free(&map);
	return rc ? fail() : 0;
}

static int cmd_send_raw(const struct ctl_opts *o)
{
	if (!raw.len) {
		fprintf(stderr, "vmcompactctl: send-raw needs --hex or --frame\n");
		return EXIT_USAGE;
	}
	if (vmc_client_open(&client, o->socket, o->timeout_ms) < 0 ||
	    raw_exchange(&client, &raw, o->expect) < 0)
		return fail();
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(const struct ctl_opts *o);
	unsigned int opts;
} commands[] = {
	{ "hello", cmd_hello, 0 },
	{ "map", cmd_map, OPT_JSON },
	{ "send-raw", cmd_send_raw, OPT_RAW },
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

static unsigned int option_class(int c)
{
	switch (c) {
	case 'j':
		return OPT_JSON;
	case 'x':
	case 'f':
	case 'e':
		return OPT_RAW;
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
		case 'j':
			o->json = true;
			break;
		case 't':
			if (parse_timeout(optarg, &o->timeout_ms))
				return bad_value(longopts[i].name, optarg);
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
	if (!o->socket) {
		fprintf(stderr, "vmcompactctl: %s needs --socket PATH\n",
			cmd->name);
		return -1;
	}
	return 0;
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
	struct ctl_opts o = { .timeout_ms = DEFAULT_TIMEOUT_MS };
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
	if (parse_opts(argc - 1, argv + 1, cmd, &o) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(&o);
}

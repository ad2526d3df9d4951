/*
 * vmcompact-agent: answer the host's requests on the virtio-serial port.
 *
 * One request at a time, in arrival order, from a single thread: requests
 * are cheap and the host waits for each answer anyway.  Nothing the host
 * sends makes the agent exit; if the port fails it is opened again.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

/* How long to wait before reading a port with no host again, or reopening. */
#define RETRY_MS 100

struct opts {
	const char *port_name;
	const char *port_path;
	const char *vacate_dev;
};

/* 64 KiB each: static rather than on the stack. */
static struct vmc_parser parser;
static uint8_t reply[VMC_FRAME_MAX];

void agent_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vmcompact-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int answer(const struct opts *o, int fd, const struct vmc_event *ev)
{
	size_t len = agent_answer(o->vacate_dev, ev, reply);

	if (write_all(fd, reply, len) < 0) {
		agent_log("writing to the port: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Answer every event in the input (none: what the parser still holds). */
static int process(const struct opts *o, int fd, const uint8_t *data,
		   size_t len)
{
	struct vmc_event ev;

	while (vmc_parser_feed(&parser, &data, &len, &ev))
		if (answer(o, fd, &ev) < 0)
			return -1;
	return 0;
}

/* The host fell silent in the middle of a frame (PROTOCOL.md 5.3). */
static int expire(const struct opts *o, int fd)
{
	struct vmc_event ev;

	if (vmc_parser_expire(&parser, &ev) && answer(o, fd, &ev) < 0)
		return -1;
	return process(o, fd, NULL, 0);
}

/*
 * Read end-of-file: a virtio port has no host connected (until one comes),
 * a socket's peer is gone.  Returns whether to keep using the port.
 */
static bool hangup(const struct port *port)
{
	if (vmc_parser_pending(&parser))
		agent_log("host left in the middle of a frame; dropped it");
	vmc_parser_reset(&parser);
	if (port->is_socket)
		return false;
	sleep_ms(RETRY_MS);
	return true;
}

/* Serve an open port until it fails or its peer leaves for good. */
static void serve(const struct opts *o, const struct port *port)
{
	uint8_t in[4096];

	vmc_parser_reset(&parser);
	for (;;) {
		struct pollfd pfd = { .fd = port->fd, .events = POLLIN };
		int timeout = vmc_parser_pending(&parser) ?
			      VMC_PARTIAL_TIMEOUT_MS : -1;
		int ready = poll(&pfd, 1, timeout);
		ssize_t n;

		if (ready < 0 && errno != EINTR) {
			agent_log("poll %s: %s", port->path, strerror(errno));
			return;
		}
		if (ready == 0 && expire(o, port->fd) < 0)
			return;
		if (ready <= 0)
			continue;

		n = read(port->fd, in, sizeof(in));
		if (n > 0 && process(o, port->fd, in, (size_t)n) < 0)
			return;
		if (n == 0 && !hangup(port))
			return;
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			agent_log("reading %s: %s", port->path, strerror(errno));
			return;
		}
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmcompact-agent [--port NAME | --port-path PATH] [--vacate-dev PATH]\n"
		"  --port NAME        virtio-serial port name (default org.vmcompact.0)\n"
		"  --port-path PATH   use this file, device or unix socket instead\n"
		"  --vacate-dev PATH  vacate device (default /dev/vacate)\n");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port-path", required_argument, NULL, 'P' },
		{ "vacate-dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->port_name = optarg;
			break;
		case 'P':
			o->port_path = optarg;
			break;
		case 'd':
			o->vacate_dev = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmcompact-agent: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct opts o = {
		.port_name = "org.vmcompact.0",
		.vacate_dev = "/dev/vacate",
	};
	const char *what;
	int last_err = 0;

	parse_args(argc, argv, &o);
	what = o.port_path ? o.port_path : o.port_name;
	/* A socket peer that leaves must not kill the agent on the next write. */
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		struct port port;
		int rc = port_open(o.port_name, o.port_path, &port);

		if (rc) {
			/* Once per outage, not every RETRY_MS. */
			if (rc != last_err)
				agent_log("port %s: %s; retrying", what,
					  strerror(-rc));
			last_err = rc;
		} else {
			last_err = 0;
			agent_log("serving %s", port.path);
			serve(&o, &port);
			close(port.fd);
		}
		sleep_ms(RETRY_MS);
	}
}

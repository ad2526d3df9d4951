/*
 * The real vmcompact-agent binary, run on the host: its port is a unix
 * socket this test listens on (--port-path), and its vacate device does
 * not exist.  The test plays the host: garbage, broken and good requests,
 * stalls and reconnects; then it relays vmcompactctl to the agent, as QEMU
 * would, to test the tool end to end.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmcompact/proto.h>
#include "harness.h"
#include "proc.h"

#define VACATE_DEV "/nonexistent/vacate"

static char dir[] = "/tmp/vmc-agent-XXXXXX";
static char port_path[64], ctl_path[64], log_path[64], out_path[64],
	    err_path[64];
static const char *ctl_bin;
static pid_t agent;
static int port_listener, ctl_listener;
static int conn = -1;		/* the agent's end of its port */

static struct vmc_parser parser;
static uint8_t rx[4096];
static const uint8_t *rx_next;
static size_t rx_len;
static uint8_t tx[VMC_FRAME_MAX];

static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

/* The agent (re)connecting to its port; false if it does not in time. */
static bool agent_connects(int ms)
{
	struct pollfd p = { .fd = port_listener, .events = POLLIN };

	if (conn >= 0)
		close(conn);
	conn = -1;
	if (poll(&p, 1, ms) == 1)
		conn = accept(port_listener, NULL, NULL);
	vmc_parser_reset(&parser);
	rx_len = 0;
	return conn >= 0;
}

static bool send_bytes(const void *buf, size_t len)
{
	return send(conn, buf, len, MSG_NOSIGNAL) == (ssize_t)len;
}

/* A frame with any header fields; payload may be NULL for none. */
static size_t build(uint16_t version, uint16_t type, uint32_t seq,
		    const void *payload, size_t len)
{
	if (len)
		memcpy(tx + VMC_HDR_SIZE, payload, len);
	return vmc_frame_seal(tx, sizeof(tx), version, type, seq, len);
}

static bool send_frame(uint16_t version, uint16_t type, uint32_t seq,
		       const void *payload, size_t len)
{
	return send_bytes(tx, build(version, type, seq, payload, len));
}

/* The next frame the agent sends, within ms; the agent must send frames. */
static bool next_frame(struct vmc_frame *f, int ms)
{
	struct pollfd p = { .fd = conn, .events = POLLIN };
	struct vmc_event ev;
	ssize_t n;

	for (;;) {
		if (vmc_parser_feed(&parser, &rx_next, &rx_len, &ev)) {
			if (ev.error)
				t_fail(__FILE__, __LINE__, "agent sent a broken frame: %s",
				       ev.why);
			*f = ev.frame;
			return !ev.error;
		}
		if (poll(&p, 1, ms) != 1) {
			t_fail(__FILE__, __LINE__, "no answer within %d ms", ms);
			return false;
		}
		n = read(conn, rx, sizeof(rx));
		if (n <= 0) {
			t_fail(__FILE__, __LINE__, "agent closed its port");
			return false;
		}
		rx_next = rx;
		rx_len = (size_t)n;
	}
}

/* The next frame is an ERROR for seq with code; *e gets it. */
static bool expect_error(uint32_t seq, uint32_t code, struct vmc_error *e)
{
	struct vmc_error bad;
	struct vmc_frame f;

	if (!next_frame(&f, 3000))
		return false;
	if (f.type != VMC_ERROR || f.seq != seq ||
	    vmc_decode_error(&f, e, &bad) || e->code != code) {
		t_fail(__FILE__, __LINE__, "want ERROR %u seq %u, got type 0x%04x seq %u code %u (%s)",
		       code, seq, f.type, f.seq, e->code, e->msg);
		return false;
	}
	return true;
}

static bool expect_hello(uint32_t seq, int ms)
{
	struct vmc_error bad;
	struct vmc_frame f;
	struct vmc_hello h;

	if (!next_frame(&f, ms))
		return false;
	if (f.type != VMC_HELLO_RESP || f.seq != seq ||
	    vmc_decode_hello_resp(&f, &h, &bad)) {
		t_fail(__FILE__, __LINE__, "want HELLO_RESP seq %u, got type 0x%04x seq %u",
		       seq, f.type, f.seq);
		return false;
	}
	if (h.version != 1 ||
	    h.caps != (VMC_CAP_MAP | VMC_CAP_VACATE | VMC_CAP_CENSUS) ||
	    h.block_pages ||
	    h.page_size != (uint32_t)sysconf(_SC_PAGESIZE) ||
	    strncmp(h.name, "vmcompact-agent ", 16)) {
		t_fail(__FILE__, __LINE__, "HELLO_RESP v%u caps 0x%x bp %u page %u '%s'",
		       h.version, h.caps, h.block_pages, h.page_size, h.name);
		return false;
	}
	return true;
}

/* Valid magic and fields, wrong crc. */
static size_t bogus_header(uint32_t seq, uint32_t len)
{
	size_t n = build(1, VMC_HELLO_REQ, seq, NULL, 0);

	tx[12] = (uint8_t)len;
	tx[13] = (uint8_t)(len >> 8);
	tx[14] = (uint8_t)(len >> 16);
	tx[15] = (uint8_t)(len >> 24);
	return n;
}

static void test_hello(void)
{
	CHECK(send_frame(1, VMC_HELLO_REQ, 1, NULL, 0));
	CHECK(expect_hello(1, 3000));
}

static void test_garbage(void)
{
	struct vmc_error e;

	CHECK(send_bytes("this is not a frame\n", 20));
	CHECK(expect_error(0, VMC_ERR_BAD_FRAME, &e));
	CHECK(send_frame(1, VMC_HELLO_REQ, 2, NULL, 0));
	CHECK(expect_hello(2, 3000));
}

static void test_oversized(void)
{
	struct vmc_error e;

	CHECK(send_bytes(tx, bogus_header(11, VMC_MAX_PAYLOAD + 1)));
	CHECK(expect_error(11, VMC_ERR_TOO_BIG, &e));
}

static void test_bad_crc(void)
{
	struct vmc_error e;
	size_t n = build(1, VMC_HELLO_REQ, 12, NULL, 0);

	tx[n - 1] ^= 0x40;
	CHECK(send_bytes(tx, n));
	CHECK(expect_error(12, VMC_ERR_BAD_CRC, &e));
}

static void test_unknown_types(void)
{
	struct vmc_error e;

	CHECK(send_frame(1, 0x0042, 13, "x", 1));
	CHECK(expect_error(13, VMC_ERR_UNKNOWN_TYPE, &e));
	CHECK(send_frame(1, VMC_HELLO_RESP, 14, NULL, 0));
	CHECK(expect_error(14, VMC_ERR_UNKNOWN_TYPE, &e));
}

static void test_other_version(void)
{
	struct vmc_error e;

	CHECK(send_frame(2, VMC_HELLO_REQ, 15, NULL, 0));
	CHECK(expect_error(15, VMC_ERR_VERSION, &e));
}

static void test_bad_payloads(void)
{
	static const uint8_t zero_blocks[12];
	struct vmc_error e;

	CHECK(send_frame(1, VMC_HELLO_REQ, 16, "abc", 3));
	CHECK(expect_error(16, VMC_ERR_BAD_PAYLOAD, &e));
	CHECK(send_frame(1, VMC_MAP_REQ, 17, zero_blocks, 11));
	CHECK(expect_error(17, VMC_ERR_BAD_PAYLOAD, &e));
	CHECK(send_frame(1, VMC_MAP_REQ, 18, zero_blocks, 12));
	CHECK(expect_error(18, VMC_ERR_BAD_PAYLOAD, &e));
	CHECKF(strstr(e.msg, "max_blocks is 0"), "%s", e.msg);
}

static void test_device_missing(void)
{
	struct vmc_map_req req = { .max_blocks = 100 };
	struct vmc_error e;

	CHECK(send_bytes(tx, vmc_encode_map_req(tx, sizeof(tx), 19, &req)));
	CHECK(expect_error(19, VMC_ERR_DEVICE, &e));
	CHECK(e.sys_errno == ENOENT);
	CHECKF(strstr(e.msg, VACATE_DEV), "%s", e.msg);
}

/* VACATE, RELEASE on a missing device: DEVICE errors with the errno. */
static void test_vacate_device_missing(void)
{
	struct vmc_vacate_req req = { .mode = VACATE_MODE_FREE, .count = 1,
				      .pfns = { 0x200 } };
	struct vmc_error e;

	CHECK(send_bytes(tx, vmc_encode_vacate_req(tx, sizeof(tx), 20, &req)));
	CHECK(expect_error(20, VMC_ERR_DEVICE, &e));
	CHECKF(e.sys_errno == ENOENT &&
	       strstr(e.msg, VACATE_DEV ": open: No such file or directory (ENOENT): no such device"),
	       "%u %s", e.sys_errno, e.msg);
	req.flags = VMC_VACATE_CHEAPEST;
	req.count = VMC_VACATE_ALL;
	CHECK(send_bytes(tx, vmc_encode_vacate_req(tx, sizeof(tx), 21, &req)));
	CHECK(expect_error(21, VMC_ERR_DEVICE, &e));
	CHECKF(e.sys_errno == ENOENT, "%u %s", e.sys_errno, e.msg);
	CHECK(send_bytes(tx, vmc_encode_release_req(tx, sizeof(tx), 22)));
	CHECK(expect_error(22, VMC_ERR_DEVICE, &e));
	CHECKF(e.sys_errno == ENOENT, "%u %s", e.sys_errno, e.msg);
	/* A bad VACATE payload is refused before the device is tried. */
	CHECK(send_frame(1, VMC_VACATE_REQ, 23, "\1\0\0\0", 4));
	CHECK(expect_error(23, VMC_ERR_BAD_PAYLOAD, &e));
	CHECK(send_frame(1, VMC_HELLO_REQ, 24, NULL, 0));
	CHECK(expect_hello(24, 3000));
}

/* The brief's sequence, in one write: three errors, then the answer. */
static void test_all_in_one_write(void)
{
	static uint8_t all[256];
	struct vmc_error e;
	size_t n = 8;

	memcpy(all, "garbage!", n);
	bogus_header(21, 1u << 20);
	memcpy(all + n, tx, VMC_HDR_SIZE);
	n += VMC_HDR_SIZE;
	n += build(1, 0x7777, 22, NULL, 0);
	memcpy(all + n - VMC_HDR_SIZE, tx, VMC_HDR_SIZE);
	n += build(1, VMC_HELLO_REQ, 23, NULL, 0);
	memcpy(all + n - VMC_HDR_SIZE, tx, VMC_HDR_SIZE);
	CHECK(send_bytes(all, n));
	CHECK(expect_error(0, VMC_ERR_BAD_FRAME, &e));
	CHECK(expect_error(21, VMC_ERR_TOO_BIG, &e));
	CHECK(expect_error(22, VMC_ERR_UNKNOWN_TYPE, &e));
	CHECK(expect_hello(23, 3000));
}

static void test_byte_by_byte(void)
{
	size_t n = build(1, VMC_HELLO_REQ, 30, NULL, 0);
	uint8_t frame[VMC_HDR_SIZE];

	memcpy(frame, tx, n);
	for (size_t i = 0; i < n; i++) {
		CHECK(send_bytes(frame + i, 1));
		usleep(1000);
	}
	CHECK(expect_hello(30, 3000));
}

/* A corrupt len swallows the next request, until the agent gives up. */
static void test_swallowed_request(void)
{
	struct vmc_error e;

	CHECK(send_bytes(tx, bogus_header(31, 1000)));
	CHECK(send_frame(1, VMC_HELLO_REQ, 32, NULL, 0));
	CHECK(expect_error(31, VMC_ERR_BAD_FRAME, &e));
	CHECKF(strstr(e.msg, "abandoned"), "%s", e.msg);
	CHECK(expect_hello(32, 3000));
}

static void test_truncated_request(void)
{
	struct vmc_error e;

	build(1, VMC_HELLO_REQ, 33, NULL, 0);
	CHECK(send_bytes(tx, 10));
	CHECK(expect_error(0, VMC_ERR_BAD_FRAME, &e));
	CHECK(send_frame(1, VMC_HELLO_REQ, 34, NULL, 0));
	CHECK(expect_hello(34, 3000));
}

/* A host that leaves mid-frame: the next one starts clean. */
static void test_reconnect(void)
{
	build(1, VMC_HELLO_REQ, 35, NULL, 0);
	CHECK(send_bytes(tx, 10));
	CHECK(agent_connects(3000));
	CHECK(send_frame(1, VMC_HELLO_REQ, 36, NULL, 0));
	CHECK(expect_hello(36, 3000));
}

static void test_still_running_and_logged(void)
{
	const char *log;

	CHECK(waitpid(agent, NULL, WNOHANG) == 0);
	log = t_slurp(log_path);
	CHECKF(strstr(log, "seq 12: bad crc: crc mismatch"), "log: %s", log);
	CHECKF(strstr(log, "seq 19: device error: " VACATE_DEV), "log: %s", log);
	CHECKF(strstr(log, "host left in the middle of a frame"), "log: %s", log);
}

/*
 * Run vmcompactctl with args, relaying its connection to the agent as
 * QEMU's chardev would.  Returns its exit status.
 */
static int ctl(const char *const args[])
{
	char *argv[16] = { (char *)ctl_bin };
	int status, cfd = -1;
	pid_t pid;

	for (int i = 0; args[i]; i++)
		argv[i + 1] = (char *)args[i];
	pid = t_spawn(argv, out_path, err_path);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct pollfd p[3] = {
			{ .fd = cfd < 0 ? ctl_listener : -1, .events = POLLIN },
			{ .fd = cfd, .events = POLLIN },
			{ .fd = conn, .events = POLLIN },
		};
		ssize_t n;

		poll(p, 3, 20);
		if (p[0].revents & POLLIN)
			cfd = accept(ctl_listener, NULL, NULL);
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(cfd, rx, sizeof(rx));
			if (n > 0) {
				send_bytes(rx, (size_t)n);
			} else {
				close(cfd);
				cfd = -1;
			}
		}
		/* Without a client, QEMU drops what the guest sends. */
		if (p[2].revents & POLLIN) {
			n = read(conn, rx, sizeof(rx));
			if (n > 0 && cfd >= 0)
				send(cfd, rx, (size_t)n, MSG_NOSIGNAL);
		}
	}
	if (cfd >= 0)
		close(cfd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_ctl_hello(void)
{
	const char *const args[] = { "hello", "--socket", ctl_path, NULL };
	const char *out;

	CHECKF(ctl(args) == 0, "%s", t_slurp(err_path));
	out = t_slurp(out_path);
	CHECKF(strstr(out, "agent:        vmcompact-agent "), "%s", out);
	CHECKF(strstr(out, "block pages:  unknown"), "%s", out);
}

/* The same answer as one JSON line, the version of the build in it. */
static void test_ctl_hello_json(void)
{
	const char *const args[] = { "hello", "--socket", ctl_path, "--json",
				     NULL };
	const char *out;

	CHECKF(ctl(args) == 0, "%s", t_slurp(err_path));
	out = t_slurp(out_path);
	CHECKF(!strcmp(out, "{\"agent\":\"vmcompact-agent " VMC_VERSION "\",\"protocol\":1,\"page_size\":4096,\"block_pages\":0,\"caps\":7}\n"),
	       "%s", out);
}

static void test_ctl_map_device_error(void)
{
	const char *const args[] = { "map", "--socket", ctl_path, "--json",
				     NULL };
	const char *err;

	CHECK(ctl(args) == 1);
	err = t_slurp(err_path);
	CHECKF(strstr(err, "guest: device error: " VACATE_DEV ": open: No such file or directory (ENOENT)"),
	       "%s", err);
}

static void test_ctl_vacate_no_device(void)
{
	const char *const args[] = { "vacate", "--socket", ctl_path,
				     "--cheapest", "4", "--mode", "free", NULL };
	const char *err;

	CHECK(ctl(args) == 1);
	err = t_slurp(err_path);
	CHECKF(strstr(err, "the guest's vacate device is unavailable"), "%s", err);
}

static void test_ctl_send_raw(void)
{
	const char *const args[] = {
		"send-raw", "--socket", ctl_path, "--expect", "4",
		"--hex", "00ff", "--frame", "0x42:7:abcd", "--frame", "1:8::2",
		"--frame", "1:9", NULL
	};
	const char *out;

	CHECKF(ctl(args) == 0, "%s", t_slurp(err_path));
	out = t_slurp(out_path);
	CHECKF(strstr(out, "(ERROR) seq=0 len=24 code=1 (bad frame) errno=0 msg=\"no frame magic\""),
	       "%s", out);
	CHECKF(strstr(out, "seq=7 len=31 code=3 (unknown message type)"), "%s", out);
	CHECKF(strstr(out, "seq=8 len=38 code=4 (unsupported protocol version)"),
	       "%s", out);
	CHECKF(strstr(out, "(HELLO_RESP) seq=9"), "%s", out);
}

static void test_ctl_no_socket(void)
{
	const char *const args[] = { "hello", "--socket", "/nonexistent.sock",
				     NULL };

	CHECK(ctl(args) == 1);
	CHECKF(strstr(t_slurp(err_path), "/nonexistent.sock: No such file"),
	       "%s", t_slurp(err_path));
}

static void test_ctl_usage(void)
{
	static const char *const cases[][8] = {
		{ NULL },
		{ "frob", NULL },
		{ "map", NULL },
		{ "hello", "--socket", "s", "--top", "3", NULL },
		{ "reclaim", "--control", "c", "--vm", "v", NULL },
		{ "reclaim", "--control", "c", "--vm", "v", "--mib", "0", NULL },
		{ "map", "--socket", "s", "--timeout", "abc", NULL },
		{ "map", "--socket", "s", "--timeout", "0", NULL },
		{ "send-raw", "--socket", "s", NULL },
		{ "send-raw", "--socket", "s", "--hex", "abc", NULL },
		{ "send-raw", "--socket", "s", "--frame", "1", NULL },
		{ "send-raw", "--socket", "s", "--frame", "0x10000:1", NULL },
		{ "hello", "--socket", "s", "extra", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECKF(ctl(cases[i]) == 2, "case %zu: %s", i,
		       t_slurp(err_path));
}

static void start_agent(void)
{
	char *argv[] = { (char *)t_bin("VMC_AGENT_BIN", VMC_AGENT_BIN),
			 "--port-path", port_path,
			 "--vacate-dev", VACATE_DEV, NULL };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(port_path, sizeof(port_path), "%s/port", dir);
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl", dir);
	snprintf(log_path, sizeof(log_path), "%s/agent.log", dir);
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	port_listener = listen_at(port_path);
	ctl_listener = listen_at(ctl_path);
	agent = t_spawn(argv, NULL, log_path);
}

static void cleanup(void)
{
	const char *const files[] = { port_path, ctl_path, log_path, out_path,
				      err_path };

	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlink(files[i]);
	rmdir(dir);
}

int main(void)
{
	ctl_bin = t_bin("VMC_CTL_BIN", VMC_CTL_BIN);
	start_agent();
	if (!agent_connects(5000)) {
		printf("FAIL agent_connects: %s did not connect; log: %s\n",
		       VMC_AGENT_BIN, t_slurp(log_path));
		cleanup();
		return 1;
	}
	t_run("agent_hello", test_hello);
	t_run("agent_garbage", test_garbage);
	t_run("agent_oversized", test_oversized);
	t_run("agent_bad_crc", test_bad_crc);
	t_run("agent_unknown_types", test_unknown_types);
	t_run("agent_other_version", test_other_version);
	t_run("agent_bad_payloads", test_bad_payloads);
	t_run("agent_device_missing", test_device_missing);
	t_run("agent_vacate_device_missing", test_vacate_device_missing);
	t_run("agent_all_in_one_write", test_all_in_one_write);
	t_run("agent_byte_by_byte", test_byte_by_byte);
	t_run("agent_swallowed_request", test_swallowed_request);
	t_run("agent_truncated_request", test_truncated_request);
	t_run("agent_reconnect", test_reconnect);
	t_run("ctl_hello", test_ctl_hello);
	t_run("ctl_hello_json", test_ctl_hello_json);
	t_run("ctl_map_device_error", test_ctl_map_device_error);
	t_run("ctl_vacate_no_device", test_ctl_vacate_no_device);
	t_run("ctl_send_raw", test_ctl_send_raw);
	t_run("ctl_no_socket", test_ctl_no_socket);
	t_run("ctl_usage", test_ctl_usage);
	t_run("agent_still_running_and_logged", test_still_running_and_logged);
	cleanup();
	return t_exit_status();
}

/*
 * The host client and map reader against a fake guest (a forked process
 * behind a unix socket, like QEMU's chardev) that answers well, lies, or
 * says nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmcompact/proto.h>
#include <vmcompact/client.h>
#include "harness.h"
#include "proc.h"

/*
 * The guest's memory: [min_pfn, max_pfn) in blocks of block_pages, answered
 * at most chunk blocks at a time.  lie() may then spoil response n.
 */
struct guest {
	uint64_t min_pfn;
	uint64_t max_pfn;
	uint32_t block_pages;
	uint32_t hello_block_pages;
	uint32_t chunk;
	void (*on_hello)(int fd, uint32_t seq);
	void (*lie)(int n, struct vmc_map_resp *m, struct vacate_block *b);
	void (*on_map)(int fd, uint32_t seq);	/* instead of answering */
};

static struct guest guest;
static struct vmc_client client;
static char sock_path[108], out_path[108], err_path[108];
static pid_t guest_pid;

static void send_all(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		_exit(3);
}

/* The block at pfn: eight kinds in turn, one of each class. */
static void make_block(uint64_t pfn, struct vacate_block *b)
{
	uint32_t bp = guest.block_pages;

	*b = (struct vacate_block){ .start_pfn = pfn };
	switch (pfn / bp % 8) {
	case 0:
		b->free = bp;
		break;
	case 1:
		b->free = bp / 2;
		b->lru = bp / 2;
		break;
	case 2:
		b->lru = bp - 1;
		b->slab_mobile = 1;
		break;
	case 3:
		b->free = bp - 2;
		b->slab_reclaimable = 2;
		break;
	case 4:
		b->slab_unmovable = bp;
		break;
	case 5:
		b->free = 1;
		b->other = bp - 1;
		break;
	case 6:
		b->absent = bp;
		b->flags = VACATE_BLOCK_ABSENT;
		break;
	case 7:
		b->free = bp / 4;
		b->absent = bp - bp / 4;
		b->flags = VACATE_BLOCK_PARTIAL;
		break;
	}
}

static void answer_hello(int fd, uint32_t seq)
{
	static uint8_t out[VMC_FRAME_MAX];
	struct vmc_hello h = { .caps = VMC_CAP_MAP, .page_size = 4096,
			       .block_pages = guest.hello_block_pages,
			       .version = 1, .name = "fake" };

	send_all(fd, out, vmc_encode_hello_resp(out, sizeof(out), seq, &h));
}

/* Answer a MAP_REQ the way the agent does, then let the test lie. */
static void answer_map(int fd, uint32_t seq, const struct vmc_map_req *req)
{
	static struct vacate_block b[VMC_MAP_RESP_MAX_BLOCKS];
	static uint8_t out[VMC_FRAME_MAX];
	static int n;
	uint64_t bp = guest.block_pages;
	uint64_t pfn = req->start_pfn > guest.min_pfn ? req->start_pfn :
		       guest.min_pfn;
	struct vmc_map_resp m = { .start_pfn = pfn / bp * bp,
				  .min_pfn = guest.min_pfn,
				  .max_pfn = guest.max_pfn,
				  .block_pages = guest.block_pages };

	for (pfn = m.start_pfn; pfn < guest.max_pfn && m.nr < guest.chunk &&
	     m.nr < req->max_blocks; pfn += bp)
		make_block(pfn, &b[m.nr++]);
	m.next_pfn = pfn < guest.max_pfn ? pfn : guest.max_pfn;
	if (guest.lie)
		guest.lie(n++, &m, b);
	send_all(fd, out, vmc_encode_map_resp(out, sizeof(out), seq, &m, b));
}

static void serve(int fd)
{
	static struct vmc_parser parser;
	struct vmc_map_req req;
	struct vmc_event ev;
	struct vmc_error err;
	uint8_t in[4096];
	ssize_t len;

	while ((len = read(fd, in, sizeof(in))) > 0) {
		const uint8_t *p = in;
		size_t left = (size_t)len;

		while (vmc_parser_feed(&parser, &p, &left, &ev)) {
			if (ev.error)
				_exit(4);
			if (ev.frame.type == VMC_HELLO_REQ)
				guest.on_hello(fd, ev.frame.seq);
			else if (guest.on_map)
				guest.on_map(fd, ev.frame.seq);
			else if (!vmc_decode_map_req(&ev.frame, &req, &err))
				answer_map(fd, ev.frame.seq, &req);
		}
	}
	_exit(0);
}

static void start_guest(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock_path);
	unlink(sock_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1) < 0) {
		perror("fake guest socket");
		exit(2);
	}
	fflush(stdout);
	guest_pid = fork();
	if (guest_pid == 0) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(2);
		serve(fd);
	}
	close(lfd);
}

static void stop_guest(void)
{
	vmc_client_close(&client);
	kill(guest_pid, SIGKILL);
	waitpid(guest_pid, NULL, 0);
	unlink(sock_path);
}

/* A guest with bp 512 and span blocks from min_pfn, answering honestly. */
static void honest_guest(uint64_t min_pfn, uint64_t span, uint32_t chunk)
{
	guest = (struct guest){
		.min_pfn = min_pfn,
		.max_pfn = min_pfn + span * 512,
		.block_pages = 512,
		.hello_block_pages = 512,
		.chunk = chunk,
		.on_hello = answer_hello,
	};
}

static int fetch(struct vmc_map *map, int timeout_ms)
{
	struct vmc_hello h;
	int rc;

	start_guest();
	rc = vmc_client_open(&client, sock_path, timeout_ms);
	if (!rc)
		rc = vmc_client_hello(&client, &h);
	if (!rc)
		rc = vmc_map_fetch(&client, &h, map);
	stop_guest();
	return rc;
}

static bool fails_with(const char *why)
{
	struct vmc_map map;

	return fetch(&map, 2000) < 0 && strstr(client.err, why);
}

static void test_map_many_responses(void)
{
	struct vmc_map map;

	/* Unaligned ends: blocks from pfn 0 to past max_pfn. */
	honest_guest(0x100, 3000, VMC_MAP_RESP_MAX_BLOCKS);
	guest.max_pfn += 77;
	CHECKF(fetch(&map, 2000) == 0, "%s", client.err);
	CHECKF(map.nr == 3001, "%zu blocks", map.nr);
	CHECK(map.min_pfn == 0x100 && map.block_pages == 512);
	CHECK(map.page_size == 4096);
	for (size_t i = 0; i < map.nr; i++)
		CHECKF(map.blocks[i].start_pfn == i * 512, "block %zu", i);
	vmc_map_free(&map);
}

static void test_map_one_block_at_a_time(void)
{
	struct vmc_map map;

	honest_guest(0, 50, 1);
	CHECKF(fetch(&map, 2000) == 0, "%s", client.err);
	CHECK(map.nr == 50);
	vmc_map_free(&map);
}

static void test_map_ram_above_zero(void)
{
	struct vmc_map map;

	honest_guest(0x40000, 100, 64);
	CHECKF(fetch(&map, 2000) == 0, "%s", client.err);
	CHECK(map.nr == 100 && map.blocks[0].start_pfn == 0x40000);
	vmc_map_free(&map);
}

static void hello_after_junk(int fd, uint32_t seq)
{
	static uint8_t out[64];

	send_all(fd, "junk", 4);
	send_all(fd, out, vmc_encode_hello_req(out, sizeof(out), seq - 1));
	answer_hello(fd, seq);
}

static void test_junk_and_stale_frames_skipped(void)
{
	struct vmc_map map;

	honest_guest(0, 10, 4);
	guest.on_hello = hello_after_junk;
	CHECKF(fetch(&map, 2000) == 0, "%s", client.err);
	CHECK(map.nr == 10);
	vmc_map_free(&map);
}

static void device_error(int fd, uint32_t seq)
{
	struct vmc_error e = { .code = VMC_ERR_DEVICE, .sys_errno = ENOENT,
			       .msg = "/dev/vacate: No such file or directory" };
	uint8_t out[512];

	send_all(fd, out, vmc_encode_error(out, sizeof(out), seq, &e));
}

static void test_guest_error(void)
{
	honest_guest(0, 10, 4);
	guest.on_map = device_error;
	CHECKF(fails_with("guest: device error: /dev/vacate: No such file or directory (errno 2)"),
	       "%s", client.err);
}

static void say_nothing(int fd, uint32_t seq)
{
	(void)fd;
	(void)seq;
}

static void test_silent_guest(void)
{
	struct vmc_map map;

	honest_guest(0, 10, 4);
	guest.on_hello = say_nothing;
	CHECK(fetch(&map, 300) < 0);
	CHECKF(strstr(client.err, "no HELLO_RESP"), "%s", client.err);
}

/* A header and nothing else: abandoned after 1 s, and named on timeout. */
static void half_a_frame(int fd, uint32_t seq)
{
	uint8_t out[64];

	vmc_encode_hello_req(out, sizeof(out), seq);
	send_all(fd, out, 10);
}

static void test_guest_stops_mid_frame(void)
{
	struct vmc_map map;

	honest_guest(0, 10, 4);
	guest.on_hello = half_a_frame;
	CHECK(fetch(&map, 2500) < 0);
	CHECKF(strstr(client.err, "frame abandoned"), "%s", client.err);
}

static void bad_crc_answer(int fd, uint32_t seq)
{
	uint8_t out[64];
	size_t len = vmc_encode_hello_req(out, sizeof(out), seq);

	out[len - 1] ^= 1;
	send_all(fd, out, len);
}

static void test_bad_crc_answer(void)
{
	struct vmc_map map;

	honest_guest(0, 10, 4);
	guest.on_hello = bad_crc_answer;
	CHECK(fetch(&map, 1000) < 0);
	CHECKF(strstr(client.err, "bad crc"), "%s", client.err);
}

static void wrong_type(int fd, uint32_t seq)
{
	uint8_t out[64];

	send_all(fd, out, vmc_encode_hello_req(out, sizeof(out), seq));
}

static void test_wrong_answer_type(void)
{
	honest_guest(0, 10, 4);
	guest.on_hello = wrong_type;
	CHECKF(fails_with("(HELLO_REQ), not HELLO_RESP"), "%s", client.err);
}

static void hang_up(int fd, uint32_t seq)
{
	(void)seq;
	close(fd);
	_exit(0);
}

static void test_guest_hangs_up(void)
{
	honest_guest(0, 10, 4);
	guest.on_hello = hang_up;
	CHECKF(fails_with("connection was closed"), "%s", client.err);
}

static void grow_on_second(int n, struct vmc_map_resp *m,
			   struct vacate_block *b)
{
	(void)b;
	if (n == 1)
		m->max_pfn += 512;
}

static void test_layout_changes(void)
{
	honest_guest(0, 10, 4);
	guest.lie = grow_on_second;
	CHECKF(fails_with("layout changed"), "%s", client.err);
}

static void test_hello_block_pages_differ(void)
{
	honest_guest(0, 10, 4);
	guest.hello_block_pages = 1024;
	CHECKF(fails_with("said 1024 in HELLO"), "%s", client.err);
}

/* Single-page blocks, all free. */
static void one_page_blocks(int n, struct vmc_map_resp *m,
			    struct vacate_block *b)
{
	(void)n;
	for (uint32_t i = 0; i < m->nr; i++)
		b[i] = (struct vacate_block){ .start_pfn = b[i].start_pfn,
					      .free = 1 };
}

static void test_span_too_big(void)
{
	honest_guest(0, 10, 4);
	guest.lie = one_page_blocks;
	guest.block_pages = guest.hello_block_pages = 1;
	guest.max_pfn = VMC_MAX_PFN;
	CHECKF(fails_with("more than the 4194304"), "%s", client.err);
}

static void short_count(int n, struct vmc_map_resp *m,
			struct vacate_block *b)
{
	if (n == 2)
		b[m->nr - 1].free--;
}

static void test_lying_counters(void)
{
	honest_guest(0, 10, 4);
	guest.lie = short_count;
	CHECKF(fails_with("invalid answer from the guest: MAP_RESP block 1"),
	       "%s", client.err);
}

static void test_block_classes(void)
{
	static const char want[] = ".mMrUo .";	/* partial + free: '.' */
	uint32_t saved = guest.block_pages;
	struct vacate_block b;

	guest.block_pages = 512;
	for (int i = 0; i < 8; i++) {
		make_block((uint64_t)i * 512, &b);
		CHECKF(vmc_block_class(&b, 512) == want[i], "block %d: '%c'",
		       i, vmc_block_class(&b, 512));
	}
	guest.block_pages = saved;
}

static void test_totals(void)
{
	struct vmc_totals t;
	struct vmc_map map;

	honest_guest(0, 16, 1364);
	CHECKF(fetch(&map, 2000) == 0, "%s", client.err);
	vmc_map_totals(&map, &t);
	CHECK(t.blocks == 16);
	/* Per 8 blocks: free 512+256+510+1+128, 2 fully free. */
	CHECKF(t.pages[VMC_COUNTER_FREE] == 2 * (512 + 256 + 510 + 1 + 128),
	       "%llu free", (unsigned long long)t.pages[VMC_COUNTER_FREE]);
	CHECK(t.free_blocks == 2);
	CHECK(t.free_blocks_possible == t.pages[VMC_COUNTER_FREE] / 512);
	CHECK(t.pages[6] == 2 * (512 + 384));	/* absent */
	vmc_map_free(&map);
}

/* vmcompactctl map against the guest; its exit status. */
static int ctl_map(const char *format)
{
	char *argv[] = { (char *)t_bin("VMC_CTL_BIN", VMC_CTL_BIN),
			 "map", "--socket", sock_path,
			 (char *)format, NULL };
	int rc;

	start_guest();
	rc = t_run_cmd(argv, out_path, err_path);
	stop_guest();
	return rc;
}

/* 130 blocks: two full lines of the 8-block pattern, then two blocks. */
static void test_ctl_map_text(void)
{
	const char *out;
	char line[128];

	honest_guest(0, 130, VMC_MAP_RESP_MAX_BLOCKS);
	CHECKF(ctl_map(NULL) == 0, "%s", t_slurp(err_path));
	out = t_slurp(out_path);
	strcpy(line, "\n       0 MiB |");
	for (int i = 0; i < 8; i++)
		strcat(line, ".mMrUo .");
	CHECKF(strstr(out, strcat(line, "|\n     128 MiB |")), "%s", out);
	CHECKF(strstr(out, "|\n     256 MiB |.m|\n"), "%s", out);
	CHECKF(strstr(out, "free                      23280         90.9\n"),
	       "%s", out);
	CHECKF(strstr(out, "fully free blocks:    17\n"), "%s", out);
	CHECKF(strstr(out, "free blocks possible: 45\n"), "%s", out);
}

static void test_ctl_map_json(void)
{
	static const char head[] = "{\"page_size\":4096,\"block_pages\":512,\"min_pfn\":0,\"max_pfn\":66560,\"blocks\":[{\"pfn\":0,\"free\":512,\"lru\":0,";
	const char *out;

	honest_guest(0, 130, VMC_MAP_RESP_MAX_BLOCKS);
	CHECKF(ctl_map("--json") == 0, "%s", t_slurp(err_path));
	out = t_slurp(out_path);
	CHECKF(!strncmp(out, head, strlen(head)), "%s", out);
	CHECKF(strstr(out, "{\"pfn\":3584,\"free\":128,\"lru\":0,\"slab_mobile\":0,\"slab_reclaimable\":0,\"slab_unmovable\":0,\"other\":0,\"absent\":384,\"migratetype\":0,\"nid\":0,\"zone\":0,\"flags\":2,\"class\":\".\"}"),
	       "%s", out);
	CHECKF(strstr(out, "\"totals\":{\"free\":23280,"), "%s", out);
	CHECKF(strstr(out, "\"blocks\":130,\"free_blocks\":17,\"free_blocks_possible\":45}}\n"),
	       "%s", out);
}

/* map --json of a guest of span blocks to /dev/null: the tool's max RSS (KiB). */
static long ctl_map_rss(uint64_t span)
{
	char *argv[] = { (char *)t_bin("VMC_CTL_BIN", VMC_CTL_BIN), "map",
			 "--socket", sock_path, "--json", NULL };
	struct rusage ru;
	int status = -1;
	pid_t pid;

	honest_guest(0, span, VMC_MAP_RESP_MAX_BLOCKS);
	start_guest();
	pid = t_spawn(argv, "/dev/null", err_path);
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || status)
		ru.ru_maxrss = -1;
	stop_guest();
	return ru.ru_maxrss;
}

/*
 * The map is printed as it is read: a guest of 256 GiB costs the tool
 * what one of 16 GiB does (held in json-c, it took 2.8 KB a block).
 */
static void test_ctl_map_streams(void)
{
	long small = ctl_map_rss(8192), big = ctl_map_rss(131072);

	CHECKF(small > 0 && big > 0, "map failed: %s", t_slurp(err_path));
	CHECKF(big < small + 8192, "max RSS %ld KiB for 8192 blocks, %ld KiB for 131072",
	       small, big);
}

static void test_ctl_map_lie(void)
{
	honest_guest(0, 10, 4);
	guest.lie = short_count;
	CHECK(ctl_map(NULL) == 1);
	CHECKF(strstr(t_slurp(err_path), "vmcompactctl: invalid answer from the guest: MAP_RESP block 1"),
	       "%s", t_slurp(err_path));
	/* Streamed: what came before the lie is out, but never the totals. */
	CHECKF(!strstr(t_slurp(out_path), "blocks described"), "%s",
	       t_slurp(out_path));
}

int main(void)
{
	int pid = (int)getpid();

	snprintf(sock_path, sizeof(sock_path), "/tmp/vmc-hostmap-%d.sock", pid);
	snprintf(out_path, sizeof(out_path), "/tmp/vmc-hostmap-%d.out", pid);
	snprintf(err_path, sizeof(err_path), "/tmp/vmc-hostmap-%d.err", pid);
	t_run("hostmap_many_responses", test_map_many_responses);
	t_run("hostmap_one_block_at_a_time", test_map_one_block_at_a_time);
	t_run("hostmap_ram_above_zero", test_map_ram_above_zero);
	t_run("hostmap_junk_and_stale_frames_skipped",
	      test_junk_and_stale_frames_skipped);
	t_run("hostmap_guest_error", test_guest_error);
	t_run("hostmap_silent_guest", test_silent_guest);
	t_run("hostmap_guest_stops_mid_frame", test_guest_stops_mid_frame);
	t_run("hostmap_bad_crc_answer", test_bad_crc_answer);
	t_run("hostmap_wrong_answer_type", test_wrong_answer_type);
	t_run("hostmap_guest_hangs_up", test_guest_hangs_up);
	t_run("hostmap_layout_changes", test_layout_changes);
	t_run("hostmap_hello_block_pages_differ",
	      test_hello_block_pages_differ);
	t_run("hostmap_span_too_big", test_span_too_big);
	t_run("hostmap_lying_counters", test_lying_counters);
	t_run("hostmap_block_classes", test_block_classes);
	t_run("hostmap_totals", test_totals);
	t_run("ctl_map_text", test_ctl_map_text);
	t_run("ctl_map_json", test_ctl_map_json);
	t_run("ctl_map_lie", test_ctl_map_lie);
	t_run("ctl_map_streams", test_ctl_map_streams);
	unlink(out_path);
	unlink(err_path);
	return t_exit_status();
}

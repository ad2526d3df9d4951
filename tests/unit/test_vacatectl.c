/*
 * vacatectl without a device: its command line, the names it gives the
 * kernel's values, which block a refusal is about, its reports, and the
 * census (asked of a fake kernel, checked, shares and the 90% cover).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../guest-tools/vacatectl/vacatectl.h"
#include "harness.h"

static struct vctl_args args;
static char err[VMC_ERR_LEN];

/* Parse "vacatectl" + the NULL-terminated words: vctl_parse_args(). */
#define PARSE(...) parse((const char *[]){ "vacatectl", __VA_ARGS__, NULL })

static int parse(const char **words)
{
	static char *argv[32];
	int argc = 0;

	vctl_args_free(&args);
	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	err[0] = '\0';
	return vctl_parse_args(argc, argv, &args, err, sizeof(err));
}

static void test_parse_u64(void)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "512", 0, 512 },
		{ "010", 0, 10 },		/* decimal, not octal */
		{ "0x1F", 0, 31 },
		{ "0X200", 0, 512 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 },
		{ "0x10000000000000000", -1, 0 },
		{ "", -1, 0 },
		{ "0x", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "12k", -1, 0 },
		{ "0x-1", -1, 0 },
		{ "1e3", -1, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;
		int rc = vmc_parse_u64(cases[i].s, &v);

		CHECKF(rc == cases[i].rc && (rc || v == cases[i].v),
		       "'%s': rc %d value %llu", cases[i].s, rc,
		       (unsigned long long)v);
	}
}

static void test_parse_map(void)
{
	CHECKF(PARSE("map") == 0, "%s", err);
	CHECK(args.command == VCTL_MAP);
	CHECK(!args.json);
	CHECK(!strcmp(args.device, "/dev/vacate"));
	CHECKF(PARSE("map", "--json", "--device", "/dev/other") == 0, "%s", err);
	CHECK(args.json);
	CHECK(!strcmp(args.device, "/dev/other"));
}

static void test_parse_vacate_list(void)
{
	CHECKF(PARSE("vacate", "--block", "3", "--pfn", "0x400", "--mode",
		     "free", "--block", "0") == 0, "%s", err);
	CHECK(args.command == VCTL_VACATE);
	CHECK(args.nr_picks == 3);
	CHECK(args.picks[0].is_block && args.picks[0].value == 3);
	CHECK(!args.picks[1].is_block && args.picks[1].value == 0x400);
	CHECK(args.picks[2].is_block && args.picks[2].value == 0);
	CHECK(args.mode == VACATE_MODE_FREE);
	CHECK(!args.cheapest);
	CHECK(args.hold_seconds == -1);
}

static void test_parse_vacate_cheapest(void)
{
	CHECKF(PARSE("vacate", "--cheapest", "all", "--mode", "probe",
		     "--json") == 0, "%s", err);
	CHECK(args.cheapest && args.cheapest_k == VACATE_ALL_BLOCKS);
	CHECK(args.mode == VACATE_MODE_PROBE && args.json);
	CHECK(args.nr_picks == 0);
	CHECKF(PARSE("vacate", "--cheapest", "0x10", "--mode", "hold",
		     "--hold-seconds", "5") == 0, "%s", err);
	CHECK(args.cheapest_k == 16);
	CHECK(args.mode == VACATE_MODE_HOLD && args.hold_seconds == 5);
	/* Left for the kernel to refuse: 0 blocks, too many, a raw mode. */
	CHECKF(PARSE("vacate", "--cheapest", "0", "--mode", "7") == 0, "%s",
	       err);
	CHECK(args.cheapest_k == 0 && args.mode == 7);
	CHECKF(PARSE("vacate", "--cheapest", "4294967294", "--mode",
		     "free") == 0, "%s", err);
	CHECK(args.cheapest_k == 4294967294u);
}

static void test_parse_census(void)
{
	CHECKF(PARSE("census") == 0, "%s", err);
	CHECK(args.command == VCTL_CENSUS);
	CHECK(!args.json && args.top == 0);
	CHECK(!strcmp(args.device, "/dev/vacate"));
	CHECKF(PARSE("census", "--top", "5", "--json", "--device", "/dev/x") == 0,
	       "%s", err);
	CHECK(args.json && args.top == 5 && !strcmp(args.device, "/dev/x"));
	CHECKF(PARSE("census", "--top", "0x10") == 0, "%s", err);
	CHECK(args.top == 16);
}

static void test_parse_errors(void)
{
	static const struct {
		const char *words[8];
		const char *want;
	} cases[] = {
		{ { "frobnicate" }, "unknown command 'frobnicate'" },
		{ { "map", "--mode", "free" }, "map does not take --mode" },
		{ { "map", "--block", "1" }, "map does not take --block" },
		{ { "map", "extra" }, "unexpected argument 'extra'" },
		{ { "map", "--bogus" }, "unknown option '--bogus'" },
		{ { "map", "--json=yes" }, "unknown option '--json=yes'" },
		{ { "map", "-j" }, "unknown option '-j'" },
		{ { "map", "--device" }, "option '--device' needs a value" },
		{ { "vacate", "--mode", "free" },
		  "vacate needs --block, --pfn or --cheapest" },
		{ { "vacate", "--block", "1" },
		  "vacate needs --mode probe, free or hold" },
		{ { "vacate", "--block", "1", "--cheapest", "2", "--mode",
		    "free" }, "--cheapest cannot be combined" },
		{ { "vacate", "--block", "one", "--mode", "free" },
		  "bad --block 'one': want a number" },
		{ { "vacate", "--pfn", "-512", "--mode", "free" },
		  "bad --pfn '-512'" },
		{ { "vacate", "--pfn", "99999999999999999999", "--mode",
		    "free" }, "bad --pfn '99999999999999999999'" },
		{ { "vacate", "--cheapest", "4294967296", "--mode", "free" },
		  "bad --cheapest '4294967296': want a count below 2^32 or 'all'" },
		{ { "vacate", "--cheapest", "some", "--mode", "free" },
		  "bad --cheapest 'some'" },
		{ { "vacate", "--block", "1", "--mode", "evict" },
		  "bad --mode 'evict': want probe, free or hold" },
		{ { "vacate", "--block", "1", "--mode", "free",
		    "--hold-seconds", "3" }, "--hold-seconds is for --mode hold" },
		{ { "vacate", "--block", "1", "--mode", "hold",
		    "--hold-seconds", "1.5" }, "bad --hold-seconds '1.5'" },
		{ { "vacate", "--block", "1", "--mode", "hold",
		    "--hold-seconds", "4294967296" }, "bad --hold-seconds" },
		{ { "vacate", "--block", "1", "--mode", "free", "--top", "3" },
		  "vacate does not take --top" },
		{ { "map", "--top", "3" }, "map does not take --top" },
		{ { "census", "--mode", "free" },
		  "census does not take --mode" },
		{ { "census", "--cheapest", "1" },
		  "census does not take --cheapest" },
		{ { "census", "--top", "0" },
		  "bad --top '0': want a number of caches, 1 or more" },
		{ { "census", "--top", "ten" }, "bad --top 'ten'" },
		{ { "census", "--top", "4294967296" },
		  "bad --top '4294967296'" },
		{ { "census", "--top" }, "option '--top' needs a value" },
		{ { "census", "all" }, "unexpected argument 'all'" },
		{ { "Census" }, "unknown command 'Census'" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *words[10] = { "vacatectl" };

		memcpy(words + 1, cases[i].words, sizeof(cases[i].words));
		CHECKF(parse(words) == -1, "case %zu parsed", i);
		CHECKF(strstr(err, cases[i].want), "case %zu: '%s'", i, err);
	}
}

static void test_why_names(void)
{
	CHECK(!strcmp(vmc_why_names[VACATE_WHY_PINNED], "pinned"));
	CHECK(!strcmp(vmc_why_names[VACATE_WHY_SLAB_PINNED], "slab_pinned"));
	CHECK(!strcmp(vmc_why_names[VACATE_WHY_KERNEL_IMAGE], "kernel_image"));
	CHECK(!strcmp(vmc_why_names[VACATE_WHY_HELD], "held"));
	for (int i = 0; i < VACATE_NR_WHY; i++) {
		CHECKF(vmc_why_names[i] && *vmc_why_names[i], "reason %d", i);
		for (int j = 0; j < i; j++)
			CHECKF(strcmp(vmc_why_names[i], vmc_why_names[j]),
			       "reasons %d and %d: %s", i, j, vmc_why_names[i]);
	}
}

static void test_mode_names(void)
{
	uint32_t m;

	CHECK(!strcmp(vmc_mode_name(VACATE_MODE_PROBE), "probe"));
	CHECK(!strcmp(vmc_mode_name(VACATE_MODE_FREE), "free"));
	CHECK(!strcmp(vmc_mode_name(VACATE_MODE_HOLD), "hold"));
	CHECK(!vmc_mode_name(3));
	CHECK(vmc_parse_mode("hold", &m) == 0 && m == VACATE_MODE_HOLD);
	CHECK(vmc_parse_mode("0x2", &m) == 0 && m == 2);
	CHECK(vmc_parse_mode("4294967295", &m) == 0 && m == UINT32_MAX);
	CHECK(vmc_parse_mode("4294967296", &m) == -1);
	CHECK(vmc_parse_mode("HOLD", &m) == -1);
}

static void test_error_names(void)
{
	char buf[32];

	CHECK(!strcmp(vmc_errno_name(-EBUSY, buf, sizeof(buf)), "EBUSY"));
	CHECK(!strcmp(vmc_errno_name(-ERANGE, buf, sizeof(buf)), "ERANGE"));
	CHECK(!strcmp(vmc_errno_name(-4000, buf, sizeof(buf)), "error -4000"));
	CHECK(!strcmp(vmc_errno_name(16, buf, sizeof(buf)), "error 16"));
	CHECK(!strcmp(vmc_errno_name(INT32_MIN, buf, sizeof(buf)),
		      "error -2147483648"));
}

static void test_errno_meanings(void)
{
	const char *m;

	m = vmc_errno_meaning(VACATE_IOC_VACATE, ERANGE);
	CHECKF(m && !strcmp(m, "a block is outside RAM"), "%s", m);
	m = vmc_errno_meaning(VACATE_IOC_VACATE, ENXIO);
	CHECKF(m && strstr(m, "hole"), "%s", m);
	m = vmc_errno_meaning(VACATE_IOC_VACATE, EINVAL);
	CHECKF(m && strstr(m, "named twice"), "%s", m);
	m = vmc_errno_meaning(VACATE_IOC_CHEAPEST, EINVAL);
	CHECKF(m && strstr(m, "count is 0"), "%s", m);
	m = vmc_errno_meaning(VACATE_IOC_CHEAPEST, E2BIG);
	CHECKF(m && strstr(m, "1048576"), "%s", m);
	m = vmc_errno_meaning(VACATE_IOC_RELEASE, EPERM);
	CHECKF(m && strstr(m, "CAP_SYS_ADMIN"), "%s", m);
	CHECK(!vmc_errno_meaning(VACATE_IOC_CHEAPEST, ERANGE));
	CHECK(!vmc_errno_meaning(VACATE_IOC_VACATE, EXDEV));
	CHECK(!strcmp(vmc_ioctl_name(VACATE_IOC_CHEAPEST),
		      "VACATE_IOC_CHEAPEST"));
	CHECK(!strcmp(vmc_ioctl_name(VACATE_IOC_CENSUS),
		      "VACATE_IOC_CENSUS"));
	m = vmc_errno_meaning(VACATE_IOC_CENSUS, EINVAL);
	CHECKF(m && strstr(m, "reserved"), "%s", m);
}

static void test_device_error(void)
{
	char buf[256];

	vmc_device_error(buf, sizeof(buf), "/dev/vacate", "VACATE_IOC_CENSUS",
			  VACATE_IOC_CENSUS, ENOTTY);
	CHECKF(!strcmp(buf, "/dev/vacate: VACATE_IOC_CENSUS: Inappropriate ioctl for device (ENOTTY): the device does not know this ioctl (an older kernel?)"),
	       "%s", buf);
	vmc_device_error(buf, sizeof(buf), "/dev/v", "open", VACATE_IOC_MAP,
			  EXDEV);
	CHECKF(!strcmp(buf, "/dev/v: open: Invalid cross-device link (EXDEV)"),
	       "%s", buf);
}

/* Eight blocks of 512 pages from pfn 0x1000; block 3 has a hole. */
static struct vacate_block blocks[8];
static struct vmc_map map = {
	.page_size = 4096,
	.block_pages = 512,
	.min_pfn = 0x1000,
	.max_pfn = 0x2000,
	.nr = 8,
	.cap = 8,
	.blocks = blocks,
};

static void make_map(void)
{
	for (int i = 0; i < 8; i++)
		blocks[i] = (struct vacate_block){
			.start_pfn = 0x1000 + (uint64_t)i * 512,
			.free = i % 2 ? 512 : 100,
			.lru = i % 2 ? 0 : 412,
		};
	blocks[3].free = 412;
	blocks[3].absent = 100;
	blocks[3].flags = VACATE_BLOCK_PARTIAL;
}

/* vctl_diagnose() of VACATE_IOC_VACATE on pfns: its sentence, or "". */
static const char *diagnose_list(uint32_t mode, int errnum,
				 const uint64_t *pfns, uint32_t nr)
{
	static char buf[256];
	const struct vctl_request_view req = {
		.cmd = VACATE_IOC_VACATE, .mode = mode,
		.nr_blocks = nr, .pfns = pfns,
	};

	make_map();
	if (!vctl_diagnose(&map, &req, errnum, buf, sizeof(buf)))
		buf[0] = '\0';
	return buf;
}

static void test_diagnose_vacate(void)
{
	const uint64_t unaligned[] = { 0x1000, 0x1201 };
	const uint64_t repeated[] = { 0x1400, 0x1000, 0x1600, 0x1000 };
	const uint64_t outside[] = { 0x1000, 0x2000 };
	const uint64_t hole[] = { 0x1200, 0x1600 };
	const uint64_t fine[] = { 0x1000, 0x1200 };
	const char *s;

	s = diagnose_list(1, EINVAL, unaligned, 2);
	CHECKF(!strcmp(s, "pfn 0x1201 is not the first of a block (a multiple of 512)"),
	       "%s", s);
	s = diagnose_list(1, EINVAL, repeated, 4);
	CHECKF(!strcmp(s, "block 8 (pfn 0x1000) is named more than once"),
	       "%s", s);
	s = diagnose_list(9, EINVAL, fine, 2);
	CHECKF(!strcmp(s, "mode 9 is none of probe (0), free (1) and hold (2)"),
	       "%s", s);
	s = diagnose_list(1, ERANGE, outside, 2);
	CHECKF(!strcmp(s, "pfn 0x2000 is outside RAM, pfns [0x1000, 0x2000)"),
	       "%s", s);
	s = diagnose_list(1, ENXIO, hole, 2);
	CHECKF(!strcmp(s, "block 11 (pfn 0x1600) has 100 absent pages"),
	       "%s", s);
	/* Refusals the map cannot explain name no block. */
	CHECK(!*diagnose_list(1, EINVAL, fine, 2));
	CHECK(!*diagnose_list(1, ERANGE, fine, 2));
	CHECK(!*diagnose_list(1, ENXIO, fine, 2));
	CHECK(!*diagnose_list(1, EFAULT, fine, 2));
}

static void test_diagnose_cheapest(void)
{
	struct vctl_request_view req = { .cmd = VACATE_IOC_CHEAPEST,
					 .mode = 1 };
	char buf[128];

	make_map();
	req.nr_blocks = 0;
	CHECK(vctl_diagnose(&map, &req, EINVAL, buf, sizeof(buf)));
	CHECKF(!strcmp(buf, "--cheapest 0 asks for no block"), "%s", buf);
	req.nr_blocks = 2000000;
	CHECK(vctl_diagnose(&map, &req, E2BIG, buf, sizeof(buf)));
	CHECKF(!strcmp(buf, "--cheapest 2000000 is more than 1048576"), "%s",
	       buf);
	req.nr_blocks = 3;
	CHECK(!vctl_diagnose(&map, &req, EINVAL, buf, sizeof(buf)));
	CHECK(!vctl_diagnose(&map, &req, ENOMEM, buf, sizeof(buf)));
}

static struct vacate_result results[3];

static void make_results(void)
{
	memset(results, 0, sizeof(results));
	results[0] = (struct vacate_result){
		.start_pfn = 0x1000, .flags = VACATE_RES_DONE,
		.cost = 130, .est_migrate = 100, .est_move = 10, .est_drop = 5,
		.pages_migrated = 100, .objects_moved = 10, .objects_freed = 5,
		.time_ns = 1234567,
	};
	results[1] = (struct vacate_result){
		.start_pfn = 0x1200, .error = -EBUSY,
		.flags = VACATE_RES_IMPOSSIBLE | 0x100, .time_ns = 500000,
	};
	results[1].why[VACATE_WHY_SLAB] = 3;
	results[1].why[VACATE_WHY_HELD] = 1;
	/* A full name: no NUL within the 32 bytes. */
	memcpy(results[1].blocker, "kmalloc-cg-1024-this-is-32-bytes", 32);
	results[2] = (struct vacate_result){
		.start_pfn = 0x1400, .flags = VACATE_RES_FREE | VACATE_RES_DONE,
		.pages_migrated = 7, .time_ns = 1000,
	};
}

static struct vmc_report report(uint32_t mode, uint64_t asked,
				 uint64_t acted, uint64_t done, size_t room)
{
	make_map();
	make_results();
	return (struct vmc_report){
		.mode = mode, .block_pages = 512, .asked = asked,
		.acted = acted, .done = done, .results = results,
		.nr_results = room, .wall_ns = 9000000,
	};
}

/* What print(out, arg) writes, in a static buffer. */
static const char *output(void (*print)(FILE *, const void *),
			  const void *arg)
{
	static char text[4096];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, arg);
	fclose(f);
	snprintf(text, sizeof(text), "%s", buf);
	free(buf);
	return text;
}

static void print_result_1(FILE *out, const void *res)
{
	vmc_print_result(out, res, 512);
}

static void test_result_lines(void)
{
	const char *s;

	make_results();
	s = output(print_result_1, &results[0]);
	CHECKF(!strcmp(s, "block 8 pfn 0x1000: ok, done; cost 130 (migrate 100, move 10, drop 5); migrated 100, moved 10, freed 5; 1.235 ms\n"),
	       "%s", s);
	s = output(print_result_1, &results[1]);
	CHECKF(!strcmp(s, "block 9 pfn 0x1200: failed EBUSY, impossible, flags 0x100; cost 0 (migrate 0, move 0, drop 0); migrated 0, moved 0, freed 0; 0.500 ms; why: slab 3, held 1; blocker kmalloc-cg-1024-this-is-32-bytes\n"),
	       "%s", s);
	s = output(print_result_1, &results[2]);
	CHECKF(strstr(s, "block 10 pfn 0x1400: ok, was free, done; "), "%s", s);
}

static void test_report_checks_kernel_counts(void)
{
	struct vmc_report r;

	r = report(VACATE_MODE_FREE, 3, 4, 1, 3);
	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == -1);
	CHECKF(!strcmp(err, "the kernel says it acted on 4 blocks, more than the 3 asked"),
	       "%s", err);
	r = report(VACATE_MODE_FREE, 3, 2, 3, 3);
	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == -1);
	CHECKF(!strcmp(err, "the kernel says 3 blocks are done of 2 acted on"),
	       "%s", err);
	/* Fewer blocks acted on than there is room for: only theirs count. */
	r = report(VACATE_MODE_FREE, 5, 2, 1, 3);
	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == 0);
	CHECK(r.nr_results == 2);
	CHECK(r.pages_migrated == 100 && r.time_ns == 1734567);
}

static void test_report_sums(void)
{
	struct vacate_block after_blocks[8];
	struct vmc_map after = map;
	struct vmc_report r = report(VACATE_MODE_FREE, 3, 3, 2, 3);

	memcpy(after_blocks, blocks, sizeof(blocks));
	after_blocks[0].free = 512;
	after_blocks[0].lru = 0;
	after.blocks = after_blocks;
	CHECKF(vmc_report_finish(&r, &map, &after, err, sizeof(err)) == 0,
	       "%s", err);
	CHECK(r.pages_migrated == 107);
	CHECK(r.objects_moved == 10 && r.objects_freed == 5);
	CHECK(r.time_ns == 1234567 + 500000 + 1000);
	/* Blocks 1, 5 and 7 free, then block 0 too; 3 has a hole. */
	CHECK(r.free_blocks_before == 3 && r.free_blocks_after == 4);
	CHECKF(r.free_blocks_possible == (4 * 512 + 412 + 3 * 100) / 512,
	       "%llu", (unsigned long long)r.free_blocks_possible);
}

static void print_report_1(FILE *out, const void *r)
{
	vmc_print_report(out, r);
}

static void test_report_text(void)
{
	struct vmc_report r = report(VACATE_MODE_FREE, 5, 3, 2, 2);
	const char *s;

	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == 0);
	s = output(print_report_1, &r);
	CHECKF(strstr(s, "0.500 ms; why: slab 3, held 1; blocker kmalloc-cg-1024-this-is-32-bytes\n"
		       "\n"
		       "blocks asked:         5\n"
		       "blocks acted on:      3\n"
		       "blocks done:          2\n"
		       "results shown:        2 (the kernel kept the rest)\n"
		       "pages migrated:       100\n"
		       "objects moved:        10\n"
		       "objects freed:        5\n"
		       "time:                 9.000 ms (1.735 ms in the blocks)\n"
		       "fully free blocks:    3 before, 3 after\n"
		       "free blocks possible: 4\n"), "%s", s);
	CHECKF(!strstr(s, "block 10"), "%s", s);
	r = report(VACATE_MODE_PROBE, 1, 1, 1, 1);
	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == 0);
	s = output(print_report_1, &r);
	CHECKF(strstr(s, "\nblocks possible:      1\npages"), "%s", s);
}

static void print_json_1(FILE *out, const void *r)
{
	CHECK(vmc_print_report_json(out, r) == 0);
}

static void test_report_json(void)
{
	static const char head[] = "{\"mode\":\"hold\",\"block_pages\":512,\"results\":[{\"block\":8,\"pfn\":4096,\"ok\":true,\"errno\":null,\"flags\":4,\"cost\":130,\"est_migrate\":100,\"est_move\":10,\"est_drop\":5,\"pages_migrated\":100,\"objects_moved\":10,\"objects_freed\":5,\"time_ns\":1234567,\"why\":{},\"blocker\":null},";
	struct vmc_report r = report(VACATE_MODE_HOLD, 3, 3, 2, 3);
	const char *s;

	CHECK(vmc_report_finish(&r, &map, &map, err, sizeof(err)) == 0);
	s = output(print_json_1, &r);
	CHECKF(!strncmp(s, head, strlen(head)), "%s", s);
	CHECKF(strstr(s, "{\"block\":9,\"pfn\":4608,\"ok\":false,\"errno\":\"EBUSY\",\"flags\":258,"),
	       "%s", s);
	CHECKF(strstr(s, "\"why\":{\"slab\":3,\"held\":1},\"blocker\":\"kmalloc-cg-1024-this-is-32-bytes\"}"),
	       "%s", s);
	CHECKF(strstr(s, "\"totals\":{\"asked\":3,\"acted\":3,\"done\":2,\"pages_migrated\":107,\"objects_moved\":10,\"objects_freed\":5,\"time_ns\":1735567,\"wall_ns\":9000000,\"free_blocks_before\":3,\"free_blocks_after\":3,\"free_blocks_possible\":4}}\n"),
	       "%s", s);
	CHECKF(!strchr(s, '\n') || strchr(s, '\n')[1] == '\0',
	       "not one line: %s", s);
}

/*
 * A census: 7 otherwise-free blocks with 103 slab pages, 100 of them in
 * five caches (3 are in caches the kernel could not name).
 */
static struct vacate_census_entry census_entries[5];
static struct vacate_census census_q;
static struct vmc_census census;

static void make_census(void)
{
	static const struct vacate_census_entry e[] = {
		{ "dentry", 60, 5, 300, 0 },
		{ "slub_mobility_test", 25, 2, 40, 1 },
		{ "kmalloc-64", 10, 4, 90, 0 },
		{ "buffer_head", 4, 1, 8, 0 },
		{ "inode_cache", 1, 1, 50, 0 },
	};

	memcpy(census_entries, e, sizeof(e));
	census_q = (struct vacate_census){
		.argsz = sizeof(census_q), .nr_entries = 5, .blocks = 7,
		.slab_pages = 103,
	};
	census = (struct vmc_census){ .entries = census_entries };
}

/* vmc_census_check() of census_q and census_entries with room 5. */
static int check_census(void)
{
	err[0] = '\0';
	return vmc_census_check(&census, &census_q, 5, err, sizeof(err));
}

static void test_tenths(void)
{
	static const struct {
		uint64_t part, whole;
		uint32_t tenths;
	} cases[] = {
		{ 0, 0, 0 }, { 5, 0, 0 }, { 0, 7, 0 }, { 7, 7, 1000 },
		{ 1, 3, 333 }, { 2, 3, 667 }, { 60, 103, 583 },
		{ 1, 2000, 1 },			/* 0.05% rounds up */
		{ 1, 2001, 0 },
		{ 1999, 2000, 1000 },		/* 99.95% too */
		{ UINT32_MAX, UINT32_MAX, 1000 },
		{ 1, UINT32_MAX, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t t = vmc_tenths(cases[i].part, cases[i].whole);

		CHECKF(t == cases[i].tenths, "%llu of %llu: %u",
		       (unsigned long long)cases[i].part,
		       (unsigned long long)cases[i].whole, t);
	}
}

static void test_census_cover(void)
{
	size_t n;

	make_census();
	census.nr = 5;
	census.slab_pages = 103;
	/* 60, 85 < 92.7 <= 95 */
	CHECK(vmc_census_cover(&census, 90, &n) && n == 3);
	CHECK(vmc_census_cover(&census, 50, &n) && n == 1);
	CHECK(vmc_census_cover(&census, 0, &n) && n == 0);
	/* 90% of 100 is exactly 60 + 25 + 5 */
	census.slab_pages = 100;
	census_entries[2].pages = 5;
	CHECK(vmc_census_cover(&census, 90, &n) && n == 3);
	census_entries[2].pages = 4;
	CHECK(vmc_census_cover(&census, 90, &n) && n == 4);
	/* All of them short of it: false, with all of them counted. */
	census.slab_pages = 200;
	CHECK(!vmc_census_cover(&census, 90, &n) && n == 5);
	census.nr = 0;
	CHECK(!vmc_census_cover(&census, 90, &n) && n == 0);
	/* Nothing blocks: nothing is needed. */
	census.slab_pages = 0;
	CHECK(vmc_census_cover(&census, 90, &n) && n == 0);
	/* The largest counts do not overflow. */
	census.nr = 2;
	census.slab_pages = UINT32_MAX;
	census_entries[0].pages = UINT32_MAX - 1;
	census_entries[1].pages = 1;
	CHECK(vmc_census_cover(&census, 100, &n) && n == 2);
	CHECK(vmc_census_cover(&census, 99, &n) && n == 1);
}

static void test_census_check_names(void)
{
	make_census();
	/* 32 bytes without a NUL; control and 8-bit bytes. */
	memcpy(census_entries[0].name, "abcdefghijklmnopqrstuvwxyz012345", 32);
	memcpy(census_entries[1].name, "\x01mob\xffile\n", 10);
	CHECKF(check_census() == 0, "%s", err);
	CHECK(census.nr == 5 && census.found == 5);
	CHECK(census.blocks == 7 && census.slab_pages == 103);
	CHECKF(!strcmp(census_entries[0].name, "abcdefghijklmnopqrstuvwxyz01234"),
	       "%s", census_entries[0].name);
	CHECKF(!strcmp(census_entries[1].name, "?mob?ile?"), "%s",
	       census_entries[1].name);
}

static void test_census_check_room(void)
{
	make_census();
	/* More caches than room: the room is all there is. */
	census_q.nr_entries = 9;
	CHECK(vmc_census_check(&census, &census_q, 3, err, sizeof(err)) == 0);
	CHECK(census.nr == 3 && census.found == 9);
	/* Fewer: only theirs. */
	census_q.nr_entries = 2;
	CHECK(check_census() == 0);
	CHECK(census.nr == 2 && census.found == 2);
	/* None at all, nothing blocking. */
	census_q = (struct vacate_census){ 0 };
	CHECK(check_census() == 0);
	CHECK(census.nr == 0 && census.blocks == 0);
}

static void test_census_check_nonsense(void)
{
	static const char bad[] = "the kernel's census does not hold together: ";
	static const struct {
		int entry, field;	/* entry -1: the totals */
		uint32_t value;
		const char *want;
	} cases[] = {
		{ 0, 0, 301, "cache 'dentry' has 301 pages in otherwise-free blocks, of 300 slab pages in all" },
		{ 2, 1, 0, "cache 'kmalloc-64' has 10 pages in 0 blocks" },
		{ 3, 1, 5, "cache 'buffer_head' has 4 pages in 5 blocks" },
		{ 4, 0, 0, "cache 'inode_cache' has 0 pages in 1 blocks" },
		{ 1, 1, 8, "cache 'slub_mobility_test' is in 8 otherwise-free blocks, of 7" },
		{ 1, 3, 2, "cache 'slub_mobility_test' is mobile 2, neither 0 nor 1" },
		{ 2, 0, 26, "cache 'kmalloc-64' (26 pages) comes after 'slub_mobility_test' (25 pages)" },
		{ -1, 1, 99, "its caches have 100 pages in otherwise-free blocks, of 99" },
		{ -1, 0, 104, "104 otherwise-free blocks with 103 slab pages" },
		{ -1, 0, 0, "0 otherwise-free blocks with 103 slab pages" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t *f;

		make_census();
		if (cases[i].entry < 0)
			f = cases[i].field ? &census_q.slab_pages :
					     &census_q.blocks;
		else
			f = &census_entries[cases[i].entry].pages +
			    cases[i].field;
		*f = cases[i].value;
		CHECKF(check_census() == -1, "case %zu passed", i);
		CHECKF(!strncmp(err, bad, strlen(bad)) &&
		       !strcmp(err + strlen(bad), cases[i].want),
		       "case %zu: '%s'", i, err);
	}
}

/* A kernel with nr caches of 1 page each (first most), as the fake sees. */
struct fake_kernel {
	uint32_t nr;		/* caches it has */
	uint32_t grow;		/* more found on each call */
	uint32_t lie;		/* nonzero: says it found this many */
	int error;		/* nonzero: the ioctl fails with it */
	int calls;
	uint32_t rooms[8];
};

static int fake_ask(struct vmc_census_source *src, struct vacate_census *q)
{
	struct fake_kernel *k = src->ctx;
	struct vacate_census_entry *e = (void *)(uintptr_t)q->entries;
	uint32_t room = q->nr_entries;

	if (k->calls < (int)ARRAY_SIZE(k->rooms))
		k->rooms[k->calls] = room;
	k->calls++;
	if (q->argsz != sizeof(*q) || q->flags || q->reserved)
		k->error = EINVAL;
	if (k->error) {
		vmc_device_error(src->err, src->err_size, src->name,
				  "VACATE_IOC_CENSUS", VACATE_IOC_CENSUS,
				  k->error);
		return -1;
	}
	for (uint32_t i = 0; i < k->nr && i < room; i++) {
		e[i] = (struct vacate_census_entry){
			.pages = 1, .blocks = 1, .all_pages = 2,
		};
		snprintf(e[i].name, sizeof(e[i].name), "cache-%u", i);
	}
	q->nr_entries = k->lie ? k->lie : k->nr;
	q->blocks = 1;
	q->slab_pages = q->nr_entries;
	k->nr += k->grow;
	return 0;
}

/* vmc_census_read() from k into got: its return value. */
static struct vmc_census got;

static int read_fake(struct fake_kernel *k)
{
	struct vmc_census_source src = {
		.ask = fake_ask, .name = "fake", .ctx = k,
		.err = err, .err_size = sizeof(err),
	};

	vmc_census_free(&got);
	err[0] = '\0';
	return vmc_census_read(&src, &got);
}

static void test_census_read(void)
{
	struct fake_kernel k = { .nr = 100 };

	/* Room enough at once. */
	CHECKF(read_fake(&k) == 0, "%s", err);
	CHECK(k.calls == 1 && k.rooms[0] == VMC_CENSUS_FIRST_ROOM);
	CHECK(got.nr == 100 && got.found == 100);
	CHECK(!strcmp(got.entries[99].name, "cache-99"));
	/* More than the first guess: asked again with room for them all. */
	k = (struct fake_kernel){ .nr = 1000 };
	CHECKF(read_fake(&k) == 0, "%s", err);
	CHECK(k.calls == 2 && k.rooms[1] == 1000 + VMC_CENSUS_SLACK);
	CHECK(got.nr == 1000 && got.found == 1000);
	CHECK(!strcmp(got.entries[999].name, "cache-999"));
	/* A few new caches between the calls fit in the slack. */
	k = (struct fake_kernel){ .nr = 300, .grow = 5 };
	CHECKF(read_fake(&k) == 0, "%s", err);
	CHECK(k.calls == 2 && got.nr == 305 && got.found == 305);
	/* Ever more: the tries end, with what the room holds. */
	k = (struct fake_kernel){ .nr = 300, .grow = 100 };
	CHECKF(read_fake(&k) == 0, "%s", err);
	CHECK(k.calls == VMC_CENSUS_TRIES);
	CHECK(k.rooms[2] == 400 + VMC_CENSUS_SLACK);
	CHECK(got.nr == 416 && got.found == 500);
}

static void test_census_read_nonsense(void)
{
	struct fake_kernel k = { .nr = 10, .lie = UINT32_MAX };

	/* Room up to the bound, then the entries it never wrote. */
	CHECK(read_fake(&k) == -1);
	CHECK(k.calls == 2 && k.rooms[1] == VMC_CENSUS_MAX_ROOM);
	CHECKF(!strcmp(err, "fake: the kernel's census does not hold together: cache '' has 0 pages in 0 blocks"),
	       "%s", err);
	/* It says it found more than it has, within the room. */
	k = (struct fake_kernel){ .nr = 10, .lie = 12 };
	CHECK(read_fake(&k) == -1);
	CHECKF(strstr(err, "cache '' has 0 pages in 0 blocks"), "%s", err);
	k = (struct fake_kernel){ .nr = 10, .error = ENOTTY };
	CHECK(read_fake(&k) == -1 && k.calls == 1);
	CHECKF(!strcmp(err, "fake: VACATE_IOC_CENSUS: Inappropriate ioctl for device (ENOTTY): the device does not know this ioctl (an older kernel?)"),
	       "%s", err);
	vmc_census_free(&got);
}

static size_t census_top;

static void print_census_1(FILE *out, const void *c)
{
	vmc_print_census(out, c, census_top);
}

static void print_census_json_1(FILE *out, const void *c)
{
	CHECK(vmc_print_census_json(out, c, census_top) == 0);
}

static void test_census_text(void)
{
	const char *s;

	make_census();
	CHECK(check_census() == 0);
	census_top = 0;
	s = output(print_census_1, &census);
	CHECKF(!strcmp(s, "otherwise-free blocks: 7, slab pages in them: 103\n"
		       "dentry                              60 pages     5 blocks     300 all  58.3%  58.3% cumulative  -\n"
		       "slub_mobility_test                  25 pages     2 blocks      40 all  24.3%  82.5% cumulative  mobile\n"
		       "kmalloc-64                          10 pages     4 blocks      90 all   9.7%  92.2% cumulative  -\n"
		       "buffer_head                          4 pages     1 blocks       8 all   3.9%  96.1% cumulative  -\n"
		       "inode_cache                          1 pages     1 blocks      50 all   1.0%  97.1% cumulative  -\n"
		       "cover 90%: 3 caches hold 92.2% of the blocking pages: dentry, slub_mobility_test, kmalloc-64\n"),
	       "%s", s);
	/* --top: fewer lines, the same cover. */
	census_top = 2;
	s = output(print_census_1, &census);
	CHECKF(strstr(s, "cumulative  mobile\n"
		      "cover 90%: 3 caches hold 92.2% of the blocking pages: dentry, slub_mobility_test, kmalloc-64\n"),
	       "%s", s);
	CHECKF(!strstr(s, "kmalloc-64    "), "%s", s);
	census_top = 9;
	CHECK(strstr(output(print_census_1, &census), "inode_cache  "));
	census_top = 0;
	census_q.slab_pages = 62;
	census_q.nr_entries = 1;
	CHECK(check_census() == 0);
	s = output(print_census_1, &census);
	CHECKF(strstr(s, " 96.8%  96.8% cumulative  -\n"
		      "cover 90%: 1 cache holds 96.8% of the blocking pages: dentry\n"),
	       "%s", s);
}

static void test_census_text_edges(void)
{
	const char *s;

	make_census();
	census_q.slab_pages = 200;
	CHECK(check_census() == 0);
	census_top = 0;
	s = output(print_census_1, &census);
	CHECKF(strstr(s, "\ncover 90%: none; the 5 caches hold only 50.0% of the blocking pages\n"),
	       "%s", strstr(s, "cover"));
	census_q = (struct vacate_census){ 0 };
	CHECK(check_census() == 0);
	s = output(print_census_1, &census);
	CHECKF(!strcmp(s, "otherwise-free blocks: 0, slab pages in them: 0\n"
		       "cover 90%: no slab page keeps a block from being free\n"),
	       "%s", s);
}

static void test_census_json(void)
{
	const char *s;

	make_census();
	memcpy(census_entries[3].name, "buffer\"head", 12);
	CHECK(check_census() == 0);
	census_top = 0;
	s = output(print_census_json_1, &census);
	CHECKF(!strcmp(s, "{\"blocks\":7,\"slab_pages\":103,\"caches\":["
		       "{\"name\":\"dentry\",\"pages\":60,\"blocks\":5,\"all_pages\":300,\"mobile\":false},"
		       "{\"name\":\"slub_mobility_test\",\"pages\":25,\"blocks\":2,\"all_pages\":40,\"mobile\":true},"
		       "{\"name\":\"kmalloc-64\",\"pages\":10,\"blocks\":4,\"all_pages\":90,\"mobile\":false},"
		       "{\"name\":\"buffer\\\"head\",\"pages\":4,\"blocks\":1,\"all_pages\":8,\"mobile\":false},"
		       "{\"name\":\"inode_cache\",\"pages\":1,\"blocks\":1,\"all_pages\":50,\"mobile\":false}],"
		       "\"cover90\":[\"dentry\",\"slub_mobility_test\",\"kmalloc-64\"]}\n"),
	       "%s", s);
	census_top = 1;
	s = output(print_census_json_1, &census);
	CHECKF(!strcmp(s, "{\"blocks\":7,\"slab_pages\":103,\"caches\":["
		       "{\"name\":\"dentry\",\"pages\":60,\"blocks\":5,\"all_pages\":300,\"mobile\":false}],"
		       "\"cover90\":[\"dentry\",\"slub_mobility_test\",\"kmalloc-64\"]}\n"),
	       "%s", s);
	census_top = 0;
	census_q.slab_pages = 200;
	CHECK(check_census() == 0);
	s = output(print_census_json_1, &census);
	CHECKF(strstr(s, "}],\"cover90\":null}\n"), "%s", s);
	census_q = (struct vacate_census){ 0 };
	CHECK(check_census() == 0);
	s = output(print_census_json_1, &census);
	CHECKF(!strcmp(s, "{\"blocks\":0,\"slab_pages\":0,\"caches\":[],\"cover90\":[]}\n"),
	       "%s", s);
}

int main(void)
{
	t_run("vacatectl_parse_u64", test_parse_u64);
	t_run("vacatectl_parse_map", test_parse_map);
	t_run("vacatectl_parse_vacate_list", test_parse_vacate_list);
	t_run("vacatectl_parse_vacate_cheapest", test_parse_vacate_cheapest);
	t_run("vacatectl_parse_census", test_parse_census);
	t_run("vacatectl_parse_errors", test_parse_errors);
	t_run("vacatectl_why_names", test_why_names);
	t_run("vacatectl_mode_names", test_mode_names);
	t_run("vacatectl_error_names", test_error_names);
	t_run("vacatectl_errno_meanings", test_errno_meanings);
	t_run("vacatectl_device_error", test_device_error);
	t_run("vacatectl_diagnose_vacate", test_diagnose_vacate);
	t_run("vacatectl_diagnose_cheapest", test_diagnose_cheapest);
	t_run("vacatectl_result_lines", test_result_lines);
	t_run("vacatectl_report_checks_kernel_counts",
	      test_report_checks_kernel_counts);
	t_run("vacatectl_report_sums", test_report_sums);
	t_run("vacatectl_report_text", test_report_text);
	t_run("vacatectl_report_json", test_report_json);
	t_run("vacatectl_tenths", test_tenths);
	t_run("vacatectl_census_cover", test_census_cover);
	t_run("vacatectl_census_check_names", test_census_check_names);
	t_run("vacatectl_census_check_room", test_census_check_room);
	t_run("vacatectl_census_check_nonsense", test_census_check_nonsense);
	t_run("vacatectl_census_read", test_census_read);
	t_run("vacatectl_census_read_nonsense", test_census_read_nonsense);
	t_run("vacatectl_census_text", test_census_text);
	t_run("vacatectl_census_text_edges", test_census_text_edges);
	t_run("vacatectl_census_json", test_census_json);
	vctl_args_free(&args);
	return t_exit_status();
}

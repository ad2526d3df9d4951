/* Message encoders and decoders: round trips and every refusal. */
#include <string.h>

#include <vmcompact/proto.h>
#include "harness.h"

static struct vmc_parser parser;
static uint8_t buf[VMC_FRAME_MAX + 64];
static struct vmc_error err;

/* The one frame in b, as a receiver gets it. */
static bool parse_one(const uint8_t *b, size_t len, struct vmc_frame *f)
{
	struct vmc_event ev;

	vmc_parser_reset(&parser);
	if (!vmc_parser_feed(&parser, &b, &len, &ev) || ev.error || len)
		return false;
	*f = ev.frame;
	return true;
}

/* A payload built by hand, to say what an encoder never would. */
struct payload {
	size_t len;
	uint8_t b[VMC_MAX_PAYLOAD];
};

static struct payload pl;

static void put(uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		pl.b[pl.len++] = (uint8_t)(v >> (8 * i));
}

static void put_str(const char *s, size_t n)
{
	put(n, 2);
	memcpy(pl.b + pl.len, s, n);
	pl.len += n;
}

/* Frame the first len bytes of pl as type, for a decoder. */
static bool frame_of(uint16_t type, size_t len, struct vmc_frame *f)
{
	memcpy(buf + VMC_HDR_SIZE, pl.b, len);
	return parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1, type, 9, len),
			 f);
}

static bool refused(int rc, const char *why)
{
	return rc == -1 && err.code == VMC_ERR_BAD_PAYLOAD &&
	       strstr(err.msg, why);
}

static void test_hello_req(void)
{
	struct vmc_frame f;

	CHECK(parse_one(buf, vmc_encode_hello_req(buf, sizeof(buf), 42), &f));
	CHECK(f.type == VMC_HELLO_REQ && f.seq == 42 && f.len == 0);
	CHECK(vmc_decode_empty(&f, &err) == 0);
	pl.len = 0;
	put(0, 1);
	CHECK(frame_of(VMC_HELLO_REQ, 1, &f));
	CHECK(refused(vmc_decode_empty(&f, &err), "must be empty"));
}

static const struct vmc_hello good_hello = {
	.caps = VMC_CAP_MAP | 0x80000000u,	/* unknown bits pass */
	.page_size = 4096,
	.block_pages = 512,
	.version = 3,
	.name = "vmcompact-agent 0.1 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
};

static void test_hello_resp_round_trip(void)
{
	struct vmc_frame f;
	struct vmc_hello h;

	CHECK(parse_one(buf, vmc_encode_hello_resp(buf, sizeof(buf), 7,
						   &good_hello), &f));
	CHECK(f.type == VMC_HELLO_RESP && f.seq == 7);
	CHECK(vmc_decode_hello_resp(&f, &h, &err) == 0);
	CHECK(h.caps == good_hello.caps && h.page_size == 4096);
	CHECK(h.block_pages == 512 && h.version == 3);
	CHECK(!strcmp(h.name, good_hello.name));
}

/* HELLO_RESP fields as raw bytes; name of n bytes. */
static void hello_payload(uint32_t page_size, uint32_t block_pages,
			  uint16_t version, const char *name, size_t n)
{
	pl.len = 0;
	put(VMC_CAP_MAP, 4);
	put(page_size, 4);
	put(block_pages, 4);
	put(version, 2);
	put_str(name, n);
}

static int decode_hello(size_t len)
{
	struct vmc_frame f;
	struct vmc_hello h;

	if (!frame_of(VMC_HELLO_RESP, len, &f))
		return -2;
	return vmc_decode_hello_resp(&f, &h, &err);
}

static void test_hello_resp_fields(void)
{
	static const uint32_t bad_pages[] = { 0, 1000, 2048, 3 * 4096,
					      2 << 20 };
	static const uint32_t good_pages[] = { 4096, 16384, 65536, 1 << 20 };

	hello_payload(4096, 512, 1, "a", 1);
	CHECK(decode_hello(pl.len) == 0);
	hello_payload(4096, 0, 1, "a", 1);
	CHECK(decode_hello(pl.len) == 0);
	hello_payload(4096, 512, 0, "a", 1);
	CHECK(refused(decode_hello(pl.len), "version 0"));
	for (size_t i = 0; i < ARRAY_SIZE(bad_pages); i++) {
		hello_payload(bad_pages[i], 512, 1, "a", 1);
		CHECKF(refused(decode_hello(pl.len), "page_size"),
		       "page_size %u", bad_pages[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good_pages); i++) {
		hello_payload(good_pages[i], 512, 1, "a", 1);
		CHECKF(decode_hello(pl.len) == 0, "page_size %u: %s",
		       good_pages[i], err.msg);
	}
	hello_payload(4096, 3, 1, "a", 1);
	CHECK(refused(decode_hello(pl.len), "block_pages"));
	hello_payload(4096, VMC_MAX_BLOCK_PAGES * 2, 1, "a", 1);
	CHECK(refused(decode_hello(pl.len), "block_pages"));
}

static void test_hello_resp_lengths(void)
{
	char name[VMC_MAX_STRING + 1];

	memset(name, 'n', sizeof(name));
	hello_payload(4096, 512, 1, name, 5);
	for (size_t len = 0; len < pl.len; len++)
		CHECKF(refused(decode_hello(len), "do not hold"),
		       "%zu bytes", len);
	put(0, 1);
	CHECK(refused(decode_hello(pl.len), "do not hold"));
	hello_payload(4096, 512, 1, name, VMC_MAX_STRING);
	CHECK(decode_hello(pl.len) == 0);
	hello_payload(4096, 512, 1, name, VMC_MAX_STRING + 1);
	CHECK(refused(decode_hello(pl.len), "do not hold"));
	/* A length prefix beyond the payload. */
	hello_payload(4096, 512, 1, name, 5);
	pl.b[14] = 6;
	CHECK(refused(decode_hello(pl.len), "do not hold"));
}

static void test_strings(void)
{
	static const char *const good[] = {
		"", "plain", "\xc2\xa0", "\xc3\xa9", "\xe2\x82\xac",
		"\xef\xbf\xbd", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"\x01", "a\x1f", "\x7f", "\xc2\x80", "\xc2\x9f", "\xc0\x80",
		"\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\x80",
		"\xff", "ab\xe2",
	};
	struct vmc_error e = { .code = VMC_ERR_BAD_CRC };

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		hello_payload(4096, 512, 1, good[i], strlen(good[i]));
		CHECKF(decode_hello(pl.len) == 0, "good string %zu: %s", i,
		       err.msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		hello_payload(4096, 512, 1, bad[i], strlen(bad[i]));
		CHECKF(refused(decode_hello(pl.len), "valid name"),
		       "bad string %zu accepted", i);
		strcpy(e.msg, bad[i]);
		CHECKF(!vmc_encode_error(buf, sizeof(buf), 1, &e),
		       "bad string %zu encoded", i);
	}
	/* A NUL inside the counted bytes. */
	hello_payload(4096, 512, 1, "a\0b", 3);
	CHECK(refused(decode_hello(pl.len), "valid name"));
}

static void test_error_round_trip(void)
{
	struct vmc_error e = { .code = VMC_ERR_DEVICE, .sys_errno = 2,
			       .msg = "/dev/vacate: No such file or directory" };
	struct vmc_frame f;
	struct vmc_error got;

	CHECK(parse_one(buf, vmc_encode_error(buf, sizeof(buf), 5, &e), &f));
	CHECK(f.type == VMC_ERROR && f.seq == 5);
	CHECK(vmc_decode_error(&f, &got, &err) == 0);
	CHECK(got.code == e.code && got.sys_errno == 2);
	CHECK(!strcmp(got.msg, e.msg));

	e.code = 999;		/* a later version's code */
	e.sys_errno = 0;
	CHECK(parse_one(buf, vmc_encode_error(buf, sizeof(buf), 5, &e), &f));
	CHECK(vmc_decode_error(&f, &got, &err) == 0 && got.code == 999);
}

static int decode_error_payload(uint32_t code, uint32_t sys_errno)
{
	struct vmc_error got;
	struct vmc_frame f;

	pl.len = 0;
	put(code, 4);
	put(sys_errno, 4);
	put_str("m", 1);
	if (!frame_of(VMC_ERROR, pl.len, &f))
		return -2;
	return vmc_decode_error(&f, &got, &err);
}

static void test_error_fields(void)
{
	struct vmc_error got;
	struct vmc_frame f;

	CHECK(decode_error_payload(VMC_ERR_BAD_CRC, 0) == 0);
	CHECK(refused(decode_error_payload(0, 0), "code 0"));
	CHECK(refused(decode_error_payload(VMC_ERR_DEVICE, 0), "errno"));
	CHECK(refused(decode_error_payload(VMC_ERR_BAD_CRC, 5), "errno"));
	for (size_t len = 0; len < pl.len; len++) {
		CHECK(frame_of(VMC_ERROR, len, &f));
		CHECKF(refused(vmc_decode_error(&f, &got, &err), "do not hold"),
		       "%zu bytes", len);
	}
}

/* vmc_error_set keeps messages printable ASCII, so ERROR always encodes. */
static void test_error_set_sanitises(void)
{
	struct vmc_error e;
	char long_msg[400];

	vmc_error_set(&e, VMC_ERR_DEVICE, 5, "%s: \x01\xc3\xa9\n", "/dev/x");
	CHECK(!strcmp(e.msg, "/dev/x: ????"));
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	vmc_error_set(&e, VMC_ERR_DEVICE, 5, "%s", long_msg);
	CHECK(strlen(e.msg) == VMC_MAX_STRING);
	CHECK(vmc_encode_error(buf, sizeof(buf), 1, &e) != 0);
}

static void test_map_req(void)
{
	struct vmc_map_req req = { .start_pfn = 0x123456789ull,
				   .max_blocks = 77 }, got;
	struct vmc_frame f;

	CHECK(parse_one(buf, vmc_encode_map_req(buf, sizeof(buf), 3, &req), &f));
	CHECK(f.type == VMC_MAP_REQ && f.len == VMC_MAP_REQ_SIZE);
	CHECK(vmc_decode_map_req(&f, &got, &err) == 0);
	CHECK(got.start_pfn == req.start_pfn && got.max_blocks == 77);

	memcpy(pl.b, buf + VMC_HDR_SIZE, VMC_MAP_REQ_SIZE);
	pl.b[VMC_MAP_REQ_SIZE] = 0;
	for (size_t len = 0; len <= VMC_MAP_REQ_SIZE + 1; len++) {
		if (len == VMC_MAP_REQ_SIZE)
			continue;
		CHECK(frame_of(VMC_MAP_REQ, len, &f));
		CHECKF(refused(vmc_decode_map_req(&f, &got, &err), "must be 12 bytes"),
		       "%zu bytes", len);
	}
	req.max_blocks = 0;
	CHECK(parse_one(buf, vmc_encode_map_req(buf, sizeof(buf), 3, &req), &f));
	CHECK(refused(vmc_decode_map_req(&f, &got, &err), "max_blocks is 0"));
}

/*
 * A valid MAP_RESP with unaligned min_pfn, max_pfn and request, a gap,
 * an absent and a partial block; each test below breaks one thing.
 */
struct map_case {
	struct vmc_map_req req;
	struct vmc_map_resp m;
	struct vacate_block b[8];
};

static void good_map(struct map_case *c)
{
	*c = (struct map_case){
		.req = { .start_pfn = 0x1005, .max_blocks = 8 },
		.m = { .start_pfn = 0x1000, .min_pfn = 0x100,
		       .max_pfn = 0x4064, .next_pfn = 0x1a00,
		       .block_pages = 512, .nr = 4 },
		.b = {
			{ .start_pfn = 0x1000, .free = 512 },
			{ .start_pfn = 0x1200, .free = 100, .lru = 200,
			  .slab_mobile = 12, .slab_reclaimable = 100,
			  .slab_unmovable = 50, .other = 50 },
			{ .start_pfn = 0x1600, .absent = 512,
			  .flags = VACATE_BLOCK_ABSENT },
			{ .start_pfn = 0x1800, .free = 400, .absent = 112,
			  .flags = VACATE_BLOCK_PARTIAL, .migratetype = 1,
			  .nid = 1, .zone = 2 },
		},
	};
}

static int decode_map(const struct map_case *c, size_t cut)
{
	struct vacate_block got[8];
	struct vmc_map_resp m;
	struct vmc_frame f;
	size_t len = vmc_encode_map_resp(buf, sizeof(buf), 4, &c->m, c->b);

	if (!len)
		return -2;
	/* Drop cut bytes off the end of the payload, keeping nr. */
	memcpy(pl.b, buf + VMC_HDR_SIZE, len - VMC_HDR_SIZE);
	if (!frame_of(VMC_MAP_RESP, len - VMC_HDR_SIZE - cut, &f))
		return -2;
	return vmc_decode_map_resp(&f, &c->req, &m, got, &err);
}

static void test_map_resp_round_trip(void)
{
	struct vacate_block got[8];
	struct vmc_map_resp m;
	struct vmc_frame f;
	struct map_case c;

	good_map(&c);
	CHECK(parse_one(buf, vmc_encode_map_resp(buf, sizeof(buf), 4, &c.m,
						 c.b), &f));
	CHECK(f.type == VMC_MAP_RESP && f.seq == 4);
	CHECK(f.len == VMC_MAP_RESP_FIXED + 4 * VMC_BLOCK_REC_SIZE);
	CHECKF(vmc_decode_map_resp(&f, &c.req, &m, got, &err) == 0, "%s",
	       err.msg);
	CHECK(!memcmp(&m, &c.m, sizeof(m)));
	CHECK(!memcmp(got, c.b, 4 * sizeof(got[0])));
}

static void test_map_resp_valid_edges(void)
{
	struct map_case c;

	/* A request below min_pfn is answered from min_pfn. */
	good_map(&c);
	c.req.start_pfn = 0;
	c.m.min_pfn = 0x1100;
	CHECKF(decode_map(&c, 0) == 0, "%s", err.msg);
	/* The last block may run past max_pfn when next_pfn is max_pfn. */
	good_map(&c);
	c.m.max_pfn = c.m.next_pfn = 0x1900;
	CHECKF(decode_map(&c, 0) == 0, "%s", err.msg);
	/* As many blocks as fit in a frame. */
	good_map(&c);
	c.req.max_blocks = UINT32_MAX;
	CHECKF(decode_map(&c, 0) == 0, "%s", err.msg);
}

static void test_map_resp_encoder_limit(void)
{
	static struct vacate_block many[VMC_MAP_RESP_MAX_BLOCKS + 1];
	struct vmc_map_resp m = { .nr = VMC_MAP_RESP_MAX_BLOCKS };

	CHECK(vmc_encode_map_resp(buf, sizeof(buf), 1, &m, many) != 0);
	m.nr++;
	CHECK(vmc_encode_map_resp(buf, sizeof(buf), 1, &m, many) == 0);
}

#define MAP_LIE(name, why, ...)						\
	static void test_map_lie_##name(void)				\
	{								\
		struct map_case c;					\
									\
		good_map(&c);						\
		__VA_ARGS__;						\
		CHECKF(refused(decode_map(&c, 0), why), "got '%s'",	\
		       err.msg);					\
	}

MAP_LIE(nr_zero, "nr 0 is not in", c.m.nr = 0)
MAP_LIE(nr_over_request, "nr 4 is not in [1, 3]", c.req.max_blocks = 3)
MAP_LIE(block_pages_not_pow2, "block_pages 500", c.m.block_pages = 500)
MAP_LIE(block_pages_zero, "block_pages 0", c.m.block_pages = 0)
MAP_LIE(block_pages_huge, "block_pages", c.m.block_pages = 1u << 25)
MAP_LIE(empty_span, "RAM span", c.m.min_pfn = c.m.max_pfn)
MAP_LIE(span_too_high, "RAM span", c.m.max_pfn = VMC_MAX_PFN + 1)
MAP_LIE(start_not_rounded, "start_pfn 0x1005", c.m.start_pfn = 0x1005)
MAP_LIE(start_below_min, "expected 0x1200",
	c.req.start_pfn = 0; c.m.min_pfn = 0x1300)
MAP_LIE(next_no_progress, "next_pfn 0x1005", c.m.next_pfn = 0x1005)
MAP_LIE(next_beyond_max, "next_pfn", c.m.next_pfn = c.m.max_pfn + 1)
MAP_LIE(block_unaligned, "not block-aligned", c.b[1].start_pfn = 0x1201)
MAP_LIE(block_below_start, "not above", c.b[0].start_pfn = 0xe00)
MAP_LIE(block_repeated, "not above", c.b[2].start_pfn = 0x1200)
MAP_LIE(block_at_next, "beyond next_pfn", c.b[3].start_pfn = 0x1a00)
MAP_LIE(counters_short, "do not sum", c.b[1].other--)
MAP_LIE(counters_wrap, "do not sum",
	c.b[0].free = UINT32_MAX; c.b[0].lru = 513)
MAP_LIE(unknown_flag, "unknown flags", c.b[0].flags = 1u << 5)
MAP_LIE(absent_flag_missing, "ABSENT", c.b[2].flags = 0)
MAP_LIE(absent_flag_spurious, "ABSENT", c.b[0].flags = VACATE_BLOCK_ABSENT)
MAP_LIE(partial_flag_missing, "PARTIAL", c.b[3].flags = 0)
MAP_LIE(partial_flag_spurious, "PARTIAL",
	c.b[1].flags = VACATE_BLOCK_PARTIAL)
MAP_LIE(partial_and_absent, "PARTIAL",
	c.b[2].flags |= VACATE_BLOCK_PARTIAL)
MAP_LIE(reserved, "reserved", c.b[0].reserved = 1)
MAP_LIE(next_inside_last_block, "inside the last block",
	c.m.next_pfn = 0x1900)

static void test_map_resp_lengths(void)
{
	struct map_case c;

	good_map(&c);
	CHECK(refused(decode_map(&c, 1), "do not hold exactly 4 blocks"));
	CHECK(refused(decode_map(&c, VMC_BLOCK_REC_SIZE),
		      "do not hold exactly 4 blocks"));
	CHECK(refused(decode_map(&c, 4 * VMC_BLOCK_REC_SIZE + 1),
		      "shorter than its fixed fields"));
	c.m.nr = 5;	/* 5 claimed, 4 sent */
	CHECK(refused(decode_map(&c, VMC_BLOCK_REC_SIZE),
		      "do not hold exactly 5 blocks"));
}

/* Every encoder, with fixed arguments, for the cap test. */
static struct map_case cap_map;

static size_t enc_hello_req(size_t cap)
{
	return vmc_encode_hello_req(buf, cap, 1);
}

static size_t enc_hello_resp(size_t cap)
{
	return vmc_encode_hello_resp(buf, cap, 1, &good_hello);
}

static size_t enc_map_req(size_t cap)
{
	return vmc_encode_map_req(buf, cap, 1, &cap_map.req);
}

static size_t enc_map_resp(size_t cap)
{
	return vmc_encode_map_resp(buf, cap, 1, &cap_map.m, cap_map.b);
}

static size_t enc_error(size_t cap)
{
	static const struct vmc_error e = { .code = 1, .msg = "m" };

	return vmc_encode_error(buf, cap, 1, &e);
}

/* Encoders write nothing past cap, and refuse what does not fit. */
static void test_encoders_respect_cap(void)
{
	static size_t (*const encoders[])(size_t) = {
		enc_hello_req, enc_hello_resp, enc_map_req, enc_map_resp,
		enc_error,
	};

	good_map(&cap_map);
	for (size_t k = 0; k < ARRAY_SIZE(encoders); k++) {
		size_t need = encoders[k](sizeof(buf));

		for (size_t cap = 0; cap < need; cap++) {
			memset(buf, 0xaa, sizeof(buf));
			CHECKF(!encoders[k](cap), "encoder %zu fit %zu bytes in %zu",
			       k, need, cap);
			for (size_t i = cap; i < need; i++)
				CHECKF(buf[i] == 0xaa,
				       "encoder %zu wrote byte %zu of cap %zu",
				       k, i, cap);
		}
	}
	CHECK(!vmc_frame_seal(buf, sizeof(buf), 1, 1, 1, VMC_MAX_PAYLOAD + 1));
}

/* VACATE_REQ and VACATE_RESP. */
static struct vmc_vacate_req vreq, vgot;
static struct vacate_result vres[VMC_VACATE_MAX_BLOCKS];
static struct vacate_result vres_got[VMC_VACATE_MAX_BLOCKS];

static void test_vacate_req_round_trip(void)
{
	struct vmc_frame f;

	vreq = (struct vmc_vacate_req){ .mode = VACATE_MODE_HOLD, .count = 3,
					.pfns = { 0x200, 0x400, 0x9e00 } };
	CHECK(parse_one(buf, vmc_encode_vacate_req(buf, sizeof(buf), 5, &vreq), &f));
	CHECK(f.type == VMC_VACATE_REQ && f.len == VMC_VACATE_REQ_FIXED + 24);
	CHECKF(vmc_decode_vacate_req(&f, &vgot, &err) == 0, "%s", err.msg);
	CHECK(vgot.mode == vreq.mode && vgot.count == 3 && !vgot.flags);
	CHECK(!memcmp(vgot.pfns, vreq.pfns, 3 * sizeof(vreq.pfns[0])));

	/* CHEAPEST carries no pfns, and may ask for all blocks. */
	vreq = (struct vmc_vacate_req){ .mode = VACATE_MODE_FREE,
					.count = VMC_VACATE_ALL,
					.flags = VMC_VACATE_CHEAPEST };
	CHECK(parse_one(buf, vmc_encode_vacate_req(buf, sizeof(buf), 6, &vreq), &f));
	CHECK(f.len == VMC_VACATE_REQ_FIXED);
	CHECKF(vmc_decode_vacate_req(&f, &vgot, &err) == 0, "%s", err.msg);
	CHECK(vgot.count == VMC_VACATE_ALL && vgot.flags == VMC_VACATE_CHEAPEST);

	/* The encoder never sends more pfns than a response can answer. */
	vreq = (struct vmc_vacate_req){ .count = VMC_VACATE_MAX_BLOCKS + 1 };
	CHECK(!vmc_encode_vacate_req(buf, sizeof(buf), 7, &vreq));
}

/* A VACATE_REQ payload by hand: the fixed fields, then npfns pfns. */
static int decode_vacate_req_of(uint32_t mode, uint32_t count, uint32_t flags,
				uint32_t reserved, uint32_t npfns)
{
	struct vmc_frame f;

	pl.len = 0;
	put(mode, 4);
	put(count, 4);
	put(flags, 4);
	put(reserved, 4);
	for (uint32_t i = 0; i < npfns; i++)
		put(0x200ull * (i + 1), 8);
	if (!frame_of(VMC_VACATE_REQ, pl.len, &f))
		return -2;
	return vmc_decode_vacate_req(&f, &vgot, &err);
}

static void test_vacate_req_refusals(void)
{
	CHECK(decode_vacate_req_of(1, 2, 0, 0, 2) == 0);
	CHECK(decode_vacate_req_of(1, 512, 0, 0, 512) == 0);
	CHECK(decode_vacate_req_of(1, 512, 1, 0, 0) == 0);
	CHECK(refused(decode_vacate_req_of(3, 1, 0, 0, 1), "unknown mode 3"));
	CHECK(refused(decode_vacate_req_of(1, 1, 2, 0, 1), "unknown flags 0x2"));
	CHECK(refused(decode_vacate_req_of(1, 1, 0, 1, 1), "reserved"));
	CHECK(refused(decode_vacate_req_of(1, 0, 0, 0, 0), "count 0"));
	CHECK(refused(decode_vacate_req_of(1, 0, 1, 0, 0), "count 0"));
	CHECK(refused(decode_vacate_req_of(1, 513, 0, 0, 513), "count 513"));
	CHECK(refused(decode_vacate_req_of(1, 513, 1, 0, 0), "count 513"));
	CHECK(refused(decode_vacate_req_of(1, VMC_VACATE_ALL, 0, 0, 0), "count 4294967295"));
	CHECK(refused(decode_vacate_req_of(1, 2, 0, 0, 1), "that many pfns"));
	CHECK(refused(decode_vacate_req_of(1, 2, 0, 0, 3), "that many pfns"));
	CHECK(refused(decode_vacate_req_of(1, 2, 1, 0, 1), "no pfns"));
	pl.len = 0;
	put(1, 4);
	{
		struct vmc_frame f;

		CHECK(frame_of(VMC_VACATE_REQ, pl.len, &f));
		CHECK(refused(vmc_decode_vacate_req(&f, &vgot, &err), "shorter"));
	}
}

/*
 * A good answer to a CHEAPEST 3 request (list: the same three pfns):
 * block 0x400 emptied, 0x600 failed, 0x800 impossible.
 */
static struct vmc_vacate_resp good_vacate(bool cheapest)
{
	struct vmc_vacate_resp v = { .mode = VACATE_MODE_FREE, .acted = 3,
				     .done = 1, .nr = 3, .wall_ns = 12345 };

	vreq = (struct vmc_vacate_req){ .mode = VACATE_MODE_FREE, .count = 3,
					.flags = cheapest ? VMC_VACATE_CHEAPEST : 0,
					.pfns = { 0x400, 0x600, 0x800 } };
	memset(vres, 0, sizeof(vres));
	for (int i = 0; i < 3; i++) {
		vres[i].start_pfn = 0x400 + 0x200 * i;
		vres[i].cost = 10 * i;
		vres[i].time_ns = 1000 + i;
	}
	vres[0].flags = VACATE_RES_DONE;
	vres[0].pages_migrated = 40;
	vres[0].objects_moved = 7;
	vres[1].error = -16;
	vres[1].why[VACATE_WHY_PINNED] = 3;
	vres[2].error = -16;
	vres[2].flags = VACATE_RES_IMPOSSIBLE;
	vres[2].why[VACATE_WHY_SLAB] = 12;
	strcpy(vres[2].blocker, "kmalloc-64");
	return v;
}

static size_t vacate_frame(const struct vmc_vacate_resp *v)
{
	return vmc_encode_vacate_resp(buf, sizeof(buf), 8, v, vres);
}

static void test_vacate_resp_round_trip(void)
{
	for (int cheapest = 0; cheapest < 2; cheapest++) {
		struct vmc_vacate_resp v = good_vacate(cheapest), got;
		struct vmc_frame f;

		CHECK(parse_one(buf, vacate_frame(&v), &f));
		CHECK(f.type == VMC_VACATE_RESP &&
		      f.len == VMC_VACATE_RESP_FIXED + 3 * VMC_RESULT_REC_SIZE);
		CHECKF(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got,
					      &err) == 0, "%s", err.msg);
		CHECK(!memcmp(&got, &v, sizeof(v)));
		CHECK(!memcmp(vres_got, vres, 3 * sizeof(vres[0])));
	}
}

/*
 * A lie: the good CHEAPEST (or list) answer with the le value of n bytes
 * at payload offset off replaced (for a result, off is
 * VMC_VACATE_RESP_FIXED + i * VMC_RESULT_REC_SIZE + the field's offset).
 */
struct vacate_lie {
	const char *name;
	bool list;
	size_t off;
	int n;
	uint64_t value;
	const char *why;
};

#define RES(i, field_off) (VMC_VACATE_RESP_FIXED + (i) * VMC_RESULT_REC_SIZE + (field_off))
static const struct vacate_lie vacate_lies[] = {
	{ "mode", false, 0, 4, VACATE_MODE_HOLD, "mode 2 for a request of mode 1" },
	{ "acted_over_k", false, 4, 4, 4, "acted on 4 blocks, asked at most 3" },
	{ "acted_not_list", true, 4, 4, 2, "acted on 2 blocks, asked exactly 3" },
	{ "done_over_acted", false, 8, 4, 4, "4 blocks done of 3" },
	{ "nr_short", false, 12, 4, 2, "2 results for 3 blocks" },
	{ "pfn_not_asked", true, RES(1, 0), 8, 0xa00, "not the block asked for" },
	{ "pfn_unaligned", false, RES(1, 0), 8, 0x601, "not block-aligned" },
	{ "pfn_beyond_ram", false, RES(1, 0), 8, 1ull << 41, "beyond any RAM" },
	{ "pfn_twice", false, RES(2, 0), 8, 0x400, "named twice" },
	{ "errno_huge", false, RES(1, 8), 4, 4096, "errno beyond 4095" },
	{ "unknown_flag", false, RES(1, 12), 4, 8, "unknown flags" },
	{ "done_with_error", false, RES(1, 12), 4, VACATE_RES_DONE, "done with an error" },
	{ "why_over_block", false, RES(2, 52 + 4 * VACATE_WHY_SLAB), 4, 513, "more pages with a reason" },
	{ "blocker_control", false, RES(2, 88), 1, 0x07, "blocker" },
	{ "blocker_after_nul", false, RES(2, 88 + 20), 1, 'x', "blocker" },
};

static void test_vacate_lies(void)
{
	for (size_t k = 0; k < ARRAY_SIZE(vacate_lies); k++) {
		const struct vacate_lie *l = &vacate_lies[k];
		struct vmc_vacate_resp v = good_vacate(!l->list), got;
		size_t len = vacate_frame(&v) - VMC_HDR_SIZE;
		struct vmc_frame f;

		for (int i = 0; i < l->n; i++)
			buf[VMC_HDR_SIZE + l->off + i] = (uint8_t)(l->value >> (8 * i));
		CHECK(parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1,
						    VMC_VACATE_RESP, 8, len), &f));
		CHECKF(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got,
						      vres_got, &err), l->why),
		       "lie %s: %s", l->name, err.msg);
	}
}

/*
 * Found by fuzz_agent (tests/fuzz/regress/agent/error-int32-min): a
 * kernel that says error INT32_MIN.  The agent encodes it (negating it
 * as a signed number was undefined) and the host refuses it.
 */
static void test_vacate_error_int32_min(void)
{
	struct vmc_vacate_resp v = good_vacate(true), got;
	struct vmc_frame f;

	vres[1].error = INT32_MIN;
	CHECK(parse_one(buf, vacate_frame(&v), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got,
					     &err), "errno beyond 4095"));
}

static void test_vacate_resp_lengths(void)
{
	struct vmc_vacate_resp v = good_vacate(true), got;
	size_t len = vacate_frame(&v) - VMC_HDR_SIZE;
	struct vmc_frame f;

	/* One byte short, one byte over, and a probe that claims done. */
	CHECK(parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1, VMC_VACATE_RESP,
					    8, len - 1), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got, &err),
		      "do not hold exactly 3 results"));
	buf[VMC_HDR_SIZE + len] = 0;
	CHECK(parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1, VMC_VACATE_RESP,
					    8, len + 1), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got, &err),
		      "do not hold exactly 3 results"));
	v = good_vacate(true);
	v.mode = vreq.mode = VACATE_MODE_PROBE;
	CHECK(parse_one(buf, vacate_frame(&v), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got, &err),
		      "by a probe"));
	/* A name that fills the field goes out terminated, one byte shorter. */
	v = good_vacate(true);
	memset(vres[2].blocker, 'A', sizeof(vres[2].blocker));
	CHECK(parse_one(buf, vacate_frame(&v), &f));
	CHECKF(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got, &err) == 0,
	       "%s", err.msg);
	CHECK(strlen(vres_got[2].blocker) == sizeof(vres_got[2].blocker) - 1);
	/* A guest block size that is no block size. */
	v = good_vacate(true);
	CHECK(parse_one(buf, vacate_frame(&v), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 3, &got, vres_got, &err),
		      "block_pages 3"));
	/* CHEAPEST all: at most VMC_VACATE_MAX_BLOCKS results of more acted. */
	v = good_vacate(true);
	vreq.count = VMC_VACATE_ALL;
	v.acted = 600;
	v.nr = 3;
	CHECK(parse_one(buf, vacate_frame(&v), &f));
	CHECK(refused(vmc_decode_vacate_resp(&f, &vreq, 512, &got, vres_got, &err),
		      "expected 512"));
	v.nr = VMC_VACATE_MAX_BLOCKS + 1;
	CHECK(!vacate_frame(&v));
}

static void test_release(void)
{
	struct vmc_frame f;

	CHECK(parse_one(buf, vmc_encode_release_req(buf, sizeof(buf), 3), &f));
	CHECK(f.type == VMC_RELEASE_REQ && vmc_decode_empty(&f, &err) == 0);
	CHECK(parse_one(buf, vmc_encode_release_resp(buf, sizeof(buf), 3), &f));
	CHECK(f.type == VMC_RELEASE_RESP && vmc_decode_empty(&f, &err) == 0);
	pl.len = 0;
	put(0, 4);
	CHECK(frame_of(VMC_RELEASE_RESP, pl.len, &f));
	CHECK(refused(vmc_decode_empty(&f, &err), "RELEASE_RESP: payload must be empty"));
}

/* CENSUS_REQ and CENSUS_RESP. */
static struct vacate_census_entry census_in[4], census_out[4];

static void test_census(void)
{
	struct vmc_census_resp c = { .blocks = 9, .slab_pages = 40, .found = 3,
				     .nr = 3 }, got;
	struct vmc_frame f;
	uint32_t room;

	CHECK(parse_one(buf, vmc_encode_census_req(buf, sizeof(buf), 2, 64), &f));
	CHECK(vmc_decode_census_req(&f, &room, &err) == 0 && room == 64);
	CHECK(parse_one(buf, vmc_encode_census_req(buf, sizeof(buf), 2, 0), &f));
	CHECK(refused(vmc_decode_census_req(&f, &room, &err), "room 0"));
	CHECK(parse_one(buf, vmc_encode_census_req(buf, sizeof(buf), 2, 1025), &f));
	CHECK(refused(vmc_decode_census_req(&f, &room, &err), "room 1025"));

	census_in[0] = (struct vacate_census_entry){ "dentry", 20, 5, 300, 0 };
	census_in[1] = (struct vacate_census_entry){ "xa_node_mobile", 12, 4, 90, 1 };
	census_in[2] = (struct vacate_census_entry){ "kmalloc-64", 8, 3, 50, 0 };
	CHECK(parse_one(buf, vmc_encode_census_resp(buf, sizeof(buf), 3, &c, census_in), &f));
	CHECK(f.len == VMC_CENSUS_RESP_FIXED + 3 * VMC_CENSUS_REC_SIZE);
	CHECKF(vmc_decode_census_resp(&f, 8, &got, census_out, &err) == 0, "%s", err.msg);
	CHECK(!memcmp(&got, &c, sizeof(c)));
	CHECK(!memcmp(census_out, census_in, 3 * sizeof(census_in[0])));
	/* Fewer entries than found and room allow, or more than room. */
	CHECK(refused(vmc_decode_census_resp(&f, 2, &got, census_out, &err),
		      "3 entries for 3 caches found and room for 2"));
	c.found = 5;
	CHECK(parse_one(buf, vmc_encode_census_resp(buf, sizeof(buf), 3, &c, census_in), &f));
	CHECK(refused(vmc_decode_census_resp(&f, 8, &got, census_out, &err),
		      "3 entries for 5 caches found"));
	/* A name that is not printable, or bytes after its NUL. */
	c.found = 3;
	census_in[1].name[3] = '\n';
	CHECK(parse_one(buf, vmc_encode_census_resp(buf, sizeof(buf), 3, &c, census_in), &f));
	CHECK(refused(vmc_decode_census_resp(&f, 8, &got, census_out, &err),
		      "entry 1: the name"));
	census_in[1].name[3] = '_';
	CHECK(parse_one(buf, vmc_encode_census_resp(buf, sizeof(buf), 3, &c, census_in), &f));
	buf[VMC_HDR_SIZE + VMC_CENSUS_RESP_FIXED + 2 * VMC_CENSUS_REC_SIZE + 20] = 'x';
	CHECK(parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1, VMC_CENSUS_RESP, 3,
					    f.len), &f));
	CHECK(refused(vmc_decode_census_resp(&f, 8, &got, census_out, &err),
		      "entry 2: the name"));
	/* One byte short. */
	CHECK(parse_one(buf, vmc_frame_seal(buf, sizeof(buf), 1, VMC_CENSUS_RESP, 3,
					    f.len - 1), &f));
	CHECK(refused(vmc_decode_census_resp(&f, 8, &got, census_out, &err),
		      "do not hold exactly 3 entries"));
}

static void test_names(void)
{
	CHECK(!strcmp(vmc_strerror(VMC_ERR_BAD_CRC), "bad crc"));
	CHECK(!strcmp(vmc_strerror(0), "unknown error"));
	CHECK(!strcmp(vmc_strerror(12345), "unknown error"));
	CHECK(!strcmp(vmc_type_name(VMC_MAP_RESP), "MAP_RESP"));
	CHECK(!strcmp(vmc_type_name(0x4242), "unknown"));
}

int main(void)
{
	t_run("codec_hello_req", test_hello_req);
	t_run("codec_hello_resp_round_trip", test_hello_resp_round_trip);
	t_run("codec_hello_resp_fields", test_hello_resp_fields);
	t_run("codec_hello_resp_lengths", test_hello_resp_lengths);
	t_run("codec_strings", test_strings);
	t_run("codec_error_round_trip", test_error_round_trip);
	t_run("codec_error_fields", test_error_fields);
	t_run("codec_error_set_sanitises", test_error_set_sanitises);
	t_run("codec_map_req", test_map_req);
	t_run("codec_map_resp_round_trip", test_map_resp_round_trip);
	t_run("codec_map_resp_valid_edges", test_map_resp_valid_edges);
	t_run("codec_map_resp_encoder_limit", test_map_resp_encoder_limit);
	t_run("codec_map_resp_lengths", test_map_resp_lengths);
#define RUN_LIE(name) t_run("codec_map_lie_" #name, test_map_lie_##name)
	RUN_LIE(nr_zero);
	RUN_LIE(nr_over_request);
	RUN_LIE(block_pages_not_pow2);
	RUN_LIE(block_pages_zero);
	RUN_LIE(block_pages_huge);
	RUN_LIE(empty_span);
	RUN_LIE(span_too_high);
	RUN_LIE(start_not_rounded);
	RUN_LIE(start_below_min);
	RUN_LIE(next_no_progress);
	RUN_LIE(next_beyond_max);
	RUN_LIE(block_unaligned);
	RUN_LIE(block_below_start);
	RUN_LIE(block_repeated);
	RUN_LIE(block_at_next);
	RUN_LIE(counters_short);
	RUN_LIE(counters_wrap);
	RUN_LIE(unknown_flag);
	RUN_LIE(absent_flag_missing);
	RUN_LIE(absent_flag_spurious);
	RUN_LIE(partial_flag_missing);
	RUN_LIE(partial_flag_spurious);
	RUN_LIE(partial_and_absent);
	RUN_LIE(reserved);
	RUN_LIE(next_inside_last_block);
	t_run("codec_vacate_req_round_trip", test_vacate_req_round_trip);
	t_run("codec_vacate_req_refusals", test_vacate_req_refusals);
	t_run("codec_vacate_resp_round_trip", test_vacate_resp_round_trip);
	t_run("codec_vacate_lies", test_vacate_lies);
	t_run("codec_vacate_error_int32_min", test_vacate_error_int32_min);
	t_run("codec_vacate_resp_lengths", test_vacate_resp_lengths);
	t_run("codec_release", test_release);
	t_run("codec_census", test_census);
	t_run("codec_encoders_respect_cap", test_encoders_respect_cap);
	t_run("codec_names", test_names);
	return t_exit_status();
}

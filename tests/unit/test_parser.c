/* The stream parser: framing, every rejection, and resynchronisation. */
#include <string.h>

#include <zlib.h>

#include <vmcompact/proto.h>
#include "harness.h"

struct seen {
	uint32_t error;
	uint16_t version;
	uint16_t type;
	uint32_t seq;
	uint32_t len;
	uint32_t payload_crc;
};

static struct vmc_parser parser;
static struct seen seen[4096];
static size_t nr_seen;
static uint8_t stream[1 << 20];
static size_t stream_len;

static void reset(void)
{
	vmc_parser_reset(&parser);
	nr_seen = 0;
	stream_len = 0;
}

static void record(const struct vmc_event *ev)
{
	struct seen *s = &seen[nr_seen++ % ARRAY_SIZE(seen)];

	s->error = ev->error;
	s->version = ev->frame.version;
	s->type = ev->frame.type;
	s->seq = ev->frame.seq;
	s->len = ev->frame.len;
	s->payload_crc = ev->error ? 0 :
			 crc32(0, ev->frame.payload, ev->frame.len);
}

static void feed_chunk(const uint8_t *data, size_t len)
{
	struct vmc_event ev;

	while (vmc_parser_feed(&parser, &data, &len, &ev))
		record(&ev);
}

/* Feed the stream built so far in chunks of at most chunk bytes. */
static void feed_stream(size_t chunk)
{
	for (size_t off = 0; off < stream_len; off += chunk)
		feed_chunk(stream + off, stream_len - off < chunk ?
					 stream_len - off : chunk);
}

/* The sender fell silent: expire what is held, and rescan the rest. */
static void expire(void)
{
	struct vmc_event ev;

	if (vmc_parser_expire(&parser, &ev))
		record(&ev);
	feed_chunk(NULL, 0);
}

static void add_bytes(const void *data, size_t len)
{
	memcpy(stream + stream_len, data, len);
	stream_len += len;
}

static void add_text(const char *s)
{
	add_bytes(s, strlen(s));
}

/* Append a frame; returns its offset in the stream. */
static size_t add_frame(uint16_t version, uint16_t type, uint32_t seq,
			const void *payload, size_t len)
{
	size_t off = stream_len;

	if (len)
		memcpy(stream + off + VMC_HDR_SIZE, payload, len);
	stream_len += vmc_frame_seal(stream + off, sizeof(stream) - off,
				     version, type, seq, len);
	return off;
}

static size_t add_hello(uint32_t seq)
{
	return add_frame(VMC_PROTO_VERSION, VMC_HELLO_REQ, seq, NULL, 0);
}

/* A header with the magic and the given fields, and a wrong crc. */
static void add_bogus_header(uint32_t seq, uint32_t len)
{
	const uint8_t h[VMC_HDR_SIZE] = {
		0x56, 0x4d, 0x43, 0x50, 1, 0, 1, 0,
		(uint8_t)seq, (uint8_t)(seq >> 8), (uint8_t)(seq >> 16),
		(uint8_t)(seq >> 24),
		(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
		(uint8_t)(len >> 24),
		0xde, 0xad, 0xbe, 0xef,
	};

	add_bytes(h, sizeof(h));
}

static bool is_frame(size_t i, uint16_t type, uint32_t seq)
{
	return i < nr_seen && !seen[i].error && seen[i].type == type &&
	       seen[i].seq == seq;
}

static bool is_error(size_t i, uint32_t code, uint32_t seq)
{
	return i < nr_seen && seen[i].error == code && seen[i].seq == seq;
}

static void test_one_frame(void)
{
	reset();
	add_hello(1);
	feed_stream(stream_len);
	CHECK(nr_seen == 1);
	CHECK(is_frame(0, VMC_HELLO_REQ, 1));
	CHECK(seen[0].version == VMC_PROTO_VERSION && seen[0].len == 0);
	CHECK(!vmc_parser_pending(&parser));
}

static void test_byte_by_byte(void)
{
	static uint8_t payload[1000];

	reset();
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	add_hello(1);
	add_frame(1, VMC_MAP_REQ, 2, payload, 12);
	add_frame(1, 0x1234, 3, payload, sizeof(payload));
	feed_stream(1);
	CHECKF(nr_seen == 3, "%zu events", nr_seen);
	CHECK(is_frame(0, VMC_HELLO_REQ, 1));
	CHECK(is_frame(1, VMC_MAP_REQ, 2) && seen[1].len == 12);
	CHECK(is_frame(2, 0x1234, 3));
	CHECK(seen[2].payload_crc == crc32(0, payload, sizeof(payload)));
}

static void test_many_in_one_chunk(void)
{
	static uint8_t payload[VMC_MAX_PAYLOAD];

	reset();
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	for (uint32_t seq = 1; seq <= 3; seq++) {
		add_frame(1, VMC_MAP_RESP, seq, payload, sizeof(payload));
		add_hello(100 + seq);
	}
	feed_stream(stream_len);
	CHECKF(nr_seen == 6, "%zu events", nr_seen);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK(is_frame(2 * i, VMC_MAP_RESP, i + 1));
		CHECK(seen[2 * i].len == VMC_MAX_PAYLOAD);
		CHECK(seen[2 * i].payload_crc ==
		      crc32(0, payload, sizeof(payload)));
		CHECK(is_frame(2 * i + 1, VMC_HELLO_REQ, 101 + i));
	}
}

static void test_garbage_then_frame(void)
{
	reset();
	add_text("hello world\n");
	add_hello(2);
	feed_stream(5);
	CHECKF(nr_seen == 2, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 0));
	CHECK(is_frame(1, VMC_HELLO_REQ, 2));
}

static void test_partial_magics(void)
{
	reset();
	add_text("VMCVMVVMCXVMC");
	add_hello(3);
	feed_stream(1);
	CHECKF(nr_seen == 2, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 0));
	CHECK(is_frame(1, VMC_HELLO_REQ, 3));
}

static void test_bad_crc_then_frame(void)
{
	size_t off;

	reset();
	off = add_frame(1, VMC_MAP_REQ, 5, "0123456789ab", 12);
	stream[off + VMC_HDR_SIZE + 3] ^= 1;
	off = add_hello(6);
	stream[off + 6] ^= 0x80;	/* the type: the crc covers the header */
	add_hello(7);
	feed_stream(stream_len);
	CHECKF(nr_seen == 3, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_CRC, 5));
	CHECK(is_error(1, VMC_ERR_BAD_CRC, 6));
	CHECK(is_frame(2, VMC_HELLO_REQ, 7));
}

static void test_too_big(void)
{
	reset();
	add_bogus_header(7, VMC_MAX_PAYLOAD + 1);
	/* Reported as soon as the header is in, without waiting for more. */
	feed_stream(stream_len);
	CHECKF(nr_seen == 1, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_TOO_BIG, 7));
	reset();
	add_bogus_header(8, UINT32_MAX);
	add_hello(9);
	feed_stream(3);
	CHECKF(nr_seen == 2, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_TOO_BIG, 8));
	CHECK(is_frame(1, VMC_HELLO_REQ, 9));
}

/* A corrupt len swallows a good frame; the crc failure gives it back. */
static void test_swallowed_frame(void)
{
	static const uint8_t zeros[180];

	reset();
	add_bogus_header(8, 200);
	add_hello(9);
	add_bytes(zeros, sizeof(zeros));
	add_hello(10);
	feed_stream(7);
	CHECKF(nr_seen == 4, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_CRC, 8));
	CHECK(is_frame(1, VMC_HELLO_REQ, 9));
	CHECK(is_error(2, VMC_ERR_BAD_FRAME, 0));	/* the zeros: a new run */
	CHECK(is_frame(3, VMC_HELLO_REQ, 10));
}

/* ...and if the sender stops, expiry does. */
static void test_swallowed_then_silence(void)
{
	reset();
	add_bogus_header(8, 1000);
	add_hello(9);
	feed_stream(stream_len);
	CHECK(nr_seen == 0);
	CHECK(vmc_parser_pending(&parser));
	expire();
	CHECKF(nr_seen == 2, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 8));
	CHECK(is_frame(1, VMC_HELLO_REQ, 9));
	CHECK(!vmc_parser_pending(&parser));
}

static void test_expire(void)
{
	reset();
	expire();
	CHECK(nr_seen == 0);

	add_hello(4);
	feed_chunk(stream, 10);		/* half a header */
	expire();
	CHECKF(nr_seen == 1, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 0));
	CHECK(!vmc_parser_pending(&parser));

	reset();
	feed_chunk((const uint8_t *)"VM", 2);
	expire();
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 0) && nr_seen == 1);
	CHECK(!vmc_parser_pending(&parser));

	/* A partial magic ending a garbage run is part of the run. */
	reset();
	feed_chunk((const uint8_t *)"xyzVMC", 6);
	expire();
	CHECKF(nr_seen == 1, "%zu events", nr_seen);
	feed_chunk((const uint8_t *)"P", 1);	/* no magic left to complete */
	CHECK(!vmc_parser_pending(&parser));
}

/* A frame of another version is skipped whole: its crc vouches for len. */
static void test_other_version(void)
{
	uint8_t inner[VMC_HDR_SIZE];

	reset();
	vmc_encode_hello_req(inner, sizeof(inner), 11);
	add_frame(2, VMC_HELLO_REQ, 12, inner, sizeof(inner));
	add_hello(13);
	feed_stream(stream_len);
	CHECKF(nr_seen == 2, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_VERSION, 12));
	CHECK(seen[0].version == 2);
	CHECK(is_frame(1, VMC_HELLO_REQ, 13));
}

/* One report per garbage run; a good frame ends the run. */
static void test_one_report_per_run(void)
{
	size_t off;

	reset();
	add_text("garbage");
	off = add_frame(1, VMC_MAP_REQ, 20, "0123456789ab", 12);
	stream[off + VMC_HDR_SIZE] ^= 0xff;
	add_text("more garbage");
	add_hello(21);
	add_text("garbage again");
	add_hello(22);
	feed_stream(stream_len);
	CHECKF(nr_seen == 5, "%zu events", nr_seen);
	CHECK(is_error(0, VMC_ERR_BAD_FRAME, 0));
	CHECK(is_error(1, VMC_ERR_BAD_CRC, 20));
	CHECK(is_frame(2, VMC_HELLO_REQ, 21));
	CHECK(is_error(3, VMC_ERR_BAD_FRAME, 0));
	CHECK(is_frame(4, VMC_HELLO_REQ, 22));
}

static uint32_t rng_state = 0x12345678;

static uint32_t rng(void)
{
	/* xorshift32: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Garbage with fake headers of every kind of len around each frame. */
static void add_nasty_garbage(void)
{
	static const uint32_t lens[] = { 0, 17, 300, 5000, 65536, 65537,
					 UINT32_MAX };
	uint8_t junk[300];
	size_t n = rng() % sizeof(junk);

	for (size_t i = 0; i < n; i++)
		junk[i] = (uint8_t)rng();
	add_bytes(junk, n);
	if (rng() % 3 == 0)
		add_bogus_header(rng(), lens[rng() % 7]);
	if (rng() % 4 == 0)
		add_text("VMC");
}

static void test_every_good_frame_found(void)
{
	enum { ROUNDS = 200 };
	static uint8_t payload[2000];
	uint32_t next = 0;

	reset();
	for (uint32_t seq = 1; seq <= ROUNDS; seq++) {
		size_t len = rng() % sizeof(payload);

		for (size_t i = 0; i < len; i++)
			payload[i] = (uint8_t)rng();
		add_nasty_garbage();
		add_frame(1, VMC_MAP_RESP, seq, payload, len);
	}
	for (size_t off = 0; off < stream_len;) {
		size_t n = 1 + rng() % 4096;

		if (n > stream_len - off)
			n = stream_len - off;
		feed_chunk(stream + off, n);
		off += n;
	}
	while (vmc_parser_pending(&parser))
		expire();

	CHECK(nr_seen < ARRAY_SIZE(seen));
	for (size_t i = 0; i < nr_seen; i++) {
		if (seen[i].error)
			continue;
		CHECKF(seen[i].seq == next + 1,
		       "frame %u found after frame %u", seen[i].seq, next);
		next = seen[i].seq;
	}
	CHECKF(next == ROUNDS, "last frame found: %u", next);
}

int main(void)
{
	t_run("parser_one_frame", test_one_frame);
	t_run("parser_byte_by_byte", test_byte_by_byte);
	t_run("parser_many_in_one_chunk", test_many_in_one_chunk);
	t_run("parser_garbage_then_frame", test_garbage_then_frame);
	t_run("parser_partial_magics", test_partial_magics);
	t_run("parser_bad_crc_then_frame", test_bad_crc_then_frame);
	t_run("parser_too_big", test_too_big);
	t_run("parser_swallowed_frame", test_swallowed_frame);
	t_run("parser_swallowed_then_silence", test_swallowed_then_silence);
	t_run("parser_expire", test_expire);
	t_run("parser_other_version", test_other_version);
	t_run("parser_one_report_per_run", test_one_report_per_run);
	t_run("parser_every_good_frame_found", test_every_good_frame_found);
	return t_exit_status();
}

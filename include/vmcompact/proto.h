/*
 * vmcompact wire protocol, version 1: frame and message codec shared by the
 * guest agent and the host tools.  virtio-proto/PROTOCOL.md is the spec; this
 * header follows its names.
 *
 * Pure C11: no I/O and no allocation.  Encoders write into a caller buffer
 * and return the frame length, or 0 if the frame would not fit or would
 * break a rule of the spec.  Decoders check everything the spec says a
 * receiver checks and explain a refusal in a struct vmc_error.
 */
#ifndef VMCOMPACT_PROTO_H
#define VMCOMPACT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vacate.h>

#define VMC_MAGIC		0x50434D56u	/* bytes "VMCP" */
#define VMC_PROTO_VERSION	1
#define VMC_HDR_SIZE		20
#define VMC_MAX_PAYLOAD		65536
#define VMC_FRAME_MAX		(VMC_HDR_SIZE + VMC_MAX_PAYLOAD)
#define VMC_MAX_STRING		256

/* Limits a receiver enforces on what it is told. */
#define VMC_MIN_PAGE_SIZE	4096u
#define VMC_MAX_PAGE_SIZE	(1u << 20)
#define VMC_MAX_BLOCK_PAGES	(1u << 24)
#define VMC_MAX_PFN		(1ull << 40)

/* Silence after which a receiver abandons a partial frame. */
#define VMC_PARTIAL_TIMEOUT_MS	1000

/*
 * Bytes a receiver may scan in vain (rescans of rejected frames included)
 * before it drops a connection that yields no good frame: PROTOCOL.md 5.4.
 */
#define VMC_MAX_WASTED		(4 * VMC_FRAME_MAX)

#define VMC_MAP_REQ_SIZE	12
#define VMC_MAP_RESP_FIXED	40
#define VMC_BLOCK_REC_SIZE	48
#define VMC_MAP_RESP_MAX_BLOCKS \
	((VMC_MAX_PAYLOAD - VMC_MAP_RESP_FIXED) / VMC_BLOCK_REC_SIZE)

/*
 * VACATE_REQ and VACATE_RESP: at most VMC_VACATE_MAX_BLOCKS blocks per
 * request (1 GiB of 2 MiB blocks), so that every response fits a frame.
 */
#define VMC_VACATE_MAX_BLOCKS	512
#define VMC_VACATE_REQ_FIXED	16
#define VMC_VACATE_RESP_FIXED	24
#define VMC_RESULT_REC_SIZE	120
#define VMC_VACATE_ALL		0xffffffffu	/* CHEAPEST count: all blocks */
#define VMC_VACATE_CHEAPEST	(1u << 0)	/* VACATE_REQ flags */

/* CENSUS_RESP: at most VMC_CENSUS_MAX_ENTRIES caches per answer. */
#define VMC_CENSUS_MAX_ENTRIES	1024
#define VMC_CENSUS_RESP_FIXED	16
#define VMC_CENSUS_REC_SIZE	48

#define VMC_RESPONSE		0x8000

enum vmc_type {
	VMC_HELLO_REQ	= 0x0001,
	VMC_MAP_REQ	= 0x0002,
	VMC_VACATE_REQ	= 0x0003,
	VMC_RELEASE_REQ	= 0x0004,
	VMC_CENSUS_REQ	= 0x0005,
	VMC_ERROR	= VMC_RESPONSE,
	VMC_HELLO_RESP	= VMC_RESPONSE | VMC_HELLO_REQ,
	VMC_MAP_RESP	= VMC_RESPONSE | VMC_MAP_REQ,
	VMC_VACATE_RESP	= VMC_RESPONSE | VMC_VACATE_REQ,
	VMC_RELEASE_RESP = VMC_RESPONSE | VMC_RELEASE_REQ,
	VMC_CENSUS_RESP	= VMC_RESPONSE | VMC_CENSUS_REQ,
};

/* ERROR codes, PROTOCOL.md section 3.4. */
enum vmc_err_code {
	VMC_ERR_BAD_FRAME	= 1,
	VMC_ERR_BAD_CRC		= 2,
	VMC_ERR_UNKNOWN_TYPE	= 3,
	VMC_ERR_VERSION		= 4,
	VMC_ERR_TOO_BIG		= 5,
	VMC_ERR_BAD_PAYLOAD	= 6,
	VMC_ERR_DEVICE		= 7,
};

/* HELLO_RESP capability bits. */
#define VMC_CAP_MAP		(1u << 0)
#define VMC_CAP_VACATE		(1u << 1)	/* VACATE_REQ and RELEASE_REQ */
#define VMC_CAP_CENSUS		(1u << 2)	/* CENSUS_REQ */

/* A frame as received; payload points into the receiver's buffer. */
struct vmc_frame {
	uint16_t version;
	uint16_t type;
	uint32_t seq;
	uint32_t len;
	const uint8_t *payload;
};

struct vmc_hello {
	uint32_t caps;
	uint32_t page_size;
	uint32_t block_pages;	/* 0: the agent could not query /dev/vacate */
	uint16_t version;	/* highest protocol version the agent speaks */
	char name[VMC_MAX_STRING + 1];
};

struct vmc_map_req {
	uint64_t start_pfn;
	uint32_t max_blocks;
};

/* The fixed part of MAP_RESP; the block records travel separately. */
struct vmc_map_resp {
	uint64_t start_pfn;
	uint64_t min_pfn;
	uint64_t max_pfn;
	uint64_t next_pfn;
	uint32_t block_pages;
	uint32_t nr;
};

/*
 * VACATE_REQ: mode is a VACATE_MODE_*; with VMC_VACATE_CHEAPEST in flags,
 * count is K (or VMC_VACATE_ALL) and pfns is unused, else count pfns
 * name the blocks by their first pfn.
 */
struct vmc_vacate_req {
	uint32_t mode;
	uint32_t count;
	uint32_t flags;
	uint64_t pfns[VMC_VACATE_MAX_BLOCKS];
};

/* The fixed part of VACATE_RESP; the results travel separately. */
struct vmc_vacate_resp {
	uint32_t mode;
	uint32_t acted;		/* blocks acted on */
	uint32_t done;		/* emptied (FREE, HOLD) or possible (PROBE) */
	uint32_t nr;		/* results that follow: the first acted on */
	uint64_t wall_ns;	/* the guest's time for the request */
};

/* The fixed part of CENSUS_RESP (VACATE_IOC_CENSUS's answer). */
struct vmc_census_resp {
	uint32_t blocks;	/* otherwise-free blocks */
	uint32_t slab_pages;	/* the slab pages in them */
	uint32_t found;		/* caches with slab pages there */
	uint32_t nr;		/* entries that follow: min(found, room) */
};

/*
 * An ERROR payload, and also how a decoder explains why it refused a
 * payload (code VMC_ERR_BAD_PAYLOAD), so the agent can send that back as is.
 */
struct vmc_error {
	uint32_t code;
	uint32_t sys_errno;
	char msg[VMC_MAX_STRING + 1];
};

const char *vmc_strerror(uint32_t code);
const char *vmc_type_name(uint16_t type);

__attribute__((format(printf, 4, 5)))
void vmc_error_set(struct vmc_error *e, uint32_t code, uint32_t sys_errno,
		   const char *fmt, ...);

/*
 * Frame a payload of len bytes already stored at buf + VMC_HDR_SIZE: write
 * the header and the crc.  The message encoders below use it with
 * VMC_PROTO_VERSION; it takes any version and type so tests and tools can
 * build frames a normal sender would not.
 */
size_t vmc_frame_seal(uint8_t *buf, size_t cap, uint16_t version,
		      uint16_t type, uint32_t seq, size_t len);

size_t vmc_encode_hello_req(uint8_t *buf, size_t cap, uint32_t seq);
size_t vmc_encode_hello_resp(uint8_t *buf, size_t cap, uint32_t seq,
			     const struct vmc_hello *h);
size_t vmc_encode_map_req(uint8_t *buf, size_t cap, uint32_t seq,
			  const struct vmc_map_req *req);
size_t vmc_encode_map_resp(uint8_t *buf, size_t cap, uint32_t seq,
			   const struct vmc_map_resp *m,
			   const struct vacate_block *blocks);
size_t vmc_encode_error(uint8_t *buf, size_t cap, uint32_t seq,
			const struct vmc_error *e);

/* Decoders: 0 on success, -1 with *err set (VMC_ERR_BAD_PAYLOAD). */
int vmc_decode_hello_resp(const struct vmc_frame *f, struct vmc_hello *h,
			  struct vmc_error *err);
int vmc_decode_map_req(const struct vmc_frame *f, struct vmc_map_req *req,
		       struct vmc_error *err);
int vmc_decode_error(const struct vmc_frame *f, struct vmc_error *e,
		     struct vmc_error *err);

/*
 * Decode a MAP_RESP and check it against the request it answers: every
 * invariant of PROTOCOL.md section 6 that one response can break.  blocks
 * must have room for min(req->max_blocks, VMC_MAP_RESP_MAX_BLOCKS) entries.
 */
int vmc_decode_map_resp(const struct vmc_frame *f,
			const struct vmc_map_req *req, struct vmc_map_resp *m,
			struct vacate_block *blocks, struct vmc_error *err);

/*
 * Those checks alone, of an answer to req already in *m and blocks: what
 * vmc_decode_map_resp() ends with, and what the guest's own tools check
 * the kernel's VACATE_IOC_MAP answer with.
 */
int vmc_check_map_resp(const struct vmc_map_req *req,
		       const struct vmc_map_resp *m,
		       const struct vacate_block *blocks, struct vmc_error *err);

size_t vmc_encode_vacate_req(uint8_t *buf, size_t cap, uint32_t seq,
			     const struct vmc_vacate_req *req);
size_t vmc_encode_vacate_resp(uint8_t *buf, size_t cap, uint32_t seq,
			      const struct vmc_vacate_resp *v,
			      const struct vacate_result *results);
size_t vmc_encode_release_req(uint8_t *buf, size_t cap, uint32_t seq);
size_t vmc_encode_release_resp(uint8_t *buf, size_t cap, uint32_t seq);

/*
 * A VACATE_REQ: its length, mode, flags and count; the pfns are the
 * guest kernel's to check (alignment, RAM, repeats).
 */
int vmc_decode_vacate_req(const struct vmc_frame *f,
			  struct vmc_vacate_req *req, struct vmc_error *err);

/*
 * A VACATE_RESP, against the request it answers and the guest's
 * block_pages (from HELLO_RESP): PROTOCOL.md section 6.  results needs
 * room for VMC_VACATE_MAX_BLOCKS entries.
 */
int vmc_decode_vacate_resp(const struct vmc_frame *f,
			   const struct vmc_vacate_req *req,
			   uint32_t block_pages, struct vmc_vacate_resp *v,
			   struct vacate_result *results,
			   struct vmc_error *err);

size_t vmc_encode_census_req(uint8_t *buf, size_t cap, uint32_t seq,
			     uint32_t room);
int vmc_decode_census_req(const struct vmc_frame *f, uint32_t *room,
			  struct vmc_error *err);
size_t vmc_encode_census_resp(uint8_t *buf, size_t cap, uint32_t seq,
			      const struct vmc_census_resp *c,
			      const struct vacate_census_entry *entries);

/*
 * A CENSUS_RESP to a request with room entries: its length, entry count
 * and names.  entries needs room for room entries.
 */
int vmc_decode_census_resp(const struct vmc_frame *f, uint32_t room,
			   struct vmc_census_resp *c,
			   struct vacate_census_entry *entries,
			   struct vmc_error *err);

/* HELLO_REQ, RELEASE_REQ and RELEASE_RESP carry nothing. */
int vmc_decode_empty(const struct vmc_frame *f, struct vmc_error *err);

/*
 * Incremental stream parser, PROTOCOL.md section 5.  It holds at most one
 * frame; embed it (it is about 64 KiB) rather than putting it on a stack.
 */
struct vmc_parser {
	size_t start;		/* scan position in buf */
	size_t end;		/* end of the bytes held */
	bool resyncing;		/* skipping after an error already reported */
	size_t wasted;		/* bytes scanned in vain since the last good frame */
	uint8_t buf[VMC_FRAME_MAX];
};

/*
 * What the parser found: a frame (error == 0) or a rejected stretch of the
 * stream (error is a VMC_ERR_* code, why says what was wrong, and frame
 * holds the header fields if a header had been read, zeros otherwise).
 */
struct vmc_event {
	uint32_t error;
	const char *why;
	struct vmc_frame frame;
};

void vmc_parser_reset(struct vmc_parser *p);

/*
 * Consume input from *data, *len (both advanced) until one event is found:
 * return true with *ev filled, or false once all input is used up.  Call
 * again, even with no new input, until it returns false: an error may
 * leave held bytes to rescan.  A frame's payload stays valid until the
 * next call.
 */
bool vmc_parser_feed(struct vmc_parser *p, const uint8_t **data,
		     size_t *len, struct vmc_event *ev);

/* Whether part of a frame is held, waiting for more bytes. */
bool vmc_parser_pending(const struct vmc_parser *p);

/*
 * Bytes scanned in vain since the last frame with a good crc: skipped
 * bytes, and every byte of each rejected candidate frame, rescans
 * included.  A stream of overlapping fake headers costs a receiver a crc
 * over up to 64 KiB per 4 bytes it advances: past VMC_MAX_WASTED, drop
 * the sender.
 */
size_t vmc_parser_wasted(const struct vmc_parser *p);

/*
 * The sender fell silent in the middle of a frame (PROTOCOL.md 5.3): give
 * the frame up.  Returns true with *ev set if that is an error to report.
 * Then drain with vmc_parser_feed() as after any error.
 */
bool vmc_parser_expire(struct vmc_parser *p, struct vmc_event *ev);

#endif /* VMCOMPACT_PROTO_H */

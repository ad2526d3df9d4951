/*
 * Private to the codec: little-endian cursors over a byte buffer, and the
 * glue between them and frames.
 *
 * The writer keeps counting past the end of its buffer without writing, and
 * the reader turns into a sticky error instead of reading past the end, so
 * an encoder or decoder checks once, at the end, instead of after each
 * field.
 */
#ifndef VMC_WIRE_H
#define VMC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vmcompact/proto.h>

struct wr {
	uint8_t *p;
	size_t cap;
	size_t len;	/* > cap once something did not fit */
};

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool short_read;
};

static inline void wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->len <= w->cap && n <= w->cap - w->len)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

static inline void wr_le(struct wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	wr_bytes(w, b, n);
}

static inline void wr_u8(struct wr *w, uint8_t v)   { wr_le(w, v, 1); }
static inline void wr_u16(struct wr *w, uint16_t v) { wr_le(w, v, 2); }
static inline void wr_u32(struct wr *w, uint32_t v) { wr_le(w, v, 4); }
static inline void wr_u64(struct wr *w, uint64_t v) { wr_le(w, v, 8); }

static inline bool wr_ok(const struct wr *w)
{
	return w->len <= w->cap;
}

/* NULL, with the cursor marked short, if n bytes are not there. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	const uint8_t *b;

	if (r->short_read || n > r->len - r->off) {
		r->short_read = true;
		return NULL;
	}
	b = r->p + r->off;
	r->off += n;
	return b;
}

static inline uint64_t rd_le(struct rd *r, size_t n)
{
	const uint8_t *b = rd_bytes(r, n);
	uint64_t v = 0;

	for (size_t i = 0; b && i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static inline uint8_t rd_u8(struct rd *r)   { return (uint8_t)rd_le(r, 1); }
static inline uint16_t rd_u16(struct rd *r) { return (uint16_t)rd_le(r, 2); }
static inline uint32_t rd_u32(struct rd *r) { return (uint32_t)rd_le(r, 4); }
static inline uint64_t rd_u64(struct rd *r) { return rd_le(r, 8); }

/* All bytes read, none missing: what every fixed-size payload must be. */
static inline bool rd_done(const struct rd *r)
{
	return !r->short_read && r->off == r->len;
}

static inline struct rd payload_reader(const struct vmc_frame *f)
{
	struct rd r = { .p = f->payload, .len = f->len };

	return r;
}

static inline bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * A cache name in a fixed field of size bytes (PROTOCOL.md 3.6): printable
 * ASCII, NUL-terminated and NUL-padded, so that nothing of the sender's
 * memory beyond the name travels.  The writer cuts a name that fills the
 * field one byte short.
 */
static inline void put_fixed_name(struct wr *w, const char *name, size_t size)
{
	size_t end = strnlen(name, size - 1);

	for (size_t i = 0; i < size; i++)
		wr_u8(w, i < end ? (uint8_t)name[i] : 0);
}

static inline bool fixed_name_ok(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		return false;
	for (size_t i = 0; i < size; i++)
		if (i < n ? (s[i] < 0x20 || s[i] > 0x7e) : s[i])
			return false;
	return true;
}

/* Refuse a payload: set *err to VMC_ERR_BAD_PAYLOAD and return -1. */
__attribute__((format(printf, 2, 3)))
int vmc_bad_payload(struct vmc_error *err, const char *fmt, ...);

/* A writer for the payload of a frame to be built in buf. */
static inline struct wr payload_writer(uint8_t *buf, size_t cap)
{
	struct wr w = { .p = buf };	/* cap 0 if not even a header fits */

	if (cap >= VMC_HDR_SIZE) {
		w.p = buf + VMC_HDR_SIZE;
		w.cap = cap - VMC_HDR_SIZE;
	}
	if (w.cap > VMC_MAX_PAYLOAD)
		w.cap = VMC_MAX_PAYLOAD;
	return w;
}

/* Seal a payload written with payload_writer(); 0 if it did not fit. */
static inline size_t seal_payload(uint8_t *buf, size_t cap, uint16_t type,
				  uint32_t seq, const struct wr *w)
{
	if (!wr_ok(w))
		return 0;
	return vmc_frame_seal(buf, cap, VMC_PROTO_VERSION, type, seq, w->len);
}

#endif /* VMC_WIRE_H */

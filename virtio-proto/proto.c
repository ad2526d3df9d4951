/*
 * Frames and the small messages: names, errors, strings, HELLO and ERROR.
 * MAP_REQ and MAP_RESP live in map.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include <vmcompact/proto.h>
#include "wire.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *vmc_strerror(uint32_t code)
{
	static const char *const names[] = {
		[VMC_ERR_BAD_FRAME]	= "bad frame",
		[VMC_ERR_BAD_CRC]	= "bad crc",
		[VMC_ERR_UNKNOWN_TYPE]	= "unknown message type",
		[VMC_ERR_VERSION]	= "unsupported protocol version",
		[VMC_ERR_TOO_BIG]	= "frame too big",
		[VMC_ERR_BAD_PAYLOAD]	= "bad payload",
		[VMC_ERR_DEVICE]	= "device error",
	};

	if (code < ARRAY_SIZE(names) && names[code])
		return names[code];
	return "unknown error";
}

const char *vmc_type_name(uint16_t type)
{
	switch (type) {
	case VMC_HELLO_REQ:	return "HELLO_REQ";
	case VMC_HELLO_RESP:	return "HELLO_RESP";
	case VMC_MAP_REQ:	return "MAP_REQ";
	case VMC_MAP_RESP:	return "MAP_RESP";
	case VMC_VACATE_REQ:	return "VACATE_REQ";
	case VMC_VACATE_RESP:	return "VACATE_RESP";
	case VMC_RELEASE_REQ:	return "RELEASE_REQ";
	case VMC_RELEASE_RESP:	return "RELEASE_RESP";
	case VMC_CENSUS_REQ:	return "CENSUS_REQ";
	case VMC_CENSUS_RESP:	return "CENSUS_RESP";
	case VMC_ERROR:		return "ERROR";
	default:		return "unknown";
	}
}

static void error_vset(struct vmc_error *e, uint32_t code, uint32_t sys_errno,
		       const char *fmt, va_list ap)
{
	e->code = code;
	e->sys_errno = sys_errno;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	/*
	 * Messages quote paths and strerror() text.  Keeping them printable
	 * ASCII means the ERROR encoder can never refuse one (and truncation
	 * cannot split a UTF-8 sequence).
	 */
	for (char *c = e->msg; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

void vmc_error_set(struct vmc_error *e, uint32_t code, uint32_t sys_errno,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(e, code, sys_errno, fmt, ap);
	va_end(ap);
}

int vmc_bad_payload(struct vmc_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, VMC_ERR_BAD_PAYLOAD, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Length of the character at s (n > 0 bytes left) if it is well-formed
 * UTF-8 and not a control character, else 0.
 */
static size_t utf8_char(const uint8_t *s, size_t n)
{
	static const uint32_t shortest[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f) ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < shortest[len] || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff || c <= 0x9f)	/* overlong, surrogate, C1 control */
		return 0;
	return len;
}

static bool string_ok(const uint8_t *s, size_t n)
{
	while (n) {
		size_t len = utf8_char(s, n);

		if (!len)
			return false;
		s += len;
		n -= len;
	}
	return true;
}

static bool put_string(struct wr *w, const char *s)
{
	const char *end = memchr(s, '\0', VMC_MAX_STRING + 1);
	size_t n = end ? (size_t)(end - s) : 0;

	if (!end || !string_ok((const uint8_t *)s, n))
		return false;
	wr_u16(w, (uint16_t)n);
	wr_bytes(w, s, n);
	return true;
}

/* dst has room for VMC_MAX_STRING + 1 bytes. */
static bool get_string(struct rd *r, char *dst)
{
	uint16_t n = rd_u16(r);
	const uint8_t *s = rd_bytes(r, n);

	if (!s || n > VMC_MAX_STRING || !string_ok(s, n))
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

size_t vmc_frame_seal(uint8_t *buf, size_t cap, uint16_t version,
		      uint16_t type, uint32_t seq, size_t len)
{
	struct wr w = { .p = buf, .cap = VMC_HDR_SIZE };
	uint32_t crc;

	if (cap < VMC_HDR_SIZE || len > VMC_MAX_PAYLOAD ||
	    len > cap - VMC_HDR_SIZE)
		return 0;
	wr_u32(&w, VMC_MAGIC);
	wr_u16(&w, version);
	wr_u16(&w, type);
	wr_u32(&w, seq);
	wr_u32(&w, (uint32_t)len);
	crc = (uint32_t)crc32(crc32(0, buf, (uInt)w.len), buf + VMC_HDR_SIZE,
			      (uInt)len);
	wr_u32(&w, crc);
	return VMC_HDR_SIZE + len;
}

size_t vmc_encode_hello_req(uint8_t *buf, size_t cap, uint32_t seq)
{
	return vmc_frame_seal(buf, cap, VMC_PROTO_VERSION, VMC_HELLO_REQ, seq, 0);
}

size_t vmc_encode_hello_resp(uint8_t *buf, size_t cap, uint32_t seq,
			     const struct vmc_hello *h)
{
	struct wr w = payload_writer(buf, cap);

	wr_u32(&w, h->caps);
	wr_u32(&w, h->page_size);
	wr_u32(&w, h->block_pages);
	wr_u16(&w, h->version);
	if (!put_string(&w, h->name))
		return 0;
	return seal_payload(buf, cap, VMC_HELLO_RESP, seq, &w);
}

size_t vmc_encode_error(uint8_t *buf, size_t cap, uint32_t seq,
			const struct vmc_error *e)
{
	struct wr w = payload_writer(buf, cap);

	wr_u32(&w, e->code);
	wr_u32(&w, e->sys_errno);
	if (!put_string(&w, e->msg))
		return 0;
	return seal_payload(buf, cap, VMC_ERROR, seq, &w);
}

int vmc_decode_empty(const struct vmc_frame *f, struct vmc_error *err)
{
	if (f->len)
		return vmc_bad_payload(err, "%s: payload must be empty, got %u bytes",
				       vmc_type_name(f->type), f->len);
	return 0;
}


int vmc_decode_hello_resp(const struct vmc_frame *f, struct vmc_hello *h,
			  struct vmc_error *err)
{
	struct rd r = payload_reader(f);

	h->caps = rd_u32(&r);
	h->page_size = rd_u32(&r);
	h->block_pages = rd_u32(&r);
	h->version = rd_u16(&r);
	if (!get_string(&r, h->name) || !rd_done(&r))
		return vmc_bad_payload(err, "HELLO_RESP: %u bytes do not hold its fields and a valid name",
				       f->len);
	if (!h->version)
		return vmc_bad_payload(err, "HELLO_RESP: protocol version 0");
	if (!pow2(h->page_size) || h->page_size < VMC_MIN_PAGE_SIZE ||
	    h->page_size > VMC_MAX_PAGE_SIZE)
		return vmc_bad_payload(err, "HELLO_RESP: page_size %u is not a power of two in [%u, %u]",
				       h->page_size, VMC_MIN_PAGE_SIZE,
				       VMC_MAX_PAGE_SIZE);
	if (h->block_pages &&
	    (!pow2(h->block_pages) || h->block_pages > VMC_MAX_BLOCK_PAGES))
		return vmc_bad_payload(err, "HELLO_RESP: block_pages %u is not 0 or a power of two up to %u",
				       h->block_pages, VMC_MAX_BLOCK_PAGES);
	return 0;
}

int vmc_decode_error(const struct vmc_frame *f, struct vmc_error *e,
		     struct vmc_error *err)
{
	struct rd r = payload_reader(f);

	e->code = rd_u32(&r);
	e->sys_errno = rd_u32(&r);
	if (!get_string(&r, e->msg) || !rd_done(&r))
		return vmc_bad_payload(err, "ERROR: %u bytes do not hold its fields and a valid message",
				       f->len);
	if (!e->code)
		return vmc_bad_payload(err, "ERROR: code 0");
	if ((e->code == VMC_ERR_DEVICE) != (e->sys_errno != 0))
		return vmc_bad_payload(err, "ERROR: code %u with errno %u (an errno goes with device errors only)",
				       e->code, e->sys_errno);
	return 0;
}

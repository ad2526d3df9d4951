/*
 * Incremental frame parser: PROTOCOL.md section 5.
 *
 * The bytes held in buf[start, end) are the candidate frame at the scan
 * position, plus, after an error, the bytes that followed it and still have
 * to be rescanned.  Input is copied in only as far as the candidate frame
 * needs, so buf never holds more than one maximal frame.
 */
#include <string.h>

#include <zlib.h>

#include <vmcompact/proto.h>
#include "wire.h"

static const uint8_t magic[4] = {
	VMC_MAGIC & 0xff, VMC_MAGIC >> 8 & 0xff,
	VMC_MAGIC >> 16 & 0xff, VMC_MAGIC >> 24,
};

/* Where the crc field sits in the header; it covers every byte before it. */
#define CRC_OFF 16

void vmc_parser_reset(struct vmc_parser *p)
{
	p->start = 0;
	p->end = 0;
	p->resyncing = false;
	p->wasted = 0;
}

size_t vmc_parser_wasted(const struct vmc_parser *p)
{
	return p->wasted;
}

static size_t held(const struct vmc_parser *p)
{
	return p->end - p->start;
}

bool vmc_parser_pending(const struct vmc_parser *p)
{
	return held(p) > 0;
}

/* Whether the held bytes can be the beginning of a magic. */
static bool magic_prefix(const struct vmc_parser *p)
{
	size_t n = held(p) < sizeof(magic) ? held(p) : sizeof(magic);

	return memcmp(p->buf + p->start, magic, n) == 0;
}

/* The header at the scan position; only call with a whole header held. */
static struct vmc_frame header(const struct vmc_parser *p, uint32_t *crc)
{
	struct rd r = { .p = p->buf + p->start, .len = VMC_HDR_SIZE };
	struct vmc_frame f;

	rd_u32(&r);	/* the magic, already matched */
	f.version = rd_u16(&r);
	f.type = rd_u16(&r);
	f.seq = rd_u32(&r);
	f.len = rd_u32(&r);
	*crc = rd_u32(&r);
	f.payload = p->buf + p->start + VMC_HDR_SIZE;
	return f;
}

/* Fill in an event: a frame (code 0) or an error.  Always true. */
static bool event(struct vmc_event *ev, uint32_t code, const char *why,
		  const struct vmc_frame *f)
{
	static const struct vmc_frame no_header;

	ev->error = code;
	ev->why = why;
	ev->frame = f ? *f : no_header;
	return true;
}

/* Skip one byte that cannot start a frame; only a run's first is news. */
static bool skip_garbage(struct vmc_parser *p, struct vmc_event *ev)
{
	bool news = !p->resyncing;

	p->start++;
	p->wasted++;
	p->resyncing = true;
	return news && event(ev, VMC_ERR_BAD_FRAME, "no frame magic", NULL);
}

/*
 * Reject the frame at the scan position, whose `scanned` bytes were looked
 * at for nothing, and resume right after its magic: its other bytes may
 * hold the start of a good frame.
 */
static bool reject_frame(struct vmc_parser *p, struct vmc_event *ev,
			 uint32_t code, const char *why,
			 const struct vmc_frame *f, size_t scanned)
{
	p->start += sizeof(magic);
	p->wasted += scanned;
	p->resyncing = true;
	return event(ev, code, why, f);
}

/* Look for the next event in the held bytes alone. */
static bool scan(struct vmc_parser *p, struct vmc_event *ev)
{
	struct vmc_frame f;
	uint32_t crc;

	while (held(p) && !magic_prefix(p))
		if (skip_garbage(p, ev))
			return true;
	if (held(p) < VMC_HDR_SIZE)
		return false;

	f = header(p, &crc);
	if (f.len > VMC_MAX_PAYLOAD)
		return reject_frame(p, ev, VMC_ERR_TOO_BIG,
				    "payload length over 65536", &f,
				    VMC_HDR_SIZE);
	if (held(p) < VMC_HDR_SIZE + f.len)
		return false;
	if (crc != crc32(crc32(0, p->buf + p->start, CRC_OFF), f.payload,
			 f.len))
		return reject_frame(p, ev, VMC_ERR_BAD_CRC, "crc mismatch", &f,
				    VMC_HDR_SIZE + f.len);

	/* The crc vouches for len: the frame's end is the next frame's start. */
	p->start += VMC_HDR_SIZE + f.len;
	p->resyncing = false;
	p->wasted = 0;
	if (f.version != VMC_PROTO_VERSION)
		return event(ev, VMC_ERR_VERSION,
			     "unsupported protocol version", &f);
	return event(ev, 0, NULL, &f);
}

/* How many more bytes the candidate frame needs, after scan() said "more". */
static size_t wanted(const struct vmc_parser *p)
{
	uint32_t crc;

	if (held(p) < VMC_HDR_SIZE)
		return VMC_HDR_SIZE - held(p);
	return VMC_HDR_SIZE + header(p, &crc).len - held(p);
}

static void take(struct vmc_parser *p, const uint8_t **data, size_t *len)
{
	size_t n = wanted(p);

	if (n > *len)
		n = *len;
	/* held + wanted never exceeds one frame, so this always makes room. */
	if (n > sizeof(p->buf) - p->end) {
		memmove(p->buf, p->buf + p->start, held(p));
		p->end -= p->start;
		p->start = 0;
	}
	memcpy(p->buf + p->end, *data, n);
	p->end += n;
	*data += n;
	*len -= n;
}

bool vmc_parser_feed(struct vmc_parser *p, const uint8_t **data, size_t *len,
		     struct vmc_event *ev)
{
	for (;;) {
		if (scan(p, ev))
			return true;
		if (!*len)
			return false;
		take(p, data, len);
	}
}

bool vmc_parser_expire(struct vmc_parser *p, struct vmc_event *ev)
{
	const struct vmc_frame *hdr = NULL;
	struct vmc_frame f;
	uint32_t crc;

	if (!held(p))
		return false;
	if (held(p) < sizeof(magic)) {
		/* A bare partial magic: garbage like any other. */
		bool news = !p->resyncing;

		p->wasted += held(p);
		p->start = p->end;
		p->resyncing = true;
		return news && event(ev, VMC_ERR_BAD_FRAME, "no frame magic",
				     NULL);
	}
	if (held(p) >= VMC_HDR_SIZE) {
		f = header(p, &crc);
		hdr = &f;
	}
	return reject_frame(p, ev, VMC_ERR_BAD_FRAME,
			    "frame abandoned before its end", hdr, held(p));
}

/*
 * send-raw: write bytes the user spelled out, malformed ones included, and
 * show every frame that comes back.  For tests and for poking at an agent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmcompact/json.h>

#include "ctl.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the first n characters of hex. */
static int append_hex(struct raw_bytes *raw, const char *hex, size_t n)
{
	if (n % 2) {
		fprintf(stderr, "vmcompactctl: odd number of hex digits in '%.*s'\n",
			(int)n, hex);
		return -1;
	}
	if (n / 2 > sizeof(raw->data) - raw->len) {
		fprintf(stderr, "vmcompactctl: more than %zu raw bytes\n",
			sizeof(raw->data));
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "vmcompactctl: '%.2s' is not a hex byte\n",
				hex + i);
			return -1;
		}
		raw->data[raw->len++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int raw_add_hex(struct raw_bytes *raw, const char *hex)
{
	return append_hex(raw, hex, strlen(hex));
}

/* A number in C syntax, ending at ':' or the end of the string. */
static int parse_field(const char **s, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(*s, &end, 0);
	if (errno || end == *s || (*end && *end != ':') || n > max)
		return -1;
	*v = (uint32_t)n;
	*s = end;
	return 0;
}

int raw_add_frame(struct raw_bytes *raw, const char *spec)
{
	uint32_t type, seq, version = VMC_PROTO_VERSION;
	const char *s = spec, *hex = "";
	size_t start = raw->len, hex_len = 0;

	if (parse_field(&s, UINT16_MAX, &type) || *s++ != ':' ||
	    parse_field(&s, UINT32_MAX, &seq))
		goto bad;
	if (*s == ':') {
		hex = ++s;
		hex_len = strcspn(s, ":");
		s += hex_len;
	}
	if (*s == ':') {
		s++;
		if (parse_field(&s, UINT16_MAX, &version))
			goto bad;
	}
	if (*s)
		goto bad;

	/* Room for a header first, then the payload goes right after it. */
	if (sizeof(raw->data) - raw->len < VMC_HDR_SIZE) {
		fprintf(stderr, "vmcompactctl: more than %zu raw bytes\n",
			sizeof(raw->data));
		return -1;
	}
	raw->len += VMC_HDR_SIZE;
	if (append_hex(raw, hex, hex_len) < 0)
		return -1;
	if (!vmc_frame_seal(raw->data + start, raw->len - start,
			    (uint16_t)version, (uint16_t)type, seq,
			    raw->len - start - VMC_HDR_SIZE)) {
		fprintf(stderr, "vmcompactctl: payload over %d bytes in '%s'\n",
			VMC_MAX_PAYLOAD, spec);
		return -1;
	}
	return 0;

bad:
	fprintf(stderr, "vmcompactctl: bad frame '%s', want TYPE:SEQ[:HEX[:VERSION]]\n",
		spec);
	return -1;
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* A payload the receiver can check on its own, decoded into o. */
static void add_payload(json_object *o, const struct vmc_frame *f)
{
	struct vmc_error bad, e;
	struct vmc_hello h;

	switch (f->type) {
	case VMC_ERROR:
		if (vmc_decode_error(f, &e, &bad))
			break;
		vmc_json_add_int(o, "code", e.code);
		add_str(o, "code_name", vmc_strerror(e.code));
		vmc_json_add_int(o, "errno", e.sys_errno);
		add_str(o, "msg", e.msg);
		return;
	case VMC_HELLO_RESP:
		if (vmc_decode_hello_resp(f, &h, &bad))
			break;
		vmc_json_add_int(o, "version", h.version);
		vmc_json_add_int(o, "caps", h.caps);
		vmc_json_add_int(o, "page_size", h.page_size);
		vmc_json_add_int(o, "block_pages", h.block_pages);
		add_str(o, "name", h.name);
		return;
	default:
		/* A MAP_RESP can only be checked against its request. */
		return;
	}
	add_str(o, "invalid", bad.msg);
}

/* A frame or a rejected stretch of input, as JSON. */
static json_object *event_json(const struct vmc_event *ev)
{
	const struct vmc_frame *f = &ev->frame;
	json_object *o = json_object_new_object();

	add_str(o, "event", ev->error ? "rx-error" : "frame");
	if (ev->error) {
		add_str(o, "error", vmc_strerror(ev->error));
		add_str(o, "why", ev->why);
	}
	vmc_json_add_int(o, "type", f->type);
	add_str(o, "type_name", vmc_type_name(f->type));
	vmc_json_add_int(o, "seq", f->seq);
	vmc_json_add_int(o, "len", f->len);
	if (!ev->error)
		add_payload(o, f);
	return o;
}

static const char *str(json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

static long long num(json_object *o, const char *key)
{
	return (long long)json_object_get_int64(json_object_object_get(o, key));
}

/* The same as one line of text. */
static void print_event(json_object *o)
{
	if (json_object_object_get_ex(o, "error", NULL)) {
		printf("rx-error %s (%s) seq=%lld type=0x%04llx len=%lld\n",
		       str(o, "error"), str(o, "why"), num(o, "seq"),
		       num(o, "type"), num(o, "len"));
		return;
	}
	printf("frame type=0x%04llx (%s) seq=%lld len=%lld", num(o, "type"),
	       str(o, "type_name"), num(o, "seq"), num(o, "len"));
	if (json_object_object_get_ex(o, "invalid", NULL))
		printf(" invalid: %s", str(o, "invalid"));
	else if (json_object_object_get_ex(o, "code", NULL))
		printf(" code=%lld (%s) errno=%lld msg=\"%s\"", num(o, "code"),
		       str(o, "code_name"), num(o, "errno"), str(o, "msg"));
	else if (json_object_object_get_ex(o, "version", NULL))
		printf(" version=%lld caps=0x%llx page_size=%lld block_pages=%lld name=\"%s\"",
		       num(o, "version"), num(o, "caps"), num(o, "page_size"),
		       num(o, "block_pages"), str(o, "name"));
	putchar('\n');
}

int raw_exchange(struct vmc_client *c, const struct raw_bytes *raw,
		 unsigned int expect, bool json)
{
	unsigned int frames = 0;
	struct vmc_event ev;
	int rc = 0;

	if (vmc_client_send(c, raw->data, raw->len) < 0)
		return -1;
	while ((!expect || frames < expect) &&
	       (rc = vmc_client_next(c, &ev, c->timeout_ms)) > 0) {
		json_object *o = event_json(&ev);

		if (json) {
			vmc_json_print(stdout, o);
		} else {
			print_event(o);
			json_object_put(o);
		}
		frames += !ev.error;
	}
	fflush(stdout);
	if (frames < expect && rc == 0)
		return vmc_client_fail(c, "got %u of %u expected frames within %d ms",
				       frames, expect, c->timeout_ms);
	return frames < expect ? -1 : 0;
}

/*
 * libFuzzer: the guest agent's request handler (guest-agent/handler.c and
 * vacate.c, with the library's /dev/vacate calls) on any byte stream from
 * the host, over a device that answers anything: the ioctl is this
 * file's, and says what the input says.
 *
 * Input: two bytes of length, that many bytes of host stream, then the
 * device's answers.  Every answer of the agent must be one good frame
 * with the request's seq, of the request's response type or ERROR; a
 * MAP_RESP or HELLO_RESP must pass the host's checks.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vmcompact/proto.h>

#include "../../guest-agent/agent.h"

static const uint8_t *dev_data;
static size_t dev_size;
static struct vmc_parser host_side, reader;
static uint8_t out[VMC_FRAME_MAX];
static struct vacate_block check_blocks[VMC_MAP_RESP_MAX_BLOCKS];

void agent_log(const char *fmt, ...)
{
	(void)fmt;
}

/* n bytes of what the device says into p (zeros past its end). */
static void device_says(void *p, size_t n)
{
	size_t k = n < dev_size ? n : dev_size;

	memcpy(p, dev_data, k);
	memset((uint8_t *)p + k, 0, n - k);
	dev_data += k;
	dev_size -= k;
}

/* The device: whatever the input says, within the caller's buffers. */
int ioctl(int fd, unsigned long cmd, ...)
{
	struct vacate_request *q;
	struct vacate_census *c;
	struct vacate_map *m;
	uint8_t fails;
	uint32_t n;
	va_list ap;

	(void)fd;
	va_start(ap, cmd);
	q = va_arg(ap, void *);
	va_end(ap);
	device_says(&fails, 1);
	if (fails & 1) {
		errno = fails >> 1 ? fails >> 1 : EIO;
		return -1;
	}
	m = (void *)q;
	c = (void *)q;
	switch (cmd) {
	case VACATE_IOC_MAP:
		n = m->nr_blocks;
		device_says(&m->start_pfn, 8);
		device_says(&m->nr_blocks, 8);
		device_says(&m->min_pfn, 24);
		device_says((void *)(uintptr_t)m->blocks,
			    (m->nr_blocks < n ? m->nr_blocks : n) *
			    sizeof(struct vacate_block));
		break;
	case VACATE_IOC_VACATE:
	case VACATE_IOC_CHEAPEST:
		n = q->pfns ? q->nr_blocks : q->max_results;
		device_says(&q->nr_blocks, 4);
		device_says(&q->done, 4);
		device_says((void *)(uintptr_t)q->results,
			    (q->nr_blocks < n ? q->nr_blocks : n) *
			    sizeof(struct vacate_result));
		break;
	case VACATE_IOC_CENSUS:
		n = c->nr_entries;
		device_says(&c->nr_entries, 12);
		device_says((void *)(uintptr_t)c->entries,
			    (c->nr_entries < n ? c->nr_entries : n) *
			    sizeof(struct vacate_census_entry));
		break;
	}
	return 0;
}

/* The agent's answer to ev, checked as the host would take it. */
static void check_answer(const struct vmc_event *ev, size_t len)
{
	const uint8_t *p = out;
	struct vmc_event got;
	struct vmc_hello h;
	struct vmc_map_req req;
	struct vmc_map_resp m;
	struct vmc_error err;

	vmc_parser_reset(&reader);
	assert(vmc_parser_feed(&reader, &p, &len, &got) && !got.error && !len);
	assert(got.frame.seq == ev->frame.seq);
	if (got.frame.type == VMC_ERROR) {
		assert(!vmc_decode_error(&got.frame, &err, &err));
		return;
	}
	assert(!ev->error && got.frame.type == (ev->frame.type | VMC_RESPONSE));
	if (got.frame.type == VMC_HELLO_RESP)
		assert(!vmc_decode_hello_resp(&got.frame, &h, &err));
	if (got.frame.type == VMC_MAP_RESP) {
		assert(!vmc_decode_map_req(&ev->frame, &req, &err));
		assert(!vmc_decode_map_resp(&got.frame, &req, &m, check_blocks, &err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t stream = size >= 2 ? (size_t)data[0] | (size_t)data[1] << 8 : 0;
	const uint8_t *p = data + 2;
	struct vmc_event ev;

	if (size < 2)
		return 0;
	if (stream > size - 2)
		stream = size - 2;
	dev_data = p + stream;
	dev_size = size - 2 - stream;
	vmc_parser_reset(&host_side);
	while (vmc_parser_feed(&host_side, &p, &stream, &ev))
		check_answer(&ev, agent_answer("/dev/null", &ev, out));
	return 0;
}

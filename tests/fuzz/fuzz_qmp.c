/*
 * libFuzzer: vmcompactd's QMP reader (host-agent/vmcompactd/qmp_reader.c)
 * on any bytes, fed in two pieces: each message it hands on is a JSON
 * object no longer than the limit, classified without crashing, and a
 * stream it refuses leaves the reader usable after a reset.
 */
#include <assert.h>
#include <string.h>

#include "../../host-agent/vmcompactd/qmp_reader.h"

static struct vmcd_qmp_reader reader;

static bool message(void *ctx, json_object *msg)
{
	struct vmcd_qmp_message m;
	unsigned int *n = ctx;

	assert(json_object_is_type(msg, json_type_object));
	vmcd_qmp_classify(msg, &m);
	assert(m.kind != QMP_ERROR || m.desc);
	assert(m.kind != QMP_EVENT || m.event);
	assert(m.kind != QMP_RETURN || json_object_object_get_ex(msg, "return", NULL));
	return ++*n < 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size ? data[0] % (size + 1) : 0;
	unsigned int n = 0;

	if (!reader.tok)
		assert(vmcd_qmp_reader_init(&reader) == 0);
	vmcd_qmp_reader_reset(&reader);
	if (vmcd_qmp_read(&reader, (const char *)data, cut, message, &n) == 0)
		vmcd_qmp_read(&reader, (const char *)data + cut, size - cut,
			      message, &n);
	return 0;
}

/*
 * QMP's byte stream as messages: JSON objects one after another, each at
 * most VMCD_QMP_MAX_MESSAGE bytes, and what a message is.  No I/O: qmp.c
 * feeds it what QEMU sends, and so does the fuzzer.
 */
#ifndef VMCD_QMP_READER_H
#define VMCD_QMP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* More than any answer vmcompactd asks for: a QEMU that says more is cut off. */
#define VMCD_QMP_MAX_MESSAGE	(256 * 1024)

struct vmcd_qmp_reader {
	json_tokener *tok;
	size_t partial;		/* bytes of the message being parsed */
};

/* 0, or -1 out of memory. */
int vmcd_qmp_reader_init(struct vmcd_qmp_reader *r);
void vmcd_qmp_reader_reset(struct vmcd_qmp_reader *r);
void vmcd_qmp_reader_free(struct vmcd_qmp_reader *r);

/*
 * Feed len bytes: message() gets each whole message (valid during the
 * call) and returns false to stop.  0, or -1 if the bytes are not JSON
 * or a message is too long.
 */
int vmcd_qmp_read(struct vmcd_qmp_reader *r, const char *p, size_t len,
		  bool (*message)(void *ctx, json_object *msg), void *ctx);

enum vmcd_qmp_kind {
	QMP_GREETING,		/* {"QMP": ...} */
	QMP_EVENT,		/* {"event": ...} */
	QMP_RETURN,		/* {"return": ..., "id": N} */
	QMP_ERROR,		/* {"error": {"desc": ...}, "id": N} */
	QMP_OTHER,		/* anything else: ignored */
};

struct vmcd_qmp_message {
	enum vmcd_qmp_kind kind;
	int64_t id;		/* -1 if none or not a number */
	json_object *ret;	/* QMP_RETURN */
	const char *desc;	/* QMP_ERROR: never NULL */
	const char *event;	/* QMP_EVENT: its name, never NULL */
};

void vmcd_qmp_classify(json_object *msg, struct vmcd_qmp_message *m);

#endif /* VMCD_QMP_READER_H */

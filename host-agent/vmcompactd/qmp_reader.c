/* QMP messages from a byte stream (qmp_reader.h). */
#include "qmp_reader.h"

int vmcd_qmp_reader_init(struct vmcd_qmp_reader *r)
{
	r->partial = 0;
	r->tok = json_tokener_new();
	return r->tok ? 0 : -1;
}

void vmcd_qmp_reader_reset(struct vmcd_qmp_reader *r)
{
	json_tokener_reset(r->tok);
	r->partial = 0;
}

void vmcd_qmp_reader_free(struct vmcd_qmp_reader *r)
{
	if (r->tok)
		json_tokener_free(r->tok);
	r->tok = NULL;
}

int vmcd_qmp_read(struct vmcd_qmp_reader *r, const char *p, size_t len,
		  bool (*message)(void *ctx, json_object *msg), void *ctx)
{
	while (len) {
		json_object *msg;
		size_t used;
		bool more;

		/* Whitespace between messages: the tokener takes the rest. */
		if (!r->partial && (*p == '\r' || *p == '\n' || *p == ' ')) {
			p++;
			len--;
			continue;
		}
		msg = json_tokener_parse_ex(r->tok, p, (int)len);
		used = json_tokener_get_parse_end(r->tok);
		r->partial += used;
		if (!msg && json_tokener_get_error(r->tok) == json_tokener_continue &&
		    r->partial <= VMCD_QMP_MAX_MESSAGE)
			return 0;
		vmcd_qmp_reader_reset(r);
		if (!msg || !json_object_is_type(msg, json_type_object)) {
			json_object_put(msg);
			return -1;
		}
		more = message(ctx, msg);
		json_object_put(msg);
		if (!more)
			return 0;
		p += used;
		len -= used;
	}
	return 0;
}

void vmcd_qmp_classify(json_object *msg, struct vmcd_qmp_message *m)
{
	json_object *id, *error, *desc, *event;

	*m = (struct vmcd_qmp_message){ .kind = QMP_OTHER, .id = -1 };
	if (json_object_object_get_ex(msg, "id", &id) &&
	    json_object_is_type(id, json_type_int))
		m->id = json_object_get_int64(id);
	if (json_object_object_get_ex(msg, "QMP", NULL)) {
		m->kind = QMP_GREETING;
	} else if (json_object_object_get_ex(msg, "event", &event)) {
		m->kind = QMP_EVENT;
		m->event = json_object_is_type(event, json_type_string) ?
			   json_object_get_string(event) : "";
	} else if (json_object_object_get_ex(msg, "error", &error)) {
		m->kind = QMP_ERROR;
		desc = json_object_object_get(error, "desc");
		m->desc = json_object_is_type(desc, json_type_string) ?
			  json_object_get_string(desc) : "error";
	} else if (json_object_object_get_ex(msg, "return", &m->ret)) {
		m->kind = QMP_RETURN;
	}
}

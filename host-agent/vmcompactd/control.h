/*
 * vmcompactd's control socket (--control PATH), for vmcompactctl status
 * and cycle: one request line per connection, one JSON line back.
 *
 *   status       {"vms":[{"name":..., "step":..., "totals", "last":{cycle}}]}
 *   cycle NAME   {"ok":true} once a cycle of NAME is due now, else
 *                {"error":"..."}
 *
 * Anyone who can connect can ask for cycles: the socket is created 0600.
 */
#ifndef VMCD_CONTROL_H
#define VMCD_CONTROL_H

#include <json-c/json.h>

#include "loop.h"

struct vmcd_control_ops {
	json_object *(*status)(void);
	/* 0, or -1 with the reason in err */
	int (*cycle)(const char *name, char *err, size_t err_size);
};

/* Listen at path (replacing a stale socket): 0, or -1 with err set. */
int vmcd_control_open(struct vmcd_loop *l, const char *path,
		      const struct vmcd_control_ops *ops, char *err,
		      size_t err_size);

/* Drop clients that have not sent their line within a few seconds. */
void vmcd_control_tick(int64_t now_ms);

/* Stop listening, remove the socket, drop the clients. */
void vmcd_control_close(void);

#endif /* VMCD_CONTROL_H */

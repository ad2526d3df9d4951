/*
 * vmcompactd's control sockets: --control PATH (a unix socket, 0600) for
 * vmcompactctl, one request line per connection and one JSON line back:
 *
 *   status            {"time":..., "vms":[{"name":..., "step":..., totals,
 *                     "last":{cycle}}]}
 *   cycle NAME        {"ok":true} once a cycle of NAME is due now
 *   reclaim NAME MIB  answered when the cycle it starts is over: what it
 *                     got (vm.h)
 *   metrics           Prometheus text (not JSON), then the socket closes
 *
 * and errors as {"error":"..."}.  --metrics ADDR:PORT serves the same
 * metrics over HTTP (GET /metrics) on TCP, for Prometheus; it answers
 * nothing else.  Anyone who can connect to the unix socket can ask for
 * cycles: it is created 0600.
 */
#ifndef VMCD_CONTROL_H
#define VMCD_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "loop.h"

struct vmcd_control_ops {
	json_object *(*status)(void);
	/* 0, or -1 with the reason in err */
	int (*cycle)(const char *name, char *err, size_t err_size);
	/*
	 * 0: the answer comes later, through vmcd_control_reply(id); or -1
	 * with the reason in err.
	 */
	int (*reclaim)(const char *name, uint64_t mib, unsigned int id,
		       char *err, size_t err_size);
	/* The metrics as text (malloc'd), or NULL out of memory. */
	char *(*metrics)(void);
};

/* Listen at path (replacing a stale socket): 0, or -1 with err set. */
int vmcd_control_open(struct vmcd_loop *l, const char *path,
		      const struct vmcd_control_ops *ops, char *err,
		      size_t err_size);

/* Serve metrics over HTTP at HOST:PORT: 0, or -1 with err set. */
int vmcd_control_open_http(struct vmcd_loop *l, const char *addr,
			   const struct vmcd_control_ops *ops, char *err,
			   size_t err_size);

/* The answer to a deferred request (taken over); dropped if it is gone. */
void vmcd_control_reply(unsigned int id, json_object *answer);

/* Drop clients that have not sent their request within a few seconds. */
void vmcd_control_tick(int64_t now_ms);

/* Stop listening, remove the socket, drop the clients. */
void vmcd_control_close(void);

#endif /* VMCD_CONTROL_H */

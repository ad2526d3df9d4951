/* A cycle as the JSON object of its log line (vm.h). */
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "vm.h"

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

json_object *vmcd_cycle_json(const struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;
	json_object *o = json_object_new_object();
	char now[40];

	json_object_object_add(o, "time", json_object_new_string(
		vmcd_timestamp(now, sizeof(now))));
	json_object_object_add(o, "vm", json_object_new_string(vm->name));
	put_u64(o, "cycle", c->n);
	json_object_object_add(o, "return", json_object_new_string(
		vm->pol.balloon ? "balloon" : "free-page-reporting"));
	if (c->reclaim_mib)
		put_u64(o, "reclaim_mib", c->reclaim_mib);
	if (c->available)
		put_u64(o, "available_mib", c->available >> 20);
	if (c->deflated)
		put_u64(o, "deflated_mib", c->deflated >> 20);
	put_u64(o, "candidates", c->candidates);
	put_u64(o, "possible", c->possible);
	put_u64(o, "acted", c->acted);
	put_u64(o, "done", c->done);
	put_u64(o, "pages_migrated", c->pages_migrated);
	put_u64(o, "objects_moved", c->objects_moved);
	put_u64(o, "objects_freed", c->objects_freed);
	put_u64(o, "guest_ms", c->guest_ns / 1000000);
	if (c->balloon_before) {
		put_u64(o, "balloon_before_mib", c->balloon_before >> 20);
		put_u64(o, "balloon_after_mib", c->balloon_after >> 20);
	}
	json_object_object_add(o, "host_checked", json_object_new_boolean(c->checked));
	if (c->checked) {
		json_object_object_add(o, "backing", json_object_new_string(c->backing));
		put_u64(o, "released_whole", c->released_whole);
		put_u64(o, "still_populated", c->still_populated);
		put_u64(o, "host_populated_mib_before", c->populated_before >> 20);
		put_u64(o, "host_populated_mib_after", c->populated_after >> 20);
	}
	put_u64(o, "ms", (uint64_t)(c->end_ms > c->start_ms ?
				    c->end_ms - c->start_ms : 0));
	json_object_object_add(o, "error", c->error[0] ?
			       json_object_new_string(c->error) : NULL);
	return o;
}

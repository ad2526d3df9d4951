/* A cycle as the JSON object of its log line (vm.h). */
#include <stdio.h>
#include <time.h>

#include <vmcompact/json.h>

#include "log.h"
#include "vm.h"

json_object *vmcd_cycle_json(const struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;
	json_object *o = json_object_new_object();
	char now[40];

	json_object_object_add(o, "time", json_object_new_string(
		vmcd_timestamp(now, sizeof(now))));
	json_object_object_add(o, "vm", json_object_new_string(vm->name));
	vmc_json_add_int(o, "cycle", (int64_t)c->n);
	json_object_object_add(o, "return", json_object_new_string(
		vm->pol.balloon ? "balloon" : "free-page-reporting"));
	if (c->reclaim_mib)
		vmc_json_add_int(o, "reclaim_mib", (int64_t)c->reclaim_mib);
	if (c->available)
		vmc_json_add_int(o, "available_mib", (int64_t)c->available >> 20);
	if (c->deflated)
		vmc_json_add_int(o, "deflated_mib", (int64_t)c->deflated >> 20);
	vmc_json_add_int(o, "candidates", (int64_t)c->candidates);
	vmc_json_add_int(o, "possible", (int64_t)c->possible);
	vmc_json_add_int(o, "acted", (int64_t)c->acted);
	vmc_json_add_int(o, "done", (int64_t)c->done);
	vmc_json_add_int(o, "pages_migrated", (int64_t)c->pages_migrated);
	vmc_json_add_int(o, "objects_moved", (int64_t)c->objects_moved);
	vmc_json_add_int(o, "objects_freed", (int64_t)c->objects_freed);
	vmc_json_add_int(o, "guest_ms", (int64_t)c->guest_ns / 1000000);
	if (c->balloon_before) {
		vmc_json_add_int(o, "balloon_before_mib", (int64_t)c->balloon_before >> 20);
		vmc_json_add_int(o, "balloon_after_mib", (int64_t)c->balloon_after >> 20);
	}
	if (c->balloon_target)
		vmc_json_add_int(o, "balloon_target_mib", (int64_t)c->balloon_target >> 20);
	json_object_object_add(o, "host_checked", json_object_new_boolean(c->checked));
	if (c->checked) {
		json_object_object_add(o, "backing", json_object_new_string(c->backing));
		vmc_json_add_int(o, "released_whole", (int64_t)c->released_whole);
		vmc_json_add_int(o, "still_populated", (int64_t)c->still_populated);
		vmc_json_add_int(o, "host_populated_mib_before", (int64_t)c->populated_before >> 20);
		vmc_json_add_int(o, "host_populated_mib_after", (int64_t)c->populated_after >> 20);
	}
	vmc_json_add_int(o, "ms", (int64_t)(uint64_t)(c->end_ms > c->start_ms ?
				    c->end_ms - c->start_ms : 0));
	json_object_object_add(o, "error", c->error[0] ?
			       json_object_new_string(c->error) : NULL);
	return o;
}

/*
 * vmcompactd: the balloon's part of a cycle (cycle.h), through QMP or
 * libvirt.
 *
 * stats    first, when the VM deflates (deflate_below_mib): the balloon
 *          now and at most, and the guest's available memory (virtio
 *          balloon statistics); below deflate_below_mib the balloon
 *          gives the guest deflate_step_mib back and the cycle ends
 *          there.  (The guest's word only ever gets it memory it has
 *          anyway: never past its RAM size.)
 * inflate  after HOLD: by the blocks held, never below floor_mib, and
 *          never so far that the guest would have less than twice
 *          deflate_below_mib available; then the host check, and
 *          RELEASE of what the balloon did not take.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cycle.h"

#define POLL_MS			1000
#define STATS_INTERVAL_S	2

/* QMP steps of STEP_STATS, in order. */
enum {
	PHASE_ACTUAL,		/* query-balloon */
	PHASE_MAX,		/* query-memory-size-summary */
	PHASE_FIND,		/* qom-list /machine/peripheral */
	PHASE_POLLING,		/* qom-set guest-stats-polling-interval */
	PHASE_STATS,		/* qom-get guest-stats */
};

static uint64_t mib(uint64_t mib)
{
	return mib << 20;
}

static json_object *args2(const char *k1, json_object *v1, const char *k2,
			  json_object *v2)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, k1, v1);
	if (k2)
		json_object_object_add(o, k2, v2);
	return o;
}

static void qmp(struct vmcd_vm *vm, const char *cmd, json_object *args)
{
	vmcd_qmp_command(&vm->qmp, cmd, args, vm->pol.request_ms);
}

static void qom(struct vmcd_vm *vm, const char *cmd, const char *property,
		json_object *value)
{
	json_object *a = args2("path", json_object_new_string(vm->bal.path),
			       "property", json_object_new_string(property));

	if (value)
		json_object_object_add(a, "value", value);
	qmp(vm, cmd, a);
}

/* A number of a QMP answer: 0 if it is not there. */
static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

/* The balloon device among qom-list's children, into vm->bal.path. */
static bool find_balloon(struct vmcd_vm *vm, json_object *list)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *t, *n;

		if (json_object_object_get_ex(e, "type", &t) &&
		    json_object_object_get_ex(e, "name", &n) &&
		    !strncmp(json_object_get_string(t), "child<virtio-balloon", 20)) {
			snprintf(vm->bal.path, sizeof(vm->bal.path),
				 "/machine/peripheral/%s", json_object_get_string(n));
			return true;
		}
	}
	return false;
}

/* Set the balloon to target bytes; balloon_answer() goes on. */
static void set_target(struct vmcd_vm *vm, enum vmcd_step step,
		       uint64_t target)
{
	char err[256];

	vm->step = step;
	vm->cycle.balloon_target = target;
	if (!vm->dom) {
		qmp(vm, "balloon", args2("value",
					 json_object_new_int64((int64_t)target),
					 NULL, NULL));
		return;
	}
	if (vmcd_domain_set_balloon(vm->dom, target, err, sizeof(err))) {
		vmcd_cycle_note(vm, "balloon: %s", err);
		vmcd_balloon_answer(vm, -EREMOTEIO, NULL);
		return;
	}
	vmcd_balloon_answer(vm, 0, NULL);
}

/* With the stats in: deflate, or go on with the cycle. */
static void decide(struct vmcd_vm *vm)
{
	uint64_t below = mib(vm->pol.deflate_below_mib);
	uint64_t actual = vm->bal.actual, max = vm->bal.max, target;

	vm->cycle.available = vm->bal.available;
	if (!vm->bal.available || vm->bal.available >= below || !max ||
	    actual >= max) {
		vmcd_cycle_hello(vm);
		return;
	}
	target = actual + mib(vm->pol.deflate_step_mib);
	set_target(vm, STEP_DEFLATE, target < max ? target : max);
}

/* libvirt answers at once. */
static void stats_libvirt(struct vmcd_vm *vm)
{
	char err[256];

	if (vmcd_domain_balloon(vm->dom, &vm->bal.actual, &vm->bal.max,
				&vm->bal.available, err, sizeof(err))) {
		vmcd_cycle_note(vm, "balloon: %s", err);
		vmcd_cycle_end(vm);
		return;
	}
	decide(vm);
}

void vmcd_balloon_stats(struct vmcd_vm *vm)
{
	vm->bal.phase = PHASE_ACTUAL;
	vm->bal.available = 0;
	if (!vm->pol.deflate_below_mib) {
		vmcd_cycle_hello(vm);
		return;
	}
	vm->step = STEP_STATS;
	if (vm->dom)
		stats_libvirt(vm);
	else
		qmp(vm, "query-balloon", NULL);
}

/* QMP's answer in STEP_STATS: the next phase. */
static void stats_answer(struct vmcd_vm *vm, json_object *ret)
{
	switch (vm->bal.phase++) {
	case PHASE_ACTUAL:
		vm->bal.actual = get_u64(ret, "actual");
		qmp(vm, "query-memory-size-summary", NULL);
		return;
	case PHASE_MAX:
		vm->bal.max = get_u64(ret, "base-memory");
		qmp(vm, "qom-list", args2("path",
					  json_object_new_string("/machine/peripheral"),
					  NULL, NULL));
		return;
	case PHASE_FIND:
		if (!find_balloon(vm, ret)) {
			vmcd_cycle_note(vm, "balloon: no virtio-balloon device with an id: no statistics");
			vmcd_cycle_hello(vm);
			return;
		}
		qom(vm, "qom-set", "guest-stats-polling-interval",
		    json_object_new_int(STATS_INTERVAL_S));
		return;
	case PHASE_POLLING:
		qom(vm, "qom-get", "guest-stats", NULL);
		return;
	default:
		vm->bal.available = get_u64(json_object_object_get(ret, "stats"),
					    "stat-available-memory");
		decide(vm);
	}
}

void vmcd_balloon_inflate(struct vmcd_vm *vm)
{
	char err[256];
	uint64_t max;

	vm->step = STEP_BALLOON_QUERY;
	if (!vm->dom) {
		qmp(vm, "query-balloon", NULL);
		return;
	}
	if (vmcd_domain_balloon(vm->dom, &vm->bal.actual, &max,
				&vm->bal.available, err, sizeof(err))) {
		vmcd_cycle_note(vm, "balloon: %s", err);
		vmcd_cycle_release(vm);
		return;
	}
	vmcd_balloon_answer(vm, 0, NULL);
}

/* Inflate by the blocks held, within the floor and the guest's needs. */
static void inflate(struct vmcd_vm *vm)
{
	uint64_t actual = vm->bal.actual;
	uint64_t want = (uint64_t)vm->cycle.done * vmcd_block_bytes(vm);
	uint64_t floor = mib(vm->pol.floor_mib);
	uint64_t keep = 2 * mib(vm->pol.deflate_below_mib), target;

	/* After: as last seen, until the balloon is seen to move. */
	vm->cycle.balloon_before = vm->cycle.balloon_after = actual;
	if (vm->bal.available && keep) {
		uint64_t spare = vm->bal.available > keep ?
				 vm->bal.available - keep : 0;

		want = want < spare ? want : spare;
	}
	if (!want) {
		vmcd_cycle_note(vm, "balloon: the guest has only %" PRIu64 " MiB available",
				vm->bal.available >> 20);
		vmcd_cycle_release(vm);
		return;
	}
	target = actual > floor + want ? actual - want : floor;
	if (target >= actual) {
		vmcd_cycle_note(vm, "balloon: the guest has %" PRIu64 " MiB, at the floor of %" PRIu64 " MiB",
				actual >> 20, vm->pol.floor_mib);
		vmcd_cycle_release(vm);
		return;
	}
	set_target(vm, STEP_BALLOON_SET, target);
}

void vmcd_balloon_tick(struct vmcd_vm *vm, int64_t now_ms)
{
	char err[256];
	uint64_t max, available;

	(void)now_ms;
	vm->next_ms = INT64_MAX;	/* until the answer */
	if (!vm->dom) {
		qmp(vm, "query-balloon", NULL);
		return;
	}
	if (vmcd_domain_balloon(vm->dom, &vm->bal.actual, &max, &available,
				err, sizeof(err))) {
		vmcd_cycle_note(vm, "balloon: %s", err);
		vmcd_balloon_answer(vm, -EREMOTEIO, NULL);
		return;
	}
	vmcd_balloon_answer(vm, 0, NULL);
}

/* Polling the balloon towards its target. */
static void wait_target(struct vmcd_vm *vm)
{
	int64_t now = vmcd_now_ms();

	vm->cycle.balloon_after = vm->bal.actual;
	if (vm->bal.actual > vm->cycle.balloon_target && now < vm->deadline_ms) {
		vm->next_ms = now + POLL_MS;
		return;
	}
	if (vm->bal.actual > vm->cycle.balloon_target)
		vmcd_cycle_note(vm, "balloon: at %" PRIu64 " MiB, not %" PRIu64 " MiB, after %" PRId64 " ms",
				vm->bal.actual >> 20, vm->cycle.balloon_target >> 20,
				vm->pol.balloon_ms);
	vmcd_check_finish(vm);
	/* Blocks the balloon did not take go back to the guest. */
	vmcd_cycle_release(vm);
}

void vmcd_balloon_answer(struct vmcd_vm *vm, int res, json_object *ret)
{
	int64_t now = vmcd_now_ms();

	if (res) {
		vmcd_cycle_note(vm, "balloon: %s", vm->qmp.err);
		/* What the guest holds goes back to it. */
		if (vm->step == STEP_STATS || vm->step == STEP_DEFLATE)
			vmcd_cycle_end(vm);
		else
			vmcd_cycle_release(vm);
		return;
	}
	if (ret && (vm->step == STEP_BALLOON_QUERY || vm->step == STEP_BALLOON_WAIT))
		vm->bal.actual = get_u64(ret, "actual");
	switch (vm->step) {
	case STEP_STATS:
		stats_answer(vm, ret);
		break;
	case STEP_DEFLATE:
		vm->cycle.deflated = vm->cycle.balloon_target - vm->bal.actual;
		vmcd_cycle_end(vm);
		break;
	case STEP_BALLOON_QUERY:
		inflate(vm);
		break;
	case STEP_BALLOON_SET:
		vm->step = STEP_BALLOON_WAIT;
		vm->next_ms = now + POLL_MS;
		vm->deadline_ms = now + vm->pol.balloon_ms;
		break;
	case STEP_BALLOON_WAIT:
		wait_target(vm);
		break;
	default:
		break;
	}
}

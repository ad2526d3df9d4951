/* vmcompactd: the cycle of one VM, the agent's part (vm.h, cycle.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "cycle.h"

/* Polls: a connection winding down. */
#define POLL_MS 1000

const char *vmcd_step_name(enum vmcd_step step)
{
	static const char *const names[] = {
		[STEP_IDLE] = "idle",
		[STEP_STATS] = "stats",
		[STEP_DEFLATE] = "deflate",
		[STEP_HELLO] = "hello",
		[STEP_RELEASE_STALE] = "release-stale",
		[STEP_PROBE] = "probe",
		[STEP_LAYOUT] = "layout",
		[STEP_VACATE] = "vacate",
		[STEP_SETTLE] = "settle",
		[STEP_BALLOON_QUERY] = "balloon-query",
		[STEP_BALLOON_SET] = "balloon-set",
		[STEP_BALLOON_WAIT] = "balloon-wait",
		[STEP_RELEASE] = "release",
		[STEP_FINISHED] = "finished",
	};

	return names[step];
}

void vmcd_cycle_note(struct vmcd_vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->cycle.error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(vm->cycle.error, sizeof(vm->cycle.error), fmt, ap);
	va_end(ap);
}

uint64_t vmcd_block_bytes(const struct vmcd_vm *vm)
{
	return (uint64_t)vm->hello.block_pages * vm->hello.page_size;
}

/* What the cycle gave the host: checked on the host, or the balloon's. */
static uint64_t returned(const struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;

	if (c->balloon_before > c->balloon_after)
		return c->balloon_before - c->balloon_after;
	return (uint64_t)c->released_whole * vmcd_block_bytes(vm);
}

static void log_cycle(struct vmcd_vm *vm)
{
	json_object *o = vmcd_cycle_json(vm);

	fprintf(vm->log, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(vm->log);
	json_object_put(o);
}

static void count(struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;
	struct vmcd_totals *t = &vm->totals;

	t->cycles++;
	t->errors += c->error[0] != '\0';
	t->blocks_emptied += c->done;
	t->blocks_released += c->released_whole;
	t->bytes_returned += returned(vm);
	t->bytes_deflated += c->deflated;
	t->cycle_ms += (uint64_t)(c->end_ms - c->start_ms);
}

/* The answer to vmcompactctl reclaim, once its cycle is over. */
static void answer_reclaim(struct vmcd_vm *vm)
{
	json_object *o = vmcd_cycle_json(vm);

	json_object_object_add(o, "returned_mib",
			       json_object_new_int64((int64_t)(returned(vm) >> 20)));
	vmcd_control_reply(vm->reclaim_id, o);
	vm->reclaim_id = 0;
}

void vmcd_cycle_end(struct vmcd_vm *vm)
{
	struct vmcd_cycle *c = &vm->cycle;
	int64_t now = vmcd_now_ms();
	/* Tried to empty blocks and emptied none. */
	bool idle = c->acted && !c->done;

	c->end_ms = now;
	/* First: a request that the closes below fail answers no cycle. */
	vm->step = vm->once ? STEP_FINISHED : STEP_IDLE;
	log_cycle(vm);
	count(vm);
	if (vm->reclaim_id)
		answer_reclaim(vm);
	/*
	 * QEMU serves one client per socket: between cycles the agent's port
	 * and QMP are free for vmcompactctl and management tools.
	 */
	vmcd_agent_close(&vm->agent);
	vmcd_qmp_close(&vm->qmp);
	vmcd_hostmem_close(&vm->mem);
	vm->backoff = c->error[0] || idle ? vm->backoff + 1 : 0;
	vm->next_ms = now + vm->pol.interval_ms *
		      (vm->backoff < 5 ? 1 << vm->backoff : VMCD_MAX_BACKOFF);
}

/* End the cycle with an error. */
__attribute__((format(printf, 2, 3)))
static void cycle_error(struct vmcd_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!vm->cycle.error[0])
		vsnprintf(vm->cycle.error, sizeof(vm->cycle.error), fmt, ap);
	va_end(ap);
	vmcd_cycle_end(vm);
}

static void request(struct vmcd_vm *vm, enum vmcd_step step, size_t len,
		    uint16_t want, int timeout_ms)
{
	vm->step = step;
	vmcd_agent_request(&vm->agent, len, want, timeout_ms);
}

void vmcd_cycle_hello(struct vmcd_vm *vm)
{
	struct vmcd_agent *a = &vm->agent;

	request(vm, STEP_HELLO, vmc_encode_hello_req(a->tx, sizeof(a->tx),
						      vmcd_agent_next_seq(a)),
		VMC_HELLO_RESP, vm->pol.request_ms);
}

static void send_vacate(struct vmcd_vm *vm, enum vmcd_step step,
			uint32_t mode, uint32_t k)
{
	struct vmcd_agent *a = &vm->agent;

	vm->req = (struct vmc_vacate_req){
		.mode = mode,
		.count = k,
		.flags = VMC_VACATE_CHEAPEST,
	};
	request(vm, step, vmc_encode_vacate_req(a->tx, sizeof(a->tx),
						vmcd_agent_next_seq(a), &vm->req),
		VMC_VACATE_RESP, vm->pol.vacate_ms);
}

static void send_release(struct vmcd_vm *vm, enum vmcd_step step)
{
	struct vmcd_agent *a = &vm->agent;

	request(vm, step, vmc_encode_release_req(a->tx, sizeof(a->tx),
						 vmcd_agent_next_seq(a)),
		VMC_RELEASE_RESP, vm->pol.request_ms);
}

void vmcd_cycle_release(struct vmcd_vm *vm)
{
	send_release(vm, STEP_RELEASE);
}

/* Blocks wanted this cycle: the policy's, or what a reclaim asks. */
static uint32_t wanted(const struct vmcd_vm *vm)
{
	uint64_t n;

	if (!vm->cycle.reclaim_mib)
		return vm->pol.blocks;
	n = ((vm->cycle.reclaim_mib << 20) + vmcd_block_bytes(vm) - 1) /
	    vmcd_block_bytes(vm);
	return n < VMC_VACATE_MAX_BLOCKS ? (uint32_t)n : VMC_VACATE_MAX_BLOCKS;
}

/* Whether the blocks go back by HOLD and the balloon. */
static bool by_balloon(const struct vmcd_vm *vm)
{
	bool has_balloon = vm->dom || vm->qmp_path;

	return vm->cycle.reclaim_mib ? has_balloon : vm->pol.balloon;
}

static void probe(struct vmcd_vm *vm)
{
	send_vacate(vm, STEP_PROBE, VACATE_MODE_PROBE, wanted(vm));
}

static void got_hello(struct vmcd_vm *vm, const struct vmc_frame *f)
{
	struct vmc_error err;

	if (vmc_decode_hello_resp(f, &vm->hello, &err)) {
		cycle_error(vm, "agent: %s", err.msg);
		return;
	}
	if (!(vm->hello.caps & VMC_CAP_VACATE) || !vm->hello.block_pages) {
		cycle_error(vm, "agent %s: %s", vm->hello.name,
			    vm->hello.block_pages ? "cannot vacate blocks" :
			    "the guest's vacate device is unavailable");
		return;
	}
	/* Blocks a cycle that died after HOLD left held go back first. */
	if (by_balloon(vm))
		send_release(vm, STEP_RELEASE_STALE);
	else
		probe(vm);
}

/* Take a VACATE_RESP: false (cycle ended) if the guest's answer is bad. */
static bool got_vacate(struct vmcd_vm *vm, const struct vmc_frame *f)
{
	struct vmc_error err;

	if (vmc_decode_vacate_resp(f, &vm->req, vm->hello.block_pages,
				   &vm->resp, vm->results, &err)) {
		cycle_error(vm, "agent: %s", err.msg);
		return false;
	}
	return true;
}

static void got_probe(struct vmcd_vm *vm, const struct vmc_frame *f)
{
	uint32_t min = vm->cycle.reclaim_mib ? 1 : vm->pol.min_blocks;

	if (!got_vacate(vm, f))
		return;
	vm->cycle.candidates = vm->resp.acted;
	vm->cycle.possible = vm->resp.done;
	if (!vm->resp.done || vm->resp.done < min) {
		vmcd_cycle_end(vm);
		return;
	}
	vmcd_check_layout(vm);
}

void vmcd_cycle_vacate(struct vmcd_vm *vm)
{
	vmcd_check_start(vm);
	send_vacate(vm, STEP_VACATE, by_balloon(vm) ? VACATE_MODE_HOLD :
		    VACATE_MODE_FREE, vm->resp.done);
}

static void got_emptied(struct vmcd_vm *vm, const struct vmc_frame *f)
{
	struct vmcd_cycle *c = &vm->cycle;

	if (!got_vacate(vm, f))
		return;
	c->acted = vm->resp.acted;
	c->done = vm->resp.done;
	c->guest_ns = vm->resp.wall_ns;
	for (uint32_t i = 0; i < vm->resp.nr; i++) {
		c->pages_migrated += vm->results[i].pages_migrated;
		c->objects_moved += vm->results[i].objects_moved;
		c->objects_freed += vm->results[i].objects_freed;
	}
	if (!c->done) {
		if (by_balloon(vm))
			vmcd_cycle_release(vm);
		else
			vmcd_cycle_end(vm);
		return;
	}
	if (by_balloon(vm)) {
		vmcd_balloon_inflate(vm);
		return;
	}
	vm->step = STEP_SETTLE;
	vm->next_ms = vmcd_now_ms() + vm->pol.settle_ms;
}

/* Whether a cycle is in progress: answers outside one are stale. */
static bool in_cycle(const struct vmcd_vm *vm)
{
	return vm->step != STEP_IDLE && vm->step != STEP_FINISHED;
}

static void agent_reply(struct vmcd_agent *a, int res, const struct vmc_frame *f)
{
	struct vmcd_vm *vm = container_of(a, struct vmcd_vm, agent);

	if (!in_cycle(vm))
		return;
	if (res) {
		/* After a timeout a late answer could be taken for the next one. */
		if (res == -ETIMEDOUT)
			vmcd_agent_close(a);
		cycle_error(vm, "agent: %s", a->err);
		return;
	}
	switch (vm->step) {
	case STEP_HELLO:
		got_hello(vm, f);
		break;
	case STEP_RELEASE_STALE:
		probe(vm);
		break;
	case STEP_PROBE:
		got_probe(vm, f);
		break;
	case STEP_VACATE:
		got_emptied(vm, f);
		break;
	case STEP_RELEASE:
		vmcd_cycle_end(vm);
		break;
	default:
		break;
	}
}

static void qmp_reply(struct vmcd_qmp *q, int res, json_object *ret)
{
	struct vmcd_vm *vm = container_of(q, struct vmcd_vm, qmp);

	if (!in_cycle(vm))
		return;
	if (vm->step == STEP_LAYOUT)
		vmcd_check_answer(vm, res, ret);
	else
		vmcd_balloon_answer(vm, res, ret);
}

void vmcd_vm_guest_reset(struct vmcd_vm *vm)
{
	if (!in_cycle(vm))
		return;
	vmcd_cycle_note(vm, "the guest reset during %s", vmcd_step_name(vm->step));
	vmcd_cycle_end(vm);
}

static void qmp_event(struct vmcd_qmp *q, const char *event)
{
	if (!strcmp(event, "RESET"))
		vmcd_vm_guest_reset(container_of(q, struct vmcd_vm, qmp));
}

/* Own copy of s (NULL stays NULL): false out of memory. */
static bool copy(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return !s || *dst;
}

struct vmcd_vm *vmcd_vm_new(const char *name, const char *agent_path,
			    const char *qmp_path, const char *pidfile,
			    struct vmcd_loop *loop, FILE *log)
{
	struct vmcd_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->log = log;
	vm->step = STEP_IDLE;
	vm->mem.fd = -1;
	vm->mem.pagemap = -1;
	if (!copy(&vm->agent_path, agent_path) ||
	    !copy(&vm->qmp_path, qmp_path) || !copy(&vm->pidfile, pidfile) ||
	    vmcd_qmp_init(&vm->qmp, loop, vm->qmp_path, qmp_reply,
			  qmp_event) < 0) {
		vmcd_vm_free(vm);
		return NULL;
	}
	vmcd_agent_init(&vm->agent, loop, vm->agent_path, agent_reply);
	return vm;
}

static void new_cycle(struct vmcd_vm *vm, int64_t now)
{
	vm->cycle = (struct vmcd_cycle){
		.n = vm->cycle.n + 1,
		.start_ms = now,
		.reclaim_mib = vm->reclaim_mib,
	};
	vm->reclaim_mib = 0;
}

/* A cycle starts on new connections. */
static void start_cycle(struct vmcd_vm *vm, int64_t now)
{
	if (vmcd_agent_busy(&vm->agent) || vmcd_qmp_busy(&vm->qmp)) {
		/* The last connections are still winding down. */
		vm->next_ms = now + POLL_MS;
		return;
	}
	new_cycle(vm, now);
	if (vmcd_agent_connect(&vm->agent) < 0) {
		cycle_error(vm, "agent: %s", vm->agent.err);
		return;
	}
	if (vm->qmp_path && vmcd_qmp_connect(&vm->qmp) < 0) {
		/* Only the balloon cannot do without it. */
		if (by_balloon(vm)) {
			cycle_error(vm, "qmp: %s", vm->qmp.err);
			return;
		}
		vmcd_cycle_note(vm, "qmp: %s", vm->qmp.err);
	}
	if (by_balloon(vm))
		vmcd_balloon_stats(vm);
	else
		vmcd_cycle_hello(vm);
}

bool vmcd_vm_cycle_now(struct vmcd_vm *vm)
{
	if (vm->step != STEP_IDLE)
		return false;
	vm->next_ms = 0;
	vm->backoff = 0;
	return true;
}

bool vmcd_vm_reclaim(struct vmcd_vm *vm, uint64_t mib, unsigned int id)
{
	if (!vmcd_vm_cycle_now(vm))
		return false;
	vm->reclaim_mib = mib;
	vm->reclaim_id = id;
	return true;
}

void vmcd_vm_tick(struct vmcd_vm *vm, int64_t now_ms)
{
	vmcd_agent_tick(&vm->agent, now_ms);
	vmcd_qmp_tick(&vm->qmp, now_ms);
	if (now_ms < vm->next_ms)
		return;
	switch (vm->step) {
	case STEP_IDLE:
		if (vm->pol.enabled || vm->reclaim_id)
			start_cycle(vm, now_ms);
		break;
	case STEP_SETTLE:
		vmcd_check_finish(vm);
		vmcd_cycle_end(vm);
		break;
	case STEP_BALLOON_WAIT:
		vmcd_balloon_tick(vm, now_ms);
		break;
	default:
		break;
	}
}

void vmcd_vm_stop(struct vmcd_vm *vm)
{
	vmcd_agent_close(&vm->agent);
	vmcd_qmp_close(&vm->qmp);
	vmcd_hostmem_close(&vm->mem);
	vm->step = STEP_FINISHED;
	if (vm->reclaim_id) {
		vmcd_cycle_note(vm, "vmcompactd stopped the cycle");
		answer_reclaim(vm);
	}
}

bool vmcd_vm_quiet(const struct vmcd_vm *vm)
{
	return !vmcd_agent_busy(&vm->agent) && !vmcd_qmp_busy(&vm->qmp);
}

void vmcd_vm_free(struct vmcd_vm *vm)
{
	vmcd_qmp_free(&vm->qmp);
	vmcd_domain_put(vm->dom);
	free(vm->agent_path);
	free(vm->qmp_path);
	free(vm->pidfile);
	free(vm);
}

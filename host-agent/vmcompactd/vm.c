/* vmcompactd: the cycle of one VM (vm.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vm.h"

/* Polls: the balloon's progress, a connection winding down. */
#define POLL_MS 1000

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

const char *vmcd_step_name(enum vmcd_step step)
{
	static const char *const names[] = {
		[STEP_IDLE] = "idle",
		[STEP_HELLO] = "hello",
		[STEP_PROBE] = "probe",
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

json_object *vmcd_cycle_json(const struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "vm", json_object_new_string(vm->name));
	put_u64(o, "cycle", c->n);
	json_object_object_add(o, "return", json_object_new_string(
		vm->pol.balloon ? "balloon" : "free-page-reporting"));
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
		put_u64(o, "released_whole", c->released_whole);
		put_u64(o, "still_populated", c->still_populated);
		put_u64(o, "host_populated_mib_before", c->populated_before >> 20);
		put_u64(o, "host_populated_mib_after", c->populated_after >> 20);
	}
	put_u64(o, "ms", (uint64_t)(c->end_ms - c->start_ms));
	json_object_object_add(o, "error", c->error[0] ?
			       json_object_new_string(c->error) : NULL);
	return o;
}

static void log_cycle(struct vmcd_vm *vm)
{
	json_object *o = vmcd_cycle_json(vm);

	fprintf(vm->log, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(vm->log);
	json_object_put(o);
}

static void end_cycle(struct vmcd_vm *vm)
{
	int64_t now = vmcd_now_ms();
	unsigned int backoff;

	vm->cycle.end_ms = now;
	log_cycle(vm);
	/*
	 * QEMU serves one client per socket: between cycles the agent's port
	 * and QMP are free for vmcompactctl and management tools.
	 */
	vmcd_agent_close(&vm->agent);
	vmcd_qmp_close(&vm->qmp);
	vm->total_done += vm->cycle.done;
	vm->total_released += vm->cycle.released_whole;
	if (vm->cycle.possible && !vm->cycle.done)
		vm->idle_cycles++;
	else
		vm->idle_cycles = 0;
	backoff = vm->idle_cycles < 5 ? 1u << vm->idle_cycles : VMCD_MAX_BACKOFF;
	vm->step = vm->pol.once ? STEP_FINISHED : STEP_IDLE;
	vm->next_ms = now + vm->pol.interval_ms * backoff;
}

__attribute__((format(printf, 2, 3)))
static void cycle_error(struct vmcd_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->cycle.error, sizeof(vm->cycle.error), fmt, ap);
	va_end(ap);
	end_cycle(vm);
}

/* The QEMU pid: > 0, or 0 with the reason in the cycle. */
static pid_t qemu_pid(struct vmcd_vm *vm)
{
	FILE *f;
	long pid = 0;

	if (vm->dom)
		return vmcd_domain_pid(vm->dom, vm->cycle.error,
				       sizeof(vm->cycle.error));
	f = fopen(vm->pidfile, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 0)
			pid = 0;
		fclose(f);
	}
	if (!pid)
		snprintf(vm->cycle.error, sizeof(vm->cycle.error),
			 "host check: no QEMU pid in %s", vm->pidfile);
	return (pid_t)pid;
}

/* Populated bytes of the whole memfd; false (error set) if unreadable. */
static bool memfd_total(struct vmcd_vm *vm, uint64_t *bytes)
{
	if (vmcd_memfd_populated(&vm->memfd, 0, vm->memfd.size, bytes) == 0)
		return true;
	snprintf(vm->cycle.error, sizeof(vm->cycle.error),
		 "host check: reading the memfd: %s", strerror(errno));
	return false;
}

/* Before the blocks are emptied: open the memfd, count what is populated. */
static void host_check_start(struct vmcd_vm *vm)
{
	pid_t pid;

	vmcd_memfd_close(&vm->memfd);
	if ((!vm->pidfile && !vm->dom) || !(pid = qemu_pid(vm)))
		return;
	if (vmcd_memfd_open(pid, &vm->memfd, vm->cycle.error,
			    sizeof(vm->cycle.error)) == 0 &&
	    !memfd_total(vm, &vm->cycle.populated_before))
		vmcd_memfd_close(&vm->memfd);
}

/* After: is each block the guest says it emptied a hole on the host? */
static void host_check_finish(struct vmcd_vm *vm)
{
	struct vmcd_cycle *c = &vm->cycle;
	uint64_t block_bytes = (uint64_t)vm->hello.block_pages *
			       vm->hello.page_size;

	if (vm->memfd.fd < 0)
		return;
	for (uint32_t i = 0; i < vm->resp.nr; i++) {
		const struct vacate_result *r = &vm->results[i];
		uint64_t bytes;

		if (!(r->flags & VACATE_RES_DONE))
			continue;
		/* The guest names the block: it must lie inside its RAM. */
		if (vmcd_memfd_populated(&vm->memfd, r->start_pfn * vm->hello.page_size,
					 block_bytes, &bytes)) {
			snprintf(c->error, sizeof(c->error),
				 "host check: the guest emptied block pfn 0x%" PRIx64 ", which is not in its RAM (%s)",
				 (uint64_t)r->start_pfn, strerror(errno));
			vmcd_memfd_close(&vm->memfd);
			return;
		}
		if (bytes)
			c->still_populated++;
		else
			c->released_whole++;
	}
	c->checked = memfd_total(vm, &c->populated_after);
	vmcd_memfd_close(&vm->memfd);
}

static void request(struct vmcd_vm *vm, enum vmcd_step step, size_t len,
		    uint16_t want, int timeout_ms)
{
	vm->step = step;
	vmcd_agent_request(&vm->agent, len, want, timeout_ms);
}

static void send_hello(struct vmcd_vm *vm)
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

static void send_release(struct vmcd_vm *vm)
{
	struct vmcd_agent *a = &vm->agent;

	request(vm, STEP_RELEASE, vmc_encode_release_req(a->tx, sizeof(a->tx),
							  vmcd_agent_next_seq(a)),
		VMC_RELEASE_RESP, vm->pol.request_ms);
}

static void new_cycle(struct vmcd_vm *vm, int64_t now)
{
	vm->cycle = (struct vmcd_cycle){ .n = vm->cycle.n + 1, .start_ms = now };
}

/* A cycle starts on a new connection, with HELLO. */
static void start_cycle(struct vmcd_vm *vm, int64_t now)
{
	if (vmcd_agent_busy(&vm->agent)) {
		/* The last connection is still winding down. */
		vm->next_ms = now + POLL_MS;
		return;
	}
	new_cycle(vm, now);
	if (vmcd_agent_connect(&vm->agent) < 0)
		cycle_error(vm, "agent: %s", vm->agent.err);
	else
		send_hello(vm);
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
	send_vacate(vm, STEP_PROBE, VACATE_MODE_PROBE, vm->pol.blocks);
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

static void balloon_answer(struct vmcd_vm *vm, const char *error,
			   uint64_t actual);

/* Guest memory now, through libvirt or QMP: balloon_answer() has it. */
static void balloon_query(struct vmcd_vm *vm, enum vmcd_step step)
{
	char err[256];
	uint64_t actual;

	vm->step = step;
	if (!vm->dom) {
		vmcd_qmp_command(&vm->qmp, "query-balloon", NULL, vm->pol.request_ms);
		return;
	}
	if (vmcd_domain_balloon(vm->dom, &actual, err, sizeof(err)))
		balloon_answer(vm, err, 0);
	else
		balloon_answer(vm, NULL, actual);
}

static void balloon_set(struct vmcd_vm *vm, uint64_t target)
{
	json_object *args;
	char err[256];

	vm->step = STEP_BALLOON_SET;
	if (vm->dom) {
		balloon_answer(vm, vmcd_domain_set_balloon(vm->dom, target, err,
							   sizeof(err)) ?
			       err : NULL, 0);
		return;
	}
	args = json_object_new_object();
	json_object_object_add(args, "value", json_object_new_int64((int64_t)target));
	vmcd_qmp_command(&vm->qmp, "balloon", args, vm->pol.request_ms);
}

static void got_probe(struct vmcd_vm *vm, const struct vmc_frame *f)
{
	uint32_t mode = vm->pol.balloon ? VACATE_MODE_HOLD : VACATE_MODE_FREE;

	if (!got_vacate(vm, f))
		return;
	vm->cycle.candidates = vm->resp.acted;
	vm->cycle.possible = vm->resp.done;
	if (!vm->resp.done || vm->resp.done < vm->pol.min_blocks) {
		end_cycle(vm);
		return;
	}
	host_check_start(vm);
	send_vacate(vm, STEP_VACATE, mode, vm->resp.done);
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
		if (vm->pol.balloon)
			send_release(vm);
		else
			end_cycle(vm);
		return;
	}
	if (vm->pol.balloon) {
		balloon_query(vm, STEP_BALLOON_QUERY);
		return;
	}
	vm->step = STEP_SETTLE;
	vm->next_ms = vmcd_now_ms() + vm->pol.settle_ms;
}

static void agent_reply(struct vmcd_agent *a, int res, const struct vmc_frame *f)
{
	struct vmcd_vm *vm = container_of(a, struct vmcd_vm, agent);

	if (res) {
		cycle_error(vm, "agent: %s", a->err);
		/* After a timeout a late answer could be taken for the next one. */
		if (res == -ETIMEDOUT)
			vmcd_agent_close(a);
		return;
	}
	switch (vm->step) {
	case STEP_HELLO:
		got_hello(vm, f);
		break;
	case STEP_PROBE:
		got_probe(vm, f);
		break;
	case STEP_VACATE:
		got_emptied(vm, f);
		break;
	case STEP_RELEASE:
		end_cycle(vm);
		break;
	default:
		break;
	}
}

/* "actual" of a query-balloon answer; false if it has none. */
static bool balloon_actual(json_object *ret, uint64_t *actual)
{
	json_object *a;

	if (!json_object_object_get_ex(ret, "actual", &a) ||
	    !json_object_is_type(a, json_type_int) || json_object_get_int64(a) <= 0)
		return false;
	*actual = (uint64_t)json_object_get_int64(a);
	return true;
}

/* Inflate by the blocks held, down to the floor at most. */
static void balloon_inflate(struct vmcd_vm *vm, uint64_t actual)
{
	uint64_t want = (uint64_t)vm->cycle.done * vm->hello.block_pages *
			vm->hello.page_size;
	uint64_t floor = vm->pol.floor_mib << 20;

	vm->cycle.balloon_before = actual;
	vm->balloon_target = actual > floor + want ? actual - want : floor;
	if (vm->balloon_target >= actual) {
		snprintf(vm->cycle.error, sizeof(vm->cycle.error),
			 "balloon: the guest has %" PRIu64 " MiB, at the floor of %" PRIu64 " MiB",
			 actual >> 20, vm->pol.floor_mib);
		send_release(vm);
		return;
	}
	balloon_set(vm, vm->balloon_target);
}

static void qmp_reply(struct vmcd_qmp *q, int res, json_object *ret)
{
	struct vmcd_vm *vm = container_of(q, struct vmcd_vm, qmp);
	uint64_t actual = 0;

	if (res)
		balloon_answer(vm, q->err, 0);
	else if (vm->step != STEP_BALLOON_SET && !balloon_actual(ret, &actual))
		balloon_answer(vm, "query-balloon answer without actual", 0);
	else
		balloon_answer(vm, NULL, actual);
}

/* The balloon's answer at each balloon step: what to do next. */
static void balloon_answer(struct vmcd_vm *vm, const char *error,
			   uint64_t actual)
{
	int64_t now = vmcd_now_ms();

	if (error) {
		snprintf(vm->cycle.error, sizeof(vm->cycle.error), "balloon: %s",
			 error);
		/* What the guest holds goes back to it. */
		send_release(vm);
		return;
	}
	switch (vm->step) {
	case STEP_BALLOON_QUERY:
		balloon_inflate(vm, actual);
		break;
	case STEP_BALLOON_SET:
		vm->step = STEP_BALLOON_WAIT;
		vm->next_ms = now + POLL_MS;
		vm->deadline_ms = now + vm->pol.balloon_ms;
		break;
	case STEP_BALLOON_WAIT:
		vm->cycle.balloon_after = actual;
		if (actual > vm->balloon_target && now < vm->deadline_ms) {
			vm->next_ms = now + POLL_MS;
			break;
		}
		if (actual > vm->balloon_target)
			snprintf(vm->cycle.error, sizeof(vm->cycle.error),
				 "balloon: at %" PRIu64 " MiB, not %" PRIu64 " MiB, after %" PRId64 " ms",
				 actual >> 20, vm->balloon_target >> 20,
				 vm->pol.balloon_ms);
		host_check_finish(vm);
		/* Blocks the balloon did not take go back to the guest. */
		send_release(vm);
		break;
	default:
		break;
	}
}

void vmcd_vm_init(struct vmcd_vm *vm, struct vmcd_loop *loop, FILE *log)
{
	vm->log = log;
	vm->step = STEP_IDLE;
	vm->next_ms = 0;
	vm->memfd.fd = -1;
	vm->agent.loop = loop;
	vm->agent.path = vm->agent_path;
	vm->agent.fd = -1;
	vm->agent.reply = agent_reply;
	vm->qmp.loop = loop;
	vm->qmp.path = vm->qmp_path;
	vm->qmp.fd = -1;
	vm->qmp.reply = qmp_reply;
}

/* The balloon needs QMP: connected at the start of a cycle that uses it. */
static bool qmp_ready(struct vmcd_vm *vm)
{
	if (!vm->pol.balloon || vm->dom || vm->qmp.fd >= 0)
		return true;
	if (vmcd_qmp_busy(&vm->qmp))
		return false;
	if (vmcd_qmp_connect(&vm->qmp) == 0)
		return true;
	new_cycle(vm, vmcd_now_ms());
	cycle_error(vm, "qmp: %s", vm->qmp.err);
	return false;
}

bool vmcd_vm_cycle_now(struct vmcd_vm *vm)
{
	if (vm->step != STEP_IDLE)
		return false;
	vm->next_ms = 0;
	vm->idle_cycles = 0;
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
		if (qmp_ready(vm))
			start_cycle(vm, now_ms);
		break;
	case STEP_SETTLE:
		host_check_finish(vm);
		end_cycle(vm);
		break;
	case STEP_BALLOON_WAIT:
		vm->next_ms = INT64_MAX;	/* until the answer */
		balloon_query(vm, STEP_BALLOON_WAIT);
		break;
	default:
		break;
	}
}

void vmcd_vm_stop(struct vmcd_vm *vm)
{
	vmcd_agent_close(&vm->agent);
	vmcd_qmp_close(&vm->qmp);
	vmcd_memfd_close(&vm->memfd);
	if (vm->qmp.tok)
		json_tokener_free(vm->qmp.tok);
	vm->qmp.tok = NULL;
	vm->step = STEP_FINISHED;
}

void vmcd_vm_free(struct vmcd_vm *vm)
{
	vmcd_domain_put(vm->dom);
	free(vm->own_agent_path);
	free(vm);
}

bool vmcd_vm_quiet(const struct vmcd_vm *vm)
{
	return !vmcd_agent_busy(&vm->agent) && !vmcd_qmp_busy(&vm->qmp);
}

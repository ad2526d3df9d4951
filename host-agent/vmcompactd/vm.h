/*
 * One VM under vmcompactd: its agent and QMP connections and the cycle
 * it goes through every interval.
 *
 *   probe    VACATE_REQ PROBE of the K cheapest blocks: how many could
 *            be emptied (nothing moves)
 *   vacate   if at least min_blocks: VACATE_REQ of that many cheapest
 *            blocks, FREE (the guest's free page reporting gives them to
 *            the host) or HOLD (the balloon takes them: QMP balloon)
 *   check    on the host, whether the memfd ranges behind the blocks the
 *            guest says it emptied are holes now
 *
 * and one JSON line on stdout per cycle.  The connections are closed
 * between cycles: QEMU serves one client at a time on each socket, and
 * vmcompactctl or a management tool may want it.  A guest where blocks look
 * possible but none empties is asked less and less often: the interval
 * doubles with each such cycle in a row, up to VMCD_MAX_BACKOFF times.  Every number the guest sends is
 * checked by the codec first; the host check trusts only the memfd.
 */
#ifndef VMCD_VM_H
#define VMCD_VM_H

#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "agent_conn.h"
#include "libvirt.h"
#include "memfd.h"
#include "qmp.h"

#define VMCD_MAX_BACKOFF 16

struct vmcd_policy {
	int64_t interval_ms;	/* from the end of a cycle to the next */
	uint32_t blocks;	/* most blocks per cycle, <= VMC_VACATE_MAX_BLOCKS */
	uint32_t min_blocks;	/* fewer possible: leave the guest alone */
	int64_t settle_ms;	/* FREE: time for free page reporting */
	bool balloon;		/* HOLD + balloon instead of FREE + reporting */
	uint64_t floor_mib;	/* balloon: the guest keeps at least this */
	int64_t balloon_ms;	/* balloon: most time to reach its target */
	int request_ms;		/* HELLO, RELEASE, QMP */
	int vacate_ms;		/* VACATE */
	bool once;		/* one cycle per VM, then exit */
};

enum vmcd_step {
	STEP_IDLE,		/* until next_ms */
	STEP_HELLO,
	STEP_PROBE,
	STEP_VACATE,
	STEP_SETTLE,		/* until next_ms */
	STEP_BALLOON_QUERY,
	STEP_BALLOON_SET,
	STEP_BALLOON_WAIT,	/* polls until the target or deadline_ms */
	STEP_RELEASE,
	STEP_FINISHED,		/* --once: done */
};

/* What one cycle did, for its log line. */
struct vmcd_cycle {
	unsigned int n;
	int64_t start_ms, end_ms;
	uint32_t candidates;	/* blocks the probe looked at */
	uint32_t possible;	/* of which could be emptied */
	uint32_t acted, done;
	uint64_t pages_migrated, objects_moved, objects_freed;
	uint64_t guest_ns;
	uint64_t balloon_before, balloon_after;	/* bytes of guest RAM */
	uint32_t released_whole;	/* done blocks that are holes on the host */
	uint32_t still_populated;	/* done blocks that are not */
	uint64_t populated_before, populated_after;	/* memfd bytes */
	bool checked;
	char error[512];
};

struct vmcd_vm {
	char name[64];
	const char *agent_path;
	const char *qmp_path;	/* NULL: no balloon (unless dom) */
	const char *pidfile;	/* QEMU's, for the host check; NULL: none */
	struct vmcd_domain *dom;	/* libvirt's: balloon and pid through it */
	char *own_agent_path;	/* agent_path, when found through libvirt */
	bool seen;		/* by the last libvirt scan */
	bool gone;		/* from libvirt: stopped, freed once quiet */
	bool has_return;	/* return= given for this VM: */
	bool return_balloon;	/* its choice */
	struct vmcd_policy pol;	/* the daemon's, with this VM's overrides */
	FILE *log;
	unsigned int idle_cycles;	/* in a row that emptied nothing */
	uint64_t total_done;		/* blocks emptied, all cycles */
	uint64_t total_released;	/* of which holes on the host */
	enum vmcd_step step;
	int64_t next_ms;
	int64_t deadline_ms;
	uint64_t balloon_target;
	struct vmc_hello hello;
	struct vmcd_cycle cycle;
	struct vmcd_memfd memfd;
	struct vmc_vacate_req req;
	struct vmc_vacate_resp resp;
	struct vacate_result results[VMC_VACATE_MAX_BLOCKS];
	struct vmcd_agent agent;
	struct vmcd_qmp qmp;
};

/* vm->pol and the paths set beforehand. */
void vmcd_vm_init(struct vmcd_vm *vm, struct vmcd_loop *loop, FILE *log);

/* Drive timeouts and scheduled steps; call often (vmcompactd: 4 Hz). */
void vmcd_vm_tick(struct vmcd_vm *vm, int64_t now_ms);

/* "idle", "probe"... */
const char *vmcd_step_name(enum vmcd_step step);

/* The last cycle (the one in progress, if any) as its log line's object. */
json_object *vmcd_cycle_json(const struct vmcd_vm *vm);

/* Start a cycle at the next tick if none is in progress: false if one is. */
bool vmcd_vm_cycle_now(struct vmcd_vm *vm);

/* Close the connections (a cycle in progress ends with an error). */
void vmcd_vm_stop(struct vmcd_vm *vm);

/* Whether nothing of vm is in flight on the loop any more. */
bool vmcd_vm_quiet(const struct vmcd_vm *vm);

/* Free a VM allocated with calloc() once it is stopped and quiet. */
void vmcd_vm_free(struct vmcd_vm *vm);

#endif /* VMCD_VM_H */

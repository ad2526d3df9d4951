/*
 * One VM under vmcompactd: its agent and QMP connections and the cycle
 * it goes through every interval.
 *
 *   stats    balloon VMs: the guest's available memory; below
 *            deflate_below_mib the balloon deflates and the cycle ends
 *   hello    the agent must announce VACATE
 *   probe    VACATE_REQ PROBE of the K cheapest blocks: how many could
 *            be emptied (nothing moves)
 *   layout   where guest RAM lies in the RAM file (layout.h), once per
 *            QEMU process
 *   vacate   if at least min_blocks: VACATE_REQ of that many cheapest
 *            blocks, FREE (the guest's free page reporting gives them to
 *            the host) or HOLD (the balloon takes them)
 *   check    on the host, whether the file ranges behind the blocks the
 *            guest says it emptied are holes now (hostmem.h)
 *
 * and one JSON line per cycle.  A guest reset ends the cycle at once
 * (vmcd_vm_guest_reset()): the reset guest will not answer, and holds
 * nothing.
 * The connections are closed between
 * cycles: QEMU serves one client at a time on each socket, and
 * vmcompactctl or a management tool may want it.  A guest whose cycles
 * fail, or whose blocks look possible but never empty, is asked less and
 * less often: the interval doubles with each such cycle in a row, up to
 * VMCD_MAX_BACKOFF times.  Every number the guest sends is checked by the
 * codec first; the host check trusts only the host.
 */
#ifndef VMCD_VM_H
#define VMCD_VM_H

#include <stdio.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "agent_conn.h"
#include "hostmem.h"
#include "layout.h"
#include "libvirt.h"
#include "policy.h"
#include "qmp.h"

#define VMCD_MAX_BACKOFF 16

enum vmcd_step {
	STEP_IDLE,		/* until next_ms */
	STEP_STATS,		/* balloon: the guest's memory */
	STEP_DEFLATE,
	STEP_HELLO,
	STEP_RELEASE_STALE,	/* balloon: blocks a dead cycle left held */
	STEP_PROBE,
	STEP_LAYOUT,		/* QMP: the guest's RAM in the RAM file */
	STEP_VACATE,
	STEP_SETTLE,		/* until next_ms */
	STEP_BALLOON_QUERY,
	STEP_BALLOON_SET,
	STEP_BALLOON_WAIT,	/* polls until the target or deadline_ms */
	STEP_RELEASE,
	STEP_FINISHED,		/* --once: done, or the VM is gone */
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
	uint64_t balloon_target;	/* set by the cycle, or 0 */
	uint64_t available;	/* balloon: the guest's available bytes */
	uint64_t deflated;	/* bytes the balloon gave back to the guest */
	uint32_t released_whole;	/* done blocks that are holes on the host */
	uint32_t still_populated;	/* done blocks that are not */
	uint64_t populated_before, populated_after;	/* RAM file bytes */
	bool checked;
	const char *backing;	/* "memfd", "hugetlbfs", or NULL */
	uint64_t reclaim_mib;	/* asked by vmcompactctl reclaim, or 0 */
	char error[512];
};

/* Totals over every cycle, for the metrics. */
struct vmcd_totals {
	uint64_t cycles, errors;
	uint64_t blocks_emptied;	/* the guest's word */
	uint64_t blocks_released;	/* holes on the host, checked */
	uint64_t bytes_returned;	/* released on the host, or ballooned */
	uint64_t bytes_deflated;
	uint64_t cycle_ms;		/* summed */
};

struct vmcd_vm {
	char name[64];
	char *agent_path;
	char *qmp_path;		/* NULL: no balloon nor layout from QEMU */
	char *pidfile;		/* QEMU's, for the host check; NULL: none */
	struct vmcd_domain *dom;	/* libvirt's: balloon, pid, layout */
	bool gone;		/* stopped, freed once quiet */
	bool seen;		/* by the last libvirt scan */
	bool once;		/* one cycle, then STEP_FINISHED */
	struct vmcd_policy pol;	/* the daemon's, with this VM's overrides */
	FILE *log;
	unsigned int backoff;	/* cycles in a row that failed or emptied nothing */
	struct vmcd_totals totals;
	enum vmcd_step step;
	int64_t next_ms;
	int64_t deadline_ms;
	struct {		/* balloon.c: the balloon step in progress */
		int phase;
		uint64_t actual, max, available;	/* bytes; 0 unknown */
		char path[160];	/* QMP: the balloon device's QOM path */
	} bal;
	unsigned int reclaim_id;	/* control request waiting, or 0 */
	uint64_t reclaim_mib;		/* for the next cycle */
	pid_t layout_pid;	/* the QEMU process the layout is of */
	struct vmcd_layout layout;
	struct vmc_hello hello;
	struct vmcd_cycle cycle;
	struct vmcd_hostmem mem;
	struct vmc_vacate_req req;
	struct vmc_vacate_resp resp;
	struct vacate_result results[VMC_VACATE_MAX_BLOCKS];
	struct vmcd_agent agent;
	struct vmcd_qmp qmp;
};

/*
 * A new VM (calloc'd, its strings copied), for the loop, logging its
 * cycles to log: NULL out of memory.
 */
struct vmcd_vm *vmcd_vm_new(const char *name, const char *agent_path,
			    const char *qmp_path, const char *pidfile,
			    struct vmcd_loop *loop, FILE *log);

/* Drive timeouts and scheduled steps; call often (vmcompactd: 4 Hz). */
void vmcd_vm_tick(struct vmcd_vm *vm, int64_t now_ms);

/* "idle", "probe"... */
const char *vmcd_step_name(enum vmcd_step step);

/* The last cycle (the one in progress, if any) as its log line's object. */
json_object *vmcd_cycle_json(const struct vmcd_vm *vm);

/* Start a cycle at the next tick if none is in progress: false if one is. */
bool vmcd_vm_cycle_now(struct vmcd_vm *vm);

/*
 * A cycle that empties mib MiB as whole blocks (HOLD and the balloon if
 * the VM has one, else FREE), answered through vmcd_control_reply(id):
 * false if a cycle is in progress.
 */
bool vmcd_vm_reclaim(struct vmcd_vm *vm, uint64_t mib, unsigned int id);

/*
 * The guest reset (QMP's RESET event, libvirt's REBOOT): what its agent
 * was asked, and any block it held, went with the kernel that reset, and
 * no answer will come.  A cycle in progress ends (a balloon target it
 * set stays: the rebooted guest's balloon driver takes it up again).
 */
void vmcd_vm_guest_reset(struct vmcd_vm *vm);

/* Close the connections (a cycle in progress ends with an error). */
void vmcd_vm_stop(struct vmcd_vm *vm);

/* Whether nothing of vm is in flight on the loop any more. */
bool vmcd_vm_quiet(const struct vmcd_vm *vm);

/* Free a stopped, quiet VM. */
void vmcd_vm_free(struct vmcd_vm *vm);

#endif /* VMCD_VM_H */

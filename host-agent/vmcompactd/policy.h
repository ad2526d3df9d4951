/*
 * What vmcompactd does with a VM: the options (options.h) set it for
 * every VM, a VM's spec (return=) or its libvirt <metadata> override it.
 */
#ifndef VMCD_POLICY_H
#define VMCD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct vmcd_policy {
	int64_t interval_ms;	/* from the end of a cycle to the next */
	uint32_t blocks;	/* most blocks per cycle, <= VMC_VACATE_MAX_BLOCKS */
	uint32_t min_blocks;	/* fewer possible: leave the guest alone */
	int64_t settle_ms;	/* FREE: time for free page reporting */
	bool balloon;		/* HOLD + balloon instead of FREE + reporting */
	uint64_t floor_mib;	/* balloon: the guest keeps at least this */
	uint64_t deflate_below_mib;	/* balloon: deflate when the guest has
					 * less available; 0: never */
	uint64_t deflate_step_mib;	/* by this much at a time */
	int64_t balloon_ms;	/* balloon: most time to reach its target */
	int request_ms;		/* HELLO, RELEASE, QMP */
	int vacate_ms;		/* VACATE */
	bool enabled;		/* false: no cycles (libvirt metadata) */
};

#endif /* VMCD_POLICY_H */

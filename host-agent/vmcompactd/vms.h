/*
 * The VMs vmcompactd looks after: those the options give (--vm, --vm-dir,
 * the config file) and the libvirt domains with the channel.  VMs come
 * and go while the daemon runs (SIGHUP, libvirt events); one that goes
 * is stopped at once and freed once the loop is done with it.
 */
#ifndef VMCD_VMS_H
#define VMCD_VMS_H

#include <stdio.h>

#include <json-c/json.h>

#include "options.h"
#include "vm.h"

void vmcd_vms_init(struct vmcd_loop *loop, FILE *log);

/*
 * Take the options' VMs and policy: new VMs join, VMs no longer there
 * (or whose paths changed) leave, the others take the new policy from
 * their next cycle.  libvirt domains take the new policy too.
 */
void vmcd_vms_configure(const struct vmcd_options *o);

/* libvirt: running domains with the channel join, gone ones leave. */
void vmcd_vms_scan(const struct vmcd_options *o);

/* Drive every VM; free those gone and quiet. */
void vmcd_vms_tick(int64_t now_ms);

/* --once: whether every VM has done its cycle. */
bool vmcd_vms_finished(void);

/* Start a cycle now for idle VMs whose last one ended min_gap_ms ago. */
void vmcd_vms_cycle_idle(int64_t min_gap_ms);

struct vmcd_vm *vmcd_vms_find(const char *name);

/* The VMs in order (n of them). */
struct vmcd_vm *const *vmcd_vms_all(size_t *n);

void vmcd_vms_stop(void);
void vmcd_vms_free(void);

/* For the control socket: status (JSON) and metrics (Prometheus text). */
json_object *vmcd_vms_status(void);
char *vmcd_vms_metrics(void);

#endif /* VMCD_VMS_H */

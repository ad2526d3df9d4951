/* The VMs vmcompactd looks after (vms.h). */
#include <stdlib.h>
#include <string.h>

#include "libvirt.h"
#include "log.h"
#include "vms.h"

static struct vmcd_vm *vms[VMCD_MAX_VMS];
static size_t nr_vms;
static struct vmcd_loop *loop;
static FILE *log_file;

void vmcd_vms_init(struct vmcd_loop *l, FILE *log)
{
	loop = l;
	log_file = log;
}

struct vmcd_vm *vmcd_vms_find(const char *name)
{
	for (size_t k = 0; k < nr_vms; k++)
		if (!vms[k]->gone && !strcmp(vms[k]->name, name))
			return vms[k];
	return NULL;
}

struct vmcd_vm *const *vmcd_vms_all(size_t *n)
{
	*n = nr_vms;
	return vms;
}

static struct vmcd_vm *add(const char *name, const char *agent,
			   const char *qmp, const char *pidfile, bool once)
{
	struct vmcd_vm *vm;

	if (nr_vms == VMCD_MAX_VMS) {
		vmcd_log(LOG_ERR, name, "not looked after: at most %d VMs",
			 VMCD_MAX_VMS);
		return NULL;
	}
	vm = vmcd_vm_new(name, agent, qmp, pidfile, loop, log_file);
	if (!vm) {
		vmcd_log(LOG_ERR, name, "out of memory");
		return NULL;
	}
	vm->once = once;
	vms[nr_vms++] = vm;
	return vm;
}

static void retire(struct vmcd_vm *vm, const char *why)
{
	vmcd_log(LOG_INFO, vm->name, "%s", why);
	vm->gone = true;
	vmcd_vm_stop(vm);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The spec of the VM of that name, if it has the same paths. */
static const struct vmcd_vm_spec *spec_of(const struct vmcd_options *o,
					  const struct vmcd_vm *vm)
{
	for (size_t k = 0; k < o->nr_vms; k++) {
		const struct vmcd_vm_spec *s = &o->vms[k];

		if (!strcmp(s->name, vm->name) && same(s->agent, vm->agent_path) &&
		    same(s->qmp, vm->qmp_path) && same(s->pidfile, vm->pidfile))
			return s;
	}
	return NULL;
}

/* A libvirt domain's policy: the daemon's, then its <metadata>. */
static void domain_policy(struct vmcd_vm *vm, const struct vmcd_options *o)
{
	struct vmcd_policy p = o->pol;
	char err[256];

	if (vmcd_domain_policy(vm->dom, &p, err, sizeof(err)))
		vmcd_log(LOG_WARNING, vm->name, "%s", err);
	vm->pol = p;
}

void vmcd_vms_configure(const struct vmcd_options *o)
{
	for (size_t k = 0; k < nr_vms; k++) {
		struct vmcd_vm *vm = vms[k];
		const struct vmcd_vm_spec *s;

		if (vm->gone)
			continue;
		if (vm->dom) {
			domain_policy(vm, o);
		} else if ((s = spec_of(o, vm))) {
			vm->pol = vmcd_spec_policy(o, s);
		} else {
			retire(vm, "no longer configured");
		}
	}
	for (size_t k = 0; k < o->nr_vms; k++) {
		const struct vmcd_vm_spec *s = &o->vms[k];
		struct vmcd_vm *vm;

		if (vmcd_vms_find(s->name))
			continue;
		vm = add(s->name, s->agent, s->qmp, s->pidfile, o->once);
		if (vm)
			vm->pol = vmcd_spec_policy(o, s);
	}
}

/* A domain of the scan: a new VM, or one known already. */
static void found(const char *name, const char *agent_path,
		  struct vmcd_domain *d, bool reset, void *ctx)
{
	const struct vmcd_options *o = ctx;
	struct vmcd_vm *vm = vmcd_vms_find(name);

	if (vm) {
		vm->seen = true;
		if (vm->dom)
			domain_policy(vm, o);
		if (vm->dom && reset)
			vmcd_vm_guest_reset(vm);
		vmcd_domain_put(d);
		return;
	}
	vm = add(name, agent_path, NULL, NULL, o->once);
	if (!vm) {
		vmcd_domain_put(d);
		return;
	}
	vm->dom = d;
	vm->seen = true;
	domain_policy(vm, o);
	vmcd_log(LOG_INFO, NULL, "libvirt domain %s: agent at %s", name,
		 agent_path);
}

void vmcd_vms_scan(const struct vmcd_options *o)
{
	char err[512];

	for (size_t k = 0; k < nr_vms; k++)
		vms[k]->seen = false;
	if (vmcd_libvirt_scan(found, (void *)o, err, sizeof(err)) < 0) {
		vmcd_log(LOG_WARNING, NULL, "%s", err);
		return;
	}
	for (size_t k = 0; k < nr_vms; k++)
		if (vms[k]->dom && !vms[k]->seen && !vms[k]->gone)
			retire(vms[k], "the libvirt domain is gone");
}

void vmcd_vms_tick(int64_t now_ms)
{
	size_t k = 0;

	while (k < nr_vms) {
		struct vmcd_vm *vm = vms[k];

		if (vm->gone && vmcd_vm_quiet(vm)) {
			vmcd_vm_free(vm);
			vms[k] = vms[--nr_vms];
			continue;
		}
		if (!vm->gone)
			vmcd_vm_tick(vm, now_ms);
		k++;
	}
}

bool vmcd_vms_finished(void)
{
	for (size_t k = 0; k < nr_vms; k++)
		if (!vms[k]->gone && vms[k]->step != STEP_FINISHED)
			return false;
	return true;
}

void vmcd_vms_cycle_idle(int64_t min_gap_ms)
{
	int64_t now = vmcd_now_ms();

	for (size_t k = 0; k < nr_vms; k++) {
		struct vmcd_vm *vm = vms[k];

		if (!vm->gone && vm->pol.enabled &&
		    now - vm->cycle.end_ms >= min_gap_ms)
			vmcd_vm_cycle_now(vm);
	}
}

void vmcd_vms_stop(void)
{
	for (size_t k = 0; k < nr_vms; k++)
		vmcd_vm_stop(vms[k]);
}

void vmcd_vms_free(void)
{
	for (size_t k = 0; k < nr_vms; k++)
		vmcd_vm_free(vms[k]);
	nr_vms = 0;
}

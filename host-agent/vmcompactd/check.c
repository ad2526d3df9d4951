/*
 * vmcompactd's host check, the cycle's part (cycle.h): which QEMU process
 * (libvirt's domain, the pidfile, or the process serving the agent's
 * socket), where guest RAM lies in its RAM file (layout.h), and whether
 * the blocks the guest says it emptied are holes there now (hostmem.h).
 * The guest's word is never the figure reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cycle.h"
#include "log.h"

/* The QEMU process: > 0, or 0 (with the reason noted if there is one). */
static pid_t qemu_pid(struct vmcd_vm *vm)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char err[256];
	long pid = 0;
	FILE *f;

	if (vm->dom) {
		pid = vmcd_domain_pid(vm->dom, err, sizeof(err));
		if (!pid)
			vmcd_cycle_note(vm, "host check: %s", err);
		return (pid_t)pid;
	}
	if (!vm->pidfile) {
		/* QEMU listens on the agent's socket itself. */
		if (getsockopt(vm->agent.sock.fd, SOL_SOCKET, SO_PEERCRED, &cred,
			       &len) == 0)
			return cred.pid;
		return 0;
	}
	f = fopen(vm->pidfile, "re");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 0)
			pid = 0;
		fclose(f);
	}
	if (!pid)
		vmcd_cycle_note(vm, "host check: no QEMU pid in %s", vm->pidfile);
	return (pid_t)pid;
}

/* QEMU's flat view of the guest's address space. */
static void ask_mtree(struct vmcd_vm *vm)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "command-line",
			       json_object_new_string("info mtree -f"));
	vmcd_qmp_command(&vm->qmp, "human-monitor-command", a,
			 vm->pol.request_ms);
}

/* libvirt: from the domain's machine type and RAM size. */
static void libvirt_layout(struct vmcd_vm *vm)
{
	char machine[64], err[256];
	uint64_t ram;

	if (vmcd_domain_machine(vm->dom, machine, sizeof(machine), &ram, err,
				sizeof(err)))
		vmcd_cycle_note(vm, "host check: %s", err);
	else if (vmcd_layout_machine(&vm->layout, machine, ram))
		vmcd_cycle_note(vm, "host check: machine type %s: its RAM layout is not known",
				machine);
}

void vmcd_check_layout(struct vmcd_vm *vm)
{
	pid_t pid = qemu_pid(vm);

	if (pid && pid == vm->layout_pid && vm->layout.nr) {
		vmcd_cycle_vacate(vm);
		return;
	}
	vm->layout_pid = pid;
	vm->layout.nr = 0;
	if (!pid) {
		vmcd_cycle_vacate(vm);
	} else if (vm->dom) {
		libvirt_layout(vm);
		vmcd_cycle_vacate(vm);
	} else if (vmcd_qmp_connected(&vm->qmp)) {
		vm->step = STEP_LAYOUT;
		ask_mtree(vm);
	} else {
		vmcd_cycle_vacate(vm);
	}
}

void vmcd_check_answer(struct vmcd_vm *vm, int res, json_object *ret)
{
	struct vmcd_hostmem mem;
	char err[256];

	/* The flat view names the RAM region by its size: the file's. */
	if (res || !json_object_is_type(ret, json_type_string)) {
		vmcd_cycle_note(vm, "host check: info mtree: %s",
				res ? vm->qmp.err : "no text");
	} else if (vmcd_hostmem_open(vm->layout_pid, &mem, err, sizeof(err))) {
		vmcd_cycle_note(vm, "host check: %s", err);
	} else {
		if (vmcd_layout_mtree(&vm->layout, json_object_get_string(ret),
				      mem.size))
			vmcd_cycle_note(vm, "host check: QEMU maps no RAM region of %" PRIu64 " MiB",
					mem.size >> 20);
		vmcd_hostmem_close(&mem);
	}
	vmcd_cycle_vacate(vm);
}

/* The layout for a RAM file of size bytes: false (noted) if unknown. */
static bool layout_fits(struct vmcd_vm *vm, uint64_t size)
{
	if (!vm->layout.nr && size <= VMCD_LAYOUT_SAFE_RAM)
		vmcd_layout_split(&vm->layout, size, 0);
	if (!vm->layout.nr) {
		vmcd_cycle_note(vm, "host check: guest RAM of %" PRIu64 " MiB: above 2 GiB its layout comes from QEMU (give qmp=)",
				size >> 20);
		return false;
	}
	if (vmcd_layout_size(&vm->layout) != size) {
		vmcd_cycle_note(vm, "host check: QEMU places %" PRIu64 " MiB of RAM, its RAM file holds %" PRIu64 " MiB",
				vmcd_layout_size(&vm->layout) >> 20, size >> 20);
		return false;
	}
	return true;
}

void vmcd_check_start(struct vmcd_vm *vm)
{
	char err[256];

	vmcd_hostmem_close(&vm->mem);
	if (!vm->layout_pid)
		return;
	if (vmcd_hostmem_open(vm->layout_pid, &vm->mem, err, sizeof(err))) {
		vmcd_cycle_note(vm, "host check: %s", err);
		return;
	}
	if (!layout_fits(vm, vm->mem.size)) {
		vmcd_hostmem_close(&vm->mem);
	} else if (vmcd_hostmem_total(&vm->mem, &vm->cycle.populated_before)) {
		vmcd_cycle_note(vm, "host check: reading the RAM file: %s",
				strerror(errno));
		vmcd_hostmem_close(&vm->mem);
	}
}

void vmcd_check_finish(struct vmcd_vm *vm)
{
	struct vmcd_cycle *c = &vm->cycle;
	uint64_t block = vmcd_block_bytes(vm);

	if (vm->mem.fd < 0)
		return;
	for (uint32_t i = 0; i < vm->resp.nr; i++) {
		const struct vacate_result *r = &vm->results[i];
		uint64_t gpa = r->start_pfn * vm->hello.page_size, off, bytes;

		if (!(r->flags & VACATE_RES_DONE))
			continue;
		/* The guest names the block: it must lie inside its RAM. */
		if (vmcd_layout_offset(&vm->layout, gpa, block, &off) ||
		    vmcd_hostmem_populated(&vm->mem, off, block, &bytes)) {
			vmcd_cycle_note(vm, "host check: the guest emptied block pfn 0x%" PRIx64 ", which is not in its RAM",
					(uint64_t)r->start_pfn);
			vmcd_hostmem_close(&vm->mem);
			return;
		}
		vmcd_log(LOG_DEBUG, vm->name, "block pfn 0x%" PRIx64 " at RAM file offset 0x%" PRIx64 ": %s",
			 (uint64_t)r->start_pfn, off, bytes ? "populated" : "hole");
		if (bytes)
			c->still_populated++;
		else
			c->released_whole++;
	}
	c->checked = vmcd_hostmem_total(&vm->mem, &c->populated_after) == 0;
	c->backing = vm->mem.hugetlb ? "hugetlbfs" : "memfd";
	vmcd_hostmem_close(&vm->mem);
}

/*
 * What vmcompactd tells about its VMs (vms.h): the status for
 * vmcompactctl, and the Prometheus metrics (text format 0.0.4).
 */
#include <stdio.h>
#include <stdlib.h>

#include <vmcompact/json.h>

#include "log.h"
#include "vms.h"

static json_object *vm_status(const struct vmcd_vm *vm)
{
	json_object *v = json_object_new_object();

	json_object_object_add(v, "name", json_object_new_string(vm->name));
	json_object_object_add(v, "agent", json_object_new_string(vm->agent_path));
	json_object_object_add(v, "step", json_object_new_string(
		vm->gone ? "gone" : vmcd_step_name(vm->step)));
	json_object_object_add(v, "libvirt", json_object_new_boolean(vm->dom != NULL));
	json_object_object_add(v, "enabled", json_object_new_boolean(vm->pol.enabled));
	vmc_json_add_int(v, "cycles", (int64_t)vm->cycle.n);
	vmc_json_add_int(v, "errors", (int64_t)vm->totals.errors);
	vmc_json_add_int(v, "blocks_emptied", (int64_t)vm->totals.blocks_emptied);
	vmc_json_add_int(v, "blocks_released_whole", (int64_t)vm->totals.blocks_released);
	vmc_json_add_int(v, "returned_mib", (int64_t)vm->totals.bytes_returned >> 20);
	json_object_object_add(v, "last", vm->cycle.n ? vmcd_cycle_json(vm) : NULL);
	return v;
}

json_object *vmcd_vms_status(void)
{
	json_object *o = json_object_new_object(), *list = json_object_new_array();
	struct vmcd_vm *const *vms;
	char now[40];
	size_t n;

	vms = vmcd_vms_all(&n);
	json_object_object_add(o, "time", json_object_new_string(
		vmcd_timestamp(now, sizeof(now))));
	for (size_t k = 0; k < n; k++)
		json_object_array_add(list, vm_status(vms[k]));
	json_object_object_add(o, "vms", list);
	return o;
}

/* A label value, escaped as the text format says. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

struct metric {
	const char *name, *type, *help;
	uint64_t (*value)(const struct vmcd_vm *vm);
	double scale;		/* the value is printed times this */
};

static uint64_t cycles(const struct vmcd_vm *vm) { return vm->totals.cycles; }
static uint64_t errors(const struct vmcd_vm *vm) { return vm->totals.errors; }
static uint64_t emptied(const struct vmcd_vm *vm) { return vm->totals.blocks_emptied; }
static uint64_t released(const struct vmcd_vm *vm) { return vm->totals.blocks_released; }
static uint64_t returned(const struct vmcd_vm *vm) { return vm->totals.bytes_returned; }
static uint64_t deflated(const struct vmcd_vm *vm) { return vm->totals.bytes_deflated; }
static uint64_t cycle_ms(const struct vmcd_vm *vm) { return vm->totals.cycle_ms; }

static uint64_t last_ms(const struct vmcd_vm *vm)
{
	const struct vmcd_cycle *c = &vm->cycle;

	return c->end_ms > c->start_ms ? (uint64_t)(c->end_ms - c->start_ms) : 0;
}

static const struct metric metrics[] = {
	{ "vmcompactd_cycles_total", "counter", "Cycles run.", cycles, 1 },
	{ "vmcompactd_cycle_errors_total", "counter", "Cycles that ended with an error.", errors, 1 },
	{ "vmcompactd_blocks_emptied_total", "counter", "Blocks the guest says it emptied.", emptied, 1 },
	{ "vmcompactd_blocks_released_total", "counter", "Emptied blocks found to be holes on the host.", released, 1 },
	{ "vmcompactd_returned_bytes_total", "counter", "Guest memory returned to the host: holes checked on the host, or the balloon's inflation.", returned, 1 },
	{ "vmcompactd_deflated_bytes_total", "counter", "Memory the balloon gave back to guests short of it.", deflated, 1 },
	{ "vmcompactd_cycle_seconds_total", "counter", "Time spent in cycles.", cycle_ms, 1e-3 },
	{ "vmcompactd_last_cycle_seconds", "gauge", "How long the last cycle took.", last_ms, 1e-3 },
};

char *vmcd_vms_metrics(void)
{
	struct vmcd_vm *const *vms;
	char *text = NULL;
	size_t len = 0, n;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	vms = vmcd_vms_all(&n);
	fprintf(f, "# HELP vmcompactd_vms VMs looked after.\n"
		"# TYPE vmcompactd_vms gauge\nvmcompactd_vms %zu\n", n);
	for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
		const struct metric *mt = &metrics[m];

		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", mt->name, mt->help,
			mt->name, mt->type);
		for (size_t k = 0; k < n; k++) {
			fprintf(f, "%s{vm=\"", mt->name);
			put_label(f, vms[k]->name);
			if (mt->scale == 1)
				fprintf(f, "\"} %llu\n",
					(unsigned long long)mt->value(vms[k]));
			else
				fprintf(f, "\"} %.3f\n",
					(double)mt->value(vms[k]) * mt->scale);
		}
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

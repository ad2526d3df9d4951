/* vmcompactd's command line and config file (options.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmcompact/proto.h>
#include <vmcompact/util.h>

#include "log.h"
#include "options.h"

static const struct vmcd_policy defaults = {
	.interval_ms = 30000,
	.blocks = 64,
	.min_blocks = 1,
	.settle_ms = 5000,
	.floor_mib = 256,
	.deflate_step_mib = 256,
	.balloon_ms = 120000,
	.request_ms = 10000,
	.vacate_ms = 1800000,
	.enabled = true,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmcompactd [options] (--vm SPEC | --vm-dir DIR | --libvirt URI)...\n"
		"  --vm NAME,agent=PATH[,qmp=PATH][,pidfile=PATH][,return=HOW]\n"
		"                     a VM: the unix socket of its org.vmcompact.0 port,\n"
		"                     its QMP socket (balloon, RAM layout) and QEMU's\n"
		"                     pidfile (host check; else QEMU serving the port)\n"
		"  --vm-dir DIR[,return=HOW]\n"
		"                     a VM started by scripts/vm-run --dir DIR\n"
		"  --libvirt URI      every running domain of libvirt at URI that has an\n"
		"                     org.vmcompact.0 unix channel, as they come and go\n"
		"  --return HOW       free or balloon (return= of a VM overrides it):\n"
		"                     how emptied blocks reach the host, by the guest's\n"
		"                     free page reporting (default), or HOLD and the balloon\n"
		"  --blocks N         most blocks per cycle (default 64, at most %d)\n"
		"  --min-blocks N     leave a guest alone if fewer can be emptied (default 1)\n"
		"  --interval SEC     between cycles of a VM (default 30)\n"
		"  --settle SEC       free: wait for free page reporting (default 5)\n"
		"  --floor-mib MIB    balloon: never inflate a guest below this (default 256)\n"
		"  --deflate-below-mib MIB\n"
		"                     balloon: deflate when the guest has less available\n"
		"                     (default 0: never)\n"
		"  --deflate-step-mib MIB  by this much at a time (default 256)\n"
		"  --timeout SEC      for each answer of an agent or QEMU (default 10)\n"
		"  --vacate-timeout SEC\n"
		"                     for an agent's answer to a VACATE (default 1800)\n"
		"  --control PATH     a unix socket for vmcompactctl\n"
		"  --metrics ADDR:PORT  Prometheus metrics over HTTP (GET /metrics)\n"
		"  --psi TRIGGER      start cycles when the host's memory pressure\n"
		"                     crosses TRIGGER (psi(7), e.g. \"some 150000 2000000\")\n"
		"  --psi-file PATH    the pressure file (default /proc/pressure/memory)\n"
		"  --config FILE      read options from FILE first (vmcompactd.conf(5))\n"
		"  --log-level LEVEL  error, warning, notice, info (default) or debug\n"
		"  --once             one cycle per VM, then exit\n"
		"  --version          print the version\n",
		VMC_VACATE_MAX_BLOCKS);
}

/* "key=value" fields of a spec at *s, advanced past one; NULL at the end. */
static char *next_field(char **s)
{
	return strsep(s, ",");
}

/* free or balloon: 0, or -1 for anything else. */
static int parse_return(const char *s, bool *balloon)
{
	*balloon = !strcmp(s, "balloon");
	return *balloon || !strcmp(s, "free") ? 0 : -1;
}

static int set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

/* The key=value fields after a VM's name or directory. */
static int vm_fields(struct vmcd_vm_spec *vm, char *s)
{
	char *f;

	while ((f = next_field(&s))) {
		if (!strncmp(f, "agent=", 6) && !set_string(&vm->agent, f + 6))
			continue;
		if (!strncmp(f, "qmp=", 4) && !set_string(&vm->qmp, f + 4))
			continue;
		if (!strncmp(f, "pidfile=", 8) && !set_string(&vm->pidfile, f + 8))
			continue;
		if (!strncmp(f, "return=", 7) &&
		    !parse_return(f + 7, &vm->return_balloon)) {
			vm->has_return = true;
			continue;
		}
		return -1;
	}
	return vm->agent ? 0 : -1;
}

static struct vmcd_vm_spec *new_spec(struct vmcd_options *o, const char *name)
{
	struct vmcd_vm_spec *vm;

	if (o->nr_vms == VMCD_MAX_VMS || !*name)
		return NULL;
	for (size_t k = 0; k < o->nr_vms; k++)
		if (!strcmp(o->vms[k].name, name))
			return NULL;
	vm = &o->vms[o->nr_vms++];
	*vm = (struct vmcd_vm_spec){ .name = strdup(name) };
	return vm->name ? vm : NULL;
}

static int add_vm(struct vmcd_options *o, const char *spec)
{
	char *copy = strdup(spec), *s = copy, *name = copy ? next_field(&s) : NULL;
	struct vmcd_vm_spec *vm = name ? new_spec(o, name) : NULL;
	int rc = vm ? vm_fields(vm, s) : -1;

	free(copy);
	return rc;
}

/* DIR/NAME as a new string in *dst. */
static int in_dir(char **dst, const char *dir, const char *name)
{
	return asprintf(dst, "%s/%s", dir, name) < 0 ? -1 : 0;
}

static int add_vm_dir(struct vmcd_options *o, const char *spec)
{
	char *copy = strdup(spec), *s = copy, *dir = copy ? next_field(&s) : NULL;
	const char *base = dir ? strrchr(dir, '/') : NULL;
	struct vmcd_vm_spec *vm = dir ? new_spec(o, base && base[1] ? base + 1 : dir) : NULL;
	int rc = -1;

	if (vm && !in_dir(&vm->agent, dir, "vmc.sock") &&
	    !in_dir(&vm->qmp, dir, "qmp.sock") &&
	    !in_dir(&vm->pidfile, dir, "qemu.pid"))
		rc = vm_fields(vm, s);
	free(copy);
	return rc;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t n;

	if (vmc_parse_u64(s, &n) || n < min || n > max)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int parse_mib(const char *s, uint64_t *mib)
{
	return vmc_parse_u64(s, mib) || *mib > (1ull << 40) ? -1 : 0;
}

/* Whole seconds from min to max, as milliseconds. */
static int parse_seconds(const char *s, uint32_t min, uint32_t max,
			 int64_t *ms)
{
	uint32_t sec;

	if (parse_u32(s, min, max, &sec))
		return -1;
	*ms = (int64_t)sec * 1000;
	return 0;
}

static int parse_timeout(const char *s, int *ms)
{
	int64_t v;

	if (parse_seconds(s, 1, 86400, &v))
		return -1;
	*ms = (int)v;
	return 0;
}

enum {
	OPT_VM = 1, OPT_VM_DIR, OPT_LIBVIRT, OPT_RETURN, OPT_BLOCKS,
	OPT_MIN_BLOCKS, OPT_INTERVAL, OPT_SETTLE, OPT_FLOOR, OPT_DEFLATE_BELOW,
	OPT_DEFLATE_STEP, OPT_TIMEOUT, OPT_VACATE_TIMEOUT, OPT_CONTROL,
	OPT_METRICS, OPT_PSI, OPT_PSI_FILE, OPT_CONFIG, OPT_LOG_LEVEL,
	OPT_ONCE, OPT_HELP, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "vm", required_argument, NULL, OPT_VM },
	{ "vm-dir", required_argument, NULL, OPT_VM_DIR },
	{ "libvirt", required_argument, NULL, OPT_LIBVIRT },
	{ "return", required_argument, NULL, OPT_RETURN },
	{ "blocks", required_argument, NULL, OPT_BLOCKS },
	{ "min-blocks", required_argument, NULL, OPT_MIN_BLOCKS },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "floor-mib", required_argument, NULL, OPT_FLOOR },
	{ "deflate-below-mib", required_argument, NULL, OPT_DEFLATE_BELOW },
	{ "deflate-step-mib", required_argument, NULL, OPT_DEFLATE_STEP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "vacate-timeout", required_argument, NULL, OPT_VACATE_TIMEOUT },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "psi", required_argument, NULL, OPT_PSI },
	{ "psi-file", required_argument, NULL, OPT_PSI_FILE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 }
};

/* A policy option: 0, -1 if the value is bad, 1 if it is not one. */
static int take_policy(struct vmcd_policy *p, int opt, const char *v)
{
	switch (opt) {
	case OPT_RETURN: return parse_return(v, &p->balloon);
	case OPT_BLOCKS: return parse_u32(v, 1, VMC_VACATE_MAX_BLOCKS, &p->blocks);
	case OPT_MIN_BLOCKS: return parse_u32(v, 1, VMC_VACATE_MAX_BLOCKS, &p->min_blocks);
	case OPT_INTERVAL: return parse_seconds(v, 0, 7 * 86400, &p->interval_ms);
	case OPT_SETTLE: return parse_seconds(v, 0, 7 * 86400, &p->settle_ms);
	case OPT_FLOOR: return parse_mib(v, &p->floor_mib);
	case OPT_DEFLATE_BELOW: return parse_mib(v, &p->deflate_below_mib);
	case OPT_DEFLATE_STEP: return parse_mib(v, &p->deflate_step_mib);
	case OPT_TIMEOUT: return parse_timeout(v, &p->request_ms);
	case OPT_VACATE_TIMEOUT: return parse_timeout(v, &p->vacate_ms);
	}
	return 1;
}

/* One option with its value: 0, or -1 if the value is bad. */
static int take(struct vmcd_options *o, int opt, const char *v)
{
	int rc = take_policy(&o->pol, opt, v);

	if (rc <= 0)
		return rc;
	switch (opt) {
	case OPT_VM: return add_vm(o, v);
	case OPT_VM_DIR: return add_vm_dir(o, v);
	case OPT_LIBVIRT: return set_string(&o->libvirt_uri, v);
	case OPT_CONTROL: return set_string(&o->control, v);
	case OPT_METRICS: return set_string(&o->metrics, v);
	case OPT_PSI: return set_string(&o->psi, v);
	case OPT_PSI_FILE: return set_string(&o->psi_file, v);
	case OPT_CONFIG: return set_string(&o->config, v);
	case OPT_LOG_LEVEL: return (o->log_level = vmcd_log_level(v)) < 0 ? -1 : 0;
	case OPT_ONCE: o->once = true; return 0;
	}
	return -1;
}

static const struct option *find(const char *name)
{
	for (const struct option *opt = longopts; opt->name; opt++)
		if (!strcmp(opt->name, name))
			return opt;
	return NULL;
}

int vmcd_policy_option(struct vmcd_policy *p, const char *name,
		       const char *value)
{
	const struct option *opt = find(name);

	if (!strcmp(name, "enabled")) {
		p->enabled = !strcmp(value, "yes");
		return p->enabled || !strcmp(value, "no") ? 0 : -1;
	}
	return opt && take_policy(p, opt->val, value) == 0 ? 0 : -1;
}

/* One line of the config file (line is changed). */
static int config_line(struct vmcd_options *o, char *line, const char *file,
		       unsigned int n, char *err, size_t err_size)
{
	char *name, *value;
	const struct option *opt;

	line[strcspn(line, "#\r\n")] = '\0';
	name = line + strspn(line, " \t");
	if (!*name)
		return 0;
	value = name + strcspn(name, " \t");
	if (*value)
		*value++ = '\0';
	value += strspn(value, " \t");
	while (*value && strchr(" \t", value[strlen(value) - 1]))
		value[strlen(value) - 1] = '\0';
	opt = find(name);
	if (!opt || opt->val == OPT_CONFIG || opt->val == OPT_HELP ||
	    opt->val == OPT_VERSION)
		return vmc_failf(err, err_size, "%s:%u: unknown option '%s'",
				 file, n, name);
	if ((opt->has_arg == required_argument) != (*value != '\0') ||
	    take(o, opt->val, value))
		return vmc_failf(err, err_size, "%s:%u: bad value '%s' for %s",
				 file, n, value, name);
	return 0;
}

static int read_config(struct vmcd_options *o, const char *file, char *err,
		       size_t err_size)
{
	FILE *f = fopen(file, "re");
	char line[1024];
	unsigned int n = 0;
	int rc = 0;

	if (!f)
		return vmc_failf(err, err_size, "%s: %s", file, strerror(errno));
	while (!rc && fgets(line, sizeof(line), f))
		rc = config_line(o, line, file, ++n, err, err_size);
	fclose(f);
	return rc;
}

/* The command line, into o: 0, -1 (err set) or 1 (--help, --version). */
static int command_line(int argc, char **argv, struct vmcd_options *o,
			bool config_only, char *err, size_t err_size)
{
	int c, i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, &i)) != -1) {
		if (c == '?' || c == ':')
			return vmc_failf(err, err_size, "%s '%s'", c == '?' ?
					 "unknown option" : "no value for",
					 argv[optind - 1]);
		if (c == OPT_HELP) {
			usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("vmcompactd %s\n", VMC_VERSION);
			return 1;
		}
		if ((c == OPT_CONFIG) == config_only && take(o, c, optarg))
			return vmc_failf(err, err_size, "bad value '%s' for --%s",
					 optarg, longopts[i].name);
	}
	if (optind < argc)
		return vmc_failf(err, err_size, "unexpected argument '%s'",
				 argv[optind]);
	return 0;
}

/* What no option alone can check. */
static int check(const struct vmcd_options *o, char *err, size_t err_size)
{
	/* With a config file, VMs may come later (SIGHUP). */
	if (!o->nr_vms && !o->libvirt_uri && !o->config)
		return vmc_failf(err, err_size, "no VM: give --vm, --vm-dir or --libvirt");
	for (size_t k = 0; k < o->nr_vms; k++) {
		struct vmcd_policy p = vmcd_spec_policy(o, &o->vms[k]);

		if (p.balloon && !o->vms[k].qmp)
			return vmc_failf(err, err_size, "VM %s: return by balloon needs its qmp=",
					 o->vms[k].name);
	}
	return 0;
}

int vmcd_options_load(int argc, char **argv, struct vmcd_options *o,
		      char *err, size_t err_size)
{
	int rc;

	*o = (struct vmcd_options){ .pol = defaults, .log_level = LOG_INFO };
	/* --config first, then the file, then the rest of the command line. */
	rc = command_line(argc, argv, o, true, err, err_size);
	if (!rc && o->config)
		rc = read_config(o, o->config, err, err_size);
	if (!rc)
		rc = command_line(argc, argv, o, false, err, err_size);
	if (!rc)
		rc = check(o, err, err_size);
	if (rc)
		vmcd_options_free(o);
	return rc;
}

void vmcd_options_free(struct vmcd_options *o)
{
	for (size_t k = 0; k < o->nr_vms; k++) {
		free(o->vms[k].name);
		free(o->vms[k].agent);
		free(o->vms[k].qmp);
		free(o->vms[k].pidfile);
	}
	o->nr_vms = 0;
	free(o->config);
	free(o->libvirt_uri);
	free(o->control);
	free(o->metrics);
	free(o->psi);
	free(o->psi_file);
	o->config = o->libvirt_uri = o->control = o->metrics = NULL;
	o->psi = o->psi_file = NULL;
}

struct vmcd_policy vmcd_spec_policy(const struct vmcd_options *o,
				    const struct vmcd_vm_spec *spec)
{
	struct vmcd_policy p = o->pol;

	if (spec && spec->has_return)
		p.balloon = spec->return_balloon;
	return p;
}

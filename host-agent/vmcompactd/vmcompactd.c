/*
 * vmcompactd: keep many VMs' free memory in whole 2 MiB blocks and give
 * them to the host.  One io_uring event loop drives every VM's cycle
 * (vm.h); each cycle writes one JSON line on stdout.  SIGINT or SIGTERM
 * ends the cycles in progress and exits.
 *
 * Exit status: 0, 1 if the loop failed, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "vm.h"

#define MAX_VMS		256
#define TICK_MS		250
#define SCAN_MS		5000	/* libvirt: look for new and gone domains */

static struct vmcd_loop loop;
static struct vmcd_vm *vms[MAX_VMS];
static size_t nr_vms;
static struct vmcd_op tick_op, signal_op;
static struct signalfd_siginfo siginfo;
static int sigfd = -1;
static const char *libvirt_uri;
static const char *control_path;
static int64_t next_scan_ms;

static struct vmcd_policy pol = {
	.interval_ms = 30000,
	.blocks = 64,
	.min_blocks = 1,
	.settle_ms = 5000,
	.floor_mib = 256,
	.balloon_ms = 120000,
	.request_ms = 10000,
	.vacate_ms = 1800000,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmcompactd [options] (--vm SPEC | --vm-dir DIR | --libvirt URI)...\n"
		"  --vm NAME,agent=PATH[,qmp=PATH][,pidfile=PATH][,return=HOW]\n"
		"                     a VM: the unix socket of its org.vmcompact.0 port,\n"
		"                     its QMP socket (for the balloon) and QEMU's pidfile\n"
		"                     (for the host check)\n"
		"  --vm-dir DIR[,return=HOW]\n"
		"                     a VM started by scripts/vm-run --dir DIR\n"
		"  --libvirt URI      every running domain of libvirt at URI that has an\n"
		"                     org.vmcompact.0 unix channel, found as they come\n"
		"  --return HOW       free or balloon (return= of a VM overrides it):\n"
		"                     how emptied blocks reach the host, by the guest's\n"
		"                     free page reporting (default), or HOLD and the balloon\n"
		"  --blocks N         most blocks per cycle (default 64, at most %d)\n"
		"  --min-blocks N     leave a guest alone if fewer can be emptied (default 1)\n"
		"  --interval SEC     between cycles of a VM (default 30)\n"
		"  --settle SEC       free: wait for free page reporting (default 5)\n"
		"  --floor-mib MIB    balloon: never inflate a guest below this (default 256)\n"
		"  --timeout SEC      for each answer of an agent or QEMU (default 10)\n"
		"  --vacate-timeout SEC\n"
		"                     for an agent's answer to a VACATE (default 1800)\n"
		"  --control PATH     a unix socket for vmcompactctl status and cycle\n"
		"  --once             one cycle per VM, then exit\n",
		VMC_VACATE_MAX_BLOCKS);
}

/* "key=value" in spec at *s, advanced past it; NULL at the end. */
static char *next_field(char **s)
{
	return strsep(s, ",");
}

static struct vmcd_vm *new_vm(const char *name)
{
	struct vmcd_vm *vm;

	if (nr_vms == MAX_VMS) {
		fprintf(stderr, "vmcompactd: at most %d VMs\n", MAX_VMS);
		return NULL;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "vmcompactd: out of memory\n");
		return NULL;
	}
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vms[nr_vms++] = vm;
	return vm;
}

/* free or balloon: 0, or -1 for anything else. */
static int parse_return(const char *s, bool *balloon)
{
	*balloon = !strcmp(s, "balloon");
	return *balloon || !strcmp(s, "free") ? 0 : -1;
}

/* The key=value fields after a VM's name or directory. */
static int vm_fields(struct vmcd_vm *vm, char *s)
{
	char *f;

	while ((f = next_field(&s))) {
		if (!strncmp(f, "agent=", 6))
			vm->agent_path = f + 6;
		else if (!strncmp(f, "qmp=", 4))
			vm->qmp_path = f + 4;
		else if (!strncmp(f, "pidfile=", 8))
			vm->pidfile = f + 8;
		else if (!strncmp(f, "return=", 7) &&
			 !parse_return(f + 7, &vm->return_balloon))
			vm->has_return = true;
		else
			return -1;
	}
	return vm->agent_path ? 0 : -1;
}

static int add_vm(char *spec)
{
	char *s = spec, *name = next_field(&s);
	struct vmcd_vm *vm;

	if (!name || !*name)
		return -1;
	vm = new_vm(name);
	return vm ? vm_fields(vm, s) : -1;
}

/* DIR/NAME for a --vm-dir VM: the strings live as long as the process. */
static char *in_dir(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		fprintf(stderr, "vmcompactd: out of memory\n");
		exit(1);
	}
	return p;
}

static int add_vm_dir(char *spec)
{
	char *s = spec, *dir = next_field(&s);
	const char *base = strrchr(dir, '/');
	struct vmcd_vm *vm = new_vm(base && base[1] ? base + 1 : dir);

	if (!vm)
		return -1;
	vm->agent_path = in_dir(dir, "vmc.sock");
	vm->qmp_path = in_dir(dir, "qmp.sock");
	vm->pidfile = in_dir(dir, "qemu.pid");
	return vm_fields(vm, s);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n < min || n > max)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int parse_seconds(const char *s, int64_t *ms)
{
	uint32_t sec;

	if (parse_u32(s, 0, 7 * 86400, &sec))
		return -1;
	*ms = (int64_t)sec * 1000;
	return 0;
}

static void vm_policy(struct vmcd_vm *vm)
{
	vm->pol = pol;
	if (vm->has_return)
		vm->pol.balloon = vm->return_balloon;
}

/* A timeout in whole seconds, 1 s to a day, as milliseconds. */
static int parse_timeout(const char *s, int *ms)
{
	uint32_t sec;

	if (parse_u32(s, 1, 86400, &sec))
		return -1;
	*ms = (int)sec * 1000;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "vm-dir", required_argument, NULL, 'd' },
		{ "libvirt", required_argument, NULL, 'l' },
		{ "return", required_argument, NULL, 'r' },
		{ "blocks", required_argument, NULL, 'b' },
		{ "min-blocks", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{ "settle", required_argument, NULL, 's' },
		{ "floor-mib", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "vacate-timeout", required_argument, NULL, 'T' },
		{ "control", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint32_t floor;
	int c, i, bad = 0;

	while (!bad && (c = getopt_long(argc, argv, "", longopts, &i)) != -1) {
		switch (c) {
		case 'v':
			bad = add_vm(optarg);
			break;
		case 'd':
			bad = add_vm_dir(optarg);
			break;
		case 'l':
			libvirt_uri = optarg;
			break;
		case 'r':
			bad = parse_return(optarg, &pol.balloon);
			break;
		case 'b':
			bad = parse_u32(optarg, 1, VMC_VACATE_MAX_BLOCKS, &pol.blocks);
			break;
		case 'm':
			bad = parse_u32(optarg, 1, VMC_VACATE_MAX_BLOCKS, &pol.min_blocks);
			break;
		case 'i':
			bad = parse_seconds(optarg, &pol.interval_ms);
			break;
		case 's':
			bad = parse_seconds(optarg, &pol.settle_ms);
			break;
		case 'f':
			bad = parse_u32(optarg, 0, UINT32_MAX, &floor);
			pol.floor_mib = floor;
			break;
		case 't':
			bad = parse_timeout(optarg, &pol.request_ms);
			break;
		case 'T':
			bad = parse_timeout(optarg, &pol.vacate_ms);
			break;
		case 'c':
			control_path = optarg;
			break;
		case 'o':
			pol.once = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
		if (bad)
			fprintf(stderr, "vmcompactd: bad value '%s' for --%s\n",
				optarg, longopts[i].name);
	}
	if (bad)
		return -1;
	if (optind < argc) {
		fprintf(stderr, "vmcompactd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!nr_vms && !libvirt_uri) {
		fprintf(stderr, "vmcompactd: no VM: give --vm, --vm-dir or --libvirt\n");
		return -1;
	}
	for (size_t k = 0; k < nr_vms; k++) {
		struct vmcd_vm *vm = vms[k];

		vm_policy(vm);
		if (vm->pol.balloon && !vm->qmp_path) {
			fprintf(stderr, "vmcompactd: VM %s: return by balloon needs its qmp=\n",
				vm->name);
			return -1;
		}
	}
	return 0;
}

static void stop_all(void)
{
	loop.stop = true;
	vmcd_control_close();
	for (size_t k = 0; k < nr_vms; k++)
		vmcd_vm_stop(vms[k]);
	vmcd_cancel(&loop, &signal_op);
}

static struct vmcd_vm *vm_named(const char *name)
{
	for (size_t k = 0; k < nr_vms; k++)
		if (!strcmp(vms[k]->name, name))
			return vms[k];
	return NULL;
}

/* A domain of the scan: a new VM, or one known already. */
static void found(const char *name, const char *agent_path,
		  struct vmcd_domain *d, void *ctx)
{
	struct vmcd_vm *vm = vm_named(name);

	(void)ctx;
	if (vm && vm->dom) {
		vm->seen = true;
		vmcd_domain_put(d);
		return;
	}
	vm = vm ? NULL : new_vm(name);
	if (!vm || !(vm->own_agent_path = strdup(agent_path))) {
		vmcd_domain_put(d);
		return;
	}
	vm->agent_path = vm->own_agent_path;
	vm->dom = d;
	vm->seen = true;
	vm_policy(vm);
	vmcd_vm_init(vm, &loop, stdout);
	fprintf(stderr, "vmcompactd: libvirt domain %s: agent at %s\n", name,
		agent_path);
}

/* libvirt's running domains: new ones join, gone ones leave. */
static void scan(void)
{
	char err[512];

	for (size_t k = 0; k < nr_vms; k++)
		vms[k]->seen = false;
	if (vmcd_libvirt_scan(found, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmcompactd: %s\n", err);
		return;
	}
	for (size_t k = 0; k < nr_vms; k++) {
		if (vms[k]->dom && !vms[k]->seen && !vms[k]->gone) {
			fprintf(stderr, "vmcompactd: libvirt domain %s is gone\n",
				vms[k]->name);
			vms[k]->gone = true;
			vmcd_vm_stop(vms[k]);
		}
	}
}

/* Free the VMs that left once nothing of theirs is in flight. */
static void reap(void)
{
	size_t k = 0;

	while (k < nr_vms) {
		if (vms[k]->gone && vmcd_vm_quiet(vms[k])) {
			vmcd_vm_free(vms[k]);
			vms[k] = vms[--nr_vms];
		} else {
			k++;
		}
	}
}

static void tick(struct vmcd_op *op, int res)
{
	int64_t now = vmcd_now_ms();
	bool finished = true;

	(void)res;
	if (loop.stop)
		return;
	if (libvirt_uri && now >= next_scan_ms) {
		scan();
		next_scan_ms = now + SCAN_MS;
	}
	reap();
	vmcd_control_tick(now);
	for (size_t k = 0; k < nr_vms; k++) {
		if (vms[k]->gone)
			continue;
		vmcd_vm_tick(vms[k], now);
		finished &= vms[k]->step == STEP_FINISHED;
	}
	/* --once with libvirt: the domains running at the start. */
	if (finished && (nr_vms || !libvirt_uri))
		stop_all();
	else
		vmcd_sleep(&loop, op, TICK_MS);
}

static json_object *status(void)
{
	json_object *o = json_object_new_object(), *list = json_object_new_array();

	for (size_t k = 0; k < nr_vms; k++) {
		const struct vmcd_vm *vm = vms[k];
		json_object *v = json_object_new_object();

		json_object_object_add(v, "name", json_object_new_string(vm->name));
		json_object_object_add(v, "agent", json_object_new_string(vm->agent_path));
		json_object_object_add(v, "step", json_object_new_string(
			vm->gone ? "gone" : vmcd_step_name(vm->step)));
		json_object_object_add(v, "cycles", json_object_new_int64(vm->cycle.n));
		json_object_object_add(v, "blocks_emptied", json_object_new_int64((int64_t)vm->total_done));
		json_object_object_add(v, "blocks_released_whole",
				       json_object_new_int64((int64_t)vm->total_released));
		json_object_object_add(v, "last", vm->cycle.n ? vmcd_cycle_json(vm) : NULL);
		json_object_array_add(list, v);
	}
	json_object_object_add(o, "vms", list);
	return o;
}

static int cycle_now(const char *name, char *err, size_t err_size)
{
	struct vmcd_vm *vm = vm_named(name);

	if (!vm || vm->gone)
		snprintf(err, err_size, "no VM called %s", name);
	else if (!vmcd_vm_cycle_now(vm))
		snprintf(err, err_size, "%s is in a cycle (%s)", name,
			 vmcd_step_name(vm->step));
	else
		return 0;
	return -1;
}

static const struct vmcd_control_ops control_ops = { status, cycle_now };

static void got_signal(struct vmcd_op *op, int res)
{
	(void)op;
	if (res == -ECANCELED || loop.stop)
		return;
	if (res == (int)sizeof(siginfo))
		fprintf(stderr, "vmcompactd: %s: stopping\n",
			strsignal((int)siginfo.ssi_signo));
	stop_all();
}

int main(int argc, char **argv)
{
	sigset_t mask;
	int rc;

	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (libvirt_uri) {
		char err[512];

		if (vmcd_libvirt_open(libvirt_uri, err, sizeof(err)) < 0) {
			fprintf(stderr, "vmcompactd: %s\n", err);
			return 1;
		}
	}
	rc = vmcd_loop_init(&loop, 256);
	if (sigfd < 0 || rc < 0) {
		fprintf(stderr, "vmcompactd: %s: %s\n", sigfd < 0 ? "signalfd" :
			"io_uring", strerror(sigfd < 0 ? errno : -rc));
		return 1;
	}
	for (size_t k = 0; k < nr_vms; k++)
		vmcd_vm_init(vms[k], &loop, stdout);
	if (control_path) {
		char err[512];

		if (vmcd_control_open(&loop, control_path, &control_ops, err,
				      sizeof(err)) < 0) {
			fprintf(stderr, "vmcompactd: control socket %s\n", err);
			return 1;
		}
	}
	tick_op.done = tick;
	signal_op.done = got_signal;
	vmcd_read(&loop, &signal_op, sigfd, &siginfo, sizeof(siginfo));
	vmcd_sleep(&loop, &tick_op, 0);
	rc = vmcd_loop_run(&loop);
	if (rc < 0)
		fprintf(stderr, "vmcompactd: event loop: %s\n", strerror(-rc));
	vmcd_loop_exit(&loop);
	for (size_t k = 0; k < nr_vms; k++)
		vmcd_vm_free(vms[k]);
	vmcd_libvirt_close();
	return rc < 0;
}

/*
 * vmcompactd: keep many VMs' free memory in whole 2 MiB blocks and give
 * them to the host.  One io_uring event loop (loop.h) drives every VM's
 * cycle (vm.h); each cycle writes one JSON line on stdout.  SIGINT or
 * SIGTERM ends the cycles in progress and exits; SIGHUP reads the config
 * file and the command line again (options.h).  Under systemd it says
 * when it is ready, reloading and stopping (sd_notify), and logs to the
 * journal (log.h).
 *
 * Exit status: 0, 1 if it could not start or the loop failed, 2 usage
 * error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#include <systemd/sd-daemon.h>

#include "control.h"
#include "libvirt.h"
#include "log.h"
#include "options.h"
#include "psi.h"
#include "vms.h"

#define TICK_MS		250
#define RECONNECT_MS	2000	/* libvirt: while it is away */
#define PSI_GAP_MS	10000	/* pressure starts no VM's cycle more often */

static struct vmcd_loop loop;
static struct vmcd_options opts;
static int saved_argc;
static char **saved_argv;
static struct vmcd_fd sig_fd, libvirt_fd;
static struct vmcd_op tick_op, signal_op, libvirt_op;
static struct signalfd_siginfo siginfo;
static uint64_t libvirt_events;
static int64_t next_reconnect_ms;

static void stop_all(void)
{
	sd_notify(0, "STOPPING=1");
	loop.stop = true;
	vmcd_control_close();
	vmcd_psi_close();
	vmcd_vms_stop();
	vmcd_fd_close(&loop, &sig_fd);
	/* libvirt's thread writes to the eventfd: it stops first. */
	vmcd_libvirt_close();
	vmcd_fd_close(&loop, &libvirt_fd);
}

/* libvirt: look again, or connect again if it went away. */
static void libvirt_check(int64_t now)
{
	char err[512];

	if (vmcd_libvirt_alive()) {
		vmcd_vms_scan(&opts);
		return;
	}
	if (now < next_reconnect_ms)
		return;
	next_reconnect_ms = now + RECONNECT_MS;
	if (vmcd_libvirt_reconnect(err, sizeof(err)) == 0) {
		vmcd_log(LOG_NOTICE, NULL, "libvirt: connected again");
		vmcd_vms_scan(&opts);
	} else {
		vmcd_log(LOG_DEBUG, NULL, "%s", err);
	}
}

static void tick(struct vmcd_op *op, int res)
{
	int64_t now = vmcd_now_ms();

	(void)res;
	if (loop.stop)
		return;
	if (opts.libvirt_uri && !vmcd_libvirt_alive())
		libvirt_check(now);
	vmcd_control_tick(now);
	vmcd_vms_tick(now);
	/* --once: the VMs given, or the domains running at the start. */
	if (opts.once && vmcd_vms_finished())
		stop_all();
	else
		vmcd_sleep(&loop, op, TICK_MS);
}

static void libvirt_event(struct vmcd_op *op, int res)
{
	if (!vmcd_fd_open(&libvirt_fd))
		return;
	if (res > 0)
		libvirt_check(vmcd_now_ms());
	vmcd_read(&loop, op, &libvirt_fd, &libvirt_events,
		  sizeof(libvirt_events));
}

static int cycle_now(const char *name, char *err, size_t err_size)
{
	struct vmcd_vm *vm = vmcd_vms_find(name);

	if (!vm)
		snprintf(err, err_size, "no VM called %s", name);
	else if (!vmcd_vm_cycle_now(vm))
		snprintf(err, err_size, "%s is in a cycle (%s)", name,
			 vmcd_step_name(vm->step));
	else
		return 0;
	return -1;
}

static int reclaim(const char *name, uint64_t mib, unsigned int id, char *err,
		   size_t err_size)
{
	struct vmcd_vm *vm = vmcd_vms_find(name);

	if (!vm)
		snprintf(err, err_size, "no VM called %s", name);
	else if (!mib || mib > (1u << 20))
		snprintf(err, err_size, "reclaim %llu MiB: want 1 to 1048576",
			 (unsigned long long)mib);
	else if (!vmcd_vm_reclaim(vm, mib, id))
		snprintf(err, err_size, "%s is in a cycle (%s)", name,
			 vmcd_step_name(vm->step));
	else
		return 0;
	return -1;
}

static const struct vmcd_control_ops control_ops = {
	.status = vmcd_vms_status,
	.cycle = cycle_now,
	.reclaim = reclaim,
	.metrics = vmcd_vms_metrics,
};

static void pressure(void)
{
	vmcd_log(LOG_INFO, NULL, "host memory pressure: cycles now");
	vmcd_vms_cycle_idle(PSI_GAP_MS);
}

/* What a reload cannot change: the sockets and libvirt. */
static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void reload(void)
{
	struct vmcd_options o;
	char err[512];

	sd_notify(0, "RELOADING=1");
	if (vmcd_options_load(saved_argc, saved_argv, &o, err, sizeof(err))) {
		vmcd_log(LOG_ERR, NULL, "reload: %s; keeping the settings", err);
		sd_notify(0, "READY=1");
		return;
	}
	if (!same(o.control, opts.control) || !same(o.metrics, opts.metrics) ||
	    !same(o.libvirt_uri, opts.libvirt_uri) || !same(o.psi, opts.psi) ||
	    !same(o.psi_file, opts.psi_file))
		vmcd_log(LOG_WARNING, NULL, "reload: control, metrics, libvirt and psi change on restart only");
	vmcd_log_init(o.log_level);
	vmcd_vms_configure(&o);
	vmcd_options_free(&opts);
	opts = o;
	vmcd_log(LOG_NOTICE, NULL, "reloaded %s",
		 opts.config ? opts.config : "the command line");
	sd_notify(0, "READY=1");
}

static void got_signal(struct vmcd_op *op, int res)
{
	if (!vmcd_fd_open(&sig_fd) || loop.stop)
		return;
	if (res == (int)sizeof(siginfo) && siginfo.ssi_signo == SIGHUP) {
		reload();
		vmcd_read(&loop, op, &sig_fd, &siginfo, sizeof(siginfo));
		return;
	}
	if (res == (int)sizeof(siginfo))
		vmcd_log(LOG_NOTICE, NULL, "%s: stopping",
			 strsignal((int)siginfo.ssi_signo));
	stop_all();
}

/* Everything but the VMs: 0, or -1 after saying why. */
static int start(void)
{
	char err[512];
	sigset_t mask;
	int fd, rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = vmcd_loop_init(&loop, 256);
	if (rc < 0) {
		vmcd_log(LOG_ERR, NULL, "io_uring: %s", strerror(-rc));
		return -1;
	}
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (fd < 0) {
		vmcd_log(LOG_ERR, NULL, "signalfd: %s", strerror(errno));
		return -1;
	}
	vmcd_fd_init(&sig_fd, fd);
	signal_op.done = got_signal;
	vmcd_read(&loop, &signal_op, &sig_fd, &siginfo, sizeof(siginfo));
	if (opts.libvirt_uri) {
		fd = eventfd(0, EFD_CLOEXEC);
		vmcd_fd_init(&libvirt_fd, fd);
		if (fd < 0 || vmcd_libvirt_open(opts.libvirt_uri, fd, err,
						sizeof(err)) < 0) {
			vmcd_log(LOG_ERR, NULL, "%s", fd < 0 ? strerror(errno) : err);
			return -1;
		}
		libvirt_op.done = libvirt_event;
		vmcd_read(&loop, &libvirt_op, &libvirt_fd, &libvirt_events,
			  sizeof(libvirt_events));
	}
	if (opts.control && vmcd_control_open(&loop, opts.control, &control_ops,
					      err, sizeof(err)) < 0) {
		vmcd_log(LOG_ERR, NULL, "control socket %s", err);
		return -1;
	}
	if (opts.metrics && vmcd_control_open_http(&loop, opts.metrics,
						   &control_ops, err,
						   sizeof(err)) < 0) {
		vmcd_log(LOG_ERR, NULL, "metrics %s", err);
		return -1;
	}
	if (opts.psi && vmcd_psi_open(&loop, opts.psi_file ? opts.psi_file :
				      "/proc/pressure/memory", opts.psi,
				      pressure, err, sizeof(err)) < 0) {
		vmcd_log(LOG_ERR, NULL, "%s", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[512];
	int rc;

	saved_argc = argc;
	saved_argv = argv;
	rc = vmcd_options_load(argc, argv, &opts, err, sizeof(err));
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "vmcompactd: %s (see --help)\n", err);
		return rc < 0 ? 2 : 0;
	}
	vmcd_log_init(opts.log_level);
	vmcd_vms_init(&loop, stdout);
	if (start() < 0)
		return 1;
	vmcd_vms_configure(&opts);
	if (opts.libvirt_uri)
		vmcd_vms_scan(&opts);
	tick_op.done = tick;
	vmcd_sleep(&loop, &tick_op, 0);
	sd_notify(0, "READY=1");
	vmcd_log(LOG_INFO, NULL, "vmcompactd %s started", VMC_VERSION);
	rc = vmcd_loop_run(&loop);
	if (rc < 0)
		vmcd_log(LOG_ERR, NULL, "event loop: %s", strerror(-rc));
	vmcd_loop_exit(&loop);
	vmcd_vms_free();
	vmcd_libvirt_close();
	vmcd_options_free(&opts);
	return rc < 0;
}

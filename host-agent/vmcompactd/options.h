/*
 * vmcompactd's settings: the command line, and the config file
 * (vmcompactd.conf(5): the same long options without their dashes, one
 * per line, "name value").  The file is read first, so the command line
 * wins; SIGHUP reads both again.
 */
#ifndef VMCD_OPTIONS_H
#define VMCD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "vm.h"

#define VMCD_MAX_VMS 256

/* A VM given by --vm or --vm-dir. */
struct vmcd_vm_spec {
	char *name;
	char *agent, *qmp, *pidfile;
	bool has_return;	/* return= given for this VM: */
	bool return_balloon;	/* its choice */
};

struct vmcd_options {
	struct vmcd_policy pol;
	struct vmcd_vm_spec vms[VMCD_MAX_VMS];
	size_t nr_vms;
	char *config;		/* --config: the file, or NULL */
	char *libvirt_uri;
	char *control;		/* unix socket for vmcompactctl */
	char *metrics;		/* ADDR:PORT for Prometheus */
	char *psi;		/* a pressure trigger, "some 150000 2000000" */
	char *psi_file;		/* where: /proc/pressure/memory */
	int log_level;
	bool once;
};

/*
 * Read the config file (if --config names one), then the command line,
 * into *o: 0, -1 with the reason in err, or 1 if --help or --version
 * printed what they print.
 */
int vmcd_options_load(int argc, char **argv, struct vmcd_options *o,
		      char *err, size_t err_size);
void vmcd_options_free(struct vmcd_options *o);

/*
 * Set one policy option of p by its name in the config file ("return",
 * "interval", "floor-mib"..., and "enabled" yes or no): 0, or -1 if it
 * is not one or its value is bad.
 */
int vmcd_policy_option(struct vmcd_policy *p, const char *name,
		       const char *value);

/* spec's policy: the daemon's, with what the VM overrides. */
struct vmcd_policy vmcd_spec_policy(const struct vmcd_options *o,
				    const struct vmcd_vm_spec *spec);

#endif /* VMCD_OPTIONS_H */

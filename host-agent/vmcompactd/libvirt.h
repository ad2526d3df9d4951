/*
 * vmcompactd and libvirt: the running domains that have an
 * org.vmcompact.0 channel (a unix socket), their balloon, and their QEMU
 * pid for the host check.
 *
 * libvirt's calls block while libvirtd answers (milliseconds): they are
 * made from the event loop as they are, never while an I/O of the loop
 * is waited for.
 */
#ifndef VMCD_LIBVIRT_H
#define VMCD_LIBVIRT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vmcd_domain;	/* a libvirt domain, opaque */

/* Connect to uri: 0, or -1 with the reason in err. */
int vmcd_libvirt_open(const char *uri, char *err, size_t err_size);
void vmcd_libvirt_close(void);

/*
 * Call found() for every running domain with a unix org.vmcompact.0
 * channel: its name, the socket path, and a reference that found() keeps
 * (vmcd_domain_put() when done) or puts.  Returns the number of running
 * domains, or -1 with the reason in err.
 */
int vmcd_libvirt_scan(void (*found)(const char *name, const char *agent_path,
				    struct vmcd_domain *d, void *ctx),
		      void *ctx, char *err, size_t err_size);

/* Whether the domain is still running. */
int vmcd_domain_active(struct vmcd_domain *d);
void vmcd_domain_put(struct vmcd_domain *d);

/* The balloon: guest memory now, and a new target, in bytes. */
int vmcd_domain_balloon(struct vmcd_domain *d, uint64_t *actual, char *err,
			size_t err_size);
int vmcd_domain_set_balloon(struct vmcd_domain *d, uint64_t target,
			    char *err, size_t err_size);

/* QEMU's pid (procs.h: the one with -uuid UUID): > 0, or 0 with err set. */
pid_t vmcd_domain_pid(struct vmcd_domain *d, char *err, size_t err_size);

#endif /* VMCD_LIBVIRT_H */

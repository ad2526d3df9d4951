/*
 * vmcompactd and libvirt: the running domains that have an
 * org.vmcompact.0 channel (a unix socket), their balloon, their QEMU pid
 * and RAM layout for the host check, and their policy (<metadata>).
 *
 * libvirt's lifecycle, metadata and reboot events, and the loss of the
 * connection, are told through an eventfd that the event loop reads:
 * vmcompactd then looks at the domains again (vmcd_libvirt_scan()), or
 * reconnects.  A thread runs libvirt's event loop for that; every other
 * libvirt call is made from the main thread, where they block while
 * libvirtd answers (milliseconds), never while an I/O of the event loop
 * is waited for.  No call goes to QEMU's monitor through libvirt (which
 * would taint the domain).
 */
#ifndef VMCD_LIBVIRT_H
#define VMCD_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* The XML namespace of a domain's vmcompact policy in its <metadata>. */
#define VMCD_METADATA_NS	"http://vmcompact.org/xmlns/domain/1"

struct vmcd_domain;	/* a libvirt domain, opaque */

/*
 * Connect to uri and start the event thread, which writes to notify_fd
 * (an eventfd) when something changed: 0, or -1 with the reason in err.
 */
int vmcd_libvirt_open(const char *uri, int notify_fd, char *err,
		      size_t err_size);
void vmcd_libvirt_close(void);

/* Whether the connection is up; if not, try to connect again: 0 or -1. */
bool vmcd_libvirt_alive(void);
int vmcd_libvirt_reconnect(char *err, size_t err_size);

/*
 * Call found() for every running domain with a unix org.vmcompact.0
 * channel: its name, the socket path, a reference that found() keeps
 * (vmcd_domain_put() when done) or puts, and whether its guest reset
 * (libvirt's REBOOT event: a guest reboot, or virsh reset) since the
 * last scan.  Returns the number of running domains, or -1 with the
 * reason in err.
 */
int vmcd_libvirt_scan(void (*found)(const char *name, const char *agent_path,
				    struct vmcd_domain *d, bool reset,
				    void *ctx),
		      void *ctx, char *err, size_t err_size);

void vmcd_domain_put(struct vmcd_domain *d);

/*
 * The domain's policy over p: each element of its
 * <metadata><policy xmlns=VMCD_METADATA_NS> (return, interval, blocks,
 * floor-mib..., enabled) sets the option of that name.  0, or -1 with
 * err set for a bad element (p keeps what came before it).
 */
int vmcd_domain_policy(struct vmcd_domain *d, struct vmcd_policy *p,
		       char *err, size_t err_size);

/*
 * The balloon: guest memory now and at most, and what the guest says it
 * has available (0 if it has not said yet: the first call asks it to
 * report every 2 s), in bytes.
 */
int vmcd_domain_balloon(struct vmcd_domain *d, uint64_t *actual,
			uint64_t *max, uint64_t *available, char *err,
			size_t err_size);
int vmcd_domain_set_balloon(struct vmcd_domain *d, uint64_t target,
			    char *err, size_t err_size);

/* The machine type and RAM size (bytes) of the running domain: 0 or -1. */
int vmcd_domain_machine(struct vmcd_domain *d, char *machine, size_t size,
			uint64_t *ram, char *err, size_t err_size);

/* QEMU's pid (procs.h: the one with -uuid UUID): > 0, or 0 with err set. */
pid_t vmcd_domain_pid(struct vmcd_domain *d, char *err, size_t err_size);

#endif /* VMCD_LIBVIRT_H */

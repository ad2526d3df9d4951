/*
 * Finding a process by its command line: libvirt starts each QEMU with
 * "-uuid UUID", which names it without asking QEMU (no monitor command)
 * or libvirt's run directory (which may not be ours to read).
 */
#ifndef VMCD_PROCS_H
#define VMCD_PROCS_H

#include <sys/types.h>

/*
 * The pid of the one process whose command line has the argument flag
 * followed by value: > 0, or 0 if there is none (or more than one).
 */
pid_t vmcd_pid_by_args(const char *flag, const char *value);

#endif /* VMCD_PROCS_H */

/*
 * The host's view of a guest's RAM: the memfd behind QEMU's
 * memory-backend-memfd, found through /proc/PID/fd, and which of its
 * pages are populated (SEEK_DATA / SEEK_HOLE).  A page the guest gave
 * back (free page reporting, the balloon) is a hole again.
 *
 * Guest physical addresses are offsets into the memfd while guest RAM
 * lies below the PCI hole: up to 2 GiB on both the pc and q35 machines.
 * Beyond that the layout depends on the machine, and vmcd_memfd_open()
 * says so.
 */
#ifndef VMCD_MEMFD_H
#define VMCD_MEMFD_H

#include <stdint.h>
#include <sys/types.h>

#define VMCD_MEMFD_MAX_SIZE	(2ull << 30)

struct vmcd_memfd {
	int fd;
	uint64_t size;
};

/*
 * The largest memfd QEMU process pid holds: 0, or -1 with the reason in
 * err (no such process, no memfd, or RAM beyond VMCD_MEMFD_MAX_SIZE).
 */
int vmcd_memfd_open(pid_t pid, struct vmcd_memfd *m, char *err,
		    size_t err_size);
void vmcd_memfd_close(struct vmcd_memfd *m);

/*
 * Populated bytes of [off, off + len): 0, or -1 with errno set (ERANGE:
 * the range is not inside the memfd).
 */
int vmcd_memfd_populated(const struct vmcd_memfd *m, uint64_t off,
			 uint64_t len, uint64_t *bytes);

#endif /* VMCD_MEMFD_H */

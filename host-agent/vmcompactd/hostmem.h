/*
 * The host's view of a guest's RAM: the file behind QEMU's memory backend
 * (memory-backend-memfd, with or without hugetlb=on, or a
 * memory-backend-file on hugetlbfs), found through /proc/PID/fd, and
 * which of its pages are populated.  A page the guest gave back (free
 * page reporting, the balloon) is a hole in the file again: QEMU punches
 * it (fallocate PUNCH_HOLE).
 *
 *   4 KiB pages (memfd):  SEEK_DATA / SEEK_HOLE on the file.
 *   hugetlbfs:            SEEK_DATA sees every page as data, so the
 *                         present bit of /proc/PID/pagemap over QEMU's
 *                         own mapping of the file, one huge page at a
 *                         time (punching a hole unmaps it there too).
 *
 * Totals come from the file's st_blocks, which hugetlbfs keeps as well.
 */
#ifndef VMCD_HOSTMEM_H
#define VMCD_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define VMCD_HOSTMEM_MAPS 8

struct vmcd_hostmem {
	int fd;			/* the RAM file, through /proc/PID/fd */
	uint64_t size;
	bool hugetlb;
	uint64_t page_size;	/* of the file: 4 KiB or the huge page size */
	int pagemap;		/* hugetlb: /proc/PID/pagemap, else -1 */
	unsigned int nr_maps;	/* hugetlb: QEMU's mappings of the file */
	struct {
		uint64_t off, len, addr;
	} maps[VMCD_HOSTMEM_MAPS];
};

/*
 * The largest memfd or hugetlbfs file QEMU process pid holds: 0, or -1
 * with the reason in err (no such process, no such file).
 */
int vmcd_hostmem_open(pid_t pid, struct vmcd_hostmem *m, char *err,
		      size_t err_size);
void vmcd_hostmem_close(struct vmcd_hostmem *m);

/*
 * Populated bytes of [off, off + len): 0, or -1 with errno set (ERANGE:
 * the range is not inside the file).
 */
int vmcd_hostmem_populated(const struct vmcd_hostmem *m, uint64_t off,
			   uint64_t len, uint64_t *bytes);

/* Populated bytes of the whole file: 0, or -1 with errno set. */
int vmcd_hostmem_total(const struct vmcd_hostmem *m, uint64_t *bytes);

#endif /* VMCD_HOSTMEM_H */

/*
 * /dev/vacate (linux/vacate.h) for user space: one function per ioctl,
 * shared by the guest agent and vacatectl.  Each checks what the kernel
 * wrote before returning it (the map as PROTOCOL.md section 6 says a host
 * checks a MAP_RESP), so that a wrong kernel answer is an error here and
 * not nonsense further on.
 *
 * A failure returns -1 with *err a DEVICE error: the errno, and a message
 * "DEVICE: IOCTL: text (ENAME): meaning" (EIO for an answer that does not
 * hold together, with what is wrong).
 */
#ifndef VMCOMPACT_DEVICE_H
#define VMCOMPACT_DEVICE_H

#include <stdint.h>

#include <vmcompact/proto.h>

struct vmc_dev {
	int fd;
	const char *path;
};

/* Open path for ioctl cmd (whose errno meanings a failure uses). */
int vmc_dev_open(struct vmc_dev *d, const char *path, unsigned long cmd,
		 struct vmc_error *err);
void vmc_dev_close(struct vmc_dev *d);

/*
 * VACATE_IOC_MAP from start_pfn, or from min_pfn if that is higher
 * (PROTOCOL.md 3.2), of at most max_blocks blocks (<=
 * VMC_MAP_RESP_MAX_BLOCKS) into blocks, as a MAP_RESP would say it.
 */
int vmc_dev_map(const struct vmc_dev *d, uint64_t start_pfn,
		uint32_t max_blocks, struct vmc_map_resp *m,
		struct vacate_block *blocks, struct vmc_error *err);

/*
 * VACATE_IOC_VACATE or VACATE_IOC_CHEAPEST (cmd) of q: what comes back
 * must fit what was asked (acted on no more blocks than asked, done no
 * more than acted on).
 */
int vmc_dev_vacate(const struct vmc_dev *d, unsigned long cmd,
		   struct vacate_request *q, struct vmc_error *err);

int vmc_dev_release(const struct vmc_dev *d, struct vmc_error *err);

/* VACATE_IOC_CENSUS of q (argsz, entries and room set by the caller). */
int vmc_dev_census(const struct vmc_dev *d, struct vacate_census *q,
		   struct vmc_error *err);

#endif /* VMCOMPACT_DEVICE_H */

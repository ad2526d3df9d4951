/* Names and meanings of what /dev/vacate takes and says (linux/vacate.h). */
#ifndef VMCOMPACT_NAMES_H
#define VMCOMPACT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vacate.h>

extern const char *const vmc_why_names[VACATE_NR_WHY];

/* "probe", "free", "hold", or NULL for a mode the kernel does not know. */
const char *vmc_mode_name(uint32_t mode);

/* A mode by name, or a raw number (passed to the kernel as is): 0 or -1. */
int vmc_parse_mode(const char *s, uint32_t *mode);

/* "EBUSY" for the -EBUSY of struct vacate_result.error; buf for others. */
const char *vmc_errno_name(int32_t error, char *buf, size_t size);

/* "VACATE_IOC_VACATE" and so on. */
const char *vmc_ioctl_name(unsigned long cmd);

/* What errno err from ioctl cmd means (vacate.h), or NULL. */
const char *vmc_errno_meaning(unsigned long cmd, int err);

/*
 * A failed open or ioctl cmd of device, as one sentence that says what
 * err means for cmd: "DEVICE: WHAT: text (ENAME): meaning".
 */
void vmc_device_error(char *buf, size_t size, const char *device,
		      const char *what, unsigned long cmd, int err);

#endif /* VMCOMPACT_NAMES_H */

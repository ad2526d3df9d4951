/* Names and meanings of what /dev/vacate takes and says. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <vmcompact/names.h>
#include <vmcompact/util.h>

const char *const vmc_why_names[VACATE_NR_WHY] = {
	[VACATE_WHY_PINNED] = "pinned",
	[VACATE_WHY_SLAB] = "slab",
	[VACATE_WHY_SLAB_PINNED] = "slab_pinned",
	[VACATE_WHY_PAGETABLE] = "pagetable",
	[VACATE_WHY_RESERVED] = "reserved",
	[VACATE_WHY_KERNEL_IMAGE] = "kernel_image",
	[VACATE_WHY_KERNEL] = "kernel",
	[VACATE_WHY_ABSENT] = "absent",
	[VACATE_WHY_HELD] = "held",
};

static const char *const mode_names[] = {
	[VACATE_MODE_PROBE] = "probe",
	[VACATE_MODE_FREE] = "free",
	[VACATE_MODE_HOLD] = "hold",
};

const char *vmc_mode_name(uint32_t mode)
{
	return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : NULL;
}

int vmc_parse_mode(const char *s, uint32_t *mode)
{
	uint64_t v;

	for (uint32_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	if (vmc_parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*mode = (uint32_t)v;
	return 0;
}

const char *vmc_errno_name(int32_t error, char *buf, size_t size)
{
	const char *name = NULL;

	if (error < 0 && error != INT32_MIN)
		name = strerrorname_np(-error);
	if (name)
		return name;
	snprintf(buf, size, "error %d", error);
	return buf;
}

const char *vmc_ioctl_name(unsigned long cmd)
{
	switch (cmd) {
	case VACATE_IOC_MAP:
		return "VACATE_IOC_MAP";
	case VACATE_IOC_VACATE:
		return "VACATE_IOC_VACATE";
	case VACATE_IOC_CHEAPEST:
		return "VACATE_IOC_CHEAPEST";
	case VACATE_IOC_RELEASE:
		return "VACATE_IOC_RELEASE";
	case VACATE_IOC_CENSUS:
		return "VACATE_IOC_CENSUS";
	}
	return "ioctl";
}

/* cmd 0: what err means from any of them. */
static const struct meaning {
	unsigned long cmd;
	int err;
	const char *text;
} meanings[] = {
	{ VACATE_IOC_MAP, EINVAL, "a bad flag, argsz or block count" },
	{ VACATE_IOC_MAP, ERANGE, "the start pfn is beyond RAM" },
	{ VACATE_IOC_MAP, E2BIG, "more blocks than one call may map" },
	{ VACATE_IOC_VACATE, EINVAL,
	  "a pfn is not the first of a block, a block is named twice, or the mode is unknown" },
	{ VACATE_IOC_VACATE, ERANGE, "a block is outside RAM" },
	{ VACATE_IOC_VACATE, ENXIO,
	  "a block has a hole in it or spans two zones" },
	{ VACATE_IOC_VACATE, E2BIG, "more blocks than the kernel takes at once (1048576)" },
	{ VACATE_IOC_CHEAPEST, EINVAL, "the block count is 0 or the mode is unknown" },
	{ VACATE_IOC_CHEAPEST, E2BIG, "more blocks than the kernel takes at once (1048576)" },
	{ VACATE_IOC_CENSUS, EINVAL, "a bad flag, argsz or reserved field" },
	{ 0, EFAULT, "the kernel could not read the request or write the results" },
	{ 0, EINTR, "interrupted by a signal; blocks already done stay so (held ones go back on exit)" },
	{ 0, ENOMEM, "the kernel is out of memory" },
	{ 0, EPERM, "needs CAP_SYS_ADMIN" },
	{ 0, EACCES, "needs root" },
	{ 0, ENOENT, "no such device: a kernel without CONFIG_VACATE, or no devtmpfs" },
	{ 0, ENOTTY, "the device does not know this ioctl (an older kernel?)" },
};

const char *vmc_errno_meaning(unsigned long cmd, int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(meanings); i++)
		if ((!meanings[i].cmd || meanings[i].cmd == cmd) &&
		    meanings[i].err == err)
			return meanings[i].text;
	return NULL;
}

void vmc_device_error(char *buf, size_t size, const char *device,
		      const char *what, unsigned long cmd, int err)
{
	const char *meaning = vmc_errno_meaning(cmd, err);
	char name[32];

	snprintf(buf, size, "%s: %s: %s (%s)%s%s", device, what,
		 strerror(err), vmc_errno_name(-err, name, sizeof(name)),
		 meaning ? ": " : "", meaning ? meaning : "");
}

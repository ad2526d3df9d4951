/* /dev/vacate, one ioctl at a time, its answers checked (device.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vmcompact/device.h>
#include <vmcompact/names.h>

static int fail(const char *path, const char *what, unsigned long cmd, int e,
		struct vmc_error *err)
{
	char msg[VMC_MAX_STRING + 1];

	vmc_device_error(msg, sizeof(msg), path, what, cmd, e);
	vmc_error_set(err, VMC_ERR_DEVICE, (uint32_t)e, "%s", msg);
	return -1;
}

static int ioctl_failed(const struct vmc_dev *d, unsigned long cmd,
			struct vmc_error *err)
{
	return fail(d->path, vmc_ioctl_name(cmd), cmd, errno, err);
}

/* The kernel said something that cannot be: EIO, and what. */
static int nonsense(const struct vmc_dev *d, unsigned long cmd,
		    const char *why, struct vmc_error *err)
{
	vmc_error_set(err, VMC_ERR_DEVICE, EIO,
		      "%s: %s: the kernel's answer does not hold together: %s",
		      d->path, vmc_ioctl_name(cmd), why);
	return -1;
}

int vmc_dev_open(struct vmc_dev *d, const char *path, unsigned long cmd,
		 struct vmc_error *err)
{
	d->path = path;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	return d->fd < 0 ? fail(path, "open", cmd, errno, err) : 0;
}

void vmc_dev_close(struct vmc_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int map_once(const struct vmc_dev *d, uint64_t start_pfn,
		    uint32_t max_blocks, struct vmc_map_resp *m,
		    struct vacate_block *blocks, struct vmc_error *err)
{
	struct vacate_map map = {
		.argsz = sizeof(map),
		.start_pfn = start_pfn,
		.blocks = (uintptr_t)blocks,
		.nr_blocks = max_blocks,
	};

	if (ioctl(d->fd, VACATE_IOC_MAP, &map) < 0)
		return ioctl_failed(d, VACATE_IOC_MAP, err);
	*m = (struct vmc_map_resp){
		.start_pfn = map.start_pfn,
		.min_pfn = map.min_pfn,
		.max_pfn = map.max_pfn,
		.next_pfn = map.next_pfn,
		.block_pages = map.block_pages,
		.nr = map.nr_blocks,
	};
	return 0;
}

int vmc_dev_map(const struct vmc_dev *d, uint64_t start_pfn,
		uint32_t max_blocks, struct vmc_map_resp *m,
		struct vacate_block *blocks, struct vmc_error *err)
{
	const struct vmc_map_req req = { start_pfn, max_blocks };
	struct vmc_error bad;

	if (map_once(d, start_pfn, max_blocks, m, blocks, err))
		return -1;
	/*
	 * The kernel describes blocks below RAM too, but a host asks from pfn
	 * 0 before it knows min_pfn: the protocol starts at min_pfn instead.
	 */
	if (start_pfn < m->min_pfn &&
	    map_once(d, m->min_pfn, max_blocks, m, blocks, err))
		return -1;
	if (vmc_check_map_resp(&req, m, blocks, &bad))
		return nonsense(d, VACATE_IOC_MAP, bad.msg, err);
	return 0;
}

int vmc_dev_vacate(const struct vmc_dev *d, unsigned long cmd,
		   struct vacate_request *q, struct vmc_error *err)
{
	uint32_t asked = q->nr_blocks;

	if (ioctl(d->fd, cmd, q) < 0)
		return ioctl_failed(d, cmd, err);
	/* CHEAPEST says how many it acted on; VACATE acts on all. */
	if (q->nr_blocks > asked || q->done > q->nr_blocks)
		return nonsense(d, cmd, "more blocks acted on than asked, or done than acted on",
				err);
	return 0;
}

int vmc_dev_release(const struct vmc_dev *d, struct vmc_error *err)
{
	if (ioctl(d->fd, VACATE_IOC_RELEASE) < 0)
		return ioctl_failed(d, VACATE_IOC_RELEASE, err);
	return 0;
}

int vmc_dev_census(const struct vmc_dev *d, struct vacate_census *q,
		   struct vmc_error *err)
{
	if (ioctl(d->fd, VACATE_IOC_CENSUS, q) < 0)
		return ioctl_failed(d, VACATE_IOC_CENSUS, err);
	return 0;
}

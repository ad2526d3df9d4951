/* Reading the block map from /dev/vacate (include/uapi/linux/vacate.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent.h"

static int map_ioctl(int fd, uint64_t start_pfn, uint32_t max_blocks,
		     struct vmc_map_resp *m, struct vacate_block *blocks)
{
	struct vacate_map map = {
		.argsz = sizeof(map),
		.start_pfn = start_pfn,
		.blocks = (uintptr_t)blocks,
		.nr_blocks = max_blocks,
	};

	if (ioctl(fd, VACATE_IOC_MAP, &map) < 0)
		return -errno;
	/* Never forward a count beyond what blocks[] can hold. */
	if (map.nr_blocks > max_blocks)
		return -EIO;
	m->start_pfn = map.start_pfn;
	m->min_pfn = map.min_pfn;
	m->max_pfn = map.max_pfn;
	m->next_pfn = map.next_pfn;
	m->block_pages = map.block_pages;
	m->nr = map.nr_blocks;
	return 0;
}

int vacate_map(const char *dev, uint64_t start_pfn, uint32_t max_blocks,
	       struct vmc_map_resp *m, struct vacate_block *blocks)
{
	int fd, rc;

	/* Opened per request: the module may be loaded after the agent. */
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = map_ioctl(fd, start_pfn, max_blocks, m, blocks);
	/*
	 * The kernel describes blocks below RAM too, but a host asks from pfn
	 * 0 before it knows min_pfn: the protocol starts at min_pfn instead.
	 */
	if (!rc && start_pfn < m->min_pfn)
		rc = map_ioctl(fd, m->min_pfn, max_blocks, m, blocks);
	close(fd);
	return rc;
}

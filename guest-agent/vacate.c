/*
 * /dev/vacate (include/uapi/linux/vacate.h): reading the block map, and
 * emptying blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>
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

/*
 * VACATE_REQ and RELEASE_REQ go through one file that stays open: blocks
 * held in HOLD mode belong to it, and stay held between requests and
 * across host connections until RELEASE_REQ (or the agent's exit).
 */
static int vacate_fd = -1;

static int vacate_file(const char *dev)
{
	if (vacate_fd < 0)
		vacate_fd = open(dev, O_RDONLY | O_CLOEXEC);
	return vacate_fd < 0 ? -errno : vacate_fd;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int vacate_blocks(const char *dev, const struct vmc_vacate_req *req,
		   struct vmc_vacate_resp *v, struct vacate_result *results)
{
	bool cheapest = req->flags & VMC_VACATE_CHEAPEST;
	struct vacate_request q = {
		.argsz = sizeof(q),
		.mode = req->mode,
		.nr_blocks = req->count,
		.pfns = cheapest ? 0 : (uintptr_t)req->pfns,
		.results = (uintptr_t)results,
		.max_results = cheapest ? VMC_VACATE_MAX_BLOCKS : 0,
	};
	int fd = vacate_file(dev);
	int64_t start = now_ns();

	if (fd < 0)
		return fd;
	if (ioctl(fd, cheapest ? VACATE_IOC_CHEAPEST : VACATE_IOC_VACATE,
		  &q) < 0)
		return -errno;
	/* CHEAPEST says how many it acted on; VACATE acts on all. */
	if (q.done > q.nr_blocks || q.nr_blocks > req->count)
		return -EIO;
	v->mode = req->mode;
	v->acted = q.nr_blocks;
	v->done = q.done;
	v->nr = q.nr_blocks < VMC_VACATE_MAX_BLOCKS ? q.nr_blocks :
						      VMC_VACATE_MAX_BLOCKS;
	v->wall_ns = (uint64_t)(now_ns() - start);
	return 0;
}

int vacate_release(const char *dev)
{
	int fd = vacate_file(dev);

	if (fd < 0)
		return fd;
	return ioctl(fd, VACATE_IOC_RELEASE) < 0 ? -errno : 0;
}

int vacate_census(const char *dev, uint32_t room, struct vmc_census_resp *c,
		  struct vacate_census_entry *entries)
{
	struct vacate_census q = {
		.argsz = sizeof(q),
		.entries = (uintptr_t)entries,
		.nr_entries = room,
	};
	int fd = vacate_file(dev);

	if (fd < 0)
		return fd;
	if (ioctl(fd, VACATE_IOC_CENSUS, &q) < 0)
		return -errno;
	c->blocks = q.blocks;
	c->slab_pages = q.slab_pages;
	c->found = q.nr_entries;
	c->nr = q.nr_entries < room ? q.nr_entries : room;
	return 0;
}

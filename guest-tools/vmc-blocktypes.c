// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-blocktypes: every block of the /dev/vacate map, one line each:
 *
 *   PFN MIGRATETYPE FREE USED FLAGS LRU MOBILE
 *
 * PFN: the block's first pfn (decimal); MIGRATETYPE: its MIGRATE_* number
 * (the order of the "Number of blocks type" columns of /proc/pagetypeinfo);
 * FREE: its pages in the buddy allocator; USED: its online pages that are
 * not free; FLAGS: VACATE_BLOCK_*; LRU: its LRU and movable pages; MOBILE:
 * its slab pages of mobile caches.  For shell scripts, whose awk can add.
 *
 *   vmc-blocktypes
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vacate.h>

int main(void)
{
	enum { N = 1024 };
	static struct vacate_block b[N];
	struct vacate_map m;
	int fd = open("/dev/vacate", O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "vmc-blocktypes: /dev/vacate: %s\n", strerror(errno));
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.argsz = sizeof(m);
	do {
		m.blocks = (unsigned long)b;
		m.nr_blocks = N;
		if (ioctl(fd, VACATE_IOC_MAP, &m)) {
			fprintf(stderr, "vmc-blocktypes: VACATE_IOC_MAP: %s\n",
				strerror(errno));
			return 1;
		}
		for (unsigned int i = 0; i < m.nr_blocks; i++) {
			unsigned long used = (unsigned long)b[i].lru +
				b[i].slab_mobile + b[i].slab_reclaimable +
				b[i].slab_unmovable + b[i].other;

			printf("%llu %u %u %lu %u %u %u\n",
			       (unsigned long long)b[i].start_pfn,
			       b[i].migratetype, b[i].free, used, b[i].flags,
			       b[i].lru, b[i].slab_mobile);
		}
		m.start_pfn = m.next_pfn;
	} while (m.next_pfn < m.max_pfn);
	close(fd);
	return 0;
}

/* vmcompactd's host check: populated pages of a guest's RAM file (hostmem.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <vmcompact/util.h>

#include "hostmem.h"

#define PAGEMAP_PRESENT (1ull << 63)

/* Whether the file behind fd (link target target) can be guest RAM. */
static bool ram_file(int fd, const char *target, struct statfs *fs)
{
	if (fstatfs(fd, fs) < 0)
		return false;
	return !strncmp(target, "/memfd:", 7) ||
	       fs->f_type == HUGETLBFS_MAGIC;
}

/* Keep fd if it is a larger RAM file than the one held. */
static void consider(struct vmcd_hostmem *m, int fd, const char *target)
{
	struct statfs fs;
	struct stat st;

	if (!ram_file(fd, target, &fs) || fstat(fd, &st) < 0 ||
	    (uint64_t)st.st_size <= m->size) {
		close(fd);
		return;
	}
	if (m->fd >= 0)
		close(m->fd);
	m->fd = fd;
	m->size = (uint64_t)st.st_size;
	m->hugetlb = fs.f_type == HUGETLBFS_MAGIC;
	m->page_size = m->hugetlb ? (uint64_t)fs.f_bsize : 4096;
}

static int find_file(pid_t pid, struct vmcd_hostmem *m, char *err,
		     size_t err_size)
{
	char dir[64], link[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return vmc_failf(err, err_size, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		ssize_t n;
		int fd;

		struct stat st;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		/* Only regular files: opening a device again may do things. */
		if (n < 0 || stat(link, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		target[n] = '\0';
		fd = open(link, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			consider(m, fd, target);
	}
	closedir(d);
	if (m->fd < 0)
		return vmc_failf(err, err_size, "QEMU process %d holds no memfd or hugetlbfs file (guest RAM not from memory-backend-memfd?)",
				 (int)pid);
	return 0;
}

/* hugetlb: where QEMU maps the file, from /proc/PID/maps. */
static int find_maps(pid_t pid, struct vmcd_hostmem *m, char *err,
		     size_t err_size)
{
	char path[64], line[PATH_MAX + 128];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f || fstat(m->fd, &st) < 0)
		goto fail;
	while (fgets(line, sizeof(line), f) && m->nr_maps < VMCD_HOSTMEM_MAPS) {
		uint64_t start, end, off, ino;
		unsigned int major, minor;


		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %x:%x %" SCNu64,
			   &start, &end, &off, &major, &minor, &ino) != 6 ||
		    ino != st.st_ino ||
		    makedev(major, minor) != st.st_dev)
			continue;
		m->maps[m->nr_maps].off = off;
		m->maps[m->nr_maps].len = end - start;
		m->maps[m->nr_maps].addr = start;
		m->nr_maps++;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	m->pagemap = open(path, O_RDONLY | O_CLOEXEC);
	if (m->pagemap < 0)
		goto fail;
	if (!m->nr_maps)
		return vmc_failf(err, err_size, "QEMU process %d does not map its hugetlbfs RAM file",
				 (int)pid);
	return 0;
fail:
	if (f)
		fclose(f);
	return vmc_failf(err, err_size, "%s: %s", path, strerror(errno));
}

int vmcd_hostmem_open(pid_t pid, struct vmcd_hostmem *m, char *err,
		      size_t err_size)
{
	*m = (struct vmcd_hostmem){ .fd = -1, .pagemap = -1 };
	if (find_file(pid, m, err, err_size) == 0 &&
	    (!m->hugetlb || find_maps(pid, m, err, err_size) == 0))
		return 0;
	vmcd_hostmem_close(m);
	return -1;
}

void vmcd_hostmem_close(struct vmcd_hostmem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->pagemap >= 0)
		close(m->pagemap);
	m->fd = -1;
	m->pagemap = -1;
	m->nr_maps = 0;
}

/* SEEK_DATA / SEEK_HOLE over [off, end). */
static int seek_populated(const struct vmcd_hostmem *m, uint64_t off,
			  uint64_t end, uint64_t *bytes)
{
	while (off < end) {
		off_t data = lseek(m->fd, (off_t)off, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			return 0;	/* nothing populated from off on */
		if (data < 0)
			return -1;
		if ((uint64_t)data >= end)
			return 0;
		hole = lseek(m->fd, data, SEEK_HOLE);
		if (hole < 0)
			return -1;
		*bytes += ((uint64_t)hole < end ? (uint64_t)hole : end) -
			  (uint64_t)data;
		off = (uint64_t)hole;
	}
	return 0;
}

/* Whether the huge page at file offset off is mapped in QEMU. */
static int huge_page_present(const struct vmcd_hostmem *m, uint64_t off,
			     bool *present)
{
	for (unsigned int i = 0; i < m->nr_maps; i++) {
		uint64_t addr, entry;

		if (off < m->maps[i].off || off - m->maps[i].off >= m->maps[i].len)
			continue;
		addr = m->maps[i].addr + (off - m->maps[i].off);
		if (pread(m->pagemap, &entry, sizeof(entry),
			  (off_t)(addr / 4096 * sizeof(entry))) != sizeof(entry))
			return -1;
		*present = entry & PAGEMAP_PRESENT;
		return 0;
	}
	*present = false;	/* not mapped at all: never touched */
	return 0;
}

/* Whole huge pages over [off, end): a partly covered one counts whole. */
static int pagemap_populated(const struct vmcd_hostmem *m, uint64_t off,
			     uint64_t end, uint64_t *bytes)
{
	for (uint64_t p = off / m->page_size * m->page_size; p < end;
	     p += m->page_size) {
		bool present;

		if (huge_page_present(m, p, &present) < 0)
			return -1;
		if (present)
			*bytes += (p + m->page_size < end ? p + m->page_size : end) -
				  (p > off ? p : off);
	}
	return 0;
}

int vmcd_hostmem_populated(const struct vmcd_hostmem *m, uint64_t off,
			   uint64_t len, uint64_t *bytes)
{
	*bytes = 0;
	if (off > m->size || len > m->size - off) {
		errno = ERANGE;
		return -1;
	}
	if (m->hugetlb)
		return pagemap_populated(m, off, off + len, bytes);
	return seek_populated(m, off, off + len, bytes);
}

int vmcd_hostmem_total(const struct vmcd_hostmem *m, uint64_t *bytes)
{
	struct stat st;

	if (fstat(m->fd, &st) < 0)
		return -1;
	*bytes = (uint64_t)st.st_blocks * 512;
	return 0;
}

/* vmcompactd's host check: populated pages of a guest's memfd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memfd.h"

int vmcd_memfd_open(pid_t pid, struct vmcd_memfd *m, char *err,
		    size_t err_size)
{
	char dir[64], link[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	DIR *d;

	m->fd = -1;
	m->size = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d) {
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		ssize_t n;
		int fd;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/memfd:", 7))
			continue;
		fd = open(link, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > m->size) {
			if (m->fd >= 0)
				close(m->fd);
			m->fd = fd;
			m->size = (uint64_t)st.st_size;
		} else {
			close(fd);
		}
	}
	closedir(d);
	if (m->fd < 0) {
		snprintf(err, err_size, "QEMU process %d holds no memfd (guest RAM not from memory-backend-memfd?)",
			 (int)pid);
		return -1;
	}
	if (m->size > VMCD_MEMFD_MAX_SIZE) {
		snprintf(err, err_size, "guest RAM of %llu MiB: above 2 GiB its layout in the memfd depends on the machine type, which vmcompactd does not read yet",
			 (unsigned long long)(m->size >> 20));
		vmcd_memfd_close(m);
		return -1;
	}
	return 0;
}

void vmcd_memfd_close(struct vmcd_memfd *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int vmcd_memfd_populated(const struct vmcd_memfd *m, uint64_t off,
			 uint64_t len, uint64_t *bytes)
{
	uint64_t end = off + len;

	*bytes = 0;
	if (off > m->size || len > m->size - off) {
		errno = ERANGE;
		return -1;
	}
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

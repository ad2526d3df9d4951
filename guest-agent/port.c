/*
 * Finding and opening the port to the host.
 *
 * In a guest that is the virtio-serial port whose name file under
 * /sys/class/virtio-ports says "org.vmcompact.0", opened as /dev/vportNpM.
 * --port-path names any file instead; a unix socket is connected to, which
 * lets tests (and a host-side run) stand in for QEMU.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

#define VPORTS "/sys/class/virtio-ports"

/* The name of virtio port dev (e.g. "vport1p1"), without its newline. */
static bool read_port_name(const char *dev, char *name, size_t len)
{
	char path[PATH_MAX];
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), VPORTS "/%s/name", dev);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(name, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		name[strcspn(name, "\n")] = '\0';
	return ok;
}

static int find_port(const char *name, char *path, size_t len)
{
	char found[256];
	struct dirent *e;
	int rc = -ENOENT;
	DIR *d;

	d = opendir(VPORTS);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (read_port_name(e->d_name, found, sizeof(found)) &&
		    !strcmp(found, name)) {
			snprintf(path, len, "/dev/%s", e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int port_open(const char *name, const char *path, struct port *port)
{
	struct stat st;
	int fd;

	if (!path) {
		int rc = find_port(name, port->path, sizeof(port->path));

		if (rc)
			return rc;
	} else if (snprintf(port->path, sizeof(port->path), "%s", path) >=
		   (int)sizeof(port->path)) {
		return -ENAMETOOLONG;
	}

	if (stat(port->path, &st) < 0)
		return -errno;
	port->is_socket = S_ISSOCK(st.st_mode);
	if (port->is_socket) {
		fd = connect_unix(port->path);
	} else {
		fd = open(port->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	if (fd < 0)
		return fd;
	port->fd = fd;
	return 0;
}

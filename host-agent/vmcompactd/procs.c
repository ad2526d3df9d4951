/* Processes by command line (procs.h). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procs.h"

/* Whether /proc/PID/cmdline has flag then value as two arguments. */
static bool has_args(const char *pid, const char *flag, const char *value)
{
	static char buf[64 * 1024];
	char path[300];
	bool found = false;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *a = buf; !found && a < buf + n; a += strlen(a) + 1)
		found = !strcmp(a, flag) && a + strlen(a) + 1 < buf + n &&
			!strcmp(a + strlen(a) + 1, value);
	return found;
}

pid_t vmcd_pid_by_args(const char *flag, const char *value)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t pid = 0;
	int found = 0;

	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) ||
		    !has_args(e->d_name, flag, value))
			continue;
		pid = (pid_t)atol(e->d_name);
		found++;
	}
	if (d)
		closedir(d);
	return found == 1 ? pid : 0;
}

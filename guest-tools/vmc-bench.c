// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-bench: the guest half of make bench (bench/fragbench.py).  It runs
 * on the vmcompact kernel and on the stock one alike, so it reads only
 * what stock Linux has (/proc, /sys); the busybox guest has no maths in
 * awk, so the sums are made here.
 *
 *   vmc-bench serve NAME        run shell commands that the host sends on
 *                               the virtio-serial port NAME: a line
 *                               "ID COMMAND" is answered by the command's
 *                               output and "@@vmc-bench-end ID STATUS"
 *   vmc-bench caches FILE       list the slab caches that account as
 *                               reclaimable (SLAB_RECLAIM_ACCOUNT) in FILE
 *   vmc-bench state [FILE]      one JSON line: free 2 MiB blocks (buddy
 *                               lists), the blocks free memory could fill,
 *                               MemFree, slab pages, and the objects in use
 *                               in the caches FILE lists
 *   vmc-bench thp-kick          allocate and free 32 transparent huge
 *                               pages: a free of an order-9 page into the
 *                               buddy lists starts free page reporting,
 *                               and one alone stays on a per-cpu list
 *   vmc-bench meta DIR N        create, stat and unlink N files under DIR
 *                               (1,000 a directory); one JSON line of times
 *   vmc-bench time CMD [ARG...] run CMD; "vmc-bench-time: NS STATUS" on
 *                               stderr
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- serve ------------------------------------------------------------ */

static int open_port(const char *name)
{
	char path[512], buf[128];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	for (int tries = 0; tries < 300 && fd < 0; tries++) {
		dir = opendir("/sys/class/virtio-ports");
		while (dir && (d = readdir(dir))) {
			FILE *f;

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", d->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(buf, sizeof(buf), f)) {
				buf[strcspn(buf, "\n")] = 0;
				if (!strcmp(buf, name)) {
					snprintf(path, sizeof(path), "/dev/%s", d->d_name);
					fd = open(path, O_RDWR | O_CLOEXEC);
				}
			}
			fclose(f);
		}
		if (dir)
			closedir(dir);
		if (fd < 0)
			usleep(100000);
	}
	return fd;
}

static void run_command(int port, char *line)
{
	char *id = line, *cmd = strchr(line, ' ');
	char end[128];
	int status = 0, n;
	pid_t pid;

	if (!cmd)
		cmd = line + strlen(line);
	else
		*cmd++ = 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(port, 1);
		dup2(port, 2);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = 255 << 8;
	n = snprintf(end, sizeof(end), "\n@@vmc-bench-end %s %d\n", id,
		     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	write_all(port, end, (size_t)n);
}

static int serve(const char *name)
{
	static char buf[1 << 16];
	size_t have = 0;
	int port = open_port(name);

	if (port < 0) {
		fprintf(stderr, "vmc-bench: no virtio-serial port %s\n", name);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		ssize_t r = read(port, buf + have, sizeof(buf) - 1 - have);
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* No host on the port (or it went): wait for one. */
			usleep(200000);
			continue;
		}
		have += (size_t)r;
		buf[have] = 0;
		while ((nl = memchr(buf, '\n', have))) {
			size_t len = (size_t)(nl - buf) + 1;

			*nl = 0;
			if (nl > buf && nl[-1] == '\r')
				nl[-1] = 0;
			if (buf[0])
				run_command(port, buf);
			memmove(buf, buf + len, have - len);
			have -= len;
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* a line longer than the buffer: drop it */
	}
}

/* ---- caches, state ------------------------------------------------------ */

static int caches(const char *out)
{
	char path[512], v[16];
	struct dirent *d;
	struct stat st;
	FILE *o = fopen(out, "w");
	DIR *dir = opendir("/sys/kernel/slab");

	if (!o || !dir) {
		fprintf(stderr, "vmc-bench: caches: %s\n", strerror(errno));
		return 1;
	}
	while ((d = readdir(dir))) {
		int fd;
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", d->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode))
			continue;	/* aliases of merged caches are links */
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/reclaim_account", d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, v, sizeof(v) - 1);
		close(fd);
		if (n > 0 && v[0] == '1')
			fprintf(o, "%s\n", d->d_name);
	}
	closedir(dir);
	return fclose(o) ? 1 : 0;
}

static long long field(const char *file, const char *key)
{
	char line[512];
	size_t k = strlen(key);
	long long v = -1;
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, k) && (line[k] == ' ' || line[k] == ':' || line[k] == '\t')) {
			v = strtoll(line + k + 1 + strspn(line + k + 1, " \t:"), NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

static int state(const char *list)
{
	char line[1024], names[512][40];
	long long blocks = 0, order9 = 0, order10 = 0, objs = 0;
	int nnames = 0;
	FILE *f;

	f = fopen("/proc/buddyinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		/* "Node 0, zone   Normal  c0 c1 ... c10" */
		char *p = strstr(line, "zone");
		long long c[16];
		int n = 0;

		if (!p)
			continue;
		p += 4;
		p += strspn(p, " ");
		p += strcspn(p, " ");
		while (n < 16) {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			c[n++] = v;
			p = end;
		}
		for (int o = 9; o < n; o++)
			blocks += c[o] << (o - 9);
		if (n > 9)
			order9 += c[9];
		if (n > 10)
			order10 += c[10];
	}
	if (f)
		fclose(f);

	if (list && (f = fopen(list, "r"))) {
		while (nnames < 512 && fgets(names[nnames], sizeof(names[0]), f)) {
			names[nnames][strcspn(names[nnames], "\n")] = 0;
			if (names[nnames][0])
				nnames++;
		}
		fclose(f);
	}
	f = fopen("/proc/slabinfo", "r");
	while (nnames && f && fgets(line, sizeof(line), f)) {
		char name[64];
		long long active;

		if (sscanf(line, "%63s %lld", name, &active) != 2)
			continue;
		for (int i = 0; i < nnames; i++) {
			if (!strcmp(names[i], name)) {
				objs += active;
				break;
			}
		}
	}
	if (f)
		fclose(f);

	long long free_pages = field("/proc/vmstat", "nr_free_pages");
	printf("{\"free_blocks\":%lld,\"order9\":%lld,\"order10\":%lld,"
	       "\"possible\":%lld,\"free_pages\":%lld,"
	       "\"memtotal_kb\":%lld,\"memfree_kb\":%lld,"
	       "\"slab_reclaimable_pages\":%lld,\"slab_unreclaimable_pages\":%lld,"
	       "\"file_pages\":%lld,\"anon_pages\":%lld,"
	       "\"reclaimable_objects\":%lld,\"reclaimable_caches\":%d,"
	       "\"compact_stall\":%lld,\"pgmigrate_success\":%lld,"
	       "\"balloon_inflate\":%lld}\n",
	       blocks, order9, order10, free_pages / 512, free_pages,
	       field("/proc/meminfo", "MemTotal"), field("/proc/meminfo", "MemFree"),
	       field("/proc/vmstat", "nr_slab_reclaimable"),
	       field("/proc/vmstat", "nr_slab_unreclaimable"),
	       field("/proc/vmstat", "nr_file_pages"),
	       field("/proc/vmstat", "nr_anon_pages"),
	       objs, nnames,
	       field("/proc/vmstat", "compact_stall"),
	       field("/proc/vmstat", "pgmigrate_success"),
	       field("/proc/vmstat", "balloon_inflate"));
	return 0;
}

/* ---- thp-kick --------------------------------------------------------- */

/* Enough huge pages to overflow the per-cpu lists of a small guest. */
#define KICK_HUGE 32

static int thp_kick(void)
{
	size_t huge = 2u << 20, len = KICK_HUGE * huge;
	char *p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED) {
		perror("vmc-bench: mmap");
		return 1;
	}
	a = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(a, len, MADV_HUGEPAGE);
	memset(a, 1, len);
	munmap(p, len + huge);
	return 0;
}

/* ---- meta ------------------------------------------------------------- */

static int meta(const char *dir, unsigned long n)
{
	char path[4096];
	uint64_t t0, t1, t2, t3;
	struct stat st;
	unsigned long i;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int fd;

		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "%s/d%lu", dir, i / 1000);
			if (mkdir(path, 0755) && errno != EEXIST) {
				perror(path);
				return 1;
			}
		}
		snprintf(path, sizeof(path), "%s/d%lu/f%lu", dir, i / 1000, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, path, 16) != 16 || close(fd)) {
			perror(path);
			return 1;
		}
	}
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%lu/f%lu", dir, i / 1000, i);
		if (stat(path, &st) || st.st_size != 16) {
			fprintf(stderr, "vmc-bench: stat %s failed\n", path);
			return 1;
		}
	}
	t2 = now_ns();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%lu/f%lu", dir, i / 1000, i);
		if (unlink(path)) {
			perror(path);
			return 1;
		}
		if (i % 1000 == 999 || i == n - 1) {
			snprintf(path, sizeof(path), "%s/d%lu", dir, i / 1000);
			rmdir(path);
		}
	}
	sync();
	t3 = now_ns();
	printf("{\"files\":%lu,\"create_ns\":%llu,\"stat_ns\":%llu,\"unlink_ns\":%llu}\n",
	       n, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1),
	       (unsigned long long)(t3 - t2));
	return 0;
}

static int timed(char **argv)
{
	uint64_t t0 = now_ns();
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	fprintf(stderr, "vmc-bench-time: %llu %d\n", (unsigned long long)(now_ns() - t0),
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "serve") && argc == 3)
		return serve(argv[2]);
	if (!strcmp(cmd, "caches") && argc == 3)
		return caches(argv[2]);
	if (!strcmp(cmd, "state") && argc <= 3)
		return state(argc == 3 ? argv[2] : NULL);
	if (!strcmp(cmd, "thp-kick") && argc == 2)
		return thp_kick();
	if (!strcmp(cmd, "meta") && argc == 4)
		return meta(argv[2], strtoul(argv[3], NULL, 10));
	if (!strcmp(cmd, "time") && argc >= 3)
		return timed(argv + 2);
	fprintf(stderr, "usage: vmc-bench serve PORT | caches FILE | state [FILE] | thp-kick | meta DIR N | time CMD...\n");
	return 2;
}

/*
 * vmcompactd's host check (host-agent/daemon/memfd.c) on a memfd of this
 * process: found through /proc/self's pid, populated bytes counted
 * range by range, holes punched as QEMU punches them.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../host-agent/vmcompactd/memfd.h"
#include "harness.h"

#define MIB (1ull << 20)

static int ram = -1;

/* 8 MiB "guest RAM": blocks 0 and 2 written, block 1 in part, 3 never. */
static void make_ram(void)
{
	static char page[4096];

	ram = memfd_create("memory-backend-memfd", MFD_CLOEXEC);
	if (ram < 0 || ftruncate(ram, 8 * MIB))
		return;
	memset(page, 0x5a, sizeof(page));
	for (uint64_t off = 0; off < 2 * MIB; off += sizeof(page)) {
		if (pwrite(ram, page, sizeof(page), (off_t)off) < 0 ||
		    pwrite(ram, page, sizeof(page), (off_t)(4 * MIB + off)) < 0)
			return;
	}
	if (pwrite(ram, page, sizeof(page), (off_t)(2 * MIB + 8192)) < 0)
		return;
}

static void test_open_finds_largest(void)
{
	struct vmcd_memfd m;
	char err[256];
	int small = memfd_create("other", MFD_CLOEXEC);

	CHECK(ram >= 0 && small >= 0 && ftruncate(small, MIB) == 0);
	CHECKF(vmcd_memfd_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(m.size == 8 * MIB);
	vmcd_memfd_close(&m);
	CHECK(m.fd == -1);
	close(small);
}

static void test_populated(void)
{
	struct vmcd_memfd m;
	uint64_t bytes;
	char err[256];

	CHECKF(vmcd_memfd_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(vmcd_memfd_populated(&m, 0, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_memfd_populated(&m, 2 * MIB, 2 * MIB, &bytes) == 0 && bytes == 4096);
	CHECK(vmcd_memfd_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_memfd_populated(&m, 6 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_memfd_populated(&m, 0, 8 * MIB, &bytes) == 0 &&
	      bytes == 4 * MIB + 4096);
	/* Part of a populated stretch: only what lies inside the range. */
	CHECK(vmcd_memfd_populated(&m, MIB, 4096, &bytes) == 0 && bytes == 4096);

	/* A block given back, the way QEMU discards it. */
	CHECK(fallocate(ram, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			4 * MIB, 2 * MIB) == 0);
	CHECK(vmcd_memfd_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_memfd_populated(&m, 0, 8 * MIB, &bytes) == 0 &&
	      bytes == 2 * MIB + 4096);
	vmcd_memfd_close(&m);
}

/* A block a guest names outside its RAM is refused, not read. */
static void test_outside(void)
{
	struct vmcd_memfd m;
	uint64_t bytes = 1;
	char err[256];

	CHECKF(vmcd_memfd_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	errno = 0;
	CHECK(vmcd_memfd_populated(&m, 8 * MIB, 2 * MIB, &bytes) == -1 &&
	      errno == ERANGE);
	CHECK(vmcd_memfd_populated(&m, 7 * MIB, 2 * MIB, &bytes) == -1);
	CHECK(vmcd_memfd_populated(&m, UINT64_MAX - MIB, 2 * MIB, &bytes) == -1);
	vmcd_memfd_close(&m);
}

static void test_no_process(void)
{
	struct vmcd_memfd m;
	char err[256];

	/* pid_max is at most 2^22. */
	CHECK(vmcd_memfd_open(1 << 23, &m, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/proc/8388608/fd"));
}

static void test_too_big(void)
{
	struct vmcd_memfd m;
	char err[256];

	CHECK(ftruncate(ram, 3ull << 30) == 0);
	CHECK(vmcd_memfd_open(getpid(), &m, err, sizeof(err)) == -1);
	CHECKF(strstr(err, "above 2 GiB"), "%s", err);
	CHECK(m.fd == -1);
	CHECK(ftruncate(ram, 8 * MIB) == 0);
}

int main(void)
{
	make_ram();
	t_run("memfd_open_finds_largest", test_open_finds_largest);
	t_run("memfd_populated", test_populated);
	t_run("memfd_outside_ram_refused", test_outside);
	t_run("memfd_no_process", test_no_process);
	t_run("memfd_too_big", test_too_big);
	return t_exit_status();
}

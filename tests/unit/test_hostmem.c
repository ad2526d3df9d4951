/*
 * vmcompactd's host check (host-agent/vmcompactd/hostmem.c, layout.c) on
 * RAM files of this process: a memfd found through /proc/self's pid,
 * populated bytes counted range by range, holes punched as QEMU punches
 * them; a hugetlb memfd, whose pages only QEMU's mapping tells apart
 * (pagemap), checked against the host's HugePages_Free; and guest-
 * physical addresses above the PCI hole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../host-agent/vmcompactd/hostmem.h"
#include "../../host-agent/vmcompactd/layout.h"
#include "harness.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

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
	struct vmcd_hostmem m;
	char err[256];
	int small = memfd_create("other", MFD_CLOEXEC);

	CHECK(ram >= 0 && small >= 0 && ftruncate(small, MIB) == 0);
	CHECKF(vmcd_hostmem_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(m.size == 8 * MIB && !m.hugetlb && m.page_size == 4096);
	vmcd_hostmem_close(&m);
	CHECK(m.fd == -1);
	close(small);
}

static void test_populated(void)
{
	struct vmcd_hostmem m;
	uint64_t bytes;
	char err[256];

	CHECKF(vmcd_hostmem_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(vmcd_hostmem_populated(&m, 0, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_hostmem_populated(&m, 2 * MIB, 2 * MIB, &bytes) == 0 && bytes == 4096);
	CHECK(vmcd_hostmem_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_hostmem_populated(&m, 6 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_hostmem_total(&m, &bytes) == 0 && bytes == 4 * MIB + 4096);
	/* Part of a populated stretch: only what lies inside the range. */
	CHECK(vmcd_hostmem_populated(&m, MIB, 4096, &bytes) == 0 && bytes == 4096);

	/* A block given back, the way QEMU discards it. */
	CHECK(fallocate(ram, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			4 * MIB, 2 * MIB) == 0);
	CHECK(vmcd_hostmem_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_hostmem_total(&m, &bytes) == 0 && bytes == 2 * MIB + 4096);
	vmcd_hostmem_close(&m);
}

/* A block a guest names outside its RAM is refused, not read. */
static void test_outside(void)
{
	struct vmcd_hostmem m;
	uint64_t bytes = 1;
	char err[256];

	CHECKF(vmcd_hostmem_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	errno = 0;
	CHECK(vmcd_hostmem_populated(&m, 8 * MIB, 2 * MIB, &bytes) == -1 &&
	      errno == ERANGE);
	CHECK(vmcd_hostmem_populated(&m, 7 * MIB, 2 * MIB, &bytes) == -1);
	CHECK(vmcd_hostmem_populated(&m, UINT64_MAX - MIB, 2 * MIB, &bytes) == -1);
	vmcd_hostmem_close(&m);
}

static void test_no_process(void)
{
	struct vmcd_hostmem m;
	char err[256];

	/* pid_max is at most 2^22. */
	CHECK(vmcd_hostmem_open(1 << 23, &m, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/proc/8388608/fd"));
}

/* QEMU 7.2's splits, and addresses on both sides of the hole. */
static void test_layout(void)
{
	struct vmcd_layout l;
	uint64_t off;

	CHECK(vmcd_layout_machine(&l, "pc-i440fx-7.2", 4 * GIB) == 0);
	CHECK(l.nr == 2 && l.r[0].len == 3 * GIB && l.r[1].len == GIB);
	CHECK(vmcd_layout_offset(&l, 4 * GIB + 2 * MIB, 2 * MIB, &off) == 0 &&
	      off == 3 * GIB + 2 * MIB);
	CHECK(vmcd_layout_offset(&l, 3 * GIB - 2 * MIB, 2 * MIB, &off) == 0 &&
	      off == 3 * GIB - 2 * MIB);
	/* The hole, the end, and a block across the end of a range. */
	CHECK(vmcd_layout_offset(&l, 3 * GIB, 2 * MIB, &off) == -1);
	CHECK(vmcd_layout_offset(&l, 5 * GIB, 2 * MIB, &off) == -1);
	CHECK(vmcd_layout_offset(&l, 5 * GIB - MIB, 2 * MIB, &off) == -1);
	CHECK(vmcd_layout_size(&l) == 4 * GIB);
	CHECK(vmcd_layout_machine(&l, "pc", 3 * GIB) == 0 && l.nr == 1);
	CHECK(vmcd_layout_machine(&l, "pc-q35-7.2", 3 * GIB) == 0 &&
	      l.nr == 2 && l.r[0].len == 2 * GIB && l.r[1].off == 2 * GIB);
	CHECK(vmcd_layout_machine(&l, "q35", 2 * GIB) == 0 && l.nr == 1);
	CHECK(vmcd_layout_machine(&l, "microvm", GIB) == -1 && l.nr == 0);
}

/* QEMU 7.2's "info mtree -f" of a 4 GiB pc guest, in short. */
static const char mtree[] =
	"FlatView #0\r\n"
	" AS \"I/O\", root: io\r\n"
	"  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\r\n"
	"\r\n"
	"FlatView #1\n"
	" AS \"memory\", root: system\n"
	" AS \"cpu-memory-0\", root: system\n"
	" Root memory region: system\n"
	"  0000000000000000-00000000000bffff (prio 0, ram): ram0\n"
	"  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
	"  00000000000e0000-00000000000fffff (prio 1, rom): isa-bios\n"
	"  0000000000100000-00000000bfffffff (prio 0, ram): ram0 @0000000000100000\n"
	"  00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram\n"
	"  0000000100000000-000000013fffffff (prio 0, ram): ram0 @00000000c0000000\n"
	"\n"
	"FlatView #2\n"
	" AS \"other\", root: other\n"
	"  0000000000000000-00000000ffffffff (prio 0, ram): ram0 @0000000100000000\n";

static void test_layout_mtree(void)
{
	struct vmcd_layout l;
	uint64_t off;

	CHECK(vmcd_layout_mtree(&l, mtree, 4 * GIB) == 0);
	/* The ROM hole below 1 MiB joined over: two ranges. */
	CHECKF(l.nr == 2 && l.r[0].gpa == 0 && l.r[0].len == 3 * GIB &&
	       l.r[1].gpa == 4 * GIB && l.r[1].off == 3 * GIB &&
	       l.r[1].len == GIB, "%u ranges", l.nr);
	CHECK(vmcd_layout_offset(&l, 0, 2 * MIB, &off) == 0 && off == 0);
	CHECK(vmcd_layout_offset(&l, 4 * GIB, 2 * MIB, &off) == 0 && off == 3 * GIB);
	/* No region reaching 8 GiB, and text that is not a flat view. */
	CHECK(vmcd_layout_mtree(&l, mtree, 8 * GIB) == -1 && l.nr == 0);
	CHECK(vmcd_layout_mtree(&l, "Error: no such thing", 4 * GIB) == -1);
}

/* A /proc/meminfo or /proc/sys number, or -1. */
static long read_number(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof(line), f))
		if (!key || !strncmp(line, key, strlen(key)))
			if (sscanf(line + (key ? strlen(key) : 0), " %ld", &v) == 1)
				break;
	if (f)
		fclose(f);
	return v;
}

static int add_huge_pages(long n)
{
	long now = read_number("/proc/sys/vm/nr_hugepages", NULL);
	FILE *f = now < 0 ? NULL : fopen("/proc/sys/vm/nr_hugepages", "we");
	int rc = f && fprintf(f, "%ld\n", now + n) > 0 ? 0 : -1;

	if (f && fclose(f))
		rc = -1;
	return rc;
}

/*
 * hugetlb: 4 huge pages of "guest RAM", 0 and 2 touched through our own
 * mapping (as QEMU's), then 2 given back: the check sees each huge page
 * as the host does, and its totals follow HugePages_Free.
 */
static void hugetlb(int fd)
{
	struct vmcd_hostmem m;
	long free0, free1, free2;
	uint64_t bytes;
	char err[256];
	char *p;

	free0 = read_number("/proc/meminfo", "HugePages_Free:");
	CHECK(fd >= 0 && ftruncate(fd, 8 * MIB) == 0);
	p = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	p[4 * MIB + 4096] = 1;
	free1 = read_number("/proc/meminfo", "HugePages_Free:");
	/* The largest RAM file: 8 MiB each; a hugetlb file found as such. */
	CHECK(ftruncate(ram, 4 * MIB) == 0);
	CHECKF(vmcd_hostmem_open(getpid(), &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(m.hugetlb && m.page_size == 2 * MIB && m.nr_maps == 1);
	/* SEEK_DATA would call all of it data; the pagemap does not. */
	CHECK(vmcd_hostmem_populated(&m, 0, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_hostmem_populated(&m, 2 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_hostmem_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 2 * MIB);
	CHECK(vmcd_hostmem_populated(&m, 6 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_hostmem_total(&m, &bytes) == 0 && bytes == 4 * MIB);
	CHECKF(free0 - free1 == 2, "HugePages_Free %ld -> %ld", free0, free1);
	/* Given back as QEMU does it: a hole, and a free huge page again. */
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4 * MIB,
			2 * MIB) == 0);
	free2 = read_number("/proc/meminfo", "HugePages_Free:");
	CHECK(vmcd_hostmem_populated(&m, 4 * MIB, 2 * MIB, &bytes) == 0 && bytes == 0);
	CHECK(vmcd_hostmem_total(&m, &bytes) == 0 && bytes == 2 * MIB);
	CHECKF(free2 - free1 == 1, "HugePages_Free %ld -> %ld", free1, free2);
	vmcd_hostmem_close(&m);
	munmap(p, 8 * MIB);
}

static void test_hugetlb(void)
{
	int fd;

	if (add_huge_pages(4)) {
		t_skip("cannot add huge pages (not root?)");
		return;
	}
	fd = memfd_create("hugetlb-ram", MFD_CLOEXEC | MFD_HUGETLB);
	hugetlb(fd);
	if (fd >= 0)
		close(fd);
	CHECK(ftruncate(ram, 8 * MIB) == 0);
	CHECK(add_huge_pages(-4) == 0);
}

int main(void)
{
	make_ram();
	t_run("hostmem_open_finds_largest", test_open_finds_largest);
	t_run("hostmem_populated", test_populated);
	t_run("hostmem_outside_ram_refused", test_outside);
	t_run("hostmem_no_process", test_no_process);
	t_run("hostmem_layout", test_layout);
	t_run("hostmem_layout_mtree", test_layout_mtree);
	t_run("hostmem_hugetlb", test_hugetlb);
	return t_exit_status();
}

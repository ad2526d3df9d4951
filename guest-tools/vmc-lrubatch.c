// SPDX-License-Identifier: GPL-2.0
/*
 * vmc-lrubatch: HOLD a block of this program's own anonymous memory while
 * one of its pages waits, new, in a per-cpu LRU batch (where it is not
 * PageLRU), as pages allocated between a request's drain of the batches
 * and its act on a block do.  Such a page is movable; a request that
 * calls the block impossible for it ("why: kernel 1") is wrong.
 *
 * On CPU 0: fault in 64 MiB of anonymous memory, no THP, and
 * find a block whose every page is ours (/proc/self/pagemap).  Put a
 * canary, another new page of ours, in CPU 0's lru_add batch.  A thread
 * on CPU 1 asks for the HOLD of the block, with the request's probe slowed
 * down by vacate_range.race_delay_ms (CONFIG_VACATE_RACE_DELAY; set to
 * DELAY_MS here, and back): it sleeps that long before each look at the
 * block's pages.  Once the canary is PageLRU (/proc/kpageflags), the
 * request has drained the batches; a page of the block is then given back
 * (munmap(): onto CPU 0's per-cpu free list) and faulted in again,
 * which takes the same page from that list into the lru_add batch, while
 * the request's probe sleeps.  The block must be held all the same.
 *
 * Prints what it did, then one line:
 *   PASS NAME (...)   the page was in the batch in time, the block held;
 *   FAIL NAME: ...    the block was not held (its result);
 *   SKIP NAME: ...    no block all ours, one CPU, no race_delay_ms, or the
 *                     page could not be put in the batch in time.
 * Exits 1 on FAIL, else 0.
 *
 *   vmc-lrubatch NAME
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/vacate.h>

#define DELAY_MS	"2000"
#define KPF_LRU		5
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PAGE		4096UL
#define PAGES		(64UL << 20 >> 12)
#define BLOCK_PAGES	512UL
/* Tries at a canary page that its fault does not flush with the batch. */
#define CANARY_TRIES	32
/* How long to wait for the request's drain, in 10 ms polls. */
#define DRAIN_POLLS	3000

static const char *delay_param = "/sys/module/vacate_range/parameters/race_delay_ms";
static const char *name;
static int pagemap_fd, kpageflags_fd;

struct request {
	uint64_t pfn;
	int error;			/* errno of the ioctl, or 0 */
	struct vacate_result r;
	atomic_bool finished;
};

static void skip(const char *why)
{
	printf("SKIP %s: %s\n", name, why);
	exit(0);
}

static void die(const char *what)
{
	printf("FAIL %s: %s: %s\n", name, what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* The pfn backing the page at @addr, or 0 if none. */
static uint64_t pfn_of(const void *addr)
{
	uint64_t e;

	if (pread(pagemap_fd, &e, sizeof(e),
		  (off_t)((uintptr_t)addr / PAGE * sizeof(e))) != sizeof(e))
		die("read /proc/self/pagemap");
	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

static bool on_lru(uint64_t pfn)
{
	uint64_t f;

	if (pread(kpageflags_fd, &f, sizeof(f), (off_t)(pfn * sizeof(f))) != sizeof(f))
		die("read /proc/kpageflags");
	return f >> KPF_LRU & 1;
}

/*
 * Give the page at @p back and fault a new one in: its pfn.  (munmap(), as
 * small guest kernels have no madvise().)
 */
static uint64_t refault(char *p)
{
	if (munmap(p, PAGE) ||
	    mmap(p, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
		die("munmap, mmap");
	*(volatile char *)p = 1;
	return pfn_of(p);
}

/* race_delay_ms as it was, put back also when the program dies. */
static char old_delay[32] = "0";

static bool set_delay(const char *val)
{
	int fd = open(delay_param, O_WRONLY);
	bool ok = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val);

	if (fd >= 0)
		close(fd);
	return ok;
}

static void restore_delay(void)
{
	if (!set_delay(old_delay))
		fprintf(stderr, "vmc-lrubatch: %s: %s\n", delay_param, strerror(errno));
}

static void *hold(void *arg)
{
	struct request *req = arg;
	struct vacate_request vr = {
		.argsz = sizeof(vr),
		.mode = VACATE_MODE_HOLD,
		.nr_blocks = 1,
		.pfns = (uintptr_t)&req->pfn,
		.results = (uintptr_t)&req->r,
	};
	int fd;

	pin(1);
	fd = open("/dev/vacate", O_RDWR);
	if (fd < 0 || ioctl(fd, VACATE_IOC_VACATE, &vr))
		req->error = errno;
	if (fd >= 0)
		close(fd);	/* gives the block back */
	atomic_store(&req->finished, true);
	return NULL;
}

/* The first block all of whose pages are among the @n pages at @mem. */
static char *own_block(char *mem, size_t n, uint64_t *block_pfn)
{
	size_t i = 0;

	while (i + BLOCK_PAGES <= n) {
		uint64_t pfn = pfn_of(mem + i * PAGE);
		size_t j;

		if (!pfn || pfn % BLOCK_PAGES) {
			i++;
			continue;
		}
		for (j = 1; j < BLOCK_PAGES; j++)
			if (pfn_of(mem + (i + j) * PAGE) != pfn + j)
				break;
		if (j == BLOCK_PAGES) {
			*block_pfn = pfn;
			return mem + i * PAGE;
		}
		i += j;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct request req = { 0 };
	char *mem, *block, *canary = NULL, *victim;
	size_t i;
	uint64_t pfn = 0;
	bool forced = false;
	pthread_t thread;
	ssize_t len;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: vmc-lrubatch NAME\n");
		return 2;
	}
	name = argv[1];
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip("one CPU online: the request needs a CPU of its own");
	fd = open(delay_param, O_RDONLY);
	if (fd < 0)
		skip("no vacate_range.race_delay_ms (CONFIG_VACATE_RACE_DELAY)");
	len = read(fd, old_delay, sizeof(old_delay) - 1);
	old_delay[len > 0 ? len : 0] = '\0';
	close(fd);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	kpageflags_fd = open("/proc/kpageflags", O_RDONLY);
	if (pagemap_fd < 0 || kpageflags_fd < 0)
		die("open /proc/self/pagemap, /proc/kpageflags");

	pin(0);
	/* 4 KiB pages only (EINVAL: a kernel without THP). */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) && errno != EINVAL)
		die("prctl(PR_SET_THP_DISABLE)");
	mem = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	for (i = 0; i < PAGES; i++)
		mem[i * PAGE] = 1;
	block = own_block(mem, PAGES, &req.pfn);
	if (!block)
		skip("no block all of whose pages are ours");
	victim = block + BLOCK_PAGES / 2 * PAGE;

	/* A canary in CPU 0's lru_add batch: not PageLRU until drained. */
	for (i = 0; i < CANARY_TRIES && !canary; i++) {
		char *p = mem + i * PAGE;

		if (p >= block && p < block + BLOCK_PAGES * PAGE)
			continue;
		pfn = refault(p);
		if (pfn && !on_lru(pfn))
			canary = p;
	}
	if (!canary)
		skip("no canary page stayed in the LRU batch");

	atexit(restore_delay);
	if (!set_delay(DELAY_MS))
		die(delay_param);
	if (pthread_create(&thread, NULL, hold, &req))
		die("pthread_create");
	for (i = 0; i < DRAIN_POLLS && !atomic_load(&req.finished); i++) {
		if (on_lru(pfn)) {
			/* Past lru_add_drain_all(): let drain_all_pages() end. */
			usleep(200 * 1000);
			pfn = refault(victim);
			forced = !atomic_load(&req.finished) &&
				 pfn == req.pfn + BLOCK_PAGES / 2 && !on_lru(pfn);
			break;
		}
		usleep(10 * 1000);
	}
	pthread_join(thread, NULL);

	printf("lrubatch: block pfn 0x%llx, its page 0x%llx %s\n",
	       (unsigned long long)req.pfn, (unsigned long long)pfn,
	       forced ? "new in the LRU batch while the request probed" :
			"not in time");
	if (req.error || !(req.r.flags & VACATE_RES_DONE)) {
		printf("FAIL %s: block 0x%llx not held: error %s, result error %d, flags 0x%x, why kernel %u\n",
		       name, (unsigned long long)req.pfn,
		       req.error ? strerror(req.error) : "none", req.r.error,
		       req.r.flags, req.r.why[VACATE_WHY_KERNEL]);
		return 1;
	}
	if (!forced)
		skip("the block was held, but its page was not put in the LRU batch in time");
	printf("PASS %s (block 0x%llx held with page 0x%llx in the LRU batch at the probe)\n",
	       name, (unsigned long long)req.pfn, (unsigned long long)pfn);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vmc_bench_slub: what SLUB's fast and slow paths cost, the same module
 * built against the vmcompact kernel and against stock Linux 6.1 (make
 * bench, bench/guest/build.sh), so that the two can be compared in one
 * run.  Loading it times, in a cache with a constructor (never merged) of
 * objsize bytes, "rounds" times:
 *   fast: 32 allocations, then their frees in reverse order, objects/32
 *         times: the objects come from and go back to the cpu slab;
 *   slow: "objects" allocations, then their frees in allocation order:
 *         most frees go to slabs that are not the cpu slab, which is where
 *         a mobile cache takes slab_lock() instead of cmpxchg_double.
 * On the vmcompact kernel (CONFIG_VACATE) the same again in a mobile cache
 * (kmem_cache_create_mobile(), callbacks that move nothing).  One line per
 * cache in the kernel log:
 *   vmc_bench_slub: cache=plain|mobile size=S objects=N rounds=R
 *     fast_alloc_ns=A fast_free_ns=F slow_alloc_ns=A slow_free_ns=F
 * (nanoseconds per object, the median of the rounds).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>

static unsigned int objects = 65536;
module_param(objects, uint, 0444);
static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
static unsigned int objsize = 192;
module_param(objsize, uint, 0444);

#define BATCH 32
#define MAX_ROUNDS 64

static void vbs_ctor(void *obj)
{
}

#ifdef CONFIG_VACATE
static void *vbs_isolate(struct kmem_cache *s, void **objs, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		objs[i] = NULL;
	return NULL;
}

static void vbs_migrate(struct kmem_cache *s, void **objs, int nr, int node,
			void *private)
{
}

static const struct kmem_cache_mobility vbs_mobility = {
	.isolate = vbs_isolate,
	.migrate = vbs_migrate,
};
#endif

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

static int bench_cache(const char *what, struct kmem_cache *s, void **objs)
{
	static u64 fa[MAX_ROUNDS], ff[MAX_ROUNDS], sa[MAX_ROUNDS], sf[MAX_ROUNDS];
	unsigned int r, i, j, n = objects / BATCH * BATCH;
	u64 t0, t1, t2, ta, tf;

	for (r = 0; r < rounds; r++) {
		ta = tf = 0;
		for (i = 0; i < n; i += BATCH) {
			t0 = ktime_get_ns();
			for (j = 0; j < BATCH; j++) {
				objs[j] = kmem_cache_alloc(s, GFP_KERNEL);
				if (!objs[j])
					return -ENOMEM;
			}
			t1 = ktime_get_ns();
			for (j = BATCH; j-- > 0;)
				kmem_cache_free(s, objs[j]);
			t2 = ktime_get_ns();
			ta += t1 - t0;
			tf += t2 - t1;
		}
		fa[r] = div_u64(ta, n);
		ff[r] = div_u64(tf, n);
		cond_resched();

		t0 = ktime_get_ns();
		for (i = 0; i < n; i++) {
			objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
			if (!objs[i]) {
				while (i--)
					kmem_cache_free(s, objs[i]);
				return -ENOMEM;
			}
		}
		t1 = ktime_get_ns();
		for (i = 0; i < n; i++)
			kmem_cache_free(s, objs[i]);
		t2 = ktime_get_ns();
		sa[r] = div_u64(t1 - t0, n);
		sf[r] = div_u64(t2 - t1, n);
		cond_resched();
	}
	pr_info("vmc_bench_slub: cache=%s size=%u objects=%u rounds=%u fast_alloc_ns=%llu fast_free_ns=%llu slow_alloc_ns=%llu slow_free_ns=%llu\n",
		what, objsize, n, rounds, median(fa, rounds), median(ff, rounds),
		median(sa, rounds), median(sf, rounds));
	return 0;
}

static int __init vbs_init(void)
{
	struct kmem_cache *s;
	void **objs;
	int ret;

	if (!rounds || rounds > MAX_ROUNDS || objects < BATCH || objects > (1U << 22) ||
	    objsize < 8 || objsize > PAGE_SIZE)
		return -EINVAL;
	objs = kvmalloc_array(objects, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	s = kmem_cache_create("vmc_bench_plain", objsize, 0, 0, vbs_ctor);
	ret = s ? bench_cache("plain", s, objs) : -ENOMEM;
	kmem_cache_destroy(s);
#ifdef CONFIG_VACATE
	if (!ret) {
		s = kmem_cache_create_mobile("vmc_bench_mobile", objsize, 0, 0,
					     vbs_ctor, &vbs_mobility);
		ret = s ? bench_cache("mobile", s, objs) : -ENOMEM;
		kmem_cache_destroy(s);
	}
#endif
	kvfree(objs);
	pr_info("vmc_bench_slub: done (%d)\n", ret);
	return ret;
}

static void __exit vbs_exit(void)
{
}

module_init(vbs_init);
module_exit(vbs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("make bench: SLUB fast and slow path timings");

/*
 * The census of the caches that keep blocks from being free
 * (VACATE_IOC_CENSUS): asked with enough room, and checked so that
 * nothing the kernel says can make its report go wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <vmcompact/census.h>
#include <vmcompact/util.h>

/* NUL-terminated within its array, and printable ASCII. */
static void clean_name(char *name)
{
	name[VACATE_CACHE_NAME_LEN - 1] = '\0';
	for (; *name; name++)
		if ((unsigned char)*name < 0x20 || (unsigned char)*name > 0x7e)
			*name = '?';
}

/* One entry against the totals and the entry before it (or NULL). */
static int check_entry(const struct vacate_census_entry *e,
		       const struct vacate_census_entry *prev,
		       const struct vacate_census *q, char *err, size_t size)
{
	/* Listed for its pages there, each block with one at least. */
	if (!e->blocks || e->blocks > e->pages)
		return vmc_failf(err, size, "cache '%s' has %u pages in %u blocks",
				  e->name, e->pages, e->blocks);
	if (e->pages > e->all_pages)
		return vmc_failf(err, size, "cache '%s' has %u pages in otherwise-free blocks, of %u slab pages in all",
				  e->name, e->pages, e->all_pages);
	if (e->blocks > q->blocks)
		return vmc_failf(err, size, "cache '%s' is in %u otherwise-free blocks, of %u",
				  e->name, e->blocks, q->blocks);
	if (e->mobile > 1)
		return vmc_failf(err, size, "cache '%s' is mobile %u, neither 0 nor 1",
				  e->name, e->mobile);
	if (prev && e->pages > prev->pages)
		return vmc_failf(err, size, "cache '%s' (%u pages) comes after '%s' (%u pages)",
				  e->name, e->pages, prev->name, prev->pages);
	return 0;
}

/* The census in c, from q: what does not hold together in err. */
static int check(struct vmc_census *c, const struct vacate_census *q,
		 char *err, size_t size)
{
	uint64_t sum = 0;

	if (q->slab_pages < q->blocks || !q->blocks != !q->slab_pages)
		return vmc_failf(err, size, "%u otherwise-free blocks with %u slab pages",
				  q->blocks, q->slab_pages);
	for (size_t i = 0; i < c->nr; i++) {
		struct vacate_census_entry *e = &c->entries[i];

		clean_name(e->name);
		if (check_entry(e, i ? e - 1 : NULL, q, err, size))
			return -1;
		sum += e->pages;
	}
	if (sum > q->slab_pages)
		return vmc_failf(err, size, "its caches have %llu pages in otherwise-free blocks, of %u",
				  (unsigned long long)sum, q->slab_pages);
	return 0;
}

int vmc_census_check(struct vmc_census *c, const struct vacate_census *q,
		      uint32_t room, char *err, size_t size)
{
	char why[VMC_ERR_LEN];

	c->blocks = q->blocks;
	c->slab_pages = q->slab_pages;
	c->found = q->nr_entries;
	c->nr = q->nr_entries < room ? q->nr_entries : room;
	if (check(c, q, why, sizeof(why)))
		return vmc_failf(err, size, "the kernel's census does not hold together: %s",
				  why);
	return 0;
}

void vmc_census_free(struct vmc_census *c)
{
	free(c->entries);
	c->entries = NULL;
	c->nr = 0;
}

/* Room for as many entries as the kernel found, and some, within bounds. */
static uint32_t more_room(uint32_t found)
{
	if (found >= VMC_CENSUS_MAX_ROOM - VMC_CENSUS_SLACK)
		return VMC_CENSUS_MAX_ROOM;
	return found + VMC_CENSUS_SLACK;
}

int vmc_census_read(struct vmc_census_source *src, struct vmc_census *c)
{
	uint32_t room = VMC_CENSUS_FIRST_ROOM;
	char bad[VMC_ERR_LEN];
	struct vacate_census q;

	*c = (struct vmc_census){ 0 };
	for (int try = 1;; try++) {
		free(c->entries);
		c->entries = calloc(room, sizeof(*c->entries));
		if (!c->entries)
			return vmc_failf(src->err, src->err_size, "out of memory for %u census entries",
					  room);
		q = (struct vacate_census){
			.argsz = sizeof(q),
			.entries = (uintptr_t)c->entries,
			.nr_entries = room,
		};
		if (src->ask(src, &q))
			return -1;
		/*
		 * Caches come and go between calls: past the tries (or the
		 * bound), the first room entries are the census.
		 */
		if (q.nr_entries <= room || try == VMC_CENSUS_TRIES ||
		    room == VMC_CENSUS_MAX_ROOM)
			break;
		room = more_room(q.nr_entries);
	}
	if (vmc_census_check(c, &q, room, bad, sizeof(bad)))
		return vmc_failf(src->err, src->err_size, "%s: %s", src->name,
				  bad);
	return 0;
}

size_t vmc_census_shown(const struct vmc_census *c, size_t top)
{
	return top && top < c->nr ? top : c->nr;
}

uint32_t vmc_tenths(uint64_t part, uint64_t whole)
{
	if (!whole)
		return 0;
	return (uint32_t)((part * 1000 + whole / 2) / whole);
}

bool vmc_census_cover(const struct vmc_census *c, uint32_t percent,
		       size_t *n)
{
	uint64_t want = (uint64_t)c->slab_pages * percent, sum = 0;
	size_t i = 0;

	/* Counts are 32 bits: no overflow in 64. */
	while (sum * 100 < want && i < c->nr)
		sum += c->entries[i++].pages;
	*n = i;
	return sum * 100 >= want;
}

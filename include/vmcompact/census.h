/*
 * The census of the slab caches that keep blocks from being free
 * (VACATE_IOC_CENSUS, or CENSUS_REQ through the agent): asked with enough
 * room, checked so that nothing the kernel or the guest says can make the
 * report go wrong, and printed as text or JSON.
 */
#ifndef VMCOMPACT_CENSUS_H
#define VMCOMPACT_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vacate.h>

#define VMC_CENSUS_FIRST_ROOM	256	/* entries: the first guess */
#define VMC_CENSUS_MAX_ROOM	65536	/* more caches than any kernel has */
#define VMC_CENSUS_SLACK	16	/* for caches created between calls */
#define VMC_CENSUS_TRIES	3
#define VMC_CENSUS_COVER	90	/* percent: the "cover90" set */

struct vmc_census {
	uint32_t blocks;		/* otherwise-free blocks */
	uint32_t slab_pages;		/* the slab pages in them */
	struct vacate_census_entry *entries;	/* most pages first */
	size_t nr;			/* entries held */
	uint32_t found;			/* caches the kernel found: >= nr */
};

/*
 * Where a census comes from (name, for messages): ask() fills in q
 * (argsz, entries and room set) as VACATE_IOC_CENSUS does; 0, or -1 with
 * the problem in err.
 */
struct vmc_census_source {
	int (*ask)(struct vmc_census_source *src, struct vacate_census *q);
	const char *name;
	void *ctx;
	char *err;
	size_t err_size;
};

/*
 * Ask src with room for VMC_CENSUS_FIRST_ROOM entries, again with room
 * for as many as it found if that was more, and check the answer: 0, or
 * -1 with the problem in src->err.  vmc_census_free() in either case.
 */
int vmc_census_read(struct vmc_census_source *src, struct vmc_census *c);

/*
 * Take the kernel's answer q to a call with room entries in c->entries:
 * names NUL-terminated and printable, counts that hold together (sorted,
 * within the totals).  0, or -1 with the problem in err.
 */
int vmc_census_check(struct vmc_census *c, const struct vacate_census *q,
		     uint32_t room, char *err, size_t size);
void vmc_census_free(struct vmc_census *c);

/* The number of caches that --top top (0: all of them) shows. */
size_t vmc_census_shown(const struct vmc_census *c, size_t top);

/* part of whole in tenths of a percent, rounded (0 for a whole of 0). */
uint32_t vmc_tenths(uint64_t part, uint64_t whole);

/*
 * The fewest caches from the top whose pages make at least percent of
 * the blocking pages: true with their number in *n, or false if all of
 * them together make less.
 */
bool vmc_census_cover(const struct vmc_census *c, uint32_t percent,
		      size_t *n);

/*
 * census_text.c, census_json.c: the census, its first top caches (0: all)
 * and the VMC_CENSUS_COVER set, as text or as one JSON object (0, or -1
 * out of memory).
 */
void vmc_print_census(FILE *out, const struct vmc_census *c, size_t top);
int vmc_print_census_json(FILE *out, const struct vmc_census *c,
			  size_t top);

#endif /* VMCOMPACT_CENSUS_H */

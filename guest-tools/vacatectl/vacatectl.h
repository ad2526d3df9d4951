/*
 * vacatectl: look at and empty 2 MiB blocks of this machine's memory
 * through /dev/vacate (include/uapi/linux/vacate.h).  What its files share.
 *
 * Exit status: 0 success, 1 the device or the kernel refused or failed
 * (or answered nonsense), 2 usage error.
 */
#ifndef VACATECTL_H
#define VACATECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vacate.h>

#include "../../host-agent/map.h"

#define VCTL_EXIT_FAILED	1
#define VCTL_EXIT_USAGE		2
#define VCTL_DEFAULT_DEVICE	"/dev/vacate"
#define VCTL_ERR_LEN		512

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* args.c: the command line. */
enum vctl_command { VCTL_MAP, VCTL_VACATE, VCTL_CENSUS };

/* A block named by --block (its number) or --pfn (its first pfn). */
struct vctl_pick {
	uint64_t value;
	bool is_block;
};

struct vctl_args {
	enum vctl_command command;
	const char *device;
	bool json;
	/* vacate: either picks or cheapest */
	struct vctl_pick *picks;	/* in command-line order */
	size_t nr_picks;
	bool cheapest;
	uint32_t cheapest_k;		/* VACATE_ALL_BLOCKS for "all" */
	bool has_mode;
	uint32_t mode;			/* VACATE_MODE_*, or a raw number */
	int64_t hold_seconds;		/* -1: until SIGINT or SIGTERM */
	/* census */
	uint32_t top;			/* caches to show; 0: all */
};

/* A number in decimal or 0x hex: 0, or -1 if s is not one or overflows. */
int vctl_parse_u64(const char *s, uint64_t *v);

/*
 * Parse argv[1..] (argv[1] is the command): 0, or -1 with the problem in
 * err.  vctl_args_free() in either case.
 */
int vctl_parse_args(int argc, char **argv, struct vctl_args *a, char *err,
		    size_t err_size);
void vctl_args_free(struct vctl_args *a);

/* names.c: names of what the kernel says. */
extern const char *const vctl_why_names[VACATE_NR_WHY];

/* "probe", "free", "hold", or NULL for a mode the kernel does not know. */
const char *vctl_mode_name(uint32_t mode);

/* A mode by name, or a raw number (passed to the kernel as is): 0 or -1. */
int vctl_parse_mode(const char *s, uint32_t *mode);

/* "EBUSY" for the -EBUSY of struct vacate_result.error; buf for others. */
const char *vctl_error_name(int32_t error, char *buf, size_t size);

/* "VACATE_IOC_VACATE" and so on. */
const char *vctl_ioctl_name(unsigned long cmd);

/* What errno err from ioctl cmd means (vacate.h), or NULL. */
const char *vctl_errno_meaning(unsigned long cmd, int err);

/* errors.c: the problem, formatted into err; returns -1. */
__attribute__((format(printf, 3, 4)))
int vctl_failf(char *err, size_t size, const char *fmt, ...);

/*
 * A failed open or ioctl cmd of device, as one sentence that says what
 * err means for cmd: "DEVICE: WHAT: text (ENAME): meaning".
 */
void vctl_device_error(char *buf, size_t size, const char *device,
		       const char *what, unsigned long cmd, int err);

/* The same on stderr, after "vacatectl: "; returns VCTL_EXIT_FAILED. */
int vctl_fail_device(const char *device, const char *what, unsigned long cmd,
		     int err);

/* diagnose.c: which part of a refused request the errno is about. */
struct vctl_request_view {
	unsigned long cmd;		/* VACATE_IOC_VACATE or _CHEAPEST */
	uint32_t mode;
	uint32_t nr_blocks;		/* as asked */
	const uint64_t *pfns;		/* VACATE_IOC_VACATE */
};

/* The culprit as a sentence in buf: true, or false if none was found. */
bool vctl_diagnose(const struct vmc_map *map,
		   const struct vctl_request_view *req, int err, char *buf,
		   size_t size);

/* report.c: what a request did, as the kernel said. */
struct vctl_report {
	uint32_t mode;
	uint32_t block_pages;
	uint64_t asked;		/* blocks named, K, or (all) blocks in RAM */
	uint64_t acted;		/* blocks acted on */
	uint64_t done;		/* emptied (free, hold) or possible (probe) */
	const struct vacate_result *results;	/* of the first acted on */
	size_t nr_results;
	uint64_t wall_ns;	/* the ioctl's time */
	/* summed over the results by vctl_report_finish() */
	uint64_t pages_migrated;
	uint64_t objects_moved;
	uint64_t objects_freed;
	uint64_t time_ns;
	/* from the maps before and after */
	uint64_t free_blocks_before;
	uint64_t free_blocks_after;
	uint64_t free_blocks_possible;
};

/*
 * With the fields above the sums set: check the kernel's counts (nothing
 * acted on beyond what was asked, nothing done beyond that, no result
 * beyond it) and sum.  0, or -1 with the problem in err.
 */
int vctl_report_finish(struct vctl_report *r, const struct vmc_map *before,
		       const struct vmc_map *after, char *err, size_t size);

/* One line per block, then the totals. */
void vctl_print_result(FILE *out, const struct vacate_result *res,
		       uint32_t block_pages);
void vctl_print_report(FILE *out, const struct vctl_report *r);

/* report_json.c: the same as one JSON object; 0, or -1 out of memory. */
int vctl_print_report_json(FILE *out, const struct vctl_report *r);

/* device.c: /dev/vacate. */
int vctl_read_map(const char *device, struct vmc_map *map, char *err,
		  size_t err_size);

/* clock.c: CLOCK_MONOTONIC in ns. */
int64_t vctl_now_ns(void);

/*
 * hold.c: wait seconds (-1: forever) or until SIGINT or SIGTERM, which
 * stay blocked afterwards.
 */
void vctl_hold_wait(int64_t seconds);

/* vacate.c */
int vctl_cmd_vacate(const struct vctl_args *a);

/*
 * census.c: VACATE_IOC_CENSUS, which slab caches keep blocks from being
 * free, asked with enough room and checked.
 */
#define VCTL_CENSUS_FIRST_ROOM	256	/* entries: the first guess */
#define VCTL_CENSUS_MAX_ROOM	65536	/* more caches than any kernel has */
#define VCTL_CENSUS_SLACK	16	/* for caches created between calls */
#define VCTL_CENSUS_TRIES	3
#define VCTL_CENSUS_COVER	90	/* percent: the "cover90" set */

struct vctl_census {
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
struct vctl_census_source {
	int (*ask)(struct vctl_census_source *src, struct vacate_census *q);
	const char *name;
	void *ctx;
	char *err;
	size_t err_size;
};

/*
 * Ask src with room for VCTL_CENSUS_FIRST_ROOM entries, again with room
 * for as many as it found if that was more, and check the answer: 0, or
 * -1 with the problem in src->err.  vctl_census_free() in either case.
 */
int vctl_census_read(struct vctl_census_source *src, struct vctl_census *c);

/*
 * Take the kernel's answer q to a call with room entries in c->entries:
 * names NUL-terminated and printable, counts that hold together (sorted,
 * within the totals).  0, or -1 with the problem in err.
 */
int vctl_census_check(struct vctl_census *c, const struct vacate_census *q,
		      uint32_t room, char *err, size_t size);
void vctl_census_free(struct vctl_census *c);

/* The number of caches that --top top (0: all of them) shows. */
size_t vctl_census_shown(const struct vctl_census *c, size_t top);

/* part of whole in tenths of a percent, rounded (0 for a whole of 0). */
uint32_t vctl_tenths(uint64_t part, uint64_t whole);

/*
 * The fewest caches from the top whose pages make at least percent of
 * the blocking pages: true with their number in *n, or false if all of
 * them together make less.
 */
bool vctl_census_cover(const struct vctl_census *c, uint32_t percent,
		       size_t *n);

/*
 * census_text.c, census_json.c: the census, its first top caches (0: all)
 * and the VCTL_CENSUS_COVER set, as text or as one JSON object (0, or -1
 * out of memory).
 */
void vctl_print_census(FILE *out, const struct vctl_census *c, size_t top);
int vctl_print_census_json(FILE *out, const struct vctl_census *c,
			   size_t top);

/* census_cmd.c */
int vctl_cmd_census(const struct vctl_args *a);

#endif /* VACATECTL_H */

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
enum vctl_command { VCTL_MAP, VCTL_VACATE };

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

#endif /* VACATECTL_H */

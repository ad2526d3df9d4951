/*
 * vacatectl: look at and empty 2 MiB blocks of this machine's memory
 * through /dev/vacate (include/uapi/linux/vacate.h).  What its files
 * share; the map, reports, census and the device itself come from the
 * shared library (include/vmcompact/).
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

#include <vmcompact/census.h>
#include <vmcompact/device.h>
#include <vmcompact/map.h>
#include <vmcompact/names.h>
#include <vmcompact/report.h>
#include <vmcompact/util.h>

#define VCTL_EXIT_FAILED	1
#define VCTL_EXIT_USAGE		2
#define VCTL_DEFAULT_DEVICE	"/dev/vacate"

/* args.c: the command line. */
enum vctl_command { VCTL_MAP, VCTL_VACATE, VCTL_CENSUS };

struct vctl_args {
	enum vctl_command command;
	const char *device;
	bool json;
	/* vacate: either picks or cheapest */
	struct vmc_pick *picks;		/* in command-line order */
	size_t nr_picks;
	bool cheapest;
	uint32_t cheapest_k;		/* VACATE_ALL_BLOCKS for "all" */
	bool has_mode;
	uint32_t mode;			/* VACATE_MODE_*, or a raw number */
	int64_t hold_seconds;		/* -1: until SIGINT or SIGTERM */
	/* census */
	uint32_t top;			/* caches to show; 0: all */
};

/*
 * Parse argv[1..] (argv[1] is the command): 0, or -1 with the problem in
 * err.  vctl_args_free() in either case.
 */
int vctl_parse_args(int argc, char **argv, struct vctl_args *a, char *err,
		    size_t err_size);
void vctl_args_free(struct vctl_args *a);

/*
 * diagnose.c: which part of a request the kernel refused as a whole is
 * what its errno is about.
 */
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

/* main.c: a device error on stderr; returns VCTL_EXIT_FAILED. */
int vctl_fail(const struct vmc_error *e);

/* map_cmd.c: the map of device, streamed into sink or held. */
int vctl_stream_map(const char *device, struct vmc_map_sink *sink,
		    char *err, size_t err_size);
int vctl_read_map(const char *device, struct vmc_map *map, char *err,
		  size_t err_size);
int vctl_cmd_map(const struct vctl_args *a);

/*
 * hold.c: wait seconds (-1: forever) or until SIGINT or SIGTERM, which
 * stay blocked afterwards.
 */
void vctl_hold_wait(int64_t seconds);

/* vacate.c */
int vctl_cmd_vacate(const struct vctl_args *a);

/* census_cmd.c */
int vctl_cmd_census(const struct vctl_args *a);

#endif /* VACATECTL_H */

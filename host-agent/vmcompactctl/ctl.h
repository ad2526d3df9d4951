/*
 * vmcompactctl: what its command files share.  Each command is a
 * function of the table in main.c; output for people and --json output
 * for scripts come from the same data.
 *
 * Exit status: 0 success, 1 guest, daemon or protocol error, 2 usage.
 */
#ifndef VMC_CTL_H
#define VMC_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include <vmcompact/census.h>
#include <vmcompact/client.h>
#include <vmcompact/names.h>
#include <vmcompact/report.h>
#include <vmcompact/util.h>

#define CTL_EXIT_GUEST	1
#define CTL_EXIT_USAGE	2

/* raw.c: the bytes send-raw writes, in command-line order. */
struct raw_bytes {
	size_t len;
	uint8_t data[2 * VMC_FRAME_MAX];
};

struct ctl_opts {
	const char *socket;
	const char *control;	/* vmcompactd's control socket */
	const char *vm;		/* cycle, reclaim: its name */
	int timeout_ms;		/* each reply */
	int vacate_timeout_ms;	/* a VACATE reply, a reclaim */
	bool json;
	unsigned int expect;
	struct raw_bytes *raw;
	/* vacate: either picks or cheapest */
	struct vmc_pick picks[VMC_VACATE_MAX_BLOCKS];
	size_t nr_picks;
	bool cheapest;
	uint32_t cheapest_k;	/* VMC_VACATE_ALL for "all" */
	bool has_mode;
	uint32_t mode;
	uint32_t top;		/* census: caches shown, 0 all */
	uint64_t mib;		/* reclaim */
};

/*
 * agent_cmd.c.  ctl_open_agent: connect to the agent of o->socket and
 * say hello; it must have the capability cap, if not 0 ("cannot CANNOT"
 * otherwise).  0, or -1 with c->err set.  ctl_fail: c->err on stderr,
 * and the exit status for it.
 */
int ctl_open_agent(struct vmc_client *c, const struct ctl_opts *o,
		   struct vmc_hello *h, uint32_t cap, const char *cannot);
int ctl_fail(const struct vmc_client *c);

/* The commands: exit status 0, or not after saying why on stderr. */
int ctl_cmd_hello(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_map(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_release(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_send_raw(struct vmc_client *c, const struct ctl_opts *o);
/* vacate_cmd.c */
int ctl_cmd_vacate(struct vmc_client *c, const struct ctl_opts *o);
/* census_cmd.c */
int ctl_cmd_census(struct vmc_client *c, const struct ctl_opts *o);
/* daemon_cmd.c: questions to vmcompactd (c is not used). */
int ctl_cmd_status(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_cycle(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_reclaim(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_metrics(struct vmc_client *c, const struct ctl_opts *o);

/* raw.c: append bytes given as hex, or a frame "TYPE:SEQ[:HEX[:VERSION]]". */
int raw_add_hex(struct raw_bytes *raw, const char *hex);
int raw_add_frame(struct raw_bytes *raw, const char *spec);

/*
 * Send raw and print what comes back, one line (or JSON object) per
 * frame or rejected input, until expect frames came or (expect 0) the
 * guest fell silent for the client's timeout.  Returns 0, or -1 with
 * c->err set.
 */
int raw_exchange(struct vmc_client *c, const struct raw_bytes *raw,
		 unsigned int expect, bool json);

#endif /* VMC_CTL_H */

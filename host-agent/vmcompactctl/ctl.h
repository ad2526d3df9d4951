/* vmcompactctl: what its command files share. */
#ifndef VMC_CTL_H
#define VMC_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include <vmcompact/census.h>
#include <vmcompact/client.h>
#include <vmcompact/names.h>
#include <vmcompact/report.h>
#include <vmcompact/util.h>

struct ctl_opts {
	const char *socket;
	const char *control;	/* vmcompactd's control socket */
	const char *vm;		/* cycle: its name */
	int timeout_ms;		/* each reply */
	int vacate_timeout_ms;	/* a VACATE reply */
	bool json;
	unsigned int expect;
	/* vacate: either picks or cheapest */
	struct vmc_pick picks[VMC_VACATE_MAX_BLOCKS];
	size_t nr_picks;
	bool cheapest;
	uint32_t cheapest_k;	/* VMC_VACATE_ALL for "all" */
	bool has_mode;
	uint32_t mode;
	uint32_t top;		/* census: caches shown, 0 all */
};

/*
 * ctl.c: connect to the agent of o->socket and say hello; it must have the
 * capability cap ("cannot CANNOT" otherwise).  0, or -1 with c->err set.
 */
int ctl_open_agent(struct vmc_client *c, const struct ctl_opts *o,
		   struct vmc_hello *h, uint32_t cap, const char *cannot);

/* vacate_cmd.c: exit status 0, or 1 after saying why on stderr. */
int ctl_cmd_vacate(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_release(struct vmc_client *c, const struct ctl_opts *o);

/* census_cmd.c */
int ctl_cmd_census(struct vmc_client *c, const struct ctl_opts *o);

/* daemon_cmd.c: the same for questions to vmcompactd (c is not used). */
int ctl_cmd_status(struct vmc_client *c, const struct ctl_opts *o);
int ctl_cmd_cycle(struct vmc_client *c, const struct ctl_opts *o);

/* raw.c: the bytes send-raw writes, in command-line order. */
struct raw_bytes {
	size_t len;
	uint8_t data[2 * VMC_FRAME_MAX];
};

/* Append bytes given as hex, or a frame "TYPE:SEQ[:HEX[:VERSION]]". */
int raw_add_hex(struct raw_bytes *raw, const char *hex);
int raw_add_frame(struct raw_bytes *raw, const char *spec);

/*
 * Send raw and print what comes back, one line per frame or rejected
 * input, until expect frames came or (expect 0) the guest fell silent for
 * the client's timeout.  Returns 0, or -1 with c->err set.
 */
int raw_exchange(struct vmc_client *c, const struct raw_bytes *raw,
		 unsigned int expect);

#endif /* VMC_CTL_H */

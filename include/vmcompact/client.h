/*
 * Host side of the protocol: one connection to a guest agent through the
 * unix socket of QEMU's virtio-serial chardev, and request/response on it.
 * Everything the guest sends is validated before it is returned.
 *
 * vmcompactctl's, one request at a time and blocking (vmcompactd has its
 * own, on its event loop): no output, no exit; a failing call returns -1
 * and leaves a message in c->err.  A guest that sends VMC_MAX_WASTED
 * bytes without a good frame in them fails the call.
 */
#ifndef VMCOMPACT_CLIENT_H
#define VMCOMPACT_CLIENT_H

#include <stdint.h>

#include <vmcompact/map.h>
#include <vmcompact/proto.h>

struct vmc_client {
	int fd;
	int timeout_ms;		/* for each reply */
	uint32_t seq;		/* of the last request sent */
	const uint8_t *rx_next;	/* read from the socket, not parsed yet */
	size_t rx_len;
	char skipped[160];	/* the last input skipped while waiting */
	char err[512];
	uint32_t sys_errno;	/* of the guest's last DEVICE error, else 0 */
	struct vmc_parser parser;
	uint8_t tx[VMC_FRAME_MAX];
	uint8_t rx[4096];
};

/* c is about 130 KiB: make it static or allocate it. */
int vmc_client_open(struct vmc_client *c, const char *socket_path,
		    int timeout_ms);
void vmc_client_close(struct vmc_client *c);

int vmc_client_hello(struct vmc_client *c, struct vmc_hello *h);

/*
 * One MAP_REQ; blocks needs room for min(req->max_blocks,
 * VMC_MAP_RESP_MAX_BLOCKS) entries.
 */
int vmc_client_map(struct vmc_client *c, const struct vmc_map_req *req,
		   struct vmc_map_resp *m, struct vacate_block *blocks);

/*
 * One VACATE_REQ, answered within timeout_ms (emptying blocks takes far
 * longer than a map), checked against req and the guest's block_pages.
 * results needs room for VMC_VACATE_MAX_BLOCKS entries.
 */
int vmc_client_vacate(struct vmc_client *c, const struct vmc_vacate_req *req,
		      uint32_t block_pages, int timeout_ms,
		      struct vmc_vacate_resp *v, struct vacate_result *results);

/* RELEASE_REQ: the guest gives back every block its agent holds. */
int vmc_client_release(struct vmc_client *c);

/*
 * CENSUS_REQ with room (<= VMC_CENSUS_MAX_ENTRIES) entries; entries needs
 * that room.
 */
int vmc_client_census(struct vmc_client *c, uint32_t room,
		      struct vmc_census_resp *resp,
		      struct vacate_census_entry *entries);

/* Raw access, for tools and tests: write bytes as they are... */
int vmc_client_send(struct vmc_client *c, const void *buf, size_t len);

/*
 * ...and take the next parser event (frame or rejected input) within
 * timeout_ms.  Returns 1 with *ev set, 0 on timeout, -1 on error.  A frame's
 * payload is valid until the next call on c.
 */
int vmc_client_next(struct vmc_client *c, struct vmc_event *ev,
		    int timeout_ms);

/* Set c->err; returns -1. */
__attribute__((format(printf, 2, 3)))
int vmc_client_fail(struct vmc_client *c, const char *fmt, ...);

/*
 * client_map.c: the map of the guest that answered HELLO with h, as a
 * source for map.h (streamed or held); errors in c->err.
 */
void vmc_map_source_client(struct vmc_map_source *src, struct vmc_client *c,
			   const struct vmc_hello *h);
int vmc_map_fetch(struct vmc_client *c, const struct vmc_hello *h,
		  struct vmc_map *map);

#endif /* VMCOMPACT_CLIENT_H */

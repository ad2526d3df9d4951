/* vmcompact-agent: what its files share.  PROTOCOL.md is the spec. */
#ifndef VMC_AGENT_H
#define VMC_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmcompact/proto.h>

#define AGENT_NAME	"vmcompact-agent " VMC_VERSION

/* main.c: one line on stderr, prefixed with the program name. */
__attribute__((format(printf, 1, 2)))
void agent_log(const char *fmt, ...);

/* port.c: the byte pipe to the host. */
struct port {
	int fd;
	bool is_socket;		/* end-of-file means the peer is gone for good */
	char path[PATH_MAX];
};

/*
 * Open the port at path, or if path is NULL the virtio-serial port called
 * name.  Returns 0 or a negative errno.
 */
int port_open(const char *name, const char *path, struct port *port);

/*
 * vacate.c: the device's answers to MAP, VACATE, RELEASE and CENSUS
 * requests (PROTOCOL.md 3.2-3.8); 0, or -1 with a DEVICE error in *err.
 * results has room for VMC_VACATE_MAX_BLOCKS; blocks held stay held by
 * the agent until agent_release().
 */
int agent_map(const char *dev, uint64_t start_pfn, uint32_t max_blocks,
	      struct vmc_map_resp *m, struct vacate_block *blocks,
	      struct vmc_error *err);
int agent_vacate(const char *dev, const struct vmc_vacate_req *req,
		 struct vmc_vacate_resp *v, struct vacate_result *results,
		 struct vmc_error *err);
int agent_release(const char *dev, struct vmc_error *err);
int agent_census(const char *dev, uint32_t room, struct vmc_census_resp *c,
		 struct vacate_census_entry *entries, struct vmc_error *err);

/*
 * handler.c: the frame that answers a parser event, written to out (room
 * for VMC_FRAME_MAX bytes); returns its length.  Errors are logged.
 */
size_t agent_answer(const char *vacate_dev, const struct vmc_event *ev,
		    uint8_t *out);

#endif /* VMC_AGENT_H */

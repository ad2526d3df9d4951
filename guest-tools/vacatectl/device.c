/*
 * The map straight from /dev/vacate, read the way vmcompactctl reads it
 * from an agent: the agent's ioctl code answers each request, and each
 * answer goes through the checks the host makes on a MAP_RESP (encoded and
 * decoded by the one codec), so that nothing the kernel says can make the
 * map, its picture or its totals go wrong.
 */
#include <string.h>
#include <unistd.h>

#include "../../guest-agent/agent.h"
#include "vacatectl.h"

static int get_from_device(struct vmc_map_source *src,
			   const struct vmc_map_req *req,
			   struct vmc_map_resp *m, struct vacate_block *blocks)
{
	static uint8_t frame[VMC_FRAME_MAX];
	const char *device = src->ctx;
	struct vmc_error bad;
	struct vmc_frame f;
	const char *meaning;
	size_t len;
	int rc;

	rc = vacate_map(device, req->start_pfn, req->max_blocks, m, blocks);
	if (rc) {
		meaning = vctl_errno_meaning(VACATE_IOC_MAP, -rc);
		snprintf(src->err, src->err_size, "%s: reading the map: %s%s%s",
			 device, strerror(-rc), meaning ? ": " : "",
			 meaning ? meaning : "");
		return -1;
	}
	len = vmc_encode_map_resp(frame, sizeof(frame), 0, m, blocks);
	f = (struct vmc_frame){
		.version = VMC_PROTO_VERSION,
		.type = VMC_MAP_RESP,
		.len = len > VMC_HDR_SIZE ? (uint32_t)(len - VMC_HDR_SIZE) : 0,
		.payload = frame + VMC_HDR_SIZE,
	};
	if (vmc_decode_map_resp(&f, req, m, blocks, &bad)) {
		snprintf(src->err, src->err_size, "%s: the kernel's map does not hold together: %s",
			 device, bad.msg);
		return -1;
	}
	return 0;
}

int vctl_read_map(const char *device, struct vmc_map *map, char *err,
		  size_t err_size)
{
	struct vmc_map_source src = {
		.get = get_from_device,
		.ctx = (void *)device,
		.page_size = (uint32_t)sysconf(_SC_PAGESIZE),
		.err = err,
		.err_size = err_size,
	};

	return vmc_map_read(&src, map);
}

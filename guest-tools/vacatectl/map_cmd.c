/*
 * vacatectl map: the map straight from /dev/vacate, read the way
 * vmcompactctl reads it from an agent (map.h), each answer of the kernel
 * checked as a host checks a MAP_RESP (device.h), and printed as it comes.
 */
#include <unistd.h>

#include "vacatectl.h"

struct device_source {
	struct vmc_map_source src;
	struct vmc_dev dev;
};

static int get_from_device(struct vmc_map_source *src,
			   const struct vmc_map_req *req,
			   struct vmc_map_resp *m, struct vacate_block *blocks)
{
	struct device_source *d = src->ctx;
	struct vmc_error e;

	if (vmc_dev_map(&d->dev, req->start_pfn, req->max_blocks, m, blocks,
			&e))
		return vmc_failf(src->err, src->err_size, "%s", e.msg);
	return 0;
}

/* Open the device as the source of a map: 0, or -1 with err set. */
static int open_source(struct device_source *d, const char *device,
		       char *err, size_t err_size)
{
	struct vmc_error e;

	d->src = (struct vmc_map_source){
		.get = get_from_device,
		.ctx = d,
		.page_size = (uint32_t)sysconf(_SC_PAGESIZE),
		.err = err,
		.err_size = err_size,
	};
	if (vmc_dev_open(&d->dev, device, VACATE_IOC_MAP, &e))
		return vmc_failf(err, err_size, "%s", e.msg);
	return 0;
}

int vctl_stream_map(const char *device, struct vmc_map_sink *sink,
		    char *err, size_t err_size)
{
	struct device_source d;
	int rc;

	if (open_source(&d, device, err, err_size))
		return -1;
	rc = vmc_map_stream(&d.src, sink);
	vmc_dev_close(&d.dev);
	return rc;
}

int vctl_read_map(const char *device, struct vmc_map *map, char *err,
		  size_t err_size)
{
	struct device_source d;
	int rc;

	if (open_source(&d, device, err, err_size))
		return -1;
	rc = vmc_map_read(&d.src, map);
	vmc_dev_close(&d.dev);
	return rc;
}

int vctl_cmd_map(const struct vctl_args *a)
{
	struct vmc_map_printer p;
	char err[VMC_ERR_LEN];

	vmc_map_printer_init(&p, stdout, a->json);
	if (vctl_stream_map(a->device, &p.sink, err, sizeof(err)) == 0)
		return 0;
	if (p.failed)
		fprintf(stderr, "vacatectl: cannot write the map (out of memory?)\n");
	else
		fprintf(stderr, "vacatectl: %s\n", err);
	return VCTL_EXIT_FAILED;
}

/* MAP_REQ/MAP_RESP through a client as the source of a map (client.h). */
#include <vmcompact/client.h>

static int get_from_client(struct vmc_map_source *src,
			   const struct vmc_map_req *req,
			   struct vmc_map_resp *m, struct vacate_block *blocks)
{
	return vmc_client_map(src->ctx, req, m, blocks);
}

void vmc_map_source_client(struct vmc_map_source *src, struct vmc_client *c,
			   const struct vmc_hello *h)
{
	*src = (struct vmc_map_source){
		.get = get_from_client,
		.ctx = c,
		.page_size = h->page_size,
		.block_pages = h->block_pages,
		.err = c->err,
		.err_size = sizeof(c->err),
	};
}

int vmc_map_fetch(struct vmc_client *c, const struct vmc_hello *h,
		  struct vmc_map *map)
{
	struct vmc_map_source src;

	vmc_map_source_client(&src, c, h);
	return vmc_map_read(&src, map);
}

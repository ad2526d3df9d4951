/* A guest's whole map through its agent: map.h with the client as source. */
#ifndef VMC_FETCH_H
#define VMC_FETCH_H

#include "client.h"
#include "map.h"

/* Read the map of the guest that answered HELLO with h; errors in c->err. */
int vmc_map_fetch(struct vmc_client *c, const struct vmc_hello *h,
		  struct vmc_map *map);

#endif /* VMC_FETCH_H */

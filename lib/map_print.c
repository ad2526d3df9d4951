/* A map printed as it comes, or a held one printed the same way. */
#include <stddef.h>

#include "map_print.h"

_Static_assert(offsetof(struct vmc_map_printer, sink) == 0,
	       "map_printer() casts a sink to its printer");

void vmc_map_printer_init(struct vmc_map_printer *p, FILE *out, bool json)
{
	*p = (struct vmc_map_printer){
		.sink = json ? vmc_map_json_sink : vmc_map_text_sink,
		.out = out,
	};
}

int vmc_map_print(FILE *out, const struct vmc_map *map, bool json)
{
	struct vmc_map_printer p;

	vmc_map_printer_init(&p, out, json);
	if (p.sink.begin(&p.sink, map) < 0 ||
	    p.sink.blocks(&p.sink, map->blocks, map->nr) < 0)
		return -1;
	return p.sink.end(&p.sink);
}

/* Private to the library: the two map printers' sinks (map.h). */
#ifndef VMC_MAP_PRINT_H
#define VMC_MAP_PRINT_H

#include <vmcompact/map.h>

extern const struct vmc_map_sink vmc_map_text_sink;
extern const struct vmc_map_sink vmc_map_json_sink;

/* The printer a sink is embedded in. */
static inline struct vmc_map_printer *map_printer(struct vmc_map_sink *s)
{
	return (struct vmc_map_printer *)s;
}

/* The end of every printer: whether the output went through. */
static inline int printer_status(struct vmc_map_printer *p)
{
	if (fflush(p->out) || ferror(p->out))
		p->failed = true;
	return p->failed ? -1 : 0;
}

#endif /* VMC_MAP_PRINT_H */

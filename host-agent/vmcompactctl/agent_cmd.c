/*
 * vmcompactctl's plain agent commands: hello, map (printed as it comes:
 * a large guest's map is never held whole), release and send-raw.
 */
#include <vmcompact/json.h>

#include "ctl.h"

int ctl_fail(const struct vmc_client *c)
{
	fprintf(stderr, "vmcompactctl: %s\n", c->err);
	return CTL_EXIT_GUEST;
}

int ctl_open_agent(struct vmc_client *c, const struct ctl_opts *o,
		   struct vmc_hello *h, uint32_t cap, const char *cannot)
{
	if (vmc_client_open(c, o->socket, o->timeout_ms) < 0 ||
	    vmc_client_hello(c, h) < 0)
		return -1;
	if (cap && !(h->caps & cap))
		return vmc_client_fail(c, "the agent (%s) cannot %s", h->name,
				       cannot);
	return 0;
}

static void print_hello(const struct vmc_hello *h)
{
	printf("agent:        %s\n", h->name);
	printf("protocol:     %u\n", h->version);
	printf("page size:    %u\n", h->page_size);
	if (h->block_pages)
		printf("block pages:  %u\n", h->block_pages);
	else
		printf("block pages:  unknown (the guest's vacate device is unavailable)\n");
	printf("capabilities: 0x%x%s%s%s\n", h->caps,
	       h->caps & VMC_CAP_MAP ? " map" : "",
	       h->caps & VMC_CAP_VACATE ? " vacate" : "",
	       h->caps & VMC_CAP_CENSUS ? " census" : "");
}

static int print_hello_json(const struct vmc_hello *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "agent", json_object_new_string(h->name));
	vmc_json_add_int(o, "protocol", h->version);
	vmc_json_add_int(o, "page_size", h->page_size);
	vmc_json_add_int(o, "block_pages", h->block_pages);
	vmc_json_add_int(o, "caps", h->caps);
	return vmc_json_print(stdout, o);
}

int ctl_cmd_hello(struct vmc_client *c, const struct ctl_opts *o)
{
	struct vmc_hello h;

	if (ctl_open_agent(c, o, &h, 0, NULL) < 0)
		return ctl_fail(c);
	if (!o->json)
		print_hello(&h);
	else if (print_hello_json(&h) < 0)
		return ctl_fail(c);
	return 0;
}

int ctl_cmd_map(struct vmc_client *c, const struct ctl_opts *o)
{
	struct vmc_map_printer p;
	struct vmc_map_source src;
	struct vmc_hello h;

	if (ctl_open_agent(c, o, &h, VMC_CAP_MAP, "map") < 0)
		return ctl_fail(c);
	vmc_map_source_client(&src, c, &h);
	vmc_map_printer_init(&p, stdout, o->json);
	if (vmc_map_stream(&src, &p.sink) == 0)
		return 0;
	if (p.failed)
		vmc_client_fail(c, "cannot write the map (out of memory?)");
	return ctl_fail(c);
}

int ctl_cmd_release(struct vmc_client *c, const struct ctl_opts *o)
{
	json_object *j;
	struct vmc_hello h;

	if (ctl_open_agent(c, o, &h, VMC_CAP_VACATE, "release blocks") < 0 ||
	    vmc_client_release(c) < 0)
		return ctl_fail(c);
	if (!o->json) {
		printf("released every block the guest agent held\n");
		return 0;
	}
	j = json_object_new_object();
	json_object_object_add(j, "released", json_object_new_boolean(1));
	return vmc_json_print(stdout, j) < 0 ? CTL_EXIT_GUEST : 0;
}

int ctl_cmd_send_raw(struct vmc_client *c, const struct ctl_opts *o)
{
	if (!o->raw->len) {
		fprintf(stderr, "vmcompactctl: send-raw needs --hex or --frame\n");
		return CTL_EXIT_USAGE;
	}
	if (vmc_client_open(c, o->socket, o->timeout_ms) < 0 ||
	    raw_exchange(c, o->raw, o->expect, o->json) < 0)
		return ctl_fail(c);
	return 0;
}

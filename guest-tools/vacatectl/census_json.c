/* The census as one JSON object (--json). */
#include "../../host-agent/jsonout.h"
#include "vacatectl.h"

static json_object *entry_json(const struct vacate_census_entry *e)
{
	json_object *obj = json_object_new_object();

	json_object_object_add(obj, "name", json_object_new_string(e->name));
	vmc_json_add_int(obj, "pages", e->pages);
	vmc_json_add_int(obj, "blocks", e->blocks);
	vmc_json_add_int(obj, "all_pages", e->all_pages);
	json_object_object_add(obj, "mobile",
			       json_object_new_boolean(e->mobile));
	return obj;
}

/* The names of the cover set, or null if there is none. */
static json_object *cover_json(const struct vctl_census *c)
{
	json_object *names;
	size_t n;

	if (!vctl_census_cover(c, VCTL_CENSUS_COVER, &n))
		return NULL;
	names = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(names,
				      json_object_new_string(c->entries[i].name));
	return names;
}

int vctl_print_census_json(FILE *out, const struct vctl_census *c,
			   size_t top)
{
	size_t shown = vctl_census_shown(c, top);
	json_object *root = json_object_new_object();
	json_object *caches = json_object_new_array();

	vmc_json_add_int(root, "blocks", c->blocks);
	vmc_json_add_int(root, "slab_pages", c->slab_pages);
	for (size_t i = 0; i < shown; i++)
		json_object_array_add(caches, entry_json(&c->entries[i]));
	json_object_object_add(root, "caches", caches);
	json_object_object_add(root, "cover90", cover_json(c));
	return vmc_json_print(out, root);
}

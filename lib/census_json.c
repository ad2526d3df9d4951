/* The census as one JSON object (--json). */
#include <vmcompact/census.h>
#include <vmcompact/json.h>

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
static json_object *cover_json(const struct vmc_census *c)
{
	json_object *names;
	size_t n;

	if (!vmc_census_cover(c, VMC_CENSUS_COVER, &n))
		return NULL;
	names = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(names,
				      json_object_new_string(c->entries[i].name));
	return names;
}

int vmc_print_census_json(FILE *out, const struct vmc_census *c,
			   size_t top)
{
	size_t shown = vmc_census_shown(c, top);
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

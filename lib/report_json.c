/* What a request did as one JSON object (--json). */
#include <string.h>

#include <vmcompact/json.h>
#include <vmcompact/names.h>
#include <vmcompact/report.h>

static json_object *why_json(const struct vacate_result *res)
{
	json_object *obj = json_object_new_object();

	for (int i = 0; i < VACATE_NR_WHY; i++)
		if (res->why[i])
			vmc_json_add_int(obj, vmc_why_names[i], res->why[i]);
	return obj;
}

static json_object *result_json(const struct vacate_result *res,
				uint32_t block_pages)
{
	json_object *obj = json_object_new_object();
	char name[32];

	vmc_json_add_int(obj, "block", (int64_t)(res->start_pfn / block_pages));
	vmc_json_add_int(obj, "pfn", (int64_t)res->start_pfn);
	json_object_object_add(obj, "ok", json_object_new_boolean(!res->error));
	json_object_object_add(obj, "errno", res->error ?
		json_object_new_string(vmc_errno_name(res->error, name,
						       sizeof(name))) : NULL);
	vmc_json_add_int(obj, "flags", res->flags);
	vmc_json_add_int(obj, "cost", res->cost);
	vmc_json_add_int(obj, "est_migrate", res->est_migrate);
	vmc_json_add_int(obj, "est_move", res->est_move);
	vmc_json_add_int(obj, "est_drop", res->est_drop);
	vmc_json_add_int(obj, "pages_migrated", res->pages_migrated);
	vmc_json_add_int(obj, "objects_moved", res->objects_moved);
	vmc_json_add_int(obj, "objects_freed", res->objects_freed);
	vmc_json_add_int(obj, "time_ns", (int64_t)res->time_ns);
	json_object_object_add(obj, "why", why_json(res));
	json_object_object_add(obj, "blocker", res->blocker[0] ?
		json_object_new_string_len(res->blocker,
			(int)strnlen(res->blocker, sizeof(res->blocker))) :
		NULL);
	return obj;
}

static json_object *totals_json(const struct vmc_report *r)
{
	json_object *obj = json_object_new_object();

	vmc_json_add_int(obj, "asked", (int64_t)r->asked);
	vmc_json_add_int(obj, "acted", (int64_t)r->acted);
	vmc_json_add_int(obj, "done", (int64_t)r->done);
	vmc_json_add_int(obj, "pages_migrated", (int64_t)r->pages_migrated);
	vmc_json_add_int(obj, "objects_moved", (int64_t)r->objects_moved);
	vmc_json_add_int(obj, "objects_freed", (int64_t)r->objects_freed);
	vmc_json_add_int(obj, "time_ns", (int64_t)r->time_ns);
	vmc_json_add_int(obj, "wall_ns", (int64_t)r->wall_ns);
	vmc_json_add_int(obj, "free_blocks_before",
			 (int64_t)r->free_blocks_before);
	vmc_json_add_int(obj, "free_blocks_after",
			 (int64_t)r->free_blocks_after);
	vmc_json_add_int(obj, "free_blocks_possible",
			 (int64_t)r->free_blocks_possible);
	return obj;
}

int vmc_print_report_json(FILE *out, const struct vmc_report *r)
{
	json_object *root = json_object_new_object();
	json_object *results = json_object_new_array();
	const char *mode = vmc_mode_name(r->mode);

	json_object_object_add(root, "mode", mode ?
			       json_object_new_string(mode) :
			       json_object_new_int64(r->mode));
	vmc_json_add_int(root, "block_pages", r->block_pages);
	for (size_t i = 0; i < r->nr_results; i++)
		json_object_array_add(results,
				      result_json(&r->results[i], r->block_pages));
	json_object_object_add(root, "results", results);
	json_object_object_add(root, "totals", totals_json(r));
	return vmc_json_print(out, root);
}

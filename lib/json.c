/* JSON output helpers. */
#include <vmcompact/json.h>

void vmc_json_add_int(json_object *obj, const char *key, int64_t v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

int vmc_json_print(FILE *out, json_object *root)
{
	const char *text = json_object_to_json_string_ext(root,
							  JSON_C_TO_STRING_PLAIN);

	if (text)
		fprintf(out, "%s\n", text);
	json_object_put(root);
	return text ? 0 : -1;
}

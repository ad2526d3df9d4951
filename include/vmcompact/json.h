/* Building and printing JSON with json-c, for every program's --json. */
#ifndef VMCOMPACT_JSON_H
#define VMCOMPACT_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

void vmc_json_add_int(json_object *obj, const char *key, int64_t v);

/*
 * Print root as one plain line and drop it: 0, or -1 if the text could not
 * be built (out of memory).
 */
int vmc_json_print(FILE *out, json_object *root);

#endif /* VMCOMPACT_JSON_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* Small readers over yajl trees for the modules that read parts of the config
 * spec.c keeps unparsed (linux.resources). */
#ifndef WARD_JSON_H
#define WARD_JSON_H

#include <string.h>
#include <yajl/yajl_tree.h>

/* obj[key], with null read as absent (Go engines write null for unset fields). */
static inline yajl_val json_member(yajl_val obj, const char *key)
{
	for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return YAJL_IS_NULL(obj->u.object.values[i]) ? NULL : obj->u.object.values[i];
	return NULL;
}

#endif

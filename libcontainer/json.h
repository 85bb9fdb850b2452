/* SPDX-License-Identifier: Apache-2.0 */
/* Small readers over yajl trees for the modules that read parts of the config
 * spec.c keeps unparsed (linux.resources). */
#ifndef WARD_JSON_H
#define WARD_JSON_H

#include <stdbool.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util.h"

/* obj[key], with null read as absent (Go engines write null for unset fields). */
static inline yajl_val json_member(yajl_val obj, const char *key)
{
	for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return YAJL_IS_NULL(obj->u.object.values[i]) ? NULL : obj->u.object.values[i];
	return NULL;
}

/* A C string as a JSON string; NULL as null. */
static inline yajl_gen_status json_gen_str(yajl_gen g, const char *s)
{
	return s ? yajl_gen_string(g, (const unsigned char *)s, strlen(s)) : yajl_gen_null(g);
}

/* The generator's text (malloc'd; NULL if it failed): yajl's trailing newlines
 * (beautify mode ends with one) dropped, then one put back when newline. */
static inline char *json_gen_text(yajl_gen g, bool newline)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return NULL;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	out = xmalloc0(len + 2);
	memcpy(out, buf, len);
	if (newline)
		out[len] = '\n';
	return out;
}

#endif

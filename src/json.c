/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "husk/json.h"

int husk_json_init(struct husk_json *j, const char *indent, husk_err *err)
{
	j->status = 0;
	j->g = yajl_gen_alloc(NULL);
	if (!j->g)
		return husk_error(err, ENOMEM, "generate JSON");
	if (indent) {
		yajl_gen_config(j->g, yajl_gen_beautify, 1);
		yajl_gen_config(j->g, yajl_gen_indent_string, indent);
	}
	return 0;
}

void husk_json_release(struct husk_json *j)
{
	if (j->g)
		yajl_gen_free(j->g);
	j->g = NULL;
}

void husk_json_str(struct husk_json *j, const char *s)
{
	j->status |= yajl_gen_string(j->g, (const unsigned char *)s, strlen(s));
}

void husk_json_kv_str(struct husk_json *j, const char *key, const char *value)
{
	husk_json_str(j, key);
	husk_json_str(j, value);
}

void husk_json_kv_int(struct husk_json *j, const char *key, long long value)
{
	husk_json_str(j, key);
	j->status |= yajl_gen_integer(j->g, value);
}

void husk_json_uint(struct husk_json *j, unsigned long long value)
{
	/* yajl_gen_integer is signed: write the digits ourselves. */
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", value);
	j->status |= yajl_gen_number(j->g, buf, (size_t)n);
}

void husk_json_kv_uint(struct husk_json *j, const char *key, unsigned long long value)
{
	husk_json_str(j, key);
	husk_json_uint(j, value);
}

void husk_json_kv_bool(struct husk_json *j, const char *key, bool value)
{
	husk_json_str(j, key);
	j->status |= yajl_gen_bool(j->g, value);
}

void husk_json_kv_null(struct husk_json *j, const char *key)
{
	husk_json_str(j, key);
	j->status |= yajl_gen_null(j->g);
}

void husk_json_kv_strv(struct husk_json *j, const char *key, const char *const *strv)
{
	husk_json_array_open(j, key);
	for (; *strv; strv++)
		husk_json_str(j, *strv);
	husk_json_array_close(j);
}

static void write_tree(struct husk_json *j, const struct yajl_val_s *v);

static void write_tree_map(struct husk_json *j, const struct yajl_val_s *v)
{
	j->status |= yajl_gen_map_open(j->g);
	for (size_t i = 0; i < v->u.object.len; i++) {
		husk_json_str(j, v->u.object.keys[i]);
		write_tree(j, v->u.object.values[i]);
	}
	j->status |= yajl_gen_map_close(j->g);
}

static void write_tree_array(struct husk_json *j, const struct yajl_val_s *v)
{
	j->status |= yajl_gen_array_open(j->g);
	for (size_t i = 0; i < v->u.array.len; i++)
		write_tree(j, v->u.array.values[i]);
	j->status |= yajl_gen_array_close(j->g);
}

static void write_tree(struct husk_json *j, const struct yajl_val_s *v)
{
	switch (v->type) {
	case yajl_t_string:
		husk_json_str(j, v->u.string);
		break;
	case yajl_t_number:
		/* The number's own text: no round trip through a double. */
		j->status |= yajl_gen_number(j->g, v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_object:
		write_tree_map(j, v);
		break;
	case yajl_t_array:
		write_tree_array(j, v);
		break;
	case yajl_t_true:
	case yajl_t_false:
		j->status |= yajl_gen_bool(j->g, v->type == yajl_t_true);
		break;
	default:
		j->status |= yajl_gen_null(j->g);
		break;
	}
}

void husk_json_kv_tree(struct husk_json *j, const char *key, const struct yajl_val_s *value)
{
	if (key)
		husk_json_str(j, key);
	write_tree(j, value);
}

void husk_json_map_open(struct husk_json *j, const char *key)
{
	if (key)
		husk_json_str(j, key);
	j->status |= yajl_gen_map_open(j->g);
}

void husk_json_map_close(struct husk_json *j)
{
	j->status |= yajl_gen_map_close(j->g);
}

void husk_json_array_open(struct husk_json *j, const char *key)
{
	if (key)
		husk_json_str(j, key);
	j->status |= yajl_gen_array_open(j->g);
}

void husk_json_array_close(struct husk_json *j)
{
	j->status |= yajl_gen_array_close(j->g);
}

int husk_json_take(struct husk_json *j, bool newline, char **out, size_t *len, husk_err *err)
{
	const unsigned char *buf;
	size_t n;
	if (j->status != 0 || yajl_gen_get_buf(j->g, &buf, &n) != yajl_gen_status_ok)
		return husk_error(err, EINVAL, "generate JSON");
	/* The beautifier already ends with a newline; compact output does not. */
	bool add = newline && (n == 0 || buf[n - 1] != '\n');
	char *s = malloc(n + 2);
	if (!s)
		return husk_error(err, ENOMEM, "generate JSON");
	memcpy(s, buf, n);
	if (add)
		s[n++] = '\n';
	s[n] = '\0';
	*out = s;
	if (len)
		*len = n;
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_JSON_H
#define HUSK_JSON_H

/*
 * Writing JSON with yajl's generator.  Calls never fail one by one: the
 * generator's statuses are OR-ed into `status` (yajl_gen_status_ok is 0),
 * and husk_json_take() reports a failure once, at the end.
 */

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "husk/error.h"

struct husk_json {
	yajl_gen g;
	int status;
};

/* indent NULL: compact output. */
int husk_json_init(struct husk_json *j, const char *indent, husk_err *err);
void husk_json_release(struct husk_json *j);
#define cleanup_json __attribute__((cleanup(husk_json_release)))

void husk_json_str(struct husk_json *j, const char *s);
void husk_json_kv_str(struct husk_json *j, const char *key, const char *value);
void husk_json_kv_int(struct husk_json *j, const char *key, long long value);
void husk_json_kv_uint(struct husk_json *j, const char *key, unsigned long long value);
void husk_json_kv_bool(struct husk_json *j, const char *key, bool value);
void husk_json_kv_null(struct husk_json *j, const char *key);
/* A bare number, inside an array. */
void husk_json_uint(struct husk_json *j, unsigned long long value);
/* A NULL-terminated list of strings as an array. */
void husk_json_kv_strv(struct husk_json *j, const char *key, const char *const *strv);
/* A parsed yajl tree, written out as it is; key may be NULL inside an array. */
struct yajl_val_s;
void husk_json_kv_tree(struct husk_json *j, const char *key, const struct yajl_val_s *value);
/* key may be NULL inside an array or at the top. */
void husk_json_map_open(struct husk_json *j, const char *key);
void husk_json_map_close(struct husk_json *j);
void husk_json_array_open(struct husk_json *j, const char *key);
void husk_json_array_close(struct husk_json *j);

/* The text so far as a new NUL-terminated string, ending in a newline
 * when asked; fails if any call before failed. */
int husk_json_take(struct husk_json *j, bool newline, char **out, size_t *len, husk_err *err);

#endif

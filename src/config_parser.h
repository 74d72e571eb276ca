/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CONFIG_PARSER_H
#define HUSK_CONFIG_PARSER_H

/*
 * The machinery behind husk_config_parse(): a walker that fills C structs
 * from yajl's tree, driven by field tables (config_schema.c).  Private to
 * the config code.
 */

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "husk/config.h"
#include "husk/names.h"

struct config_parser {
	struct husk_arena *arena;
	const struct husk_log *log;
	husk_err *err;
	const char *doc;        /* the document, for messages: "config.json" */
	char path[512];         /* JSON path of the value being parsed */
	size_t pathlen;
	size_t nerrors;         /* errors recorded so far */
};

enum field_kind {
	K_STR,          /* char * */
	K_BOOL,         /* bool, or husk_opt_bool with F_OPT */
	K_INT,          /* integer of type `num`, or its husk_opt_* with F_OPT */
	K_ENUM,         /* int from a husk_name table, or husk_opt_int with F_OPT */
	K_FLAGS,        /* array of names from a table, OR-ed into a uint64_t */
	K_OBJ,          /* pointer to a struct of type `type`, NULL when absent */
	K_INLINE,       /* a struct of type `type` embedded in the parent */
	K_ARRAY,        /* HUSK_ARRAY of elements described by `elem` */
	K_MAP,          /* object of strings -> husk_map */
	K_KEYED,        /* object of objects -> HUSK_ARRAY of `type`, key first */
	K_CUSTOM,       /* parsed by `custom` */
};

enum num_type { N_I64, N_U64, N_I32, N_U32, N_U16 };

enum field_flags {
	F_REQUIRED = 1 << 0,
	F_OPT = 1 << 1, /* stored in a husk_opt_* with a `set` flag */
};

struct field;
struct object_type;

typedef int (*custom_parse_fn)(struct config_parser *p, yajl_val v, void *dst);
typedef void (*object_check_fn)(struct config_parser *p, void *obj);

struct field {
	const char *name;
	unsigned char kind;
	unsigned char num;
	unsigned char flags;
	size_t offset;
	const struct object_type *type;    /* K_OBJ, K_INLINE, K_KEYED */
	const struct husk_name *names;     /* K_ENUM, K_FLAGS */
	const struct field *elem;          /* K_ARRAY */
	size_t elem_size;                  /* K_ARRAY, K_KEYED */
	custom_parse_fn custom;            /* K_CUSTOM */
};

struct object_type {
	size_t size;
	const struct field *fields;
	size_t nfields;
	object_check_fn check;  /* cross-field rules, after all fields */
};

#define OBJECT_TYPE(s, f, chk) { sizeof(s), f, sizeof(f) / sizeof((f)[0]), chk }

/* Entry points used by the tables and the checks. */
void config_parse_object(struct config_parser *p, const struct object_type *t, yajl_val v, void *obj);

/* Record an error at the current path (or path + suffix). */
void config_errorf(struct config_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for a named field of the object at the current path. */
void config_field_errorf(struct config_parser *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void config_warnf(struct config_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Path bookkeeping: push returns the length to pop back to. */
size_t config_path_push_key(struct config_parser *p, const char *key);
size_t config_path_push_index(struct config_parser *p, size_t i);
void config_path_pop(struct config_parser *p, size_t len);

/* A short rendering of a JSON value for messages: "abc", 12, an object. */
void config_describe(yajl_val v, char *buf, size_t size);

extern const struct object_type config_root_type;
extern const struct object_type config_resources_type;
extern const struct object_type config_process_type;

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_parser.h"

/* ---- paths and messages ------------------------------------------------ */

static size_t path_append(struct config_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t path_append(struct config_parser *p, const char *fmt, ...)
{
	size_t old = p->pathlen;
	size_t room = sizeof(p->path) - old;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->path + old, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room) {
		/* Keep the message readable when keys are absurdly long. */
		strcpy(p->path + sizeof(p->path) - 4, "...");
		p->pathlen = sizeof(p->path) - 1;
	} else {
		p->pathlen = old + (size_t)n;
	}
	return old;
}

static bool key_is_plain(const char *key)
{
	if (!*key)
		return false;
	for (const char *c = key; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

size_t config_path_push_key(struct config_parser *p, const char *key)
{
	if (key_is_plain(key))
		return path_append(p, "%s%s", p->pathlen ? "." : "", key);
	return path_append(p, "[\"%s\"]", key);
}

size_t config_path_push_index(struct config_parser *p, size_t i)
{
	return path_append(p, "[%zu]", i);
}

void config_path_pop(struct config_parser *p, size_t len)
{
	p->pathlen = len;
	p->path[len] = '\0';
}

/* Enough to fix a config by; beyond it, appending to the chain (a walk to
 * its tail each time) would make a config full of errors slow to reject. */
#define CONFIG_MAX_ERRORS 100

static void verrorf(struct config_parser *p, const char *fmt, va_list ap)
{
	cleanup_free char *msg = NULL;
	if (++p->nerrors > CONFIG_MAX_ERRORS)
		return;
	if (vasprintf(&msg, fmt, ap) < 0) {
		husk_error(p->err, ENOMEM, "%s: out of memory", p->doc);
		return;
	}
	husk_error(p->err, 0, "%s: %s: %s", p->doc, p->pathlen ? p->path : "(top level)", msg);
}

void config_errorf(struct config_parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verrorf(p, fmt, ap);
	va_end(ap);
}

void config_field_errorf(struct config_parser *p, const char *field, const char *fmt, ...)
{
	size_t mark = config_path_push_key(p, field);
	va_list ap;
	va_start(ap, fmt);
	verrorf(p, fmt, ap);
	va_end(ap);
	config_path_pop(p, mark);
}

void config_warnf(struct config_parser *p, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		husk_warn(p->log, "%s: %s: %s", p->doc, p->path, msg);
}

void config_describe(yajl_val v, char *buf, size_t size)
{
	if (!v || YAJL_IS_NULL(v)) {
		snprintf(buf, size, "null");
	} else if (YAJL_IS_STRING(v)) {
		const char *s = v->u.string;
		if (strlen(s) > 64) {
			/* Cut on a UTF-8 character boundary. */
			int n = 64;
			while (n > 0 && (s[n] & 0xc0) == 0x80)
				n--;
			snprintf(buf, size, "\"%.*s...\"", n, s);
		} else {
			snprintf(buf, size, "\"%s\"", s);
		}
	} else if (YAJL_IS_NUMBER(v)) {
		const char *r = v->u.number.r;
		snprintf(buf, size, strlen(r) > 64 ? "%.64s..." : "%s", r);
	} else if (YAJL_IS_TRUE(v)) {
		snprintf(buf, size, "true");
	} else if (YAJL_IS_FALSE(v)) {
		snprintf(buf, size, "false");
	} else if (YAJL_IS_OBJECT(v)) {
		snprintf(buf, size, "an object");
	} else {
		snprintf(buf, size, "an array");
	}
}

static void type_error(struct config_parser *p, const char *expected, yajl_val v)
{
	char got[96];
	config_describe(v, got, sizeof(got));
	config_errorf(p, "expected %s, got %s", expected, got);
}

/* ---- scalars ------------------------------------------------------------ */

static void *arena_alloc(struct config_parser *p, size_t size)
{
	void *ptr = husk_arena_alloc(p->arena, size);
	if (!ptr)
		config_errorf(p, "out of memory");
	return ptr;
}

static const struct {
	int64_t min;
	uint64_t max;
	size_t size;
	const char *what;
} num_types[] = {
	[N_I64] = { INT64_MIN, INT64_MAX, sizeof(int64_t), "a 64-bit integer" },
	[N_U64] = { 0, UINT64_MAX, sizeof(uint64_t), "an unsigned 64-bit integer" },
	[N_I32] = { INT32_MIN, INT32_MAX, sizeof(int32_t), "a 32-bit integer" },
	[N_U32] = { 0, UINT32_MAX, sizeof(uint32_t), "an unsigned 32-bit integer" },
	[N_U16] = { 0, UINT16_MAX, sizeof(uint16_t), "an unsigned 16-bit integer" },
};

/*
 * Integers are read from the number's own text: yajl's tree keeps them as
 * signed 64-bit, which would lose the top half of the uint64 range.
 */
static int parse_integer(struct config_parser *p, yajl_val v, enum num_type num, void *dst)
{
	const char *text = YAJL_IS_NUMBER(v) ? v->u.number.r : NULL;
	if (!text) {
		type_error(p, "an integer", v);
		return -1;
	}
	bool negative = text[0] == '-';
	for (const char *c = text + negative; *c; c++) {
		if (*c < '0' || *c > '9') {
			type_error(p, "an integer", v);
			return -1;
		}
	}
	/* The number as the messages show it: a huge one is cut short. */
	char got[96];
	config_describe(v, got, sizeof(got));
	if (num_types[num].min == 0 && negative) {
		config_errorf(p, "expected a non-negative integer, got %s", got);
		return -1;
	}
	uint64_t u = 0;
	int64_t s = 0;
	bool ok = negative ? husk_parse_i64(text, &s) == 0 : husk_parse_u64(text, &u) == 0;
	if (ok && !negative)
		ok = u <= num_types[num].max;
	if (ok && negative)
		ok = s >= num_types[num].min;
	if (!ok) {
		config_errorf(p, "%s is out of range for %s", got, num_types[num].what);
		return -1;
	}
	switch (num) {
	case N_I64: *(int64_t *)dst = negative ? s : (int64_t)u; break;
	case N_U64: *(uint64_t *)dst = u; break;
	case N_I32: *(int32_t *)dst = negative ? (int32_t)s : (int32_t)u; break;
	case N_U32: *(uint32_t *)dst = (uint32_t)u; break;
	case N_U16: *(uint16_t *)dst = (uint16_t)u; break;
	}
	return 0;
}

static void names_list(const struct husk_name *names, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; names->name && n < size; names++) {
		int w = snprintf(buf + n, size - n, "%s\"%s\"", n ? ", " : "", names->name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int parse_name(struct config_parser *p, yajl_val v, const struct husk_name *names, int *out)
{
	if (!YAJL_IS_STRING(v)) {
		type_error(p, "a string", v);
		return -1;
	}
	int value = husk_name_lookup(names, v->u.string);
	if (value < 0) {
		char valid[1024], got[96];
		names_list(names, valid, sizeof(valid));
		config_describe(v, got, sizeof(got));
		config_errorf(p, "expected one of %s, got %s", valid, got);
		return -1;
	}
	*out = value;
	return 0;
}

static int parse_string(struct config_parser *p, yajl_val v, char **dst)
{
	if (!YAJL_IS_STRING(v)) {
		type_error(p, "a string", v);
		return -1;
	}
	*dst = husk_arena_strdup(p->arena, v->u.string);
	if (!*dst) {
		config_errorf(p, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- containers ---------------------------------------------------------- */

struct raw_array {
	void *v;
	size_t n;
};

static void parse_value(struct config_parser *p, const struct field *f, yajl_val v, void *dst);

static void parse_array(struct config_parser *p, const struct field *f, yajl_val v, struct raw_array *dst)
{
	if (!YAJL_IS_ARRAY(v)) {
		type_error(p, "an array", v);
		return;
	}
	/* Empty unless filled below, also when a repeated key had filled it. */
	*dst = (struct raw_array){ NULL, 0 };
	size_t n = v->u.array.len;
	if (n == 0)
		return;
	if (n > SIZE_MAX / f->elem_size) {
		config_errorf(p, "array too large");
		return;
	}
	char *items = arena_alloc(p, n * f->elem_size);
	if (!items)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t mark = config_path_push_index(p, i);
		parse_value(p, f->elem, v->u.array.values[i], items + i * f->elem_size);
		config_path_pop(p, mark);
	}
	dst->v = items;
	dst->n = n;
}

struct key_ref {
	const char *key;
	size_t index;
};

static int key_ref_compare(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	/* Same key: document order, so that the last one wins below. */
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * JSON objects may repeat a key; as in most JSON readers, the last wins.
 * items holds n entries of size bytes, each starting with its key (a
 * husk_kv, or an entry of a K_KEYED object); drops the earlier duplicates,
 * keeps document order and returns the new count.  Sorting keeps a big
 * object from taking quadratic time.
 */
static size_t dedupe_keys(struct config_parser *p, char *items, size_t n, size_t size)
{
	if (n < 2)
		return n;
	cleanup_free struct key_ref *refs = calloc(n, sizeof(*refs));
	if (!refs) {
		config_errorf(p, "out of memory");
		return n;
	}
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct key_ref){ *(char **)(items + i * size), i };
	qsort(refs, n, sizeof(*refs), key_ref_compare);
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(refs[i].key, refs[i + 1].key) == 0)
			*(char **)(items + refs[i].index * size) = NULL;
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (!*(char **)(items + i * size))
			continue;
		if (out != i)
			memcpy(items + out * size, items + i * size, size);
		out++;
	}
	return out;
}

static void parse_map(struct config_parser *p, yajl_val v, husk_map *dst)
{
	if (!YAJL_IS_OBJECT(v)) {
		type_error(p, "an object of strings", v);
		return;
	}
	*dst = (husk_map){ NULL, 0 };
	size_t n = v->u.object.len;
	if (n == 0)
		return;
	struct husk_kv *kv = arena_alloc(p, n * sizeof(*kv));
	if (!kv)
		return;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		size_t mark = config_path_push_key(p, v->u.object.keys[i]);
		yajl_val item = v->u.object.values[i];
		if (!YAJL_IS_STRING(item)) {
			type_error(p, "a string", item);
		} else {
			kv[used].key = husk_arena_strdup(p->arena, v->u.object.keys[i]);
			kv[used].value = husk_arena_strdup(p->arena, item->u.string);
			if (kv[used].key && kv[used].value)
				used++;
			else
				config_errorf(p, "out of memory");
		}
		config_path_pop(p, mark);
	}
	dst->v = kv;
	dst->n = dedupe_keys(p, (char *)kv, used, sizeof(*kv));
}

/* An object whose keys name entries, each an object (rdma, netDevices). */
static void parse_keyed(struct config_parser *p, const struct field *f, yajl_val v, struct raw_array *dst)
{
	if (!YAJL_IS_OBJECT(v)) {
		type_error(p, "an object", v);
		return;
	}
	*dst = (struct raw_array){ NULL, 0 };
	size_t n = v->u.object.len;
	if (n == 0)
		return;
	char *items = arena_alloc(p, n * f->elem_size);
	if (!items)
		return;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		const char *key = v->u.object.keys[i];
		char *item = items + used * f->elem_size;
		size_t mark = config_path_push_key(p, key);
		*(char **)item = husk_arena_strdup(p->arena, key);
		if (*(char **)item) {
			config_parse_object(p, f->type, v->u.object.values[i], item);
			used++;
		} else {
			config_errorf(p, "out of memory");
		}
		config_path_pop(p, mark);
	}
	dst->v = items;
	/* A repeated key replaces the earlier entry. */
	dst->n = dedupe_keys(p, items, used, f->elem_size);
}

static void parse_flags(struct config_parser *p, const struct field *f, yajl_val v, uint64_t *dst)
{
	if (!YAJL_IS_ARRAY(v)) {
		type_error(p, "an array of strings", v);
		return;
	}
	/* Assigned, not OR-ed in: a repeated key replaces the earlier list. */
	uint64_t bits = 0;
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = config_path_push_index(p, i);
		int bit;
		if (parse_name(p, v->u.array.values[i], f->names, &bit) == 0)
			bits |= (uint64_t)bit;
		config_path_pop(p, mark);
	}
	*dst = bits;
}

/* Mark an F_OPT field present: its `set` flag follows the value. */
static void mark_set(const struct field *f, void *dst)
{
	size_t size;
	switch (f->kind) {
	case K_INT: size = num_types[f->num].size; break;
	case K_ENUM: size = sizeof(int); break;
	default: size = sizeof(bool); break;
	}
	*((bool *)((char *)dst + size)) = true;
}

static void parse_value(struct config_parser *p, const struct field *f, yajl_val v, void *dst)
{
	switch (f->kind) {
	case K_STR:
		parse_string(p, v, dst);
		break;
	case K_BOOL:
		if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
			*(bool *)dst = YAJL_IS_TRUE(v);
		else
			type_error(p, "true or false", v);
		break;
	case K_INT:
		parse_integer(p, v, f->num, dst);
		break;
	case K_ENUM:
		/* -1 marks a bad name so that later rules skip the entry. */
		if (parse_name(p, v, f->names, dst) < 0)
			*(int *)dst = -1;
		break;
	case K_FLAGS:
		parse_flags(p, f, v, dst);
		break;
	case K_OBJ: {
		if (!YAJL_IS_OBJECT(v)) {
			type_error(p, "an object", v);
			return;
		}
		void *obj = arena_alloc(p, f->type->size);
		if (!obj)
			return;
		config_parse_object(p, f->type, v, obj);
		*(void **)dst = obj;
		break;
	}
	case K_INLINE:
		config_parse_object(p, f->type, v, dst);
		break;
	case K_ARRAY:
		parse_array(p, f, v, dst);
		break;
	case K_MAP:
		parse_map(p, v, dst);
		break;
	case K_KEYED:
		parse_keyed(p, f, v, dst);
		break;
	case K_CUSTOM:
		f->custom(p, v, dst);
		break;
	}
	/* Present even when malformed: a rule such as "needs weight or
	 * leafWeight" must not repeat a type error as a second problem. */
	if (f->flags & F_OPT)
		mark_set(f, dst);
}

/* Values the object's own rules read directly, as opposed to containers
 * whose problems are reported (and contained) deeper down. */
static bool field_is_scalar(const struct field *f)
{
	return f->kind != K_OBJ && f->kind != K_INLINE && f->kind != K_ARRAY &&
	       f->kind != K_MAP && f->kind != K_KEYED;
}

/* A container of the wrong JSON type is left empty; the rules must not
 * report that emptiness ("args must hold an entry") a second time. */
static bool container_misshapen(const struct field *f, yajl_val v)
{
	if (f->kind == K_ARRAY)
		return !YAJL_IS_ARRAY(v);
	return !field_is_scalar(f) && !YAJL_IS_OBJECT(v);
}

void config_parse_object(struct config_parser *p, const struct object_type *t, yajl_val v, void *obj)
{
	if (!YAJL_IS_OBJECT(v)) {
		type_error(p, "an object", v);
		return;
	}
	uint64_t seen = 0;
	bool scalar_errors = false;
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *key = v->u.object.keys[i];
		yajl_val val = v->u.object.values[i];
		/* Unknown properties are ignored, as the spec requires; a null
		 * value reads as an absent one. */
		if (YAJL_IS_NULL(val))
			continue;
		for (size_t j = 0; j < t->nfields; j++) {
			const struct field *f = &t->fields[j];
			if (strcmp(f->name, key) != 0)
				continue;
			size_t before = p->nerrors;
			size_t mark = config_path_push_key(p, key);
			parse_value(p, f, val, (char *)obj + f->offset);
			config_path_pop(p, mark);
			if (p->nerrors != before && (field_is_scalar(f) || container_misshapen(f, val)))
				scalar_errors = true;
			seen |= UINT64_C(1) << j;
			break;
		}
	}
	for (size_t j = 0; j < t->nfields; j++) {
		if ((t->fields[j].flags & F_REQUIRED) && !(seen & (UINT64_C(1) << j))) {
			config_field_errorf(p, t->fields[j].name, "required but missing");
			scalar_errors = true;
		}
	}
	/* Cross-field rules need the object's own values; nested problems
	 * are already reported and the rules skip bad entries (-1). */
	if (t->check && !scalar_errors)
		t->check(p, obj);
}

/* ---- the document -------------------------------------------------------- */

/*
 * One pass over the raw text before yajl sees it: yajl's tree is freed
 * recursively, so nesting must be bounded; a NUL byte or a \u0000 escape
 * would silently truncate a string (a path, say) in the C model.
 */
static int prescan(const char *text, size_t len, const char *doc, husk_err *err)
{
	int depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\0')
			return husk_error(err, 0, "%s: NUL byte at offset %zu", doc, i);
		if (in_string) {
			if (c == '\\') {
				if (i + 5 < len && memcmp(text + i + 1, "u0000", 5) == 0)
					return husk_error(err, 0, "%s: a string contains \\u0000 at offset %zu", doc, i);
				i++;
			} else if (c == '"') {
				in_string = false;
			}
		} else if (c == '"') {
			in_string = true;
		} else if (c == '/') {
			/* yajl's tree parser takes comments, which would hide
			 * quotes, brackets and escapes from this scan. */
			return husk_error(err, 0, "%s: invalid JSON: a comment at offset %zu", doc, i);
		} else if (c == '{' || c == '[') {
			if (++depth > HUSK_CONFIG_MAX_DEPTH)
				return husk_error(err, 0, "%s: nested deeper than %d levels at offset %zu", doc,
						  HUSK_CONFIG_MAX_DEPTH, i);
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

/* yajl's messages span several lines; fold them into one. */
static void fold_lines(char *s)
{
	char *out = s;
	bool space = false;
	for (char *c = s; *c; c++) {
		bool ws = *c == '\n' || *c == ' ' || *c == '\t' || *c == '\r';
		if (ws) {
			space = out != s;
			continue;
		}
		if (space)
			*out++ = ' ';
		space = false;
		*out++ = *c;
	}
	*out = '\0';
}

static yajl_val parse_json(const char *text, size_t len, const char *doc, husk_err *err)
{
	if (prescan(text, len, doc, err) < 0)
		return NULL;
	/* yajl's tree parser wants a C string. */
	cleanup_free char *copy = malloc(len + 1);
	if (!copy) {
		husk_error(err, ENOMEM, "%s", doc);
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	char errbuf[1024] = "";
	yajl_val root = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	if (!root) {
		fold_lines(errbuf);
		husk_error(err, 0, "%s: invalid JSON: %s", doc, errbuf[0] ? errbuf : "parse error");
	}
	return root;
}

/*
 * Parse text as an object of type t into obj (part of cfg, whose arena
 * owns what is parsed).  Messages start with doc, the document
 * ("config.json"), then the JSON path, which starts with prefix: the
 * object's own path in a config ("" for config.json itself).
 */
static int parse_object_text(const char *text, size_t len, const struct husk_log *log,
			     const struct object_type *t, const char *doc, const char *prefix,
			     struct husk_config *cfg, void *obj, husk_err *err)
{
	yajl_val root = parse_json(text, len, doc, err);
	if (!root)
		return -1;
	husk_err found = NULL;
	struct config_parser p = { .arena = &cfg->arena, .log = log, .err = &found, .doc = doc };
	p.pathlen = (size_t)snprintf(p.path, sizeof(p.path), "%s", prefix);
	config_parse_object(&p, t, root, obj);
	yajl_tree_free(root);
	if (p.nerrors > CONFIG_MAX_ERRORS)
		husk_error(&found, 0, "%s: %zu more problems not shown", doc,
			   p.nerrors - CONFIG_MAX_ERRORS);
	if (found || cfg->arena.failed) {
		if (!found)
			husk_error(&found, ENOMEM, "%s", doc);
		husk_error_append(err, &found);
		return -1;
	}
	return 0;
}

int husk_config_parse(const char *text, size_t len, const struct husk_log *log,
		      struct husk_config **out, husk_err *err)
{
	*out = NULL;
	struct husk_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return husk_error(err, ENOMEM, "config.json");
	if (parse_object_text(text, len, log, &config_root_type, "config.json", "", cfg, cfg, err) < 0) {
		husk_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int husk_config_parse_resources(const char *text, size_t len, const struct husk_log *log,
				struct husk_config **out, husk_err *err)
{
	*out = NULL;
	struct husk_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return husk_error(err, ENOMEM, "linux.resources");
	cfg->linux_cfg = husk_arena_alloc(&cfg->arena, sizeof(*cfg->linux_cfg));
	struct husk_resources *r = husk_arena_alloc(&cfg->arena, sizeof(*r));
	if (!cfg->linux_cfg || !r) {
		husk_config_free(&cfg);
		return husk_error(err, ENOMEM, "linux.resources");
	}
	memset(cfg->linux_cfg, 0, sizeof(*cfg->linux_cfg));
	memset(r, 0, sizeof(*r));
	cfg->linux_cfg->resources = r;
	if (parse_object_text(text, len, log, &config_resources_type, "resources", "linux.resources", cfg, r,
			      err) < 0) {
		husk_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int husk_config_parse_process(const char *text, size_t len, const struct husk_log *log,
			      struct husk_config **out, husk_err *err)
{
	*out = NULL;
	struct husk_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return husk_error(err, ENOMEM, "process");
	cfg->process = husk_arena_alloc(&cfg->arena, sizeof(*cfg->process));
	if (!cfg->process) {
		husk_config_free(&cfg);
		return husk_error(err, ENOMEM, "process");
	}
	memset(cfg->process, 0, sizeof(*cfg->process));
	if (parse_object_text(text, len, log, &config_process_type, "process", "", cfg, cfg->process, err) < 0) {
		husk_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int husk_config_load(const char *bundle, const struct husk_log *log,
		     struct husk_config **out, husk_err *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return husk_error(err, ENOMEM, "config.json");
	if (husk_read_file(path, HUSK_CONFIG_MAX_SIZE, &text, &len, err) < 0)
		return -1;
	return husk_config_parse(text, len, log, out, err);
}

int husk_config_check_bundle(const struct husk_config *cfg, const char *bundle, husk_err *err)
{
	if (!cfg->root || !cfg->root->path)
		return 0; /* already reported by the parser */
	cleanup_free char *path = NULL;
	const char *root = cfg->root->path;
	if (root[0] != '/') {
		if (asprintf(&path, "%s/%s", bundle, root) < 0)
			return husk_error(err, ENOMEM, "root.path");
		root = path;
	}
	struct stat st;
	if (stat(root, &st) < 0)
		return husk_error(err, errno, "config.json: root.path: \"%s\"", cfg->root->path);
	if (!S_ISDIR(st.st_mode))
		return husk_error(err, ENOTDIR, "config.json: root.path: \"%s\"", cfg->root->path);
	return 0;
}

void husk_config_free(struct husk_config **cfg)
{
	if (!*cfg)
		return;
	husk_arena_release(&(*cfg)->arena);
	free(*cfg);
	*cfg = NULL;
}

const char *husk_map_get(const husk_map *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return m->v[i].value;
	return NULL;
}

const struct husk_namespace *husk_config_namespace(const struct husk_config *cfg, int clone_flag)
{
	if (!cfg->linux_cfg)
		return NULL;
	for (size_t i = 0; i < cfg->linux_cfg->namespaces.n; i++)
		if (cfg->linux_cfg->namespaces.v[i].type == clone_flag)
			return &cfg->linux_cfg->namespaces.v[i];
	return NULL;
}

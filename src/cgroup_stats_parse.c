/* SPDX-License-Identifier: Apache-2.0 */
/* Parsers for the cgroup files statistics are read from: text in, values out. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "husk/cgroup.h"

#define TOKEN_MAX 256
#define LINE_MAX_LEN 4096
#define CPU_LIST_MAX (1 << 16)

/* cpuacct.stat counts in USER_HZ, which the kernel ABI fixes at 100. */
#define NS_PER_USER_HZ_TICK (1000000000ULL / 100)

/* Copy the next token of text (up to a character of seps) into buf; text
 * advances past it and its separators.  false at the end or when too long. */
static bool next_token(const char **text, const char *seps, char *buf, size_t cap, bool *too_long)
{
	const char *p = *text + strspn(*text, seps);
	size_t n = strcspn(p, seps);
	*too_long = n >= cap;
	if (n == 0 || *too_long)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*text = p + n;
	return true;
}

static size_t count_char(const char *text, char c)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == c;
	return n;
}

static void *alloc_array(struct husk_arena *a, size_t n, size_t size)
{
	return husk_arena_alloc(a, (n ? n : 1) * size);
}

int husk_cgroup_parse_value(const char *text, uint64_t *out)
{
	char buf[TOKEN_MAX];
	bool too_long;
	const char *p = text;
	if (!next_token(&p, " \t\n", buf, sizeof(buf), &too_long) || p[strspn(p, " \t\n")] != '\0')
		return -1;
	if (strcmp(buf, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	if (husk_parse_u64(buf, out) == 0)
		return 0;
	if (buf[0] == '-' && buf[1] && buf[1 + strspn(buf + 1, "0123456789")] == '\0') {
		*out = 0;
		return 0;
	}
	return -1;
}

/* ---- key value lines ------------------------------------------------------ */

static int parse_kv_line(const char *line, size_t len, struct husk_arena *a, struct husk_cgroup_kv *kv)
{
	char buf[TOKEN_MAX];
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	char *space = strchr(buf, ' ');
	/* Exactly "key value": one space, both sides non-empty. */
	if (!space || space == buf || !space[1] || strchr(space + 1, ' '))
		return -1;
	*space = '\0';
	kv->key = husk_arena_strdup(a, buf);
	return kv->key && husk_cgroup_parse_value(space + 1, &kv->value) == 0 ? 0 : -1;
}

int husk_cgroup_parse_kv(const char *text, struct husk_arena *a, struct husk_cgroup_kvv *out)
{
	out->n = 0;
	out->v = alloc_array(a, count_char(text, '\n') + 1, sizeof(*out->v));
	if (!out->v)
		return -1;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len && parse_kv_line(line, len, a, &out->v[out->n++]) < 0)
			return -1;
		line += len + (line[len] == '\n');
	}
	return 0;
}

bool husk_cgroup_kv_get(const struct husk_cgroup_kvv *kv, const char *key, uint64_t *out)
{
	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->v[i].key, key) == 0) {
			*out = kv->v[i].value;
			return true;
		}
	}
	return false;
}

/* ---- lists ---------------------------------------------------------------- */

int husk_cgroup_parse_u64_list(const char *text, struct husk_arena *a, struct husk_u64v *out)
{
	size_t words = 0;
	for (const char *p = text; *p; p++)
		words += !isspace((unsigned char)*p) && (p == text || isspace((unsigned char)p[-1]));
	out->n = 0;
	out->v = alloc_array(a, words, sizeof(*out->v));
	if (!out->v)
		return -1;
	char buf[TOKEN_MAX];
	bool too_long;
	while (next_token(&text, " \t\n", buf, sizeof(buf), &too_long))
		if (husk_parse_u64(buf, &out->v[out->n++]) < 0)
			return -1;
	return too_long ? -1 : 0;
}

/* "A" or "A-B" with A <= B <= 65535. */
static int parse_cpu_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	char buf[TOKEN_MAX];
	snprintf(buf, sizeof(buf), "%s", s);
	char *dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (husk_parse_u64(buf, lo) < 0 || (dash && husk_parse_u64(dash + 1, hi) < 0))
		return -1;
	if (!dash)
		*hi = *lo;
	return *lo <= *hi && *hi <= UINT16_MAX ? 0 : -1;
}

/* Walk the ranges of a cpu list; fill out->v when it is allocated. */
static int walk_cpu_list(const char *text, struct husk_u16v *out, size_t *total)
{
	char buf[TOKEN_MAX];
	bool too_long;
	*total = 0;
	while (next_token(&text, ",\n", buf, sizeof(buf), &too_long)) {
		uint64_t lo, hi;
		if (parse_cpu_range(buf, &lo, &hi) < 0 || *total + (hi - lo + 1) > CPU_LIST_MAX)
			return -1;
		for (uint64_t c = lo; c <= hi; c++, (*total)++)
			if (out->v)
				out->v[out->n++] = (uint16_t)c;
	}
	return too_long ? -1 : 0;
}

int husk_cgroup_parse_cpu_list(const char *text, struct husk_arena *a, struct husk_u16v *out)
{
	size_t total;
	*out = (struct husk_u16v){ 0 };
	if (walk_cpu_list(text, out, &total) < 0)
		return -1;
	out->v = alloc_array(a, total, sizeof(*out->v));
	return out->v ? walk_cpu_list(text, out, &total) : -1;
}

int husk_cgroup_parse_cpuacct_stat(const char *text, uint64_t *user_ns, uint64_t *system_ns)
{
	char key[2][16], val[2][32];
	if (sscanf(text, "%15s %31s %15s %31s", key[0], val[0], key[1], val[1]) != 4 ||
	    strcmp(key[0], "user") || strcmp(key[1], "system") || husk_parse_u64(val[0], user_ns) < 0 ||
	    husk_parse_u64(val[1], system_ns) < 0)
		return -1;
	*user_ns *= NS_PER_USER_HZ_TICK;
	*system_ns *= NS_PER_USER_HZ_TICK;
	return 0;
}

/* ---- block I/O ------------------------------------------------------------- */

static int parse_blkio_line(const char *line, struct husk_arena *a, struct husk_blkio_list *out, bool *skip)
{
	char f[5][TOKEN_MAX];
	int n = 0;
	bool too_long = false;
	while (n < 5 && next_token(&line, " :", f[n], sizeof(f[n]), &too_long))
		n++;
	*skip = n == 2 && strcmp(f[0], "Total") == 0;
	if (*skip)
		return 0;
	if (too_long || n < 3 || n > 4)
		return -1;
	struct husk_blkio_entry *e = &out->v[out->n];
	if (husk_parse_u64(f[0], &e->major) < 0 || husk_parse_u64(f[1], &e->minor) < 0 ||
	    husk_parse_u64(f[n - 1], &e->value) < 0)
		return -1;
	e->op = n == 4 ? husk_arena_strdup(a, f[2]) : NULL;
	if (n == 4 && !e->op)
		return -1;
	out->n++;
	return 0;
}

int husk_cgroup_parse_blkio(const char *text, struct husk_arena *a, struct husk_blkio_list *out)
{
	out->n = 0;
	out->v = alloc_array(a, count_char(text, '\n') + 1, sizeof(*out->v));
	if (!out->v)
		return -1;
	for (const char *p = text; *p;) {
		char line[LINE_MAX_LEN];
		size_t len = strcspn(p, "\n");
		bool skip;
		if (len >= sizeof(line))
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (len && parse_blkio_line(line, a, out, &skip) < 0)
			return -1;
		p += len + (p[len] == '\n');
	}
	return 0;
}

/* One "KEY=VALUE" of an io.stat line, mapped as runc maps it. */
static int add_io_item(const char *item, uint64_t major, uint64_t minor, struct husk_blkio_list *bytes,
		       struct husk_blkio_list *ios)
{
	static const struct {
		const char *key, *op;
		bool bytes;
	} map[] = {
		{ "rbytes", "Read", true }, { "wbytes", "Write", true },
		{ "rios", "Read", false },  { "wios", "Write", false },
	};
	const char *eq = strchr(item, '=');
	if (!eq)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (strlen(map[i].key) != (size_t)(eq - item) || strncmp(item, map[i].key, (size_t)(eq - item)))
			continue;
		struct husk_blkio_list *to = map[i].bytes ? bytes : ios;
		struct husk_blkio_entry *e = &to->v[to->n];
		*e = (struct husk_blkio_entry){ .major = major, .minor = minor, .op = map[i].op };
		if (husk_parse_u64(eq + 1, &e->value) < 0)
			return -1;
		to->n++;
	}
	return 0; /* discards and the rest have no place in the v1 model */
}

static int parse_io_line(const char *line, struct husk_blkio_list *bytes, struct husk_blkio_list *ios)
{
	char dev[TOKEN_MAX], item[TOKEN_MAX];
	bool too_long;
	uint64_t major, minor;
	if (!next_token(&line, " ", dev, sizeof(dev), &too_long))
		return too_long ? -1 : 0;
	char *colon = strchr(dev, ':');
	if (!colon || strchr(colon + 1, ':'))
		return 0; /* not a device line */
	*colon = '\0';
	if (husk_parse_u64(dev, &major) < 0 || husk_parse_u64(colon + 1, &minor) < 0)
		return -1;
	while (next_token(&line, " ", item, sizeof(item), &too_long))
		if (add_io_item(item, major, minor, bytes, ios) < 0)
			return -1;
	return too_long ? -1 : 0;
}

int husk_cgroup_parse_io_stat(const char *text, struct husk_arena *a, struct husk_blkio_list *bytes,
			      struct husk_blkio_list *ios)
{
	size_t lines = count_char(text, '\n') + 1;
	bytes->n = ios->n = 0;
	bytes->v = alloc_array(a, lines * 2, sizeof(*bytes->v));
	ios->v = alloc_array(a, lines * 2, sizeof(*ios->v));
	if (!bytes->v || !ios->v)
		return -1;
	for (const char *p = text; *p;) {
		char line[LINE_MAX_LEN];
		size_t len = strcspn(p, "\n");
		if (len >= sizeof(line))
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_io_line(line, bytes, ios) < 0)
			return -1;
		p += len + (p[len] == '\n');
	}
	return 0;
}

bool husk_cgroup_hugetlb_size(const char *name, const char *suffix, char *size, size_t cap)
{
	const char *prefix = "hugetlb.";
	if (!husk_str_has_prefix(name, prefix))
		return false;
	const char *s = name + strlen(prefix);
	const char *dot = strchr(s, '.');
	if (!dot || dot == s || strcmp(dot + 1, suffix) != 0 || (size_t)(dot - s) >= cap)
		return false;
	memcpy(size, s, (size_t)(dot - s));
	size[dot - s] = '\0';
	return true;
}

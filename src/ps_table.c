/* SPDX-License-Identifier: Apache-2.0 */
/* Filtering ps(1) output to a container's processes. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/ps_table.h"
#include "husk/util.h"

#define WS " \t"

/* The whitespace separated field number index of line, copied into buf;
 * false when the line has fewer fields. */
static bool field(const char *line, size_t len, size_t index, char *buf, size_t cap)
{
	const char *p = line, *end = line + len;
	for (size_t i = 0;; i++) {
		while (p < end && strchr(WS, *p))
			p++;
		if (p == end)
			return false;
		const char *start = p;
		while (p < end && !strchr(WS, *p))
			p++;
		if (i == index) {
			snprintf(buf, cap, "%.*s", (int)(p - start), start);
			return true;
		}
	}
}

static int pid_column(const char *header, size_t len, size_t *index, husk_err *err)
{
	char title[64];
	for (size_t i = 0; field(header, len, i, title, sizeof(title)); i++) {
		if (strcmp(title, "PID") == 0) {
			*index = i;
			return 0;
		}
	}
	return husk_error(err, 0, "couldn't find PID field in ps output");
}

static bool listed(const pid_t *pids, size_t n, int64_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Append line (len bytes) and a newline to out. */
static void append_line(char *out, size_t *used, const char *line, size_t len)
{
	memcpy(out + *used, line, len);
	*used += len;
	out[(*used)++] = '\n';
	out[*used] = '\0';
}

int husk_ps_filter(const char *output, const pid_t *pids, size_t n, char **out, husk_err *err)
{
	size_t header_len = strcspn(output, "\n"), column = 0, used = 0;
	if (pid_column(output, header_len, &column, err) < 0)
		return -1;
	cleanup_free char *buf = malloc(strlen(output) + 2);
	if (!buf)
		return husk_error(err, ENOMEM, "filter ps output");
	append_line(buf, &used, output, header_len);
	for (const char *line = output + header_len; *line;) {
		line += *line == '\n';
		size_t len = strcspn(line, "\n");
		char value[32];
		int64_t pid;
		if (len == 0)
			continue;
		if (!field(line, len, column, value, sizeof(value)) || husk_parse_i64(value, &pid) < 0)
			return husk_error(err, 0, "unable to parse pid: \"%.*s\"", (int)len, line);
		if (listed(pids, n, pid))
			append_line(buf, &used, line, len);
		line += len;
	}
	*out = steal_pointer(&buf);
	return 0;
}

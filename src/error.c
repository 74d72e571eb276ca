/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/error.h"

/* Used when even the error cannot be allocated. */
static char oom_msg[] = "out of memory";

static struct husk_error *error_tail(husk_err *err)
{
	struct husk_error *e = *err;
	while (e && e->next)
		e = e->next;
	return e;
}

int husk_verror(husk_err *err, int errnum, const char *fmt, va_list ap)
{
	struct husk_error *e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	e->errnum = errnum;
	if (vasprintf(&e->msg, fmt, ap) < 0)
		e->msg = oom_msg;
	if (!err) {
		husk_error_free(&e);
		return -1;
	}
	struct husk_error *tail = error_tail(err);
	if (tail)
		tail->next = e;
	else
		*err = e;
	return -1;
}

int husk_error(husk_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	husk_verror(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int husk_error_wrap(husk_err *err, const char *fmt, ...)
{
	char *prefix = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (n < 0 || !err)
		return -1;
	for (struct husk_error *e = *err; e; e = e->next) {
		char *msg = NULL;
		if (asprintf(&msg, "%s: %s", prefix, e->msg) < 0)
			continue;
		if (e->msg != oom_msg)
			free(e->msg);
		e->msg = msg;
	}
	free(prefix);
	return -1;
}

void husk_error_append(husk_err *dst, husk_err *src)
{
	if (!*src)
		return;
	struct husk_error *tail = error_tail(dst);
	if (tail)
		tail->next = *src;
	else
		*dst = *src;
	*src = NULL;
}

size_t husk_error_count(const struct husk_error *err)
{
	size_t n = 0;
	for (; err; err = err->next)
		n++;
	return n;
}

char *husk_error_string(const struct husk_error *err)
{
	char *s = NULL;
	int n;
	if (err->errnum)
		n = asprintf(&s, "%s: %s", err->msg, strerror(err->errnum));
	else
		n = asprintf(&s, "%s", err->msg);
	return n < 0 ? NULL : s;
}

void husk_error_free(husk_err *err)
{
	struct husk_error *e = *err;
	while (e) {
		struct husk_error *next = e->next;
		if (e->msg != oom_msg)
			free(e->msg);
		free(e);
		e = next;
	}
	*err = NULL;
}

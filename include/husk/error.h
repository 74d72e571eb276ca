/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>

/*
 * Errors travel up the call chain as objects, never as prints: the core
 * fills one in and returns -1, and the CLI prints it in exactly one place
 * (text or JSON log line).  A chain holds several errors when a validator
 * reports every problem it finds.
 */
struct husk_error {
	int errnum;              /* errno at the point of failure, 0 if none */
	char *msg;               /* what failed, with context */
	struct husk_error *next; /* further errors, in the order found */
};

typedef struct husk_error *husk_err;

/* Set *err (appending to a chain already there) and return -1. */
int husk_error(husk_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int husk_verror(husk_err *err, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prefix every message in the chain with "prefix: ". Returns -1. */
int husk_error_wrap(husk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Move all of src's errors to the end of dst. */
void husk_error_append(husk_err *dst, husk_err *src);

size_t husk_error_count(const struct husk_error *err);

/* "msg: strerror(errnum)" in a new string (caller frees), or NULL on OOM. */
char *husk_error_string(const struct husk_error *err);

void husk_error_free(husk_err *err);

#define cleanup_error __attribute__((cleanup(husk_error_free)))

#endif

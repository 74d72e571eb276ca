/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_UTIL_H
#define HUSK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "husk/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Scope-bound release: declare with one of these and never free by hand.
 * Called by hand on a struct member, each leaves it NULL or -1. */
void husk_freep(void *p);
void husk_closep(int *fd);
void husk_fclosep(FILE **f);

#define cleanup_free  __attribute__((cleanup(husk_freep)))
#define cleanup_close __attribute__((cleanup(husk_closep)))
#define cleanup_file  __attribute__((cleanup(husk_fclosep)))

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

/*
 * A bump allocator.  The parsed config lives in one arena so that it is
 * built with few allocations and released in one call, whatever its shape.
 */
struct husk_arena {
	struct husk_arena_chunk *chunks;
	bool failed;             /* set once an allocation has failed */
};

void *husk_arena_alloc(struct husk_arena *a, size_t size);
char *husk_arena_strdup(struct husk_arena *a, const char *s);
void husk_arena_release(struct husk_arena *a);

/* Read a whole regular file (at most max bytes), NUL-terminated. */
int husk_read_file(const char *path, size_t max, char **out, size_t *len, husk_err *err);
int husk_read_fd(int fd, size_t max, char **out, size_t *len, husk_err *err);

/* Write all of buf, retrying on EINTR and short writes. */
int husk_write_all(int fd, const void *buf, size_t len);

/* Strict unsigned/signed decimal parse of a whole string. */
int husk_parse_u64(const char *s, uint64_t *out);
int husk_parse_i64(const char *s, int64_t *out);

/* A byte count as runc's flags take it: "-1" (unlimited), N, or N with a
 * binary unit k, m, g, t, p (any case, optionally followed by "b"/"ib"). */
int husk_parse_size(const char *s, int64_t *out);

/* A number of CPUs as docker's --cpus takes it ("1", "0.5", "2.25") as the
 * CPU quota for period microseconds: 0.5 of 100000 is 50000.  Fails on
 * anything but a plain positive decimal, and on a quota below 1000us (the
 * kernel's least). */
int husk_parse_cpus(const char *s, uint64_t period, int64_t *quota);

bool husk_str_has_prefix(const char *s, const char *prefix);

/* The current time, RFC 3339 in UTC with nanoseconds, as runc writes it. */
void husk_format_now(char *buf, size_t size);

#endif

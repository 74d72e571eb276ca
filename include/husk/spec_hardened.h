/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SPEC_HARDENED_H
#define HUSK_SPEC_HARDENED_H

/*
 * `husk spec --hardened`: a config.json that runs unprivileged, read-only,
 * limited and filtered unless told otherwise.  The fields below are the
 * knobs; husk_hardened_defaults() sets what the document uses by default.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "husk/log.h"

#define HUSK_HARDENED_UID 10001
#define HUSK_HARDENED_GID 10001
#define HUSK_HARDENED_MEMORY_LIMIT (512LL << 20)
#define HUSK_HARDENED_MEMORY_RESERVATION (256LL << 20)
#define HUSK_HARDENED_CPU_PERIOD 100000ULL
#define HUSK_HARDENED_PIDS_LIMIT 1024
#define HUSK_HARDENED_NOFILE_SOFT 1024
#define HUSK_HARDENED_NOFILE_HARD 4096
#define HUSK_HARDENED_TMPFS_OPTIONS "nosuid,nodev,noexec"
#define HUSK_HARDENED_MAX_TMPFS 32

/* A tmpfs mount: destination and comma-separated mount options. */
struct husk_tmpfs_mount {
	const char *destination;
	const char *options;
};

struct husk_hardened_spec {
	uint32_t uid;
	uint32_t gid;
	int64_t memory_limit;           /* bytes */
	int64_t memory_reservation;     /* bytes */
	int64_t cpu_quota;              /* microseconds per cpu_period */
	uint64_t cpu_period;
	int64_t pids_limit;
	uint64_t capabilities;          /* bit N = capability N */
	const char *seccomp;            /* "default", "strict", "unconfined" or a file */
	bool init;                      /* husk's reaper as PID 1 */
	const char *const *args;        /* NULL-terminated */
	/* /tmp and /var/tmp first; an entry for the same destination later
	 * replaces the earlier one. */
	struct husk_tmpfs_mount tmpfs[HUSK_HARDENED_MAX_TMPFS];
	size_t n_tmpfs;
};

void husk_hardened_defaults(struct husk_hardened_spec *h);

/* Add (or replace, for the same destination) a tmpfs mount; options NULL:
 * HUSK_HARDENED_TMPFS_OPTIONS.  The strings must outlive h. */
int husk_hardened_add_tmpfs(struct husk_hardened_spec *h, const char *destination,
			    const char *options, husk_err *err);

/*
 * Generate the document (pretty-printed, ending in a newline).  It is
 * parsed back before it is returned, so a bad seccomp profile or tmpfs
 * option fails here, with the parser's message; log takes its warnings.
 */
int husk_spec_generate_hardened(const struct husk_hardened_spec *h, const struct husk_log *log,
				char **json_out, size_t *len, husk_err *err);

/* Write it to bundle/config.json as husk_spec_write() does. */
int husk_spec_write_hardened(const char *bundle, const struct husk_hardened_spec *h,
			     const struct husk_log *log, husk_err *err);

#endif

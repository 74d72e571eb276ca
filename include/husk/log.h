/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include "husk/error.h"

enum husk_log_level {
	HUSK_LOG_ERROR,
	HUSK_LOG_WARNING,
	HUSK_LOG_INFO,
	HUSK_LOG_DEBUG,
};

enum husk_log_format {
	HUSK_LOG_TEXT,
	HUSK_LOG_JSON,
};

/*
 * Where diagnostics go.  Owned by the CLI and passed down; the core never
 * opens or chooses a log destination itself.  fd < 0 means stderr.
 */
struct husk_log {
	int fd;
	enum husk_log_format format;
	enum husk_log_level level;
};

void husk_log(const struct husk_log *log, enum husk_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define husk_warn(log, ...)  husk_log(log, HUSK_LOG_WARNING, __VA_ARGS__)
#define husk_debug(log, ...) husk_log(log, HUSK_LOG_DEBUG, __VA_ARGS__)

/* Log every error of a chain at error level. */
void husk_log_errors(const struct husk_log *log, const struct husk_error *err);

/*
 * When the log goes to stdio (fd 0-2), move it to a close-on-exec copy at
 * min_fd or above: a terminal is about to become stdio, and warnings from
 * then on belong to the caller's stderr, not to the container's terminal.
 */
int husk_log_keep_off_stdio(struct husk_log *log, int min_fd, husk_err *err);

const char *husk_log_level_name(enum husk_log_level level);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "husk/json.h"
#include "husk/log.h"
#include "husk/util.h"

static const char *const level_names[] = {
	[HUSK_LOG_ERROR] = "error",
	[HUSK_LOG_WARNING] = "warning",
	[HUSK_LOG_INFO] = "info",
	[HUSK_LOG_DEBUG] = "debug",
};

const char *husk_log_level_name(enum husk_log_level level)
{
	return level_names[level];
}

static void write_json_line(int fd, enum husk_log_level level, const char *msg)
{
	char when[64];
	husk_format_now(when, sizeof(when));
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, NULL, NULL) < 0)
		return;
	husk_json_map_open(&j, NULL);
	husk_json_kv_str(&j, "level", level_names[level]);
	husk_json_kv_str(&j, "msg", msg);
	husk_json_kv_str(&j, "time", when);
	husk_json_map_close(&j);
	/* One write per line keeps concurrent writers from interleaving. */
	cleanup_free char *line = NULL;
	size_t len;
	if (husk_json_take(&j, true, &line, &len, NULL) == 0)
		husk_write_all(fd, line, len);
}

static void write_text_line(int fd, enum husk_log_level level, const char *msg)
{
	cleanup_free char *line = NULL;
	int n;
	if (level == HUSK_LOG_ERROR)
		n = asprintf(&line, "husk: %s\n", msg);
	else
		n = asprintf(&line, "husk: %s: %s\n", level_names[level], msg);
	if (n > 0)
		husk_write_all(fd, line, (size_t)n);
}

static void log_line(const struct husk_log *log, enum husk_log_level level, const char *msg)
{
	int fd = log && log->fd >= 0 ? log->fd : STDERR_FILENO;
	if (log && log->format == HUSK_LOG_JSON)
		write_json_line(fd, level, msg);
	else
		write_text_line(fd, level, msg);
}

void husk_log(const struct husk_log *log, enum husk_log_level level, const char *fmt, ...)
{
	enum husk_log_level max = log ? log->level : HUSK_LOG_WARNING;
	if (level > max)
		return;
	int saved = errno;
	cleanup_free char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		log_line(log, level, msg);
	errno = saved;
}

void husk_log_errors(const struct husk_log *log, const struct husk_error *err)
{
	for (; err; err = err->next) {
		cleanup_free char *s = husk_error_string(err);
		log_line(log, HUSK_LOG_ERROR, s ? s : err->msg);
	}
}

int husk_log_keep_off_stdio(struct husk_log *log, int min_fd, husk_err *err)
{
	int cur = log->fd < 0 ? STDERR_FILENO : log->fd;
	if (cur > 2)
		return 0;
	int fd = fcntl(cur, F_DUPFD_CLOEXEC, min_fd);
	if (fd < 0)
		return husk_error(err, errno, "process.terminal: keep the log");
	log->fd = fd;
	return 0;
}

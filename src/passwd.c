/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's /etc/passwd, read by husk itself: the runtime's own
 * name service (NSS) knows the host's users, not the container's, and a
 * static binary has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/passwd.h"
#include "husk/util.h"

/* A passwd file is a few KiB; the container owns this one, so its size
 * and kind are bounded before it is read. */
#define PASSWD_MAX (1 << 20)

/* The field after `n` colons of line [s, end), or NULL. */
static const char *field(const char *s, const char *end, int n, size_t *len)
{
	for (; n > 0; n--) {
		const char *c = memchr(s, ':', (size_t)(end - s));
		if (!c)
			return NULL;
		s = c + 1;
	}
	const char *c = memchr(s, ':', (size_t)(end - s));
	*len = (size_t)((c ? c : end) - s);
	return s;
}

static bool uid_is(const char *s, size_t len, uid_t uid)
{
	char buf[16];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	unsigned long v = strtoul(buf, &end, 10);
	return !errno && *end == '\0' && buf[0] != '-' && buf[0] != '+' && v == uid;
}

char *husk_passwd_parse_home(const char *text, size_t size, uid_t uid)
{
	const char *end = text + size;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		size_t ulen, hlen;
		const char *u = field(line, eol, 2, &ulen);
		const char *home = u ? field(line, eol, 5, &hlen) : NULL;
		if (home && uid_is(u, ulen, uid) && hlen > 0)
			return strndup(home, hlen);
		line = eol + 1;
	}
	return NULL;
}

static char *read_passwd(void)
{
	cleanup_close int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > PASSWD_MAX)
		return NULL;
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (buf)
		buf[got] = '\0';
	return buf;
}

char *husk_passwd_home(uid_t uid)
{
	cleanup_free char *text = read_passwd();
	char *home = text ? husk_passwd_parse_home(text, strlen(text), uid) : NULL;
	return home ? home : strdup("/");
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "husk/sync.h"
#include "husk/util.h"

struct sync_header {
	uint32_t type;
	uint32_t len;
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return got == 0 ? 1 : (errno = EPIPE, -1);
		got += (size_t)r;
	}
	return 0;
}

int husk_sync_send(int fd, uint32_t type, const void *data, uint32_t len, husk_err *err)
{
	struct sync_header h = { type, len };
	if (husk_write_all(fd, &h, sizeof(h)) < 0 || (len && husk_write_all(fd, data, len) < 0))
		return husk_error(err, errno, "sync with container process");
	return 0;
}

int husk_sync_recv(int fd, uint32_t *type, char **data, uint32_t *len, husk_err *err)
{
	struct sync_header h;
	int rc = read_full(fd, &h, sizeof(h));
	if (rc == 1)
		return 1;
	if (rc < 0)
		return husk_error(err, errno, "sync with container process");
	if (h.len > HUSK_SYNC_MAX_PAYLOAD)
		return husk_error(err, EPROTO, "sync with container process: message too large");
	cleanup_free char *buf = NULL;
	if (h.len || data) {
		buf = malloc((size_t)h.len + 1);
		if (!buf)
			return husk_error(err, ENOMEM, "sync with container process");
		if (h.len && read_full(fd, buf, h.len) != 0)
			return husk_error(err, errno ? errno : EPIPE, "sync with container process");
		buf[h.len] = '\0';
	}
	*type = h.type;
	if (len)
		*len = h.len;
	if (data)
		*data = steal_pointer(&buf);
	return 0;
}

void husk_sync_send_errors(int fd, const struct husk_error *e)
{
	for (; e; e = e->next) {
		cleanup_free char *s = husk_error_string(e);
		const char *msg = s ? s : e->msg;
		husk_sync_send(fd, HUSK_SYNC_ERROR, msg, (uint32_t)strlen(msg), NULL);
	}
}

void husk_sync_collect_errors(int fd, husk_err *err)
{
	for (;;) {
		uint32_t type;
		cleanup_free char *payload = NULL;
		if (husk_sync_recv(fd, &type, &payload, NULL, NULL) != 0)
			return;
		if (type == HUSK_SYNC_ERROR)
			husk_error(err, 0, "%s", payload);
	}
}

int husk_sync_expect(int fd, uint32_t type, const char *what, char **data, husk_err *err)
{
	uint32_t got;
	cleanup_free char *payload = NULL;
	int rc = husk_sync_recv(fd, &got, &payload, NULL, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return husk_error(err, 0, "%s: the container process exited unexpectedly", what);
	if (got == HUSK_SYNC_ERROR) {
		husk_error(err, 0, "%s", payload);
		husk_sync_collect_errors(fd, err);
		return -1;
	}
	if (got != type)
		return husk_error(err, EPROTO, "%s: unexpected message %u from the container process", what, got);
	if (data)
		*data = steal_pointer(&payload);
	return 0;
}

int husk_sync_await_exec(int fd, const char *what, husk_err *err)
{
	uint32_t type;
	cleanup_free char *payload = NULL;
	int rc = husk_sync_recv(fd, &type, &payload, NULL, err);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return -1;
	if (type != HUSK_SYNC_ERROR)
		return husk_error(err, EPROTO, "%s: unexpected message %u from the container process", what, type);
	husk_error(err, 0, "%s", payload);
	husk_sync_collect_errors(fd, err);
	return -1;
}

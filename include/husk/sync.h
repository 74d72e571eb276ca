/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stdint.h>

#include "husk/error.h"

/*
 * Messages between the runtime and the container process over a stream
 * socket: an 8-byte header (type, payload length) and the payload.  The
 * container process reports failures as text so that the runtime prints
 * them in its one place; end of stream after START (or exec's GO) means
 * execve worked (the socket is close-on-exec).
 */
enum husk_sync_type {
	HUSK_SYNC_GO = 1,       /* runtime -> child: maps written (payload: state JSON), or for
	                         * exec: placed in its cgroup */
	HUSK_SYNC_HOOKS,        /* child -> runtime: run prestart/createRuntime hooks now */
	HUSK_SYNC_HOOKS_DONE,   /* runtime -> child */
	HUSK_SYNC_READY,        /* child -> runtime: created, waiting for start */
	HUSK_SYNC_START,        /* runtime -> child: exec the process */
	HUSK_SYNC_ERROR,        /* child -> runtime: payload is one error message */
};

#define HUSK_SYNC_MAX_PAYLOAD (64u << 20)

int husk_sync_send(int fd, uint32_t type, const void *data, uint32_t len, husk_err *err);

/* Receive one message; *data (NUL-terminated, may be NULL when len is 0) is
 * the caller's to free.  Returns 0, or 1 at end of stream, or -1. */
int husk_sync_recv(int fd, uint32_t *type, char **data, uint32_t *len, husk_err *err);

/* Send every error of a chain as HUSK_SYNC_ERROR messages; best effort. */
void husk_sync_send_errors(int fd, const struct husk_error *e);

/* After a first HUSK_SYNC_ERROR: gather the rest until the process exits. */
void husk_sync_collect_errors(int fd, husk_err *err);

/*
 * Wait for a message of the given type.  HUSK_SYNC_ERROR messages become
 * errors in *err (and the wait fails); end of stream fails with `what`.
 * The payload is returned when data is not NULL.
 */
int husk_sync_expect(int fd, uint32_t type, const char *what, char **data, husk_err *err);

/*
 * After the message that lets the process run: wait for the end of the
 * stream (its sync socket closed on execve), or for its errors, which
 * become *err.  `what` names the step in a protocol error.
 */
int husk_sync_await_exec(int fd, const char *what, husk_err *err);

#endif

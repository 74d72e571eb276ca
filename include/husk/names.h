/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_NAMES_H
#define HUSK_NAMES_H

/*
 * Name <-> number tables for the kernel's own enumerations, written out here
 * so that parsing a config never depends on the libraries' build-time lists.
 */

#include <stdint.h>

struct husk_name {
	const char *name;
	int value;
};

/* Look a name up in a NULL-terminated table; -1 when absent. */
int husk_name_lookup(const struct husk_name *table, const char *name);
const char *husk_name_of(const struct husk_name *table, int value);

/* Capabilities: "CAP_SYS_ADMIN" <-> 21. */
#define HUSK_CAP_LAST 40
int husk_cap_from_name(const char *name);
const char *husk_cap_name(int cap);

/* Resource limits: "RLIMIT_NOFILE" <-> RLIMIT_NOFILE. */
extern const struct husk_name husk_rlimit_names[];

/*
 * Signals as kill(1) and runc accept them: "KILL", "SIGKILL", "9",
 * "RTMIN+3", "SIGRTMAX-1".  Returns the number, or -1.
 */
int husk_signal_parse(const char *s);
/* "SIGTERM" for 15, "SIGRTMIN+2" for SIGRTMIN+2; NULL when unknown. */
const char *husk_signal_name(int sig, char *buf, int size);
extern const struct husk_name husk_signal_names[];

#endif

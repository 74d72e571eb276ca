/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_PASSWD_H
#define HUSK_PASSWD_H

#include <stddef.h>
#include <sys/types.h>

/* The home directory of uid in passwd(5) text, newly allocated; NULL when
 * no entry has one. */
char *husk_passwd_parse_home(const char *text, size_t size, uid_t uid);

/* The home of uid in /etc/passwd of the current root, or "/" when the file
 * or the entry is missing (as runc); NULL only when out of memory. */
char *husk_passwd_home(uid_t uid);

#endif

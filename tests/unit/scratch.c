/* SPDX-License-Identifier: Apache-2.0 */
/* Scratch directories for tests that write files (hook and reaper scripts). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

void scratch_make(struct scratch *s, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(s->dir, sizeof(s->dir), "%s/husk-%s.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp", name);
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
}

void scratch_remove(struct scratch *s)
{
	DIR *d = opendir(s->dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			ck_assert_int_eq(unlinkat(dirfd(d), e->d_name, 0), 0);
	closedir(d);
	ck_assert_int_eq(rmdir(s->dir), 0);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics of a cgroup: reading its files, for the v1 and v2 readers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "husk/util.h"

/* memory.stat and io.stat with many devices are the largest: a few KiB. */
#define STAT_FILE_MAX (1 << 20)
#define HUGETLB_SIZES_MAX 16

int husk_cgroup_malformed(const char *dir, const char *file, husk_err *err)
{
	return husk_error(err, EINVAL, "cgroup statistics: cannot parse %s/%s", dir, file);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(((const struct husk_cgroup_kv *)a)->key, ((const struct husk_cgroup_kv *)b)->key);
}

int husk_cgroup_read(const char *dir, const char *file, char **text, husk_err *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		/* Files differ between kernels and controllers: runc skips what is absent. */
		if (errno == ENOENT)
			return 0;
		return husk_error(err, errno, "cgroup statistics: open %s", path);
	}
	if (husk_read_fd(fd, STAT_FILE_MAX, text, NULL, err) < 0)
		return husk_error_wrap(err, "cgroup statistics: %s", path);
	return 1;
}

int husk_cgroup_read_value(const char *dir, const char *file, uint64_t *out, husk_err *err)
{
	cleanup_free char *text = NULL;
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_value(text, out) < 0)
		return husk_cgroup_malformed(dir, file, err);
	return 1;
}

int husk_cgroup_read_kv(const char *dir, const char *file, struct husk_arena *a, struct husk_cgroup_kvv *kv,
			husk_err *err)
{
	cleanup_free char *text = NULL;
	*kv = (struct husk_cgroup_kvv){ 0 };
	int rc = husk_cgroup_read(dir, file, &text, err);
	if (rc <= 0)
		return rc;
	if (husk_cgroup_parse_kv(text, a, kv) < 0)
		return husk_cgroup_malformed(dir, file, err);
	/* memory.stat becomes runc's "raw" map, whose keys JSON writes in order. */
	qsort(kv->v, kv->n, sizeof(*kv->v), compare_keys);
	return 1;
}

int husk_cgroup_hugetlb_sizes(const char *dir, const char *suffix, struct husk_cgroup_stats *s, husk_err *err)
{
	char names[HUGETLB_SIZES_MAX][NAME_MAX + 1];
	const char *sorted[HUGETLB_SIZES_MAX];
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : husk_error(err, errno, "cgroup statistics: open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) && n < HUGETLB_SIZES_MAX) {
		if (husk_cgroup_hugetlb_size(de->d_name, suffix, names[n], sizeof(names[n]))) {
			sorted[n] = names[n];
			n++;
		}
	}
	closedir(d);
	/* runc's hugetlb is a map: JSON writes its keys in order. */
	qsort(sorted, n, sizeof(*sorted), compare_strings);
	s->hugetlb.v = husk_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*s->hugetlb.v));
	if (!s->hugetlb.v)
		return husk_error(err, ENOMEM, "cgroup statistics");
	for (size_t i = 0; i < n; i++) {
		s->hugetlb.v[i].size = husk_arena_strdup(&s->arena, sorted[i]);
		if (!s->hugetlb.v[i].size)
			return husk_error(err, ENOMEM, "cgroup statistics");
	}
	s->hugetlb.n = n;
	return 0;
}

int husk_cgroup_stats_read(enum husk_cgroup_layout layout, const char *path, struct husk_cgroup_stats *s,
			   husk_err *err)
{
	*s = (struct husk_cgroup_stats){ 0 };
	switch (layout) {
	case HUSK_CGROUP_LEGACY:
		return husk_cgroup_v1_stats(path, s, err);
	case HUSK_CGROUP_UNIFIED:
		return husk_cgroup_v2_stats(path, s, err);
	case HUSK_CGROUP_NONE:
		break;
	}
	return husk_error(err, ENOTSUP, "cgroup statistics: no cgroup hierarchy is mounted at %s", HUSK_CGROUP_MOUNT);
}

void husk_cgroup_stats_release(struct husk_cgroup_stats *s)
{
	husk_arena_release(&s->arena);
	*s = (struct husk_cgroup_stats){ 0 };
}

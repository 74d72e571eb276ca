/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "husk/mount_options.h"
#include "husk/rootfs.h"

/* mount(2) copies at most one page of data. */
#define MOUNT_DATA_MAX 4095

enum kind {
	K_NOOP,             /* defaults */
	K_FLAG,             /* an MS_* flag set or cleared */
	K_PROPAGATION,      /* MS_SHARED ...; with MS_REC for the r-forms */
	K_ATTR,             /* a MOUNT_ATTR_* bit, set or cleared recursively */
	K_ATIME,            /* a recursive atime mode (one of, not bits) */
	K_BIND,             /* bind, rbind: also an MS_* flag */
	K_TMPCOPYUP,
	K_IDMAP,            /* value 1: ridmap */
};

/*
 * The one table of what husk honours, in name order; the option list of
 * `husk features` is made from it, so it cannot list more than is done.
 * The recursive atime options choose one mode, as mount_setattr(2) wants
 * (MOUNT_ATTR__ATIME cleared, the mode set): ratime and rnostrictatime
 * mean relatime, the kernel's default; rnorelatime means strictatime.
 */
#define MOUNT_OPTIONS(X) \
	X("async",          K_FLAG,        true,  MS_SYNCHRONOUS) \
	X("atime",          K_FLAG,        true,  MS_NOATIME) \
	X("bind",           K_BIND,        false, MS_BIND) \
	X("defaults",       K_NOOP,        false, 0) \
	X("dev",            K_FLAG,        true,  MS_NODEV) \
	X("diratime",       K_FLAG,        true,  MS_NODIRATIME) \
	X("dirsync",        K_FLAG,        false, MS_DIRSYNC) \
	X("exec",           K_FLAG,        true,  MS_NOEXEC) \
	X("idmap",          K_IDMAP,       false, 0) \
	X("iversion",       K_FLAG,        false, MS_I_VERSION) \
	X("lazytime",       K_FLAG,        false, MS_LAZYTIME) \
	X("loud",           K_FLAG,        true,  MS_SILENT) \
	X("mand",           K_FLAG,        false, MS_MANDLOCK) \
	X("noatime",        K_FLAG,        false, MS_NOATIME) \
	X("nodev",          K_FLAG,        false, MS_NODEV) \
	X("nodiratime",     K_FLAG,        false, MS_NODIRATIME) \
	X("noexec",         K_FLAG,        false, MS_NOEXEC) \
	X("noiversion",     K_FLAG,        true,  MS_I_VERSION) \
	X("nolazytime",     K_FLAG,        true,  MS_LAZYTIME) \
	X("nomand",         K_FLAG,        true,  MS_MANDLOCK) \
	X("norelatime",     K_FLAG,        true,  MS_RELATIME) \
	X("nostrictatime",  K_FLAG,        true,  MS_STRICTATIME) \
	X("nosuid",         K_FLAG,        false, MS_NOSUID) \
	X("nosymfollow",    K_FLAG,        false, MS_NOSYMFOLLOW) \
	X("private",        K_PROPAGATION, false, MS_PRIVATE) \
	X("ratime",         K_ATIME,       false, MOUNT_ATTR_RELATIME) \
	X("rbind",          K_BIND,        false, MS_BIND | MS_REC) \
	X("rdev",           K_ATTR,        true,  MOUNT_ATTR_NODEV) \
	X("rdiratime",      K_ATTR,        true,  MOUNT_ATTR_NODIRATIME) \
	X("relatime",       K_FLAG,        false, MS_RELATIME) \
	X("remount",        K_FLAG,        false, MS_REMOUNT) \
	X("rexec",          K_ATTR,        true,  MOUNT_ATTR_NOEXEC) \
	X("ridmap",         K_IDMAP,       false, 1) \
	X("rnoatime",       K_ATIME,       false, MOUNT_ATTR_NOATIME) \
	X("rnodev",         K_ATTR,        false, MOUNT_ATTR_NODEV) \
	X("rnodiratime",    K_ATTR,        false, MOUNT_ATTR_NODIRATIME) \
	X("rnoexec",        K_ATTR,        false, MOUNT_ATTR_NOEXEC) \
	X("rnorelatime",    K_ATIME,       false, MOUNT_ATTR_STRICTATIME) \
	X("rnostrictatime", K_ATIME,       false, MOUNT_ATTR_RELATIME) \
	X("rnosuid",        K_ATTR,        false, MOUNT_ATTR_NOSUID) \
	X("rnosymfollow",   K_ATTR,        false, MOUNT_ATTR_NOSYMFOLLOW) \
	X("ro",             K_FLAG,        false, MS_RDONLY) \
	X("rprivate",       K_PROPAGATION, false, MS_PRIVATE | MS_REC) \
	X("rrelatime",      K_ATIME,       false, MOUNT_ATTR_RELATIME) \
	X("rro",            K_ATTR,        false, MOUNT_ATTR_RDONLY) \
	X("rrw",            K_ATTR,        true,  MOUNT_ATTR_RDONLY) \
	X("rshared",        K_PROPAGATION, false, MS_SHARED | MS_REC) \
	X("rslave",         K_PROPAGATION, false, MS_SLAVE | MS_REC) \
	X("rstrictatime",   K_ATIME,       false, MOUNT_ATTR_STRICTATIME) \
	X("rsuid",          K_ATTR,        true,  MOUNT_ATTR_NOSUID) \
	X("rsymfollow",     K_ATTR,        true,  MOUNT_ATTR_NOSYMFOLLOW) \
	X("runbindable",    K_PROPAGATION, false, MS_UNBINDABLE | MS_REC) \
	X("rw",             K_FLAG,        true,  MS_RDONLY) \
	X("shared",         K_PROPAGATION, false, MS_SHARED) \
	X("silent",         K_FLAG,        false, MS_SILENT) \
	X("slave",          K_PROPAGATION, false, MS_SLAVE) \
	X("strictatime",    K_FLAG,        false, MS_STRICTATIME) \
	X("suid",           K_FLAG,        true,  MS_NOSUID) \
	X("symfollow",      K_FLAG,        true,  MS_NOSYMFOLLOW) \
	X("sync",           K_FLAG,        false, MS_SYNCHRONOUS) \
	X("tmpcopyup",      K_TMPCOPYUP,   false, 0) \
	X("unbindable",     K_PROPAGATION, false, MS_UNBINDABLE)

struct option {
	const char *name;
	enum kind kind;
	bool clear;
	unsigned long value;
};

#define OPTION_ENTRY(n, k, c, v) { n, k, c, v },
#define OPTION_NAME(n, k, c, v) n,

static const struct option options_table[] = { MOUNT_OPTIONS(OPTION_ENTRY) };

const char *const husk_mount_option_names[] = { MOUNT_OPTIONS(OPTION_NAME) NULL };

static int compare_option(const void *key, const void *elem)
{
	return strcmp(key, ((const struct option *)elem)->name);
}

static const struct option *find_option(const char *name)
{
	return bsearch(name, options_table, ARRAY_SIZE(options_table), sizeof(options_table[0]),
		       compare_option);
}

void husk_mount_options_release(struct husk_mount_options *o)
{
	free(o->data);
	o->data = NULL;
}

static void apply_flag(unsigned long *flags, const struct option *opt)
{
	if (opt->clear)
		*flags &= ~opt->value;
	else
		*flags |= opt->value;
}

static void apply_attr(struct husk_mount_options *o, const struct option *opt)
{
	if (opt->clear) {
		o->attr_set &= ~(uint64_t)opt->value;
		o->attr_clr |= opt->value;
	} else {
		o->attr_clr &= ~(uint64_t)opt->value;
		o->attr_set |= opt->value;
	}
}

static void apply_atime(struct husk_mount_options *o, const struct option *opt)
{
	o->attr_set = (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | opt->value;
	o->attr_clr |= MOUNT_ATTR__ATIME;
}

static int add_propagation(struct husk_mount_options *o, const struct option *opt, husk_err *err)
{
	if (o->n_propagation == HUSK_MOUNT_MAX_PROPAGATION)
		return husk_error(err, E2BIG, "more than %d propagation options",
				  HUSK_MOUNT_MAX_PROPAGATION);
	o->propagation[o->n_propagation++] = opt->value;
	return 0;
}

static int apply_option(struct husk_mount_options *o, const struct option *opt, husk_err *err)
{
	switch (opt->kind) {
	case K_NOOP:
		break;
	case K_FLAG:
		apply_flag(&o->flags, opt);
		break;
	case K_BIND:
		o->bind = true;
		o->flags |= opt->value;
		break;
	case K_PROPAGATION:
		return add_propagation(o, opt, err);
	case K_ATTR:
		apply_attr(o, opt);
		break;
	case K_ATIME:
		apply_atime(o, opt);
		break;
	case K_TMPCOPYUP:
		o->tmpcopyup = true;
		break;
	case K_IDMAP:
		o->idmap = true;
		o->idmap_recursive = o->idmap_recursive || opt->value;
		break;
	}
	return 0;
}

/* Append ",opt" (or "opt") to the data string. */
static int append_data(struct husk_mount_options *o, size_t *len, const char *opt, husk_err *err)
{
	size_t olen = strlen(opt);
	size_t need = *len + (*len ? 1 : 0) + olen;
	if (need > MOUNT_DATA_MAX)
		return husk_error(err, E2BIG, "filesystem options longer than %d bytes", MOUNT_DATA_MAX);
	char *data = realloc(o->data, need + 1);
	if (!data)
		return husk_error(err, ENOMEM, "allocate mount data");
	if (*len)
		data[(*len)++] = ',';
	memcpy(data + *len, opt, olen + 1);
	*len = need;
	o->data = data;
	return 0;
}

int husk_mount_options_parse(const husk_strv *options, struct husk_mount_options *out, husk_err *err)
{
	size_t len = 0;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < options->n; i++) {
		const char *name = options->v[i];
		const struct option *opt = find_option(name);
		int r;
		if (!*name)
			r = husk_error(err, EINVAL, "empty option");
		else if (opt)
			r = apply_option(out, opt, err);
		else
			r = append_data(out, &len, name, err);
		if (r < 0) {
			husk_mount_options_release(out);
			return husk_error_wrap(err, "options[%zu] (\"%s\")", i, name);
		}
	}
	return 0;
}

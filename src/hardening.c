/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "husk/container.h"
#include "husk/hardening.h"
#include "husk/names.h"
#include "husk/spec.h"
#include "husk/spec_hardened.h"

/* Collects findings; the first allocation failure sticks and is reported once. */
struct checker {
	const struct husk_config *cfg;
	struct husk_findings *out;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) finding(struct checker *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	char **grown = realloc(c->out->v, (c->out->n + 1) * sizeof(*grown));
	if (!grown) {
		c->failed = true;
		return;
	}
	c->out->v = grown;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&c->out->v[c->out->n], fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->failed = true;
		return;
	}
	c->out->n++;
}

/* ---- process ---------------------------------------------------------- */

static void check_user(struct checker *c, const struct husk_process *p)
{
	if (p->user.uid == 0)
		finding(c, "process.user.uid: runs as root");
	if (p->user.gid == 0)
		finding(c, "process.user.gid: runs in the root group");
}

/* Kept beyond what --hardened keeps by default. */
static void check_capabilities(struct checker *c, const struct husk_process *p)
{
	struct husk_hardened_spec hardened;
	husk_hardened_defaults(&hardened);
	uint64_t bounding = p->capabilities ? p->capabilities->bounding : 0;
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++)
		if ((bounding & ~hardened.capabilities) & (1ULL << cap))
			finding(c, "process.capabilities.bounding: %s is kept", husk_cap_name(cap));
}

static const struct husk_rlimit *find_rlimit(const struct husk_process *p, int type)
{
	for (size_t i = 0; i < p->rlimits.n; i++)
		if (p->rlimits.v[i].type == type)
			return &p->rlimits.v[i];
	return NULL;
}

static void check_rlimits(struct checker *c, const struct husk_process *p)
{
	const struct husk_rlimit *nofile = find_rlimit(p, RLIMIT_NOFILE);
	if (!nofile)
		finding(c, "process.rlimits: no RLIMIT_NOFILE limit");
	else if (nofile->hard > HUSK_HARDENED_NOFILE_HARD)
		finding(c, "process.rlimits: RLIMIT_NOFILE allows %llu open files",
			(unsigned long long)nofile->hard);
	const struct husk_rlimit *core = find_rlimit(p, RLIMIT_CORE);
	if (!core || core->hard != 0)
		finding(c, "process.rlimits: core dumps are allowed (no RLIMIT_CORE 0)");
}

static void check_process(struct checker *c)
{
	const struct husk_process *p = c->cfg->process;
	if (!p)
		return;
	check_user(c, p);
	check_capabilities(c, p);
	if (!p->no_new_privileges)
		finding(c, "process.noNewPrivileges: not set");
	check_rlimits(c, p);
}

/* ---- root and mounts ---------------------------------------------------- */

static bool has_option(const struct husk_mount *m, const char *option)
{
	for (size_t i = 0; i < m->options.n; i++)
		if (strcmp(m->options.v[i], option) == 0)
			return true;
	return false;
}

static const struct husk_mount *find_mount(const struct husk_config *cfg, const char *destination)
{
	const struct husk_mount *found = NULL;
	/* The last mount on a destination is the one the container sees. */
	for (size_t i = 0; i < cfg->mounts.n; i++)
		if (cfg->mounts.v[i].destination && strcmp(cfg->mounts.v[i].destination, destination) == 0)
			found = &cfg->mounts.v[i];
	return found;
}

static void check_scratch_mount(struct checker *c, const char *destination)
{
	static const char *const required[] = { "nosuid", "nodev", "noexec" };
	const struct husk_mount *m = find_mount(c->cfg, destination);
	if (!m || !m->type || strcmp(m->type, "tmpfs") != 0) {
		finding(c, "mounts: no tmpfs on %s", destination);
		return;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has_option(m, required[i]))
			finding(c, "mounts: the tmpfs on %s lacks %s", destination, required[i]);
}

static void check_filesystem(struct checker *c)
{
	if (!c->cfg->root || !c->cfg->root->readonly)
		finding(c, "root.readonly: the root filesystem is writable");
	check_scratch_mount(c, "/tmp");
	check_scratch_mount(c, "/var/tmp");
}

/* ---- linux ---------------------------------------------------------------- */

static void check_namespaces(struct checker *c)
{
	static const struct { int flag; const char *name; } wanted[] = {
		{ CLONE_NEWPID, "pid" }, { CLONE_NEWNS, "mount" }, { CLONE_NEWIPC, "ipc" },
		{ CLONE_NEWUTS, "uts" }, { CLONE_NEWNET, "network" }, { CLONE_NEWCGROUP, "cgroup" },
	};
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		const struct husk_namespace *ns = husk_config_namespace(c->cfg, wanted[i].flag);
		if (!ns)
			finding(c, "linux.namespaces: no %s namespace", wanted[i].name);
		else if (ns->path)
			finding(c, "linux.namespaces: the %s namespace is joined, not new", wanted[i].name);
	}
}

static bool strv_has(const husk_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	return false;
}

static void check_paths(struct checker *c, const char *key, const husk_strv *have,
			const char *const *want, const char *what)
{
	for (; *want; want++)
		if (!strv_has(have, *want))
			finding(c, "linux.%s: %s is not %s", key, *want, what);
}

/* A filter that lets every call through filters nothing. */
static bool filters_nothing(const struct husk_seccomp *s)
{
	return (s->default_action == HUSK_SCMP_ACT_ALLOW || s->default_action == HUSK_SCMP_ACT_LOG) &&
	       s->syscalls.n == 0;
}

static void check_seccomp(struct checker *c, const struct husk_linux *l)
{
	if (!l || !l->seccomp)
		finding(c, "linux.seccomp: no seccomp filter");
	else if (filters_nothing(l->seccomp))
		finding(c, "linux.seccomp: the filter allows every system call");
}

static void check_resources(struct checker *c, const struct husk_resources *r)
{
	const struct husk_memory *mem = r ? r->memory : NULL;
	const struct husk_cpu *cpu = r ? r->cpu : NULL;
	if (!mem || !mem->limit.set || mem->limit.v <= 0)
		finding(c, "linux.resources.memory.limit: no memory limit");
	if (!cpu || !cpu->quota.set || cpu->quota.v <= 0)
		finding(c, "linux.resources.cpu.quota: no CPU limit");
	if (!r || !r->pids || r->pids->limit <= 0)
		finding(c, "linux.resources.pids.limit: no pids limit");
}

static void check_linux(struct checker *c)
{
	const struct husk_linux *l = c->cfg->linux_cfg;
	static const husk_strv none = { NULL, 0 };
	check_namespaces(c);
	check_seccomp(c, l);
	check_resources(c, l ? l->resources : NULL);
	check_paths(c, "maskedPaths", l ? &l->masked_paths : &none, husk_spec_masked_paths, "masked");
	check_paths(c, "readonlyPaths", l ? &l->readonly_paths : &none, husk_spec_readonly_paths,
		    "read-only");
}

static void check_init(struct checker *c)
{
	const char *init = husk_map_get(&c->cfg->annotations, HUSK_ANNOTATION_INIT);
	if (!init || strcmp(init, "true") != 0)
		finding(c, "annotations." HUSK_ANNOTATION_INIT ": no reaper as PID 1");
}

int husk_hardening_check(const struct husk_config *cfg, struct husk_findings *out, husk_err *err)
{
	*out = (struct husk_findings){ NULL, 0 };
	struct checker c = { .cfg = cfg, .out = out };
	check_process(&c);
	check_filesystem(&c);
	check_linux(&c);
	check_init(&c);
	if (c.failed)
		return husk_error(err, ENOMEM, "check the config's hardening");
	return 0;
}

void husk_findings_release(struct husk_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	*f = (struct husk_findings){ NULL, 0 };
}

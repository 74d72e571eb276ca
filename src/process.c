/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/passwd.h"
#include "husk/process.h"

static int apply_rlimits(const struct husk_process *p, husk_err *err)
{
	for (size_t i = 0; i < p->rlimits.n; i++) {
		const struct husk_rlimit *r = &p->rlimits.v[i];
		struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };
		if (setrlimit(r->type, &lim) == 0)
			continue;
		int saved = errno;
		struct rlimit cur;
		if (saved == EPERM && getrlimit(r->type, &cur) == 0 && r->hard > cur.rlim_max)
			return husk_error(err, saved, "process.rlimits[%zu]: %s hard limit %llu is above the "
					  "current hard limit %llu, which only CAP_SYS_RESOURCE may raise",
					  i, husk_name_of(husk_rlimit_names, r->type),
					  (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
		return husk_error(err, saved, "process.rlimits[%zu]: set %s", i, husk_name_of(husk_rlimit_names, r->type));
	}
	return 0;
}

static int apply_io_priority(const struct husk_io_priority *io, husk_err *err)
{
	int prio = IOPRIO_PRIO_VALUE(io->klass, io->priority);
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return husk_error(err, errno, "process.ioPriority: ioprio_set");
	return 0;
}

/* struct sched_attr as the kernel defines it; glibc 2.36 has no wrapper. */
struct husk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int apply_scheduler(const struct husk_scheduler *s, husk_err *err)
{
	struct husk_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = (uint32_t)s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice.set ? s->nice.v : 0,
		.sched_priority = s->priority.set ? (uint32_t)s->priority.v : 0,
		.sched_runtime = s->runtime.v,
		.sched_deadline = s->deadline.v,
		.sched_period = s->period.v,
	};
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return husk_error(err, errno, "process.scheduler: sched_setattr");
	return 0;
}

static int parse_cpu_list(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -1;
			s = end;
		}
		for (unsigned long c = a; c <= b && c < CPU_SETSIZE; c++)
			CPU_SET(c, set);
	}
	return 0;
}

static int apply_cpu_affinity(const struct husk_exec_cpu_affinity *a, husk_err *err)
{
	/* The container process runs the user program itself, so the final
	 * affinity is the one it must have; initial only matters without it. */
	const char *list = a->final ? a->final : a->initial;
	const char *field = a->final ? "final" : "initial";
	if (!list || !*list)
		return 0;
	cpu_set_t set;
	if (parse_cpu_list(list, &set) < 0)
		return husk_error(err, EINVAL, "process.execCPUAffinity.%s: \"%s\"", field, list);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return husk_error(err, errno, "process.execCPUAffinity.%s: \"%s\"", field, list);
	return 0;
}

/* linux.memoryPolicy through set_mempolicy(2); nodes as a CPU-list-like "0-3,7". */
static int apply_memory_policy(const struct husk_memory_policy *mp, husk_err *err)
{
	enum { MAX_NODES = 1024, BITS = 8 * sizeof(unsigned long) };
	unsigned long mask[MAX_NODES / BITS] = { 0 };
	unsigned long maxnode = 0;
	const char *s = mp->nodes ? mp->nodes : "";
	while (*s) {
		char *end;
		if (*s == ',' || *s == ' ') {
			s++;
			continue;
		}
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return husk_error(err, EINVAL, "linux.memoryPolicy.nodes: \"%s\"", mp->nodes);
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return husk_error(err, EINVAL, "linux.memoryPolicy.nodes: \"%s\"", mp->nodes);
		}
		if (b >= MAX_NODES)
			return husk_error(err, EINVAL, "linux.memoryPolicy.nodes: node %lu is above %d", b, MAX_NODES - 1);
		for (unsigned long n = a; n <= b; n++)
			mask[n / BITS] |= 1UL << (n % BITS);
		maxnode = b + 2 > maxnode ? b + 2 : maxnode;
		s = end;
	}
	long mode = mp->mode | (long)mp->flags;
	if (syscall(SYS_set_mempolicy, mode, maxnode ? mask : NULL, maxnode) < 0)
		return husk_error(err, errno, "linux.memoryPolicy: set_mempolicy %s",
				  husk_name_of(husk_mempolicy_mode_names, mp->mode));
	return 0;
}

int husk_process_apply_limits(const struct husk_process *p, const struct husk_linux *l, husk_err *err)
{
	if (apply_rlimits(p, err) < 0)
		return -1;
	if (p->io_priority && apply_io_priority(p->io_priority, err) < 0)
		return -1;
	if (p->scheduler && apply_scheduler(p->scheduler, err) < 0)
		return -1;
	if (p->exec_cpu_affinity && apply_cpu_affinity(p->exec_cpu_affinity, err) < 0)
		return -1;
	if (l && l->memory_policy && apply_memory_policy(l->memory_policy, err) < 0)
		return -1;
	if (l && l->personality) {
		if (l->personality->flags.n)
			return husk_error(err, EINVAL, "linux.personality.flags: no flags are supported");
		if (personality((unsigned long)l->personality->domain) < 0)
			return husk_error(err, errno, "linux.personality: set domain");
	}
	return 0;
}

/* Whether an LSM is the one the kernel enforces: /sys/kernel/security/lsm. */
static bool lsm_enabled(const char *name)
{
	char buf[512];
	cleanup_close int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *tok = strtok(buf, ",\n"); tok; tok = strtok(NULL, ",\n"))
		if (strcmp(tok, name) == 0)
			return true;
	return false;
}

static int write_attr(const char *path, const char *value, const char *field, husk_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error(err, errno, "%s: open %s", field, path);
	if (husk_write_all(fd, value, strlen(value)) < 0)
		return husk_error(err, errno, "%s: apply \"%s\"", field, value);
	return 0;
}

int husk_process_apply_labels(const struct husk_process *p, const struct husk_log *log, husk_err *err)
{
	if (p->apparmor_profile && *p->apparmor_profile) {
		if (!lsm_enabled("apparmor"))
			return husk_error(err, 0, "process.apparmorProfile: \"%s\" requested but AppArmor is "
					  "not enabled on this host", p->apparmor_profile);
		cleanup_free char *cmd = NULL;
		if (asprintf(&cmd, "exec %s", p->apparmor_profile) < 0)
			return husk_error(err, ENOMEM, "process.apparmorProfile");
		if (write_attr("/proc/self/attr/apparmor/exec", cmd, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (p->selinux_label && *p->selinux_label) {
		/* As runc: a label on a host without SELinux is ignored. */
		if (!lsm_enabled("selinux")) {
			husk_warn(log, "process.selinuxLabel: SELinux is not enabled on this host; label ignored");
			return 0;
		}
		if (write_attr("/proc/self/attr/exec", p->selinux_label, "process.selinuxLabel", err) < 0)
			return -1;
	}
	return 0;
}

int husk_process_set_user(const struct husk_user *u, husk_err *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
	if (setgroups(u->additional_gids.n, u->additional_gids.v) < 0)
		return husk_error(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return husk_error(err, errno, "process.user.gid: setgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return husk_error(err, errno, "process.user.uid: setuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
	umask(u->umask.set ? u->umask.v : 022);
	return 0;
}

/* 0 when path is a file execve could run, else an errno.  As execvp
 * reports it, a directory is not permitted rather than a directory. */
static int executable_error(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || access(path, X_OK) < 0)
		return EACCES;
	return 0;
}

/*
 * Docker and podman decide between exit status 127 and 126 by looking for
 * Go's lower-case errno words in the runtime's message, so the message is
 * runc's: `exec: "/x": stat /x: no such file or directory`.
 */
static int executable_failure(const char *name, int e, husk_err *err)
{
	char words[128];
	snprintf(words, sizeof(words), "%s", strerror(e));
	words[0] = (char)tolower((unsigned char)words[0]);
	if (e == ENOENT || e == ENOTDIR)
		return husk_error(err, 0, "exec: \"%s\": stat %s: %s", name, name, words);
	return husk_error(err, 0, "exec: \"%s\": %s", name, words);
}

static const char *env_path(const struct husk_process *p)
{
	for (size_t i = 0; i < p->env.n; i++)
		if (husk_str_has_prefix(p->env.v[i], "PATH="))
			return p->env.v[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int husk_process_find_executable(const struct husk_process *p, char **out, husk_err *err)
{
	const char *name = p->args.v[0];
	if (!*name)
		return husk_error(err, 0, "process.args[0]: empty: no such file or directory");
	if (strchr(name, '/')) {
		int e = executable_error(name);
		if (e)
			return executable_failure(name, e, err);
		*out = strdup(name);
		return *out ? 0 : husk_error(err, ENOMEM, "exec");
	}
	const char *dirs = env_path(p);
	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		cleanup_free char *cand = NULL;
		if (asprintf(&cand, "%.*s/%s", (int)len, len ? dirs : ".", name) < 0)
			return husk_error(err, ENOMEM, "exec");
		if (executable_error(cand) == 0) {
			*out = steal_pointer(&cand);
			return 0;
		}
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return husk_error(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

char **husk_strv_for_exec(const husk_strv *v)
{
	char **out = calloc(v->n + 1, sizeof(char *));
	if (out && v->n)
		memcpy(out, v->v, v->n * sizeof(char *));
	return out;
}

static bool env_has(const husk_strv *env, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=')
			return true;
	return false;
}

char **husk_process_envp(const struct husk_process *p, char **home_var)
{
	*home_var = NULL;
	char **envp = calloc(p->env.n + 2, sizeof(char *));
	if (!envp)
		return NULL;
	if (p->env.n)
		memcpy(envp, p->env.v, p->env.n * sizeof(char *));
	if (env_has(&p->env, "HOME"))
		return envp;
	cleanup_free char *home = husk_passwd_home(p->user.uid);
	if (!home || asprintf(home_var, "HOME=%s", home) < 0) {
		*home_var = NULL;
		free(envp);
		return NULL;
	}
	envp[p->env.n] = *home_var;
	return envp;
}

int husk_process_write_oom_score_adj(pid_t pid, const struct husk_process *p, husk_err *err)
{
	if (!p->oom_score_adj.set)
		return 0;
	char path[64], val[16];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	int n = snprintf(val, sizeof(val), "%d", p->oom_score_adj.v);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, (size_t)n) < 0)
		return husk_error(err, errno, "process.oomScoreAdj: set %d", p->oom_score_adj.v);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config parser: every fixture, every field landing in its C member,
 * number ranges, malformed JSON, the spec's rules, and the messages, which
 * must name the JSON path and the offending value.
 *
 * Inline documents are written with single quotes, which sq() turns into
 * double quotes, so that they read like JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/config.h"
#include "husk/util.h"
#include "unit.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Kernel values the config names, from <linux/ioprio.h> and <numaif.h>. */
#define IOPRIO_CLASS_BE_VALUE   2
#define MPOL_BIND_VALUE         2
#define MPOL_F_NUMA_BALANCING_V (1 << 13)
#define MPOL_F_STATIC_NODES_V   (1 << 15)

#define BASE "'ociVersion':'1.0.0','root':{'path':'rootfs'}"
#define TOP(x) "{" BASE "," x "}"
#define PROC(x) TOP("'process':{'cwd':'/','args':['sh']," x "}")
#define LINUX(x) TOP("'linux':{" x "}")
#define RES(x) LINUX("'resources':{" x "}")
#define SECCOMP(x) LINUX("'seccomp':{" x "}")

/* Warnings are dropped unless a test captures them. */
static const struct husk_log quiet = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_ERROR };

static char *sq(const char *s)
{
	char *d = strdup(s);
	ck_assert_ptr_nonnull(d);
	for (char *c = d; *c; c++)
		if (*c == '\'')
			*c = '"';
	return d;
}

/* All messages of a chain, one a line, for failure reports. */
static char *messages(const struct husk_error *err)
{
	char *all = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&all, &size);
	ck_assert_ptr_nonnull(f);
	for (int i = 0; err && i < 20; err = err->next, i++)
		fprintf(f, "  %s\n", err->msg);
	fclose(f);
	return all;
}

static struct husk_config *parse_len(const char *text, size_t len)
{
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	int rc = husk_config_parse(text, len, &quiet, &cfg, &err);
	if (rc < 0) {
		cleanup_free char *all = messages(err);
		ck_abort_msg("expected the config to parse, got:\n%s", all);
	}
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(err);
	return cfg;
}

static struct husk_config *parse(const char *json)
{
	cleanup_free char *text = sq(json);
	return parse_len(text, strlen(text));
}

/* Parse what must fail; returns the chain (caller frees). */
static husk_err must_fail_len(const char *text, size_t len)
{
	struct husk_config *cfg = NULL;
	husk_err err = NULL;
	int rc = husk_config_parse(text, len, &quiet, &cfg, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(err);
	for (const struct husk_error *e = err; e; e = e->next)
		ck_assert_msg(strncmp(e->msg, "config.json: ", 13) == 0, "unprefixed message: %s", e->msg);
	return err;
}

static husk_err must_fail(const char *json)
{
	cleanup_free char *text = sq(json);
	return must_fail_len(text, strlen(text));
}

static bool chain_has(const struct husk_error *err, const char *msg, bool prefix)
{
	for (; err; err = err->next)
		if (prefix ? strncmp(err->msg, msg, strlen(msg)) == 0 : strcmp(err->msg, msg) == 0)
			return true;
	return false;
}

/* The document fails with exactly one error, msg (single quotes in msg
 * stand for double quotes too). */
#define expect_error(json, msg) expect_errors_impl(json, msg, 1, false)
/* It fails with n errors, one of which is msg. */
#define expect_error_n(json, msg, n) expect_errors_impl(json, msg, n, false)
/* It fails with one error that starts with msg. */
#define expect_error_prefix(json, msg) expect_errors_impl(json, msg, 1, true)

static void expect_errors_impl(const char *json, const char *msg, size_t n, bool prefix)
{
	cleanup_error husk_err err = must_fail(json);
	cleanup_free char *want = sq(msg);
	cleanup_free char *all = messages(err);
	ck_assert_msg(chain_has(err, want, prefix), "expected \"%s\" among:\n%s", want, all);
	ck_assert_msg(husk_error_count(err) == n, "expected %zu errors, got %zu:\n%s",
		      n, husk_error_count(err), all);
}

/* Parse with warnings captured; returns them (caller frees). */
static char *parse_warnings(const char *json, struct husk_config **cfg, husk_err *err)
{
	cleanup_free char *text = sq(json);
	struct husk_log log = { .fd = memfd_create("husk-log", MFD_CLOEXEC), .format = HUSK_LOG_TEXT,
				.level = HUSK_LOG_WARNING };
	ck_assert_int_ge(log.fd, 0);
	husk_config_parse(text, strlen(text), &log, cfg, err);
	char *out = NULL;
	size_t len;
	husk_err rerr = NULL;
	ck_assert_int_eq(lseek(log.fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(husk_read_fd(log.fd, 1 << 20, &out, &len, &rerr), 0);
	close(log.fd);
	return out;
}

static char *fixture_path(const char *rel)
{
	const char *dir = getenv("HUSK_FIXTURES");
	ck_assert_msg(dir != NULL, "HUSK_FIXTURES is not set (run through `make check-unit`)");
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/config/%s", dir, rel), 0);
	return path;
}

static char *read_fixture(const char *rel, size_t *len)
{
	cleanup_free char *path = fixture_path(rel);
	cleanup_error husk_err err = NULL;
	char *text = NULL;
	ck_assert_msg(husk_read_file(path, HUSK_CONFIG_MAX_SIZE, &text, len, &err) == 0, "%s: %s",
		      path, err ? err->msg : "?");
	return text;
}

static struct husk_config *parse_fixture(const char *rel)
{
	size_t len;
	cleanup_free char *text = read_fixture(rel, &len);
	return parse_len(text, len);
}

/* A string made of a repeated piece, for big documents. */
static char *repeat(const char *head, const char *piece, size_t n, const char *tail)
{
	size_t hl = strlen(head), pl = strlen(piece), tl = strlen(tail);
	char *s = malloc(hl + pl * n + tl + 1);
	ck_assert_ptr_nonnull(s);
	char *c = s;
	memcpy(c, head, hl);
	c += hl;
	for (size_t i = 0; i < n; i++, c += pl)
		memcpy(c, piece, pl);
	memcpy(c, tail, tl + 1);
	return s;
}

/* ---- fixtures ---------------------------------------------------------- */

static size_t for_each_fixture(const char *subdir, void (*fn)(const char *rel, char **report))
{
	cleanup_free char *dir = fixture_path(subdir);
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	cleanup_free char *report = NULL;
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		cleanup_free char *rel = NULL;
		ck_assert_int_ge(asprintf(&rel, "%s/%s", subdir, de->d_name), 0);
		fn(rel, &report);
		count++;
	}
	closedir(d);
	ck_assert_msg(report == NULL, "%s", report);
	return count;
}

static void add_report(char **report, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_report(char **report, const char *fmt, ...)
{
	char *line = NULL, *joined = NULL;
	va_list ap;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&line, fmt, ap), 0);
	va_end(ap);
	ck_assert_int_ge(asprintf(&joined, "%s%s\n", *report ? *report : "\n", line), 0);
	free(line);
	free(*report);
	*report = joined;
}

static void check_good(const char *rel, char **report)
{
	size_t len;
	cleanup_free char *text = read_fixture(rel, &len);
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	if (husk_config_parse(text, len, &quiet, &cfg, &err) < 0) {
		cleanup_free char *all = messages(err);
		add_report(report, "%s: rejected:\n%s", rel, all);
	} else if (!cfg->oci_version || !cfg->root || !cfg->root->path) {
		add_report(report, "%s: ociVersion or root.path missing from the model", rel);
	}
	husk_config_free(&cfg);
}

/* What each bad fixture must be rejected for: the start of its first
 * error.  Every file in bad/ and husk-bad/ needs an entry. */
static const struct {
	const char *file;
	const char *msg;
	size_t nerrors;
} bad_fixtures[] = {
	{ "bad/invalid-json.json", "config.json: invalid JSON: ", 1 },
	{ "bad/linux-hugepage.json",
	  "config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size such as \"2MB\" "
	  "or \"1GB\", got \"64kB\"", 1 },
	{ "bad/linux-netdevice.json", "config.json: linux.netDevices.eth0.name: expected a string, got 23", 1 },
	{ "bad/linux-rdma.json",
	  "config.json: linux.resources.rdma.mlx5_1.hcaHandles: expected an integer, got \"not a uint32\"", 1 },
	{ "husk-bad/fuzz-masked-path-not-string.json",
	  "config.json: linux.maskedPaths[1]: expected a string, got 7", 2 },
	{ "husk-bad/comment-hides-nul.json", "config.json: invalid JSON: a comment at offset 23", 1 },
	{ "husk-bad/comment-hides-nesting.json", "config.json: invalid JSON: a comment at offset 48", 1 },
	{ "husk-bad/rlimit-hard-not-integer.json",
	  "config.json: process.rlimits[0].hard: expected an integer, got \"unlimited\"", 1 },
	{ "husk-bad/args-not-array.json", "config.json: process.args: expected an array, got \"sh -c true\"", 1 },
	{ "husk-bad/docker-1.12-capabilities.json",
	  "config.json: process.capabilities: expected an object, got an array", 1 },
	{ "husk-bad/every-section.json", "config.json: root.readonly: expected true or false, got \"true\"", 16 },
};

static void check_bad(const char *rel, char **report)
{
	size_t i;
	for (i = 0; i < ARRAY_SIZE(bad_fixtures); i++)
		if (strcmp(bad_fixtures[i].file, rel) == 0)
			break;
	if (i == ARRAY_SIZE(bad_fixtures)) {
		add_report(report, "%s: not listed in bad_fixtures[]", rel);
		return;
	}
	size_t len;
	cleanup_free char *text = read_fixture(rel, &len);
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	if (husk_config_parse(text, len, &quiet, &cfg, &err) == 0) {
		add_report(report, "%s: accepted", rel);
		husk_config_free(&cfg);
		return;
	}
	cleanup_free char *all = messages(err);
	const char *want = bad_fixtures[i].msg;
	if (!err || strncmp(err->msg, want, strlen(want)) != 0)
		add_report(report, "%s: expected \"%s\", got:\n%s", rel, want, all);
	else if (husk_error_count(err) != bad_fixtures[i].nerrors)
		add_report(report, "%s: expected %zu errors, got:\n%s", rel, bad_fixtures[i].nerrors, all);
}

START_TEST(fixtures_good)
{
	ck_assert_uint_ge(for_each_fixture("good", check_good), 5);
	ck_assert_uint_ge(for_each_fixture("husk-good", check_good), 6);
}
END_TEST

START_TEST(fixtures_bad)
{
	ck_assert_uint_ge(for_each_fixture("bad", check_bad), 4);
	ck_assert_uint_ge(for_each_fixture("husk-bad", check_bad), ARRAY_SIZE(bad_fixtures) - 4);
	/* And every entry of the table names an existing file. */
	for (size_t i = 0; i < ARRAY_SIZE(bad_fixtures); i++) {
		cleanup_free char *path = fixture_path(bad_fixtures[i].file);
		ck_assert_msg(access(path, R_OK) == 0, "%s: %s", path, strerror(errno));
	}
}
END_TEST

START_TEST(fixture_spec_example)
{
	cleanup_config struct husk_config *cfg = parse_fixture("good/spec-example.json");
	ck_assert_str_eq(cfg->oci_version, "0.5.0-dev");
	ck_assert_str_eq(cfg->root->path, "rootfs");
	ck_assert(cfg->root->readonly);
	ck_assert_str_eq(cfg->hostname, "slartibartfast");
	ck_assert_uint_eq(cfg->mounts.n, 7);
	ck_assert_str_eq(cfg->mounts.v[6].destination, "/sys/fs/cgroup");
	ck_assert_uint_eq(cfg->hooks->prestart.n, 2);
	ck_assert_uint_eq(cfg->hooks->poststart.v[0].timeout.v, 5);
	ck_assert_uint_eq(cfg->linux_cfg->namespaces.n, 8);
	ck_assert_int_eq(cfg->linux_cfg->namespaces.v[7].type, CLONE_NEWTIME);
	/* 9223372036854772000 is exact in JSON, whatever a double makes of it. */
	ck_assert_uint_eq(cfg->linux_cfg->resources->hugepage_limits.v[0].limit, UINT64_C(9223372036854772000));
	ck_assert_int_eq(cfg->linux_cfg->resources->memory->kernel.v, -1);
	ck_assert_int_eq(cfg->linux_cfg->rootfs_propagation, HUSK_PROPAGATION_SLAVE);
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "com.example.key2"), "value2");
	ck_assert_str_eq(husk_map_get(&cfg->linux_cfg->sysctl, "net.core.somaxconn"), "256");
}
END_TEST

START_TEST(fixture_netdevice_rdma)
{
	cleanup_config struct husk_config *nd = parse_fixture("good/linux-netdevice.json");
	ck_assert_uint_eq(nd->linux_cfg->net_devices.n, 3);
	ck_assert_str_eq(nd->linux_cfg->net_devices.v[0].host_name, "eth0");
	ck_assert_str_eq(nd->linux_cfg->net_devices.v[0].name, "container_eth0");
	ck_assert_str_eq(nd->linux_cfg->net_devices.v[1].host_name, "ens4");
	ck_assert_ptr_null(nd->linux_cfg->net_devices.v[1].name);

	cleanup_config struct husk_config *rd = parse_fixture("good/linux-rdma.json");
	const struct husk_resources *r = rd->linux_cfg->resources;
	ck_assert_uint_eq(r->rdma.n, 3);
	ck_assert_str_eq(r->rdma.v[0].device, "mlx5_1");
	ck_assert(r->rdma.v[0].hca_handles.set);
	ck_assert_uint_eq(r->rdma.v[0].hca_handles.v, 3);
	ck_assert_uint_eq(r->rdma.v[0].hca_objects.v, 10000);
	ck_assert_str_eq(r->rdma.v[1].device, "mlx4_0");
	ck_assert(!r->rdma.v[1].hca_handles.set);
	ck_assert_uint_eq(r->rdma.v[1].hca_objects.v, 1000);
}
END_TEST

START_TEST(fixture_engines)
{
	cleanup_config struct husk_config *docker = parse_fixture("husk-good/docker.json");
	ck_assert_str_eq(docker->oci_version, "1.0.2-dev");
	ck_assert_uint_eq(docker->process->capabilities->bounding, docker->process->capabilities->permitted);
	ck_assert_uint_eq(docker->process->capabilities->inheritable, 0);
	ck_assert_uint_eq(docker->process->user.additional_gids.n, 11);
	ck_assert_uint_eq(docker->linux_cfg->resources->devices.n, 11);
	ck_assert(!docker->linux_cfg->resources->devices.v[0].allow);
	ck_assert_int_eq(docker->linux_cfg->resources->devices.v[0].type, 'a');
	ck_assert(!docker->linux_cfg->resources->devices.v[8].minor.set);
	ck_assert_int_eq(docker->linux_cfg->seccomp->default_action, HUSK_SCMP_ACT_ERRNO);
	ck_assert_uint_eq(docker->linux_cfg->seccomp->default_errno_ret.v, 1);
	ck_assert_uint_eq(docker->linux_cfg->seccomp->syscalls.v[7].args.v[0].value, 2114060288);
	ck_assert_int_eq(docker->linux_cfg->seccomp->syscalls.v[7].args.v[0].op, HUSK_SCMP_CMP_MASKED_EQ);
	ck_assert_ptr_null(husk_config_namespace(docker, CLONE_NEWUSER));

	cleanup_config struct husk_config *podman = parse_fixture("husk-good/podman-rootless.json");
	const struct husk_namespace *net = husk_config_namespace(podman, CLONE_NEWNET);
	ck_assert_ptr_nonnull(net);
	ck_assert_str_eq(net->path, "/run/user/1000/netns/netns-2f4a6c8e-0b1d-3f5a-7c9e-1b3d5f7a9c0e");
	ck_assert_uint_eq(podman->linux_cfg->uid_mappings.n, 2);
	ck_assert_uint_eq(podman->linux_cfg->uid_mappings.v[1].host_id, 100000);
	ck_assert_uint_eq(podman->process->user.umask.v, 022);
	ck_assert_str_eq(husk_map_get(&podman->annotations, "io.container.manager"), "libpod");

	cleanup_config struct husk_config *cri = parse_fixture("husk-good/containerd-cri.json");
	ck_assert_int_eq(cri->process->oom_score_adj.v, -998);
	ck_assert_uint_eq(cri->process->user.uid, 65535);
	ck_assert_str_eq(husk_map_get(&cri->annotations, "io.kubernetes.cri.container-type"), "sandbox");
	ck_assert_uint_eq(cri->linux_cfg->resources->cpu->shares.v, 2);

	cleanup_config struct husk_config *ctr = parse_fixture("husk-good/containerd-ctr.json");
	ck_assert_int_eq(ctr->process->rlimits.v[0].type, RLIMIT_NOFILE);
	ck_assert_str_eq(ctr->linux_cfg->cgroups_path, "/default/husk-ctr");

	cleanup_config struct husk_config *rootless = parse_fixture("husk-good/runc-rootless.json");
	ck_assert_ptr_nonnull(husk_config_namespace(rootless, CLONE_NEWUSER));
	ck_assert_ptr_null(husk_config_namespace(rootless, CLONE_NEWNET));
	ck_assert_str_eq(rootless->mounts.v[5].source, "/sys");
}
END_TEST

/* ---- the full config: every Linux field in its member -------------------- */

START_TEST(full_process)
{
	cleanup_config struct husk_config *cfg = parse_fixture("husk-good/full-linux.json");
	ck_assert_str_eq(cfg->oci_version, "1.3.0");
	const struct husk_process *p = cfg->process;
	ck_assert_ptr_nonnull(p);
	ck_assert(p->terminal);
	ck_assert_uint_eq(p->console_size->height, 25);
	ck_assert_uint_eq(p->console_size->width, 80);
	ck_assert_uint_eq(p->user.uid, 1000);
	ck_assert_uint_eq(p->user.gid, 1001);
	ck_assert(p->user.umask.set);
	ck_assert_uint_eq(p->user.umask.v, 022);
	ck_assert_uint_eq(p->user.additional_gids.n, 3);
	ck_assert_uint_eq(p->user.additional_gids.v[0], 5);
	ck_assert_uint_eq(p->user.additional_gids.v[2], UINT32_MAX);
	ck_assert_str_eq(p->user.username, "builder");
	ck_assert_uint_eq(p->args.n, 3);
	ck_assert_str_eq(p->args.v[2], "echo hello");
	ck_assert_str_eq(p->command_line, "/bin/sh -c \"echo hello\"");
	ck_assert_uint_eq(p->env.n, 3);
	ck_assert_str_eq(p->env.v[2], "EMPTY=");
	ck_assert_str_eq(p->cwd, "/home/builder");

	const struct husk_capabilities *c = p->capabilities;
	ck_assert_uint_eq(c->bounding, (UINT64_C(1) << 0) | (UINT64_C(1) << 5) | (UINT64_C(1) << 21) |
				       (UINT64_C(1) << 40));
	ck_assert_uint_eq(c->effective, UINT64_C(1) << 5);
	ck_assert_uint_eq(c->inheritable, 0);
	ck_assert_uint_eq(c->permitted, (UINT64_C(1) << 0) | (UINT64_C(1) << 5));
	ck_assert_uint_eq(c->ambient, UINT64_C(1) << 10);

	ck_assert_uint_eq(p->rlimits.n, 3);
	ck_assert_int_eq(p->rlimits.v[0].type, RLIMIT_NOFILE);
	ck_assert_uint_eq(p->rlimits.v[0].soft, 1024);
	ck_assert_uint_eq(p->rlimits.v[0].hard, 4096);
	ck_assert_int_eq(p->rlimits.v[1].type, RLIMIT_CORE);
	ck_assert_uint_eq(p->rlimits.v[1].soft, 0);
	ck_assert_uint_eq(p->rlimits.v[1].hard, UINT64_MAX);
	ck_assert_int_eq(p->rlimits.v[2].type, RLIMIT_AS);
	ck_assert_uint_eq(p->rlimits.v[2].soft, UINT64_MAX);

	ck_assert(p->no_new_privileges);
	ck_assert_str_eq(p->apparmor_profile, "husk-default");
	ck_assert(p->oom_score_adj.set);
	ck_assert_int_eq(p->oom_score_adj.v, -999);
	ck_assert_str_eq(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
	ck_assert_int_eq(p->io_priority->klass, IOPRIO_CLASS_BE_VALUE);
	ck_assert_int_eq(p->io_priority->priority, 6);

	const struct husk_scheduler *s = p->scheduler;
	ck_assert_int_eq(s->policy, SCHED_DEADLINE);
	ck_assert(s->nice.set);
	ck_assert_int_eq(s->nice.v, -5);
	ck_assert(s->priority.set);
	ck_assert_int_eq(s->priority.v, 0);
	ck_assert_uint_eq(s->flags, SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_DL_OVERRUN | SCHED_FLAG_UTIL_CLAMP_MAX);
	ck_assert_uint_eq(s->runtime.v, 10000000);
	ck_assert_uint_eq(s->deadline.v, 30000000);
	ck_assert(s->period.set);
	ck_assert_uint_eq(s->period.v, UINT64_MAX);
	ck_assert_str_eq(p->exec_cpu_affinity->initial, "0-3,7");
	ck_assert_str_eq(p->exec_cpu_affinity->final, "4");
}
END_TEST

START_TEST(full_root_mounts_hooks)
{
	cleanup_config struct husk_config *cfg = parse_fixture("husk-good/full-linux.json");
	ck_assert_str_eq(cfg->root->path, "rootfs");
	ck_assert(cfg->root->readonly);
	ck_assert_str_eq(cfg->hostname, "husk-full");
	ck_assert_str_eq(cfg->domainname, "example.test");

	ck_assert_uint_eq(cfg->mounts.n, 2);
	ck_assert_str_eq(cfg->mounts.v[0].destination, "/proc");
	ck_assert_str_eq(cfg->mounts.v[0].type, "proc");
	ck_assert_str_eq(cfg->mounts.v[0].source, "proc");
	ck_assert_uint_eq(cfg->mounts.v[0].options.n, 0);
	const struct husk_mount *m = &cfg->mounts.v[1];
	ck_assert_str_eq(m->destination, "/data");
	ck_assert_str_eq(m->source, "/srv/data");
	ck_assert_uint_eq(m->options.n, 3);
	ck_assert_str_eq(m->options.v[2], "idmap");
	ck_assert_uint_eq(m->uid_mappings.n, 1);
	ck_assert_uint_eq(m->uid_mappings.v[0].container_id, 0);
	ck_assert_uint_eq(m->uid_mappings.v[0].host_id, 100000);
	ck_assert_uint_eq(m->uid_mappings.v[0].size, 65536);
	ck_assert_uint_eq(m->gid_mappings.v[0].host_id, 200000);
	ck_assert_uint_eq(m->gid_mappings.v[0].size, 1000);

	const struct husk_hooks *h = cfg->hooks;
	const husk_hookv *kinds[] = { &h->prestart, &h->create_runtime, &h->create_container,
				      &h->start_container, &h->poststart, &h->poststop };
	const char *paths[] = { "/usr/bin/prestart-hook", "/usr/bin/create-runtime", "/usr/bin/create-container",
				"/usr/bin/start-container", "/usr/bin/poststart", "/usr/bin/poststop" };
	const char *envs[] = { "A=1", "B=2", "C=3", "D=4", "E=5", "F=6" };
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		ck_assert_uint_ge(kinds[i]->n, 1);
		const struct husk_hook *hook = &kinds[i]->v[0];
		ck_assert_str_eq(hook->path, paths[i]);
		ck_assert_uint_ge(hook->args.n, 1);
		ck_assert_str_eq(hook->env.v[0], envs[i]);
		ck_assert(hook->timeout.set);
		if (i < 5)
			ck_assert_int_eq(hook->timeout.v, (int64_t)i + 1);
	}
	ck_assert_int_eq(h->poststop.v[0].timeout.v, INT64_MAX);
	ck_assert_str_eq(h->prestart.v[0].args.v[1], "one");
	ck_assert_uint_eq(h->create_runtime.n, 2);
	ck_assert(!h->create_runtime.v[1].timeout.set);
	ck_assert_uint_eq(h->create_runtime.v[1].args.n, 0);

	ck_assert_uint_eq(cfg->annotations.n, 2);
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "org.opencontainers.image.os"), "linux");
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "com.example.empty"), "");
	ck_assert_ptr_null(husk_map_get(&cfg->annotations, "com.example.absent"));
}
END_TEST

START_TEST(full_linux)
{
	cleanup_config struct husk_config *cfg = parse_fixture("husk-good/full-linux.json");
	const struct husk_linux *l = cfg->linux_cfg;
	const int ns[] = { CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUTS,
			   CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME };
	ck_assert_uint_eq(l->namespaces.n, ARRAY_SIZE(ns));
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		ck_assert_int_eq(l->namespaces.v[i].type, ns[i]);
	ck_assert_str_eq(l->namespaces.v[1].path, "/var/run/netns/husk");
	ck_assert_ptr_null(l->namespaces.v[0].path);
	ck_assert_ptr_eq(husk_config_namespace(cfg, CLONE_NEWNET), &l->namespaces.v[1]);

	ck_assert_uint_eq(l->uid_mappings.n, 2);
	ck_assert_uint_eq(l->uid_mappings.v[1].container_id, 1);
	ck_assert_uint_eq(l->uid_mappings.v[1].host_id, 100000);
	ck_assert_uint_eq(l->uid_mappings.v[1].size, 65536);
	ck_assert_uint_eq(l->gid_mappings.n, 1);
	ck_assert_uint_eq(l->gid_mappings.v[0].host_id, 1000);

	ck_assert_int_eq(l->time_offsets->boottime->secs, INT64_MIN);
	ck_assert_uint_eq(l->time_offsets->boottime->nanosecs, 999999999);
	ck_assert_int_eq(l->time_offsets->monotonic->secs, 172800);

	ck_assert_uint_eq(l->devices.n, 4);
	ck_assert_int_eq(l->devices.v[0].type, 'c');
	ck_assert_str_eq(l->devices.v[0].path, "/dev/fuse");
	ck_assert_int_eq(l->devices.v[0].major.v, 10);
	ck_assert_int_eq(l->devices.v[0].minor.v, 229);
	ck_assert_uint_eq(l->devices.v[0].file_mode.v, 0666);
	ck_assert(l->devices.v[0].uid.set);
	ck_assert_uint_eq(l->devices.v[0].uid.v, 0);
	ck_assert_int_eq(l->devices.v[1].type, 'b');
	ck_assert(!l->devices.v[1].uid.set);
	ck_assert_int_eq(l->devices.v[2].type, 'u');
	ck_assert_int_eq(l->devices.v[3].type, 'p');
	ck_assert(!l->devices.v[3].major.set);
	ck_assert_uint_eq(l->devices.v[3].uid.v, UINT32_MAX);
	ck_assert_uint_eq(l->devices.v[3].gid.v, 7);

	ck_assert_str_eq(l->cgroups_path, "/husk/full");

	const struct husk_intel_rdt *rdt = l->intel_rdt;
	ck_assert_str_eq(rdt->clos_id, "husk-guaranteed");
	ck_assert_uint_eq(rdt->schemata.n, 2);
	ck_assert_str_eq(rdt->schemata.v[1], "MB:0=20");
	ck_assert_str_eq(rdt->l3_cache_schema, "L3:0=7f0;1=1f");
	ck_assert_str_eq(rdt->mem_bw_schema, "MB:0=20;1=70");
	ck_assert(rdt->enable_monitoring);

	ck_assert_uint_eq(l->sysctl.n, 2);
	ck_assert_str_eq(husk_map_get(&l->sysctl, "net.ipv4.ip_forward"), "1");

	/* The last of two rootfsPropagation keys wins. */
	ck_assert_int_eq(l->rootfs_propagation, HUSK_PROPAGATION_UNBINDABLE);
	ck_assert_uint_eq(l->masked_paths.n, 3);
	ck_assert_str_eq(l->masked_paths.v[2], "/sys/firmware");
	ck_assert_uint_eq(l->readonly_paths.n, 2);
	ck_assert_str_eq(l->readonly_paths.v[1], "/proc/sys");
	ck_assert_str_eq(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2");
	ck_assert_int_eq(l->personality->domain, PER_LINUX32);
	ck_assert_uint_eq(l->personality->flags.n, 1);
	ck_assert_str_eq(l->personality->flags.v[0], "ADDR_NO_RANDOMIZE");

	ck_assert_uint_eq(l->net_devices.n, 2);
	ck_assert_str_eq(l->net_devices.v[0].host_name, "eth1");
	ck_assert_str_eq(l->net_devices.v[0].name, "net1");
	ck_assert_str_eq(l->net_devices.v[1].host_name, "ens4");
	ck_assert_ptr_null(l->net_devices.v[1].name);

	ck_assert_int_eq(l->memory_policy->mode, MPOL_BIND_VALUE);
	ck_assert_str_eq(l->memory_policy->nodes, "0-1,3");
	ck_assert_uint_eq(l->memory_policy->flags, MPOL_F_STATIC_NODES_V | MPOL_F_NUMA_BALANCING_V);
}
END_TEST

START_TEST(full_resources)
{
	cleanup_config struct husk_config *cfg = parse_fixture("husk-good/full-linux.json");
	const struct husk_resources *r = cfg->linux_cfg->resources;

	ck_assert_uint_eq(r->devices.n, 3);
	ck_assert(!r->devices.v[0].allow);
	ck_assert_int_eq(r->devices.v[0].type, 'a');
	ck_assert(!r->devices.v[0].major.set);
	ck_assert_str_eq(r->devices.v[0].access, "rwm");
	ck_assert(r->devices.v[1].allow);
	ck_assert_int_eq(r->devices.v[1].type, 'c');
	ck_assert_int_eq(r->devices.v[1].major.v, 10);
	ck_assert_int_eq(r->devices.v[1].minor.v, 229);
	ck_assert_int_eq(r->devices.v[2].type, 'b');
	ck_assert_int_eq(r->devices.v[2].major.v, -1);

	const struct husk_memory *mem = r->memory;
	ck_assert_int_eq(mem->limit.v, 536870912);
	ck_assert_int_eq(mem->reservation.v, 268435456);
	ck_assert(mem->swap.set);
	ck_assert_int_eq(mem->swap.v, -1);
	ck_assert_int_eq(mem->kernel.v, -1);
	ck_assert_int_eq(mem->kernel_tcp.v, INT64_MAX);
	ck_assert_uint_eq(mem->swappiness.v, 60);
	ck_assert(mem->disable_oom_killer.set && mem->disable_oom_killer.v);
	ck_assert(mem->use_hierarchy.set && !mem->use_hierarchy.v);
	ck_assert(mem->check_before_update.set && mem->check_before_update.v);

	const struct husk_cpu *cpu = r->cpu;
	ck_assert_uint_eq(cpu->shares.v, UINT64_MAX);
	ck_assert_int_eq(cpu->quota.v, -1);
	ck_assert_uint_eq(cpu->burst.v, UINT64_MAX);
	ck_assert_uint_eq(cpu->period.v, UINT64_MAX);
	ck_assert_int_eq(cpu->realtime_runtime.v, INT64_MIN);
	ck_assert_uint_eq(cpu->realtime_period.v, 1000000);
	ck_assert_str_eq(cpu->cpus, "0-3");
	ck_assert_str_eq(cpu->mems, "0");
	ck_assert(cpu->idle.set);
	ck_assert_int_eq(cpu->idle.v, 1);

	ck_assert_int_eq(r->pids->limit, -1);

	const struct husk_block_io *bio = r->block_io;
	ck_assert_uint_eq(bio->weight.v, 65535);
	ck_assert_uint_eq(bio->leaf_weight.v, 10);
	ck_assert_uint_eq(bio->weight_device.n, 2);
	ck_assert_int_eq(bio->weight_device.v[0].major, 8);
	ck_assert_uint_eq(bio->weight_device.v[0].weight.v, 500);
	ck_assert_uint_eq(bio->weight_device.v[0].leaf_weight.v, 300);
	ck_assert_int_eq(bio->weight_device.v[1].minor, 16);
	ck_assert(!bio->weight_device.v[1].weight.set);
	ck_assert(bio->weight_device.v[1].leaf_weight.set);
	ck_assert_uint_eq(bio->weight_device.v[1].leaf_weight.v, 0);
	const husk_throttlev *thr[] = { &bio->throttle_read_bps_device, &bio->throttle_write_bps_device,
					&bio->throttle_read_iops_device, &bio->throttle_write_iops_device };
	for (size_t i = 0; i < ARRAY_SIZE(thr); i++) {
		ck_assert_uint_eq(thr[i]->n, 1);
		ck_assert_int_eq(thr[i]->v[0].major, 8);
		ck_assert_int_eq(thr[i]->v[0].minor, (int64_t)i);
		ck_assert_uint_eq(thr[i]->v[0].rate, i == 0 ? UINT64_MAX : i + 1);
	}

	ck_assert_uint_eq(r->hugepage_limits.n, 3);
	ck_assert_str_eq(r->hugepage_limits.v[0].page_size, "2MB");
	ck_assert_uint_eq(r->hugepage_limits.v[0].limit, UINT64_MAX);
	ck_assert_str_eq(r->hugepage_limits.v[1].page_size, "1GB");
	ck_assert_str_eq(r->hugepage_limits.v[2].page_size, "64KB");

	ck_assert_uint_eq(r->network->class_id.v, 1048577);
	ck_assert_uint_eq(r->network->priorities.n, 2);
	ck_assert_str_eq(r->network->priorities.v[1].name, "eth1");
	ck_assert_uint_eq(r->network->priorities.v[1].priority, UINT32_MAX);

	ck_assert_uint_eq(r->rdma.n, 2);
	ck_assert_str_eq(r->rdma.v[0].device, "mlx5_1");
	ck_assert_uint_eq(r->rdma.v[0].hca_handles.v, 3);

	ck_assert_uint_eq(r->unified.n, 2);
	ck_assert_str_eq(husk_map_get(&r->unified, "io.weight"), "default 100");
}
END_TEST

START_TEST(full_seccomp)
{
	cleanup_config struct husk_config *cfg = parse_fixture("husk-good/full-linux.json");
	const struct husk_seccomp *s = cfg->linux_cfg->seccomp;
	ck_assert_int_eq(s->default_action, HUSK_SCMP_ACT_ERRNO);
	ck_assert(s->default_errno_ret.set);
	ck_assert_uint_eq(s->default_errno_ret.v, 1);
	ck_assert_uint_eq(s->architectures.n, 4);
	ck_assert_str_eq(husk_name_of(husk_seccomp_arch_names, s->architectures.v[0]), "SCMP_ARCH_X86_64");
	ck_assert_str_eq(husk_name_of(husk_seccomp_arch_names, s->architectures.v[3]), "SCMP_ARCH_RISCV64");
	ck_assert_uint_eq(s->flags, HUSK_SECCOMP_FLAG_LOG | HUSK_SECCOMP_FLAG_SPEC_ALLOW |
				    HUSK_SECCOMP_FLAG_WAIT_KILLABLE_RECV);
	ck_assert_str_eq(s->listener_path, "/run/husk/seccomp.sock");
	ck_assert_str_eq(s->listener_metadata, "agent=husk-test");

	ck_assert_uint_eq(s->syscalls.n, 7);
	ck_assert_uint_eq(s->syscalls.v[0].names.n, 3);
	ck_assert_str_eq(s->syscalls.v[0].names.v[2], "exit_group");
	ck_assert_int_eq(s->syscalls.v[0].action, HUSK_SCMP_ACT_ALLOW);
	ck_assert(!s->syscalls.v[0].errno_ret.set);

	const struct husk_syscall *pers = &s->syscalls.v[1];
	const int ops[] = { HUSK_SCMP_CMP_EQ, HUSK_SCMP_CMP_NE, HUSK_SCMP_CMP_LT, HUSK_SCMP_CMP_LE,
			    HUSK_SCMP_CMP_GE, HUSK_SCMP_CMP_GT, HUSK_SCMP_CMP_MASKED_EQ };
	const uint64_t values[] = { 0, 8, 131072, 131073, UINT32_MAX, UINT64_MAX, UINT64_MAX };
	ck_assert_uint_eq(pers->args.n, ARRAY_SIZE(ops));
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		ck_assert_int_eq(pers->args.v[i].op, ops[i]);
		ck_assert_uint_eq(pers->args.v[i].value, values[i]);
		ck_assert_uint_eq(pers->args.v[i].index, i % 6);
	}
	ck_assert_uint_eq(pers->args.v[0].value_two, 0);
	ck_assert_uint_eq(pers->args.v[6].value_two, UINT64_MAX);

	ck_assert_int_eq(s->syscalls.v[2].action, HUSK_SCMP_ACT_ERRNO);
	ck_assert_uint_eq(s->syscalls.v[2].errno_ret.v, 38);
	ck_assert_int_eq(s->syscalls.v[3].action, HUSK_SCMP_ACT_TRACE);
	ck_assert_uint_eq(s->syscalls.v[3].errno_ret.v, UINT32_MAX);
	ck_assert_int_eq(s->syscalls.v[4].action, HUSK_SCMP_ACT_NOTIFY);
	ck_assert_int_eq(s->syscalls.v[5].action, HUSK_SCMP_ACT_KILL_PROCESS);
	ck_assert_int_eq(s->syscalls.v[6].action, HUSK_SCMP_ACT_LOG);
}
END_TEST

START_TEST(full_no_warnings)
{
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	size_t len;
	cleanup_free char *text = read_fixture("husk-good/full-linux.json", &len);
	/* parse_warnings() reads single quotes as double ones; the fixture
	 * has none, so it goes through unchanged. */
	for (char *c = text; *c; c++)
		ck_assert_int_ne(*c, '\'');
	cleanup_free char *warnings = parse_warnings(text, &cfg, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(warnings, "");
	husk_config_free(&cfg);
}
END_TEST

START_TEST(minimal_defaults)
{
	cleanup_config struct husk_config *cfg = parse(TOP("'process':{'cwd':'/','args':['true']}"));
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_ptr_null(cfg->hooks);
	ck_assert_ptr_null(cfg->linux_cfg);
	ck_assert_uint_eq(cfg->mounts.n, 0);
	ck_assert_uint_eq(cfg->annotations.n, 0);
	ck_assert(!cfg->root->readonly);
	const struct husk_process *p = cfg->process;
	ck_assert(!p->terminal);
	ck_assert_ptr_null(p->console_size);
	ck_assert_ptr_null(p->capabilities);
	ck_assert_uint_eq(p->user.uid, 0);
	ck_assert(!p->user.umask.set);
	ck_assert(!p->oom_score_adj.set);
	ck_assert_ptr_null(p->scheduler);
	ck_assert_ptr_null(husk_config_namespace(cfg, CLONE_NEWPID));

	cleanup_config struct husk_config *l = parse(LINUX("'resources':{'memory':{}}"));
	ck_assert(!l->linux_cfg->resources->memory->limit.set);
	ck_assert(!l->linux_cfg->resources->memory->disable_oom_killer.set);
	ck_assert_int_eq(l->linux_cfg->rootfs_propagation, 0);
	ck_assert_ptr_null(l->linux_cfg->seccomp);
}
END_TEST

/* ---- ociVersion ---------------------------------------------------------- */

START_TEST(oci_version_accepted)
{
	const char *ok[] = { "1.0.0", "1.2.1", "1.1.0-rc.1", "1.3.0+dev", "1.0.2-dev", "0.5.0-dev",
			     "1.0.0-rc2-dev", "1.10.100", "1.0.0-alpha+build.5" };
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		cleanup_free char *json = NULL;
		ck_assert_int_ge(asprintf(&json, "{'ociVersion':'%s','root':{'path':'r'}}", ok[i]), 0);
		cleanup_config struct husk_config *cfg = parse(json);
		ck_assert_str_eq(cfg->oci_version, ok[i]);
	}
}
END_TEST

START_TEST(oci_version_rejected)
{
	expect_error("{'ociVersion':'2.0.0','root':{'path':'r'}}",
		     "config.json: ociVersion: unsupported version '2.0.0': husk supports 1.x (up to 1.3.0)");
	const char *bad[] = { "1", "abc", "1.0", "01.0.0", "1.01.0", "1.0.0-", "1.0.0+", "v1.0.0", "1.0.0 ",
			      "", "1..0", "1.0.0.0", "-1.0.0" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free char *json = NULL, *msg = NULL;
		ck_assert_int_ge(asprintf(&json, "{'ociVersion':'%s','root':{'path':'r'}}", bad[i]), 0);
		ck_assert_int_ge(asprintf(&msg, "config.json: ociVersion: expected a SemVer version such as "
					  "'1.3.0', got '%s'", bad[i]), 0);
		expect_error(json, msg);
	}
	expect_error("{'ociVersion':5,'root':{'path':'r'}}", "config.json: ociVersion: expected a string, got 5");
	expect_error("{'ociVersion':['1.0.0'],'root':{'path':'r'}}",
		     "config.json: ociVersion: expected a string, got an array");
	expect_error("{'root':{'path':'r'}}", "config.json: ociVersion: required but missing");
	expect_error("{'ociVersion':null,'root':{'path':'r'}}", "config.json: ociVersion: required but missing");
}
END_TEST

/* ---- numbers --------------------------------------------------------------- */

START_TEST(uint64_full_range)
{
	cleanup_config struct husk_config *cfg = parse(
		TOP("'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_NOFILE',"
		    "'soft':18446744073709551615,'hard':18446744073709551615}]},"
		    "'linux':{'resources':{'cpu':{'shares':18446744073709551615,'period':18446744073709551615,"
		    "'burst':18446744073709551615,'quota':9223372036854775807},"
		    "'hugepageLimits':[{'pageSize':'2MB','limit':18446744073709551615}]},"
		    "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
		    "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':18446744073709551615,"
		    "'valueTwo':18446744073709551614,'op':'SCMP_CMP_MASKED_EQ'}]}]}}"));
	ck_assert_uint_eq(cfg->process->rlimits.v[0].soft, UINT64_MAX);
	ck_assert_uint_eq(cfg->process->rlimits.v[0].hard, UINT64_MAX);
	const struct husk_cpu *cpu = cfg->linux_cfg->resources->cpu;
	ck_assert_uint_eq(cpu->shares.v, UINT64_MAX);
	ck_assert_uint_eq(cpu->period.v, UINT64_MAX);
	ck_assert_uint_eq(cpu->burst.v, UINT64_MAX);
	ck_assert_int_eq(cpu->quota.v, INT64_MAX);
	ck_assert_uint_eq(cfg->linux_cfg->resources->hugepage_limits.v[0].limit, UINT64_MAX);
	const struct husk_seccomp_arg *arg = &cfg->linux_cfg->seccomp->syscalls.v[0].args.v[0];
	ck_assert_uint_eq(arg->value, UINT64_MAX);
	ck_assert_uint_eq(arg->value_two, UINT64_MAX - 1);
	/* Just above 2^63, where a double or an int64 would go wrong. */
	cleanup_config struct husk_config *mid = parse(RES("'cpu':{'shares':9223372036854775809}"));
	ck_assert_uint_eq(mid->linux_cfg->resources->cpu->shares.v, UINT64_C(9223372036854775809));
}
END_TEST

START_TEST(uint64_out_of_range)
{
	expect_error(RES("'cpu':{'shares':18446744073709551616}"),
		     "config.json: linux.resources.cpu.shares: 18446744073709551616 is out of range for an "
		     "unsigned 64-bit integer");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':99999999999999999999}]"),
		     "config.json: process.rlimits[0].hard: 99999999999999999999 is out of range for an "
		     "unsigned 64-bit integer");
	expect_error(RES("'hugepageLimits':[{'pageSize':'2MB','limit':18446744073709551616}]"),
		     "config.json: linux.resources.hugepageLimits[0].limit: 18446744073709551616 is out of "
		     "range for an unsigned 64-bit integer");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
			     "'action':'SCMP_ACT_KILL','args':[{'index':0,'value':1,"
			     "'valueTwo':18446744073709551616,'op':'SCMP_CMP_EQ'}]}]"),
		     "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: 18446744073709551616 is out "
		     "of range for an unsigned 64-bit integer");
	/* A number of 100 digits: rejected, and the message stays short. */
	char digits[101];
	memset(digits, '9', 100);
	digits[100] = '\0';
	cleanup_free char *json = NULL;
	ck_assert_int_ge(asprintf(&json, RES("'cpu':{'period':%s}"), digits), 0);
	expect_error(json, "config.json: linux.resources.cpu.period: "
		     "9999999999999999999999999999999999999999999999999999999999999999... is out of range "
		     "for an unsigned 64-bit integer");
}
END_TEST

START_TEST(negative_unsigned)
{
	expect_error(RES("'cpu':{'shares':-1}"),
		     "config.json: linux.resources.cpu.shares: expected a non-negative integer, got -1");
	expect_error(PROC("'user':{'uid':-1}"),
		     "config.json: process.user.uid: expected a non-negative integer, got -1");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':-18446744073709551615,'hard':1}]"),
		     "config.json: process.rlimits[0].soft: expected a non-negative integer, got "
		     "-18446744073709551615");
	expect_error(RES("'blockIO':{'weight':-10}"),
		     "config.json: linux.resources.blockIO.weight: expected a non-negative integer, got -10");
	expect_error(LINUX("'devices':[{'type':'p','path':'/dev/p','fileMode':-1}]"),
		     "config.json: linux.devices[0].fileMode: expected a non-negative integer, got -1");
	/* -0 is zero to a signed field. */
	cleanup_config struct husk_config *cfg = parse(RES("'memory':{'limit':-0}"));
	ck_assert_int_eq(cfg->linux_cfg->resources->memory->limit.v, 0);
}
END_TEST

START_TEST(int64_bounds)
{
	cleanup_config struct husk_config *cfg = parse(
		RES("'memory':{'limit':9223372036854775807,'swap':-9223372036854775808},"
		    "'pids':{'limit':-9223372036854775808}"));
	ck_assert_int_eq(cfg->linux_cfg->resources->memory->limit.v, INT64_MAX);
	ck_assert_int_eq(cfg->linux_cfg->resources->memory->swap.v, INT64_MIN);
	ck_assert_int_eq(cfg->linux_cfg->resources->pids->limit, INT64_MIN);
	expect_error(RES("'memory':{'limit':9223372036854775808}"),
		     "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range for a "
		     "64-bit integer");
	expect_error(RES("'memory':{'limit':-9223372036854775809}"),
		     "config.json: linux.resources.memory.limit: -9223372036854775809 is out of range for a "
		     "64-bit integer");
	expect_error(TOP("'hooks':{'poststop':[{'path':'/x','timeout':9223372036854775808}]}"),
		     "config.json: hooks.poststop[0].timeout: 9223372036854775808 is out of range for a "
		     "64-bit integer");
}
END_TEST

START_TEST(small_int_bounds)
{
	/* int32 */
	cleanup_config struct husk_config *cfg = parse(
		PROC("'scheduler':{'policy':'SCHED_FIFO','priority':2147483647}"));
	ck_assert_int_eq(cfg->process->scheduler->priority.v, INT32_MAX);
	expect_error(PROC("'oomScoreAdj':2147483648"),
		     "config.json: process.oomScoreAdj: 2147483648 is out of range for a 32-bit integer");
	expect_error(PROC("'scheduler':{'policy':'SCHED_OTHER','nice':-2147483649}"),
		     "config.json: process.scheduler.nice: -2147483649 is out of range for a 32-bit integer");
	/* uint32 */
	cleanup_config struct husk_config *u = parse(PROC("'user':{'uid':4294967295,'gid':4294967295}"));
	ck_assert_uint_eq(u->process->user.uid, UINT32_MAX);
	ck_assert_uint_eq(u->process->user.gid, UINT32_MAX);
	expect_error(PROC("'user':{'uid':4294967296}"),
		     "config.json: process.user.uid: 4294967296 is out of range for an unsigned 32-bit integer");
	expect_error(PROC("'user':{'additionalGids':[1,4294967296]}"),
		     "config.json: process.user.additionalGids[1]: 4294967296 is out of range for an unsigned "
		     "32-bit integer");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':4294967296,"
			   "'size':1}],'gidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
		     "config.json: linux.uidMappings[0].hostID: 4294967296 is out of range for an unsigned "
		     "32-bit integer");
	/* uint16 */
	cleanup_config struct husk_config *w = parse(RES("'blockIO':{'weight':65535,'leafWeight':0}"));
	ck_assert_uint_eq(w->linux_cfg->resources->block_io->weight.v, 65535);
	ck_assert(w->linux_cfg->resources->block_io->leaf_weight.set);
	expect_error(RES("'blockIO':{'weight':65536}"),
		     "config.json: linux.resources.blockIO.weight: 65536 is out of range for an unsigned "
		     "16-bit integer");
	expect_error(RES("'blockIO':{'weightDevice':[{'major':8,'minor':0,'leafWeight':70000}]}"),
		     "config.json: linux.resources.blockIO.weightDevice[0].leafWeight: 70000 is out of range "
		     "for an unsigned 16-bit integer");
}
END_TEST

START_TEST(non_integers)
{
	expect_error(RES("'memory':{'limit':1.5}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got 1.5");
	expect_error(RES("'memory':{'limit':1e3}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got 1e3");
	expect_error(RES("'memory':{'limit':1.0}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got 1.0");
	expect_error(RES("'memory':{'limit':'12'}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got '12'");
	expect_error(RES("'memory':{'limit':true}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got true");
	expect_error(RES("'memory':{'limit':{}}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got an object");
	expect_error(PROC("'user':{'uid':[0]}"),
		     "config.json: process.user.uid: expected an integer, got an array");
	expect_error(PROC("'consoleSize':{'height':-1.5e2,'width':80}"),
		     "config.json: process.consoleSize.height: expected an integer, got -1.5e2");
}
END_TEST

START_TEST(null_is_absent)
{
	cleanup_config struct husk_config *cfg = parse(
		TOP("'hostname':null,'hooks':null,'process':{'cwd':'/','args':['sh'],'oomScoreAdj':null,"
		    "'user':{'uid':null,'umask':null},'capabilities':null,'terminal':null},"
		    "'linux':{'resources':{'memory':{'limit':null,'swap':5}},'seccomp':null,'namespaces':null}"));
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_ptr_null(cfg->hooks);
	ck_assert(!cfg->process->oom_score_adj.set);
	ck_assert(!cfg->process->user.umask.set);
	ck_assert_ptr_null(cfg->process->capabilities);
	ck_assert(!cfg->linux_cfg->resources->memory->limit.set);
	ck_assert(cfg->linux_cfg->resources->memory->swap.set);
	ck_assert_ptr_null(cfg->linux_cfg->seccomp);
	/* A required field given as null is missing. */
	expect_error(TOP("'process':{'cwd':null,'args':['sh']}"), "config.json: process.cwd: required but missing");
	expect_error("{'ociVersion':'1.0.0','root':null}", "config.json: root: required on Linux but missing");
}
END_TEST

/* ---- types ------------------------------------------------------------------ */

START_TEST(top_level_not_object)
{
	expect_error("[]", "config.json: (top level): expected an object, got an array");
	expect_error("'1.0.0'", "config.json: (top level): expected an object, got '1.0.0'");
	expect_error("5", "config.json: (top level): expected an object, got 5");
	expect_error("true", "config.json: (top level): expected an object, got true");
	expect_error("null", "config.json: (top level): expected an object, got null");
	expect_error_n("{}", "config.json: ociVersion: required but missing", 1);
}
END_TEST

START_TEST(wrong_types)
{
	expect_error(TOP("'process':[]"), "config.json: process: expected an object, got an array");
	expect_error(TOP("'linux':'x'"), "config.json: linux: expected an object, got 'x'");
	expect_error(TOP("'mounts':{}"), "config.json: mounts: expected an array, got an object");
	expect_error(TOP("'mounts':['/proc']"), "config.json: mounts[0]: expected an object, got '/proc'");
	expect_error(TOP("'mounts':[{'destination':'/x','options':'ro'}]"),
		     "config.json: mounts[0].options: expected an array, got 'ro'");
	expect_error(TOP("'hostname':7"), "config.json: hostname: expected a string, got 7");
	expect_error(TOP("'annotations':[]"), "config.json: annotations: expected an object of strings, got an array");
	expect_error(TOP("'hooks':{'prestart':{'path':'/x'}}"),
		     "config.json: hooks.prestart: expected an array, got an object");
	expect_error(TOP("'hooks':{'poststop':['/x']}"), "config.json: hooks.poststop[0]: expected an object, got '/x'");
	expect_error(TOP("'hooks':{'poststop':[{'path':'/x','env':[1]}]}"),
		     "config.json: hooks.poststop[0].env[0]: expected a string, got 1");
	expect_error(TOP("'root':{'path':1}"), "config.json: root.path: expected a string, got 1");
	expect_error(TOP("'root':{'path':'r','readonly':'yes'}"),
		     "config.json: root.readonly: expected true or false, got 'yes'");
	expect_error(PROC("'args':['sh',5]"), "config.json: process.args[1]: expected a string, got 5");
	expect_error(PROC("'env':{'A':'1'}"), "config.json: process.env: expected an array, got an object");
	expect_error(PROC("'terminal':1"), "config.json: process.terminal: expected true or false, got 1");
	expect_error(PROC("'user':[]"), "config.json: process.user: expected an object, got an array");
	expect_error(PROC("'capabilities':{'bounding':'CAP_KILL'}"),
		     "config.json: process.capabilities.bounding: expected an array of capability names, got "
		     "'CAP_KILL'");
	expect_error(PROC("'capabilities':{'ambient':[21]}"),
		     "config.json: process.capabilities.ambient[0]: expected a string, got 21");
	expect_error(PROC("'rlimits':{'type':'RLIMIT_CORE'}"),
		     "config.json: process.rlimits: expected an array, got an object");
	expect_error(PROC("'scheduler':{'policy':'SCHED_OTHER','flags':'SCHED_FLAG_RECLAIM'}"),
		     "config.json: process.scheduler.flags: expected an array of strings, got 'SCHED_FLAG_RECLAIM'");
	expect_error(PROC("'scheduler':{'policy':'SCHED_OTHER','flags':[2]}"),
		     "config.json: process.scheduler.flags[0]: expected a string, got 2");
	expect_error(LINUX("'namespaces':['pid']"), "config.json: linux.namespaces[0]: expected an object, got 'pid'");
	expect_error(LINUX("'namespaces':[{'type':1}]"), "config.json: linux.namespaces[0].type: expected a string, got 1");
	expect_error(LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
		     "config.json: linux.sysctl['net.ipv4.ip_forward']: expected a string, got 1");
	expect_error(TOP("'annotations':{'a':true}"), "config.json: annotations.a: expected a string, got true");
	expect_error(TOP("'annotations':{'a':null}"), "config.json: annotations.a: expected a string, got null");
	expect_error(RES("'unified':{'memory.max':{}}"),
		     "config.json: linux.resources.unified['memory.max']: expected a string, got an object");
	expect_error(RES("'rdma':[]"), "config.json: linux.resources.rdma: expected an object, got an array");
	expect_error(RES("'rdma':{'mlx5_1':3}"), "config.json: linux.resources.rdma.mlx5_1: expected an object, got 3");
	expect_error(LINUX("'netDevices':{'eth0':'net0'}"),
		     "config.json: linux.netDevices.eth0: expected an object, got 'net0'");
	expect_error(LINUX("'rootfsPropagation':5"), "config.json: linux.rootfsPropagation: expected a string, got 5");
	expect_error(LINUX("'rootfsPropagation':'rslave'"),
		     "config.json: linux.rootfsPropagation: expected one of 'private', 'shared', 'slave', "
		     "'unbindable', got 'rslave'");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':{}"),
		     "config.json: linux.seccomp.syscalls: expected an array, got an object");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','architectures':['x86_64']"),
		     "config.json: linux.seccomp.architectures[0]: expected one of 'SCMP_ARCH_X86', "
		     "'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', "
		     "'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', "
		     "'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', "
		     "'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', "
		     "'SCMP_ARCH_S390X', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB', 'SCMP_ARCH_PARISC', "
		     "'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', got 'x86_64'");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_NEW_LISTENER']"),
		     "config.json: linux.seccomp.flags[0]: expected one of 'SECCOMP_FILTER_FLAG_TSYNC', "
		     "'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', "
		     "'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', got 'SECCOMP_FILTER_FLAG_NEW_LISTENER'");
	expect_error(LINUX("'personality':{'domain':'LINUX64'}"),
		     "config.json: linux.personality.domain: expected one of 'LINUX', 'LINUX32', got 'LINUX64'");
	expect_error(LINUX("'memoryPolicy':{'mode':'MPOL_BIND','flags':['MPOL_F_FOO']}"),
		     "config.json: linux.memoryPolicy.flags[0]: expected one of 'MPOL_F_NUMA_BALANCING', "
		     "'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES', got 'MPOL_F_FOO'");
	expect_error(LINUX("'timeOffsets':{'boottime':[]}"),
		     "config.json: linux.timeOffsets.boottime: expected an object, got an array");
	expect_error(LINUX("'intelRdt':{'schemata':'L3:0=f'}"),
		     "config.json: linux.intelRdt.schemata: expected an array, got 'L3:0=f'");
}
END_TEST

/* A container of the wrong type is one problem, not two: the rules that
 * would find it empty do not run. */
START_TEST(wrong_type_reported_once)
{
	expect_error(PROC("'args':'sh -c true'"), "config.json: process.args: expected an array, got 'sh -c true'");
	expect_error(TOP("'root':'rootfs'"), "config.json: root: expected an object, got 'rootfs'");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':{},'gidMappings':[]"),
		     "config.json: linux.uidMappings: expected an array, got an object");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':'read','action':'SCMP_ACT_LOG'}]"),
		     "config.json: linux.seccomp.syscalls[0].names: expected an array, got 'read'");
	/* An entry that is not a string is skipped by the rules. */
	expect_error(LINUX("'maskedPaths':['/proc/kcore',7]"), "config.json: linux.maskedPaths[1]: expected a string, got 7");
	expect_error(LINUX("'readonlyPaths':[null]"), "config.json: linux.readonlyPaths[0]: expected a string, got null");
	/* An rlimit with a bad limit is not also compared. */
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':10,'hard':'x'}]"),
		     "config.json: process.rlimits[0].hard: expected an integer, got 'x'");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':10}]"),
		     "config.json: process.rlimits[0].hard: required but missing");
}
END_TEST

START_TEST(required_fields)
{
	expect_error(TOP("'process':{'args':['sh']}"), "config.json: process.cwd: required but missing");
	expect_error(TOP("'mounts':[{'source':'x'}]"), "config.json: mounts[0].destination: required but missing");
	expect_error(TOP("'hooks':{'prestart':[{'args':['x']}]}"),
		     "config.json: hooks.prestart[0].path: required but missing");
	expect_error("{'ociVersion':'1.0.0','root':{}}", "config.json: root.path: required but missing");
	expect_error(LINUX("'namespaces':[{'path':'/proc/1/ns/net'}]"),
		     "config.json: linux.namespaces[0].type: required but missing");
	expect_error(LINUX("'devices':[{'path':'/dev/null'}]"), "config.json: linux.devices[0].type: required but missing");
	expect_error(RES("'pids':{}"), "config.json: linux.resources.pids.limit: required but missing");
	expect_error(RES("'devices':[{'access':'r'}]"), "config.json: linux.resources.devices[0].allow: required but missing");
	expect_error(SECCOMP("'architectures':[]"), "config.json: linux.seccomp.defaultAction: required but missing");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read']}]"),
		     "config.json: linux.seccomp.syscalls[0].action: required but missing");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_LOG',"
			     "'args':[{'index':0,'value':1}]}]"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op: required but missing");
	expect_error(PROC("'ioPriority':{'priority':1}"), "config.json: process.ioPriority.class: required but missing");
	expect_error(PROC("'scheduler':{'nice':1}"), "config.json: process.scheduler.policy: required but missing");
	expect_error(PROC("'consoleSize':{'height':1}"), "config.json: process.consoleSize.width: required but missing");
	expect_error(LINUX("'memoryPolicy':{'nodes':'0'}"), "config.json: linux.memoryPolicy.mode: required but missing");
	expect_error(LINUX("'personality':{}"), "config.json: linux.personality.domain: required but missing");
	expect_error(RES("'network':{'priorities':[{'name':'eth0'}]}"),
		     "config.json: linux.resources.network.priorities[0].priority: required but missing");
	expect_error(RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
		     "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: required but missing");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0}],"
			   "'gidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
		     "config.json: linux.uidMappings[0].size: required but missing");
}
END_TEST

/* ---- JSON syntax ------------------------------------------------------------- */

START_TEST(truncated)
{
	size_t len;
	cleanup_free char *text = read_fixture("husk-good/full-linux.json", &len);
	const size_t cuts[] = { 1, 2, 15, 16, 100, 1000, len / 2, len - 3, len - 2 };
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		ck_assert_uint_lt(cuts[i], len);
		cleanup_error husk_err err = must_fail_len(text, cuts[i]);
		ck_assert_msg(strncmp(err->msg, "config.json: invalid JSON: ", 27) == 0, "cut at %zu: %s",
			      cuts[i], err->msg);
		ck_assert_uint_eq(husk_error_count(err), 1);
		ck_assert_ptr_null(strchr(err->msg, '\n'));
	}
}
END_TEST

START_TEST(not_json)
{
	const char *bad[] = { "", " ", " \n\t\r ", "garbage", "{", "{'ociVersion'", "{'ociVersion':}", "{,}",
			      "{'a':1,}", "[1,]", "{'a' 1}", "'unterminated", "{'a':01}", "{'a':.5}", "{'a':+1}",
			      "{'a':NaN}", "{'a':Infinity}", "{a:1}", "{'a':'\\x'}", "{'a':'\\u12'}", "\xef\xbb\xbf{}",
			      "{'a':'\x01'}", "{'a':'\xff'}" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free char *text = sq(bad[i]);
		cleanup_error husk_err err = must_fail_len(text, strlen(text));
		ck_assert_msg(strncmp(err->msg, "config.json: invalid JSON: ", 27) == 0, "%s: %s", bad[i], err->msg);
		ck_assert_uint_eq(husk_error_count(err), 1);
	}
}
END_TEST

START_TEST(trailing_garbage)
{
	const char *bad[] = { "{" BASE "} x", "{" BASE "}{}", "{" BASE "}]", "{" BASE "},", "{" BASE "}'x'" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error husk_err err = must_fail(bad[i]);
		ck_assert_msg(strncmp(err->msg, "config.json: invalid JSON: ", 27) == 0, "%s: %s", bad[i], err->msg);
	}
	/* Trailing whitespace is fine. */
	cleanup_config struct husk_config *cfg = parse("{" BASE "} \n\t\r\n");
	ck_assert_ptr_nonnull(cfg);
}
END_TEST

START_TEST(comments_rejected)
{
	expect_error("{" BASE ", /* note */ 'hostname':'x'}", "config.json: invalid JSON: a comment at offset 48");
	expect_error("// config\n{" BASE "}", "config.json: invalid JSON: a comment at offset 0");
	/* A slash in a string is no comment. */
	cleanup_config struct husk_config *cfg = parse(TOP("'hostname':'/* x */ // y'"));
	ck_assert_str_eq(cfg->hostname, "/* x */ // y");
}
END_TEST

START_TEST(nul_bytes)
{
	const char doc[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"ro\0tfs\"}}";
	cleanup_error husk_err err = must_fail_len(doc, sizeof(doc) - 1);
	ck_assert_str_eq(err->msg, "config.json: NUL byte at offset 40");
	ck_assert_uint_eq(husk_error_count(err), 1);
	/* Outside a string too, and at the very end. */
	const char tail[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}\0";
	cleanup_error husk_err err2 = must_fail_len(tail, sizeof(tail) - 1);
	ck_assert_str_eq(err2->msg, "config.json: NUL byte at offset 42");

	expect_error(TOP("'hostname':'a\\u0000b'"), "config.json: a string contains \\u0000 at offset 60");
	expect_error(TOP("'annotations':{'k\\u0000':'v'}"), "config.json: a string contains \\u0000 at offset 64");
	/* An escaped backslash followed by u0000 is six plain characters... */
	cleanup_config struct husk_config *cfg = parse(TOP("'hostname':'a\\\\u0000b'"));
	ck_assert_str_eq(cfg->hostname, "a\\u0000b");
	/* ...but a third backslash makes it an escape again. */
	expect_error(TOP("'hostname':'a\\\\\\u0000'"), "config.json: a string contains \\u0000 at offset 62");
	/* Other escapes decode. */
	cleanup_config struct husk_config *esc = parse(TOP("'hostname':'\\u0041\\t\\'\\u00e9\\ud83d\\ude00'"));
	ck_assert_str_eq(esc->hostname, "A\t\"\xc3\xa9\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(long_strings)
{
	const size_t n = 1 << 20;
	cleanup_free char *json = repeat("{" BASE ",'hostname':'", "a", n, "'}");
	cleanup_config struct husk_config *cfg = parse(json);
	ck_assert_uint_eq(strlen(cfg->hostname), n);
	/* A long bad value is cut short in the message. */
	cleanup_free char *bad = repeat("{" BASE ",'process':{'cwd':'", "x", n, "','args':['sh']}}");
	cleanup_error husk_err err = must_fail(bad);
	ck_assert_uint_eq(husk_error_count(err), 1);
	ck_assert_uint_lt(strlen(err->msg), 200);
	ck_assert_str_eq(err->msg, "config.json: process.cwd: must be an absolute path, got "
		"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
	/* A long key is cut short in the path. */
	cleanup_free char *key = repeat("{" BASE ",'annotations':{'", "k", n, "':1}}");
	cleanup_error husk_err kerr = must_fail(key);
	ck_assert_uint_lt(strlen(kerr->msg), 1024);
	ck_assert_ptr_nonnull(strstr(kerr->msg, "...: expected a string, got 1"));
}
END_TEST

static char *nested(size_t depth)
{
	/* depth levels in all: the top object plus depth - 1 arrays under an
	 * unknown key. */
	cleanup_free char *open = repeat("{" BASE ",'x':", "[", depth - 1, "");
	cleanup_free char *close = repeat("", "]", depth - 1, "}");
	char *s = NULL;
	ck_assert_int_ge(asprintf(&s, "%s%s", open, close), 0);
	return s;
}

START_TEST(deep_nesting)
{
	cleanup_free char *ok = nested(HUSK_CONFIG_MAX_DEPTH);
	cleanup_config struct husk_config *cfg = parse(ok);
	ck_assert_ptr_nonnull(cfg);

	cleanup_free char *deep = nested(HUSK_CONFIG_MAX_DEPTH + 1);
	cleanup_free char *msg = NULL;
	ck_assert_int_ge(asprintf(&msg, "config.json: nested deeper than %d levels at offset %zu",
				  HUSK_CONFIG_MAX_DEPTH, strlen("{" BASE ",'x':") + HUSK_CONFIG_MAX_DEPTH - 1), 0);
	expect_error(deep, msg);

	/* 100000 levels, unbalanced and balanced, objects and arrays. */
	cleanup_free char *opens = repeat("", "[", 100000, "");
	expect_error_prefix(opens, "config.json: nested deeper than 64 levels at offset 64");
	cleanup_free char *objs = repeat("", "{'a':", 100000, "");
	expect_error_prefix(objs, "config.json: nested deeper than 64 levels at offset ");
	cleanup_free char *huge = nested(100000);
	expect_error_prefix(huge, "config.json: nested deeper than 64 levels at offset ");
	/* Brackets inside strings do not count. */
	cleanup_free char *quoted = repeat("{" BASE ",'hostname':'", "[{", 1000, "'}");
	cleanup_config struct husk_config *q = parse(quoted);
	ck_assert_uint_eq(strlen(q->hostname), 2000);
}
END_TEST

START_TEST(duplicate_keys)
{
	cleanup_config struct husk_config *cfg = parse(
		"{'ociVersion':'1.0.0','root':{'path':'a'},'root':{'path':'b'},'hostname':'first',"
		"'hostname':'second','annotations':{'k':'1','j':'x','k':'2','k':'3'},"
		"'process':{'cwd':'/','args':['a'],'args':['b','c'],'oomScoreAdj':1,'oomScoreAdj':2},"
		"'linux':{'netDevices':{'eth0':{'name':'a'},'eth1':{},'eth0':{'name':'b'}},"
		"'resources':{'rdma':{'m':{'hcaHandles':1},'m':{'hcaObjects':2}}},"
		"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_TSYNC'],"
		"'flags':['SECCOMP_FILTER_FLAG_LOG']},'sysctl':{'a.b':'1','a.b':'2'}}}");
	ck_assert_str_eq(cfg->root->path, "b");
	ck_assert_str_eq(cfg->hostname, "second");
	ck_assert_uint_eq(cfg->annotations.n, 2);
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "k"), "3");
	ck_assert_str_eq(husk_map_get(&cfg->annotations, "j"), "x");
	/* Document order of the survivors. */
	ck_assert_str_eq(cfg->annotations.v[0].key, "j");
	ck_assert_str_eq(cfg->annotations.v[1].key, "k");
	ck_assert_uint_eq(cfg->process->args.n, 2);
	ck_assert_str_eq(cfg->process->args.v[0], "b");
	ck_assert_int_eq(cfg->process->oom_score_adj.v, 2);
	const struct husk_linux *l = cfg->linux_cfg;
	ck_assert_uint_eq(l->net_devices.n, 2);
	ck_assert_str_eq(l->net_devices.v[0].host_name, "eth1");
	ck_assert_str_eq(l->net_devices.v[1].host_name, "eth0");
	ck_assert_str_eq(l->net_devices.v[1].name, "b");
	ck_assert_uint_eq(l->resources->rdma.n, 1);
	ck_assert(!l->resources->rdma.v[0].hca_handles.set);
	ck_assert_uint_eq(l->resources->rdma.v[0].hca_objects.v, 2);
	ck_assert_uint_eq(l->seccomp->flags, HUSK_SECCOMP_FLAG_LOG);
	ck_assert_uint_eq(l->sysctl.n, 1);
	ck_assert_str_eq(husk_map_get(&l->sysctl, "a.b"), "2");

	/* An empty array or object replaces a filled one. */
	cleanup_config struct husk_config *empty = parse(
		"{'ociVersion':'1.0.0','root':{'path':'r'},'annotations':{'a':'1'},'annotations':{},"
		"'process':{'cwd':'/','args':['sh'],'env':['A=1'],'env':[]},"
		"'linux':{'netDevices':{'eth0':{}},'netDevices':{},'maskedPaths':['/a'],'maskedPaths':[],"
		"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG'],'flags':[]}}}");
	ck_assert_uint_eq(empty->annotations.n, 0);
	ck_assert_uint_eq(empty->process->env.n, 0);
	ck_assert_uint_eq(empty->linux_cfg->net_devices.n, 0);
	ck_assert_uint_eq(empty->linux_cfg->masked_paths.n, 0);
	ck_assert_uint_eq(empty->linux_cfg->seccomp->flags, 0);
	/* And args given twice, the second time empty, is empty. */
	expect_error(PROC("'args':[]"), "config.json: process.args: must hold at least one entry, the program to run");
}
END_TEST

START_TEST(many_duplicate_keys)
{
	/* Many keys, each twice: fast, and the second value of each kept. */
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);
	fputs("{'ociVersion':'1.0.0','root':{'path':'r'},'linux':{'netDevices':{", f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%s'e%d':{'name':'a%d'},'e%d':{'name':'b%d'}", i ? "," : "", i % 10000, i, i % 10000, i);
	fputs("}}}", f);
	fclose(f);
	cleanup_free char *json = s;
	cleanup_config struct husk_config *cfg = parse(json);
	ck_assert_uint_eq(cfg->linux_cfg->net_devices.n, 10000);
	ck_assert_str_eq(cfg->linux_cfg->net_devices.v[0].host_name, "e0");
	ck_assert_str_eq(cfg->linux_cfg->net_devices.v[0].name, "b10000");
	ck_assert_str_eq(cfg->linux_cfg->net_devices.v[9999].name, "b19999");
}
END_TEST

START_TEST(big_config)
{
	/* About 10 MB: 20000 annotations of 500 bytes.  (Not more keys:
	 * yajl grows an object one slot at a time, which glibc's realloc
	 * absorbs but valgrind's does not.) */
	char value[481];
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);
	fputs("{'ociVersion':'1.0.0','root':{'path':'r'},'annotations':{", f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%s'org.example.%06d':'%06d%s'", i ? "," : "", i, i, value);
	fputs("}}", f);
	fclose(f);
	cleanup_free char *json = s;
	ck_assert_uint_gt(size, 10000000);
	cleanup_config struct husk_config *cfg = parse(json);
	ck_assert_uint_eq(cfg->annotations.n, 20000);
	const char *v = husk_map_get(&cfg->annotations, "org.example.012345");
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(strlen(v), 486);
	ck_assert_int_eq(strncmp(v, "012345vvv", 9), 0);
	ck_assert_str_eq(cfg->annotations.v[19999].key, "org.example.019999");
}
END_TEST

START_TEST(too_big)
{
	/* The loader refuses a file above the limit before parsing. */
	char dir[] = "/tmp/husk-unit-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	cleanup_free char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/config.json", dir), 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)HUSK_CONFIG_MAX_SIZE + 1), 0);
	close(fd);
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_config_load(dir, &quiet, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- rules ------------------------------------------------------------------- */

START_TEST(rules_process)
{
	expect_error(PROC("'cwd':'tmp'"), "config.json: process.cwd: must be an absolute path, got 'tmp'");
	expect_error(PROC("'args':[]"), "config.json: process.args: must hold at least one entry, the program to run");
	expect_error(TOP("'process':{'cwd':'/'}"),
		     "config.json: process.args: must hold at least one entry, the program to run");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':10,'hard':5}]"),
		     "config.json: process.rlimits[0]: soft limit 10 is above hard limit 5");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':5},"
			  "{'type':'RLIMIT_NOFILE','soft':1,'hard':5}]"),
		     "config.json: process.rlimits[1]: 'RLIMIT_NOFILE' is set more than once");
	expect_error_prefix(PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':5}]"),
			    "config.json: process.rlimits[0].type: expected one of 'RLIMIT_");
	{
		cleanup_error husk_err err = must_fail(PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':5}]"));
		ck_assert_ptr_nonnull(strstr(err->msg, "\"RLIMIT_NOFILE\""));
		ck_assert_ptr_nonnull(strstr(err->msg, "got \"RLIMIT_FOO\""));
	}
	expect_error(PROC("'oomScoreAdj':1001"), "config.json: process.oomScoreAdj: expected -1000 to 1000, got 1001");
	expect_error(PROC("'oomScoreAdj':-1001"), "config.json: process.oomScoreAdj: expected -1000 to 1000, got -1001");
	cleanup_config struct husk_config *oom = parse(PROC("'oomScoreAdj':1000"));
	ck_assert_int_eq(oom->process->oom_score_adj.v, 1000);
	expect_error(PROC("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
		     "config.json: process.ioPriority.priority: expected 0 (highest) to 7 (lowest), got 8");
	expect_error(PROC("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':-1}"),
		     "config.json: process.ioPriority.priority: expected 0 (highest) to 7 (lowest), got -1");
	expect_error(PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}"),
		     "config.json: process.ioPriority.class: expected one of 'IOPRIO_CLASS_RT', "
		     "'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE', got 'IOPRIO_CLASS_NONE'");
	expect_error(PROC("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
		     "config.json: process.scheduler.nice: expected -20 to 19, got 20");
	expect_error(PROC("'scheduler':{'policy':'SCHED_OTHER','nice':-21}"),
		     "config.json: process.scheduler.nice: expected -20 to 19, got -21");
	expect_error(PROC("'scheduler':{'policy':'SCHED_FIFO','priority':-1}"),
		     "config.json: process.scheduler.priority: expected a non-negative priority, got -1");
	expect_error_prefix(PROC("'scheduler':{'policy':'SCHED_NORMAL'}"),
			    "config.json: process.scheduler.policy: expected one of 'SCHED_OTHER', ");
	expect_error(PROC("'user':{'umask':512}"), "config.json: process.user.umask: expected at most 0777 (511), got 512");
	expect_error(PROC("'execCPUAffinity':{'initial':'0-3','final':'all'}"),
		     "config.json: process.execCPUAffinity.final: expected a CPU list such as '0-3,7', got 'all'");
}
END_TEST

START_TEST(rules_capabilities)
{
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	cleanup_free char *warnings = parse_warnings(
		PROC("'capabilities':{'bounding':['CAP_KILL','CAP_FOO','CAP_CHOWN'],'effective':['CAP_NEW_THING']}"),
		&cfg, &err);
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(cfg->process->capabilities->bounding, (UINT64_C(1) << 5) | 1);
	ck_assert_uint_eq(cfg->process->capabilities->effective, 0);
	ck_assert_str_eq(warnings,
			 "husk: warning: config.json: process.capabilities.bounding[1]: unknown capability "
			 "\"CAP_FOO\" ignored\n"
			 "husk: warning: config.json: process.capabilities.effective[0]: unknown capability "
			 "\"CAP_NEW_THING\" ignored\n");
	husk_config_free(&cfg);

	expect_error(PROC("'capabilities':{'bounding':['chown']}"),
		     "config.json: process.capabilities.bounding[0]: expected a capability name such as "
		     "'CAP_CHOWN', got 'chown'");
	const char *malformed[] = { "CAP_", "CAP_chown", "cap_chown", "CAP_KILL ", "KILL", "", "CAP_1" };
	for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
		cleanup_free char *json = NULL, *msg = NULL;
		ck_assert_int_ge(asprintf(&json, PROC("'capabilities':{'permitted':['CAP_KILL','%s']}"), malformed[i]), 0);
		ck_assert_int_ge(asprintf(&msg, "config.json: process.capabilities.permitted[1]: expected a "
					  "capability name such as 'CAP_CHOWN', got '%s'", malformed[i]), 0);
		expect_error(json, msg);
	}
	/* Every capability the kernel knows, by name, in each set. */
	cleanup_config struct husk_config *all = parse(PROC("'capabilities':{'ambient':['CAP_CHOWN','CAP_SYS_ADMIN',"
							     "'CAP_CHECKPOINT_RESTORE','CAP_BPF','CAP_PERFMON']}"));
	ck_assert_uint_eq(all->process->capabilities->ambient,
			  1 | (UINT64_C(1) << 21) | (UINT64_C(1) << 40) | (UINT64_C(1) << 39) | (UINT64_C(1) << 38));
}
END_TEST

START_TEST(rules_mounts_hooks)
{
	expect_error(TOP("'hooks':{'prestart':[{'path':'/x','timeout':0}]}"),
		     "config.json: hooks.prestart[0].timeout: expected at least 1 second, got 0");
	expect_error(TOP("'hooks':{'createRuntime':[{'path':'/x','timeout':-5}]}"),
		     "config.json: hooks.createRuntime[0].timeout: expected at least 1 second, got -5");
	expect_error(TOP("'hooks':{'startContainer':[{'path':'/a'},{'path':'bin/hook'}]}"),
		     "config.json: hooks.startContainer[1].path: must be an absolute path, got 'bin/hook'");
	/* A relative mount destination is deprecated, not wrong. */
	struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	cleanup_free char *warnings = parse_warnings(TOP("'mounts':[{'destination':'data','type':'tmpfs'}]"), &cfg, &err);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->mounts.v[0].destination, "data");
	ck_assert_str_eq(warnings, "husk: warning: config.json: mounts[0]: relative destination \"data\" is "
			 "deprecated; read as relative to \"/\"\n");
	husk_config_free(&cfg);
}
END_TEST

START_TEST(rules_namespaces)
{
	expect_error(LINUX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
		     "config.json: linux.namespaces[1].type: namespace 'pid' is listed more than once");
	expect_error(LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
		     "config.json: linux.namespaces[0].path: must be an absolute path, got 'proc/1/ns/net'");
	expect_error_prefix(LINUX("'namespaces':[{'type':'net'}]"),
			    "config.json: linux.namespaces[0].type: expected one of 'mount', 'pid', 'network', ");
	expect_error(LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
		     "config.json: linux.uidMappings: id mappings need a user namespace in linux.namespaces");
	expect_error(LINUX("'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
		     "config.json: linux.uidMappings: id mappings need a user namespace in linux.namespaces");
	expect_error(LINUX("'namespaces':[{'type':'user'}]"),
		     "config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}]"),
		     "config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	/* Joining a user namespace needs no mappings. */
	cleanup_config struct husk_config *cfg = parse(LINUX("'namespaces':[{'type':'user','path':'/proc/9/ns/user'}]"));
	ck_assert_str_eq(husk_config_namespace(cfg, CLONE_NEWUSER)->path, "/proc/9/ns/user");
}
END_TEST

START_TEST(rules_devices)
{
	expect_error_n(LINUX("'devices':[{'type':'c','path':'/dev/x'}]"),
		       "config.json: linux.devices[0].major: required for a device of type 'c'", 2);
	expect_error_n(LINUX("'devices':[{'type':'c','path':'/dev/x'}]"),
		       "config.json: linux.devices[0].minor: required for a device of type 'c'", 2);
	expect_error(LINUX("'devices':[{'type':'b','path':'/dev/x','major':8}]"),
		     "config.json: linux.devices[0].minor: required for a device of type 'b'");
	cleanup_config struct husk_config *fifo = parse(LINUX("'devices':[{'type':'p','path':'/dev/fifo'}]"));
	ck_assert_int_eq(fifo->linux_cfg->devices.v[0].type, 'p');
	expect_error(LINUX("'devices':[{'type':'x','path':'/dev/x','major':1,'minor':1}]"),
		     "config.json: linux.devices[0].type: expected one of 'c', 'b', 'u', 'p', got 'x'");
	expect_error(LINUX("'devices':[{'type':'cb','path':'/dev/x','major':1,'minor':1}]"),
		     "config.json: linux.devices[0].type: expected one of 'c', 'b', 'u', 'p', got 'cb'");
	expect_error(LINUX("'devices':[{'type':'c','path':'/dev/x','major':1,'minor':1,'fileMode':512}]"),
		     "config.json: linux.devices[0].fileMode: expected at most 511 (0777), got 512");
	expect_error(LINUX("'devices':[{'type':'c','path':'dev/x','major':1,'minor':1}]"),
		     "config.json: linux.devices[0].path: must be an absolute path, got 'dev/x'");
	expect_error(RES("'devices':[{'allow':true,'access':'rwx'}]"),
		     "config.json: linux.resources.devices[0].access: expected letters of 'rwm', got 'rwx'");
	expect_error(RES("'devices':[{'allow':true,'type':'u'}]"),
		     "config.json: linux.resources.devices[0].type: expected one of 'a', 'b', 'c', got 'u'");
	cleanup_config struct husk_config *cg = parse(RES("'devices':[{'allow':true,'type':'a','access':''}]"));
	ck_assert_str_eq(cg->linux_cfg->resources->devices.v[0].access, "");
}
END_TEST

START_TEST(rules_resources)
{
	expect_error(RES("'hugepageLimits':[{'pageSize':'64kB','limit':1}]"),
		     "config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size such as "
		     "'2MB' or '1GB', got '64kB'");
	const char *sizes[] = { "2M", "MB", "0MB", "02MB", "2TB", "2MBB", "", "2 MB" };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		cleanup_free char *json = NULL;
		ck_assert_int_ge(asprintf(&json, RES("'hugepageLimits':[{'pageSize':'%s','limit':1}]"), sizes[i]), 0);
		expect_error_prefix(json, "config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size");
	}
	expect_error(RES("'blockIO':{'weightDevice':[{'major':8,'minor':0}]}"),
		     "config.json: linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight");
	expect_error(RES("'rdma':{'mlx5_1':{}}"), "config.json: linux.resources.rdma.mlx5_1: needs hcaHandles or hcaObjects");
	/* A bad weight is one problem, not also "needs weight". */
	expect_error(RES("'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':'x'}]}"),
		     "config.json: linux.resources.blockIO.weightDevice[0].weight: expected an integer, got 'x'");
	expect_error(LINUX("'intelRdt':{'memBwSchema':'L3:0=f'}"),
		     "config.json: linux.intelRdt.memBwSchema: must start with 'MB:', got 'L3:0=f'");
	expect_error(LINUX("'intelRdt':{'closID':'..'}"),
		     "config.json: linux.intelRdt.closID: expected '/' or a directory name, got '..'");
	expect_error(LINUX("'intelRdt':{'closID':'a/b'}"),
		     "config.json: linux.intelRdt.closID: expected '/' or a directory name, got 'a/b'");
	expect_error(LINUX("'intelRdt':{'closID':''}"),
		     "config.json: linux.intelRdt.closID: expected '/' or a directory name, got ''");
	expect_error(LINUX("'intelRdt':{'l3CacheSchema':'L3:0=f\\nMB:0=1'}"),
		     "config.json: linux.intelRdt.l3CacheSchema: must not contain a newline");
	cleanup_config struct husk_config *rdt = parse(LINUX("'intelRdt':{'closID':'/'}"));
	ck_assert_str_eq(rdt->linux_cfg->intel_rdt->clos_id, "/");
	expect_error(LINUX("'maskedPaths':['/proc/kcore','proc/keys']"),
		     "config.json: linux.maskedPaths[1]: must be an absolute path, got 'proc/keys'");
	expect_error(LINUX("'readonlyPaths':['']"), "config.json: linux.readonlyPaths[0]: must be an absolute path, got ''");
}
END_TEST

START_TEST(rules_seccomp)
{
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_KILL','syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW',"
			     "'errnoRet':1}]"),
		     "config.json: linux.seccomp.syscalls[0].errnoRet: is only valid with SCMP_ACT_ERRNO or "
		     "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_KILL_THREAD','defaultErrnoRet':1"),
		     "config.json: linux.seccomp.defaultErrnoRet: is only valid with SCMP_ACT_ERRNO or "
		     "SCMP_ACT_TRACE, not SCMP_ACT_KILL_THREAD");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO',"
			     "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
		     "config.json: linux.seccomp.syscalls[0].args[0].index: expected 0 to 5, got 6");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'x'"),
		     "config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mount'],'action':'SCMP_ACT_NOTIFY'}]"),
		     "config.json: linux.seccomp.listenerPath: is required when an action is SCMP_ACT_NOTIFY");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/run/l.sock'"),
		     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	expect_error(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_LOG'}]"),
		     "config.json: linux.seccomp.syscalls[0].names: must hold at least one syscall name");
	expect_error_prefix(SECCOMP("'defaultAction':'SCMP_ACT_DENY'"),
			    "config.json: linux.seccomp.defaultAction: expected one of 'SCMP_ACT_KILL', ");
	expect_error_prefix(SECCOMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_LOG',"
				    "'args':[{'index':0,'value':1,'op':'SCMP_CMP_MASKED'}]}]"),
			    "config.json: linux.seccomp.syscalls[0].args[0].op: expected one of 'SCMP_CMP_NE', ");
	/* SCMP_ACT_TRACE takes an errno too; a listener with no notify is fine. */
	cleanup_config struct husk_config *cfg = parse(
		SECCOMP("'defaultAction':'SCMP_ACT_TRACE','defaultErrnoRet':5,'listenerPath':'/run/l.sock',"
			"'syscalls':[{'names':['read'],'action':'SCMP_ACT_KILL_THREAD'}]"));
	ck_assert_uint_eq(cfg->linux_cfg->seccomp->default_errno_ret.v, 5);
}
END_TEST

START_TEST(all_errors_reported)
{
	cleanup_error husk_err err = must_fail(
		"{'ociVersion':'1.0.0','root':{'path':'r'},'hostname':1,"
		"'process':{'cwd':'rel','args':['sh'],'user':{'uid':'root'},'oomScoreAdj':5000,"
		"'capabilities':{'bounding':['kill']}},"
		"'mounts':[{'destination':5}],"
		"'hooks':{'poststop':[{'path':'/x','timeout':0}]},"
		"'linux':{'namespaces':[{'type':'pid'},{'type':'pid'}],"
		"'resources':{'memory':{'limit':1.5},'blockIO':{'weight':70000},'cpu':{'shares':-2}},"
		"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ALLOW',"
		"'errnoRet':1}]},"
		"'maskedPaths':['rel']}}");
	const char *want[] = {
		"config.json: hostname: expected a string, got 1",
		"config.json: process.user.uid: expected an integer, got \"root\"",
		"config.json: process.capabilities.bounding[0]: expected a capability name such as \"CAP_CHOWN\", got \"kill\"",
		"config.json: process.cwd: must be an absolute path, got \"rel\"",
		"config.json: process.oomScoreAdj: expected -1000 to 1000, got 5000",
		"config.json: mounts[0].destination: expected a string, got 5",
		"config.json: hooks.poststop[0].timeout: expected at least 1 second, got 0",
		"config.json: linux.namespaces[1].type: namespace \"pid\" is listed more than once",
		"config.json: linux.resources.memory.limit: expected an integer, got 1.5",
		"config.json: linux.resources.blockIO.weight: 70000 is out of range for an unsigned 16-bit integer",
		"config.json: linux.resources.cpu.shares: expected a non-negative integer, got -2",
		("config.json: linux.seccomp.syscalls[0].errnoRet: is only valid with SCMP_ACT_ERRNO or "
		 "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"),
		"config.json: linux.maskedPaths[0]: must be an absolute path, got \"rel\"",
	};
	cleanup_free char *all = messages(err);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		ck_assert_msg(chain_has(err, want[i], false), "missing \"%s\" among:\n%s", want[i], all);
	ck_assert_msg(husk_error_count(err) == ARRAY_SIZE(want), "expected %zu errors:\n%s", ARRAY_SIZE(want), all);
}
END_TEST

START_TEST(error_limit)
{
	/* 1000 bad annotations: the first 100 are spelled out. */
	cleanup_free char *json = repeat("{" BASE ",'annotations':{", "'a':1,", 999, "'a':1}}");
	cleanup_error husk_err err = must_fail(json);
	ck_assert_uint_eq(husk_error_count(err), 101);
	ck_assert_str_eq(err->msg, "config.json: annotations.a: expected a string, got 1");
	const struct husk_error *last = err;
	while (last->next)
		last = last->next;
	ck_assert_str_eq(last->msg, "config.json: 900 more problems not shown");
}
END_TEST

START_TEST(unknown_properties)
{
	cleanup_config struct husk_config *cfg = parse(
		"{'ociVersion':'1.0.0','x-top':{'deep':[1,{'a':null}]},'root':{'path':'r','future':true},"
		"'process':{'cwd':'/','args':['sh'],'newThing':'x','user':{'uid':1,'sid':'S-1'},"
		"'capabilities':{'extra':['CAP_NONE']},'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':2,'x':1}]},"
		"'mounts':[{'destination':'/m','propagation':'rslave'}],"
		"'hooks':{'preDestroy':[{'path':'rel'}],'prestart':[{'path':'/h','when':'now'}]},"
		"'windows':{'layerFolders':['C:\\\\x']},'solaris':{'milestone':'x'},'vm':{'kernel':{'path':'/k'}},"
		"'linux':{'resources':{'memory':{'limit':1,'oomGroup':true},'freezer':{},'cpu':{'cpus':'0','x':[]}},"
		"'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['r'],'action':'SCMP_ACT_LOG',"
		"'comment':'x','args':[{'index':0,'value':1,'op':'SCMP_CMP_EQ','note':{}}]}]},"
		"'namespaces':[{'type':'pid','flags':1}],'landlock':{'ruleset':{}}}}");
	ck_assert_uint_eq(cfg->process->user.uid, 1);
	ck_assert_int_eq(cfg->linux_cfg->resources->memory->limit.v, 1);
	ck_assert_str_eq(cfg->mounts.v[0].destination, "/m");
	ck_assert_uint_eq(cfg->hooks->prestart.n, 1);
	ck_assert_uint_eq(cfg->linux_cfg->seccomp->syscalls.v[0].args.n, 1);
}
END_TEST

/* ---- loading from a bundle ------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
	cleanup_free char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(load_and_check_bundle)
{
	char dir[] = "/tmp/husk-unit-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	cleanup_free char *text = sq("{'ociVersion':'1.0.0','root':{'path':'rootfs'}}");
	write_file(dir, "config.json", text);

	cleanup_config struct husk_config *cfg = NULL;
	cleanup_error husk_err err = NULL;
	ck_assert_int_eq(husk_config_load(dir, &quiet, &cfg, &err), 0);
	ck_assert_str_eq(cfg->root->path, "rootfs");

	/* rootfs missing, then a file, then a directory. */
	ck_assert_int_eq(husk_config_check_bundle(cfg, dir, &err), -1);
	ck_assert_int_eq(err->errnum, ENOENT);
	ck_assert_str_eq(err->msg, "config.json: root.path: \"rootfs\"");
	husk_error_free(&err);
	write_file(dir, "rootfs", "");
	ck_assert_int_eq(husk_config_check_bundle(cfg, dir, &err), -1);
	ck_assert_int_eq(err->errnum, ENOTDIR);
	husk_error_free(&err);
	cleanup_free char *rootfs = NULL;
	ck_assert_int_ge(asprintf(&rootfs, "%s/rootfs", dir), 0);
	unlink(rootfs);
	ck_assert_int_eq(mkdir(rootfs, 0700), 0);
	ck_assert_int_eq(husk_config_check_bundle(cfg, dir, &err), 0);
	ck_assert_ptr_null(err);

	/* An absolute root.path is not joined to the bundle. */
	cleanup_free char *abs = NULL;
	ck_assert_int_ge(asprintf(&abs, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"%s\"}}", rootfs), 0);
	write_file(dir, "config.json", abs);
	husk_config_free(&cfg);
	ck_assert_int_eq(husk_config_load(dir, &quiet, &cfg, &err), 0);
	ck_assert_int_eq(husk_config_check_bundle(cfg, "/nonexistent", &err), 0);

	/* A bad config and a missing one. */
	write_file(dir, "config.json", "{\"ociVersion\":\"1.0.0\"}");
	husk_config_free(&cfg);
	ck_assert_int_eq(husk_config_load(dir, &quiet, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err->msg, "config.json: root: required on Linux but missing");
	husk_error_free(&err);
	cleanup_free char *config = NULL;
	ck_assert_int_ge(asprintf(&config, "%s/config.json", dir), 0);
	unlink(config);
	ck_assert_int_eq(husk_config_load(dir, &quiet, &cfg, &err), -1);
	ck_assert_int_eq(err->errnum, ENOENT);

	rmdir(rootfs);
	rmdir(dir);
}
END_TEST

/* exec --process: the process object alone, with the same rules. */
START_TEST(process_document)
{
	cleanup_error husk_err err = NULL;
	struct husk_config *cfg = NULL;
	cleanup_free char *good = sq("{'args':['sh','-c','true'],'cwd':'/tmp','env':['A=1'],'terminal':false,"
				     "'user':{'uid':1000,'gid':5,'additionalGids':[7]},"
				     "'capabilities':{'bounding':['CAP_KILL'],'effective':['CAP_KILL']},"
				     "'noNewPrivileges':true,'oomScoreAdj':100}");
	ck_assert_int_eq(husk_config_parse_process(good, strlen(good), &quiet, &cfg, &err), 0);
	const struct husk_process *p = cfg->process;
	ck_assert_uint_eq(p->args.n, 3);
	ck_assert_str_eq(p->args.v[2], "true");
	ck_assert_str_eq(p->cwd, "/tmp");
	ck_assert_str_eq(p->env.v[0], "A=1");
	ck_assert_uint_eq(p->user.uid, 1000);
	ck_assert_uint_eq(p->user.gid, 5);
	ck_assert_uint_eq(p->user.additional_gids.v[0], 7);
	ck_assert_uint_eq(p->capabilities->bounding, UINT64_C(1) << 5);
	ck_assert(p->no_new_privileges && p->oom_score_adj.set && p->oom_score_adj.v == 100);
	ck_assert_ptr_null(cfg->root);
	husk_config_free(&cfg);

	cleanup_free char *bad = sq("{'args':[],'cwd':'tmp'}");
	ck_assert_int_eq(husk_config_parse_process(bad, strlen(bad), &quiet, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	cleanup_free char *all = messages(err);
	ck_assert_msg(strstr(all, "process: cwd: ") && strstr(all, "process: args: must hold at least one entry"),
		      "%s", all);
	husk_error_free(&err);

	cleanup_free char *missing = sq("{'args':['sh']}");
	ck_assert_int_eq(husk_config_parse_process(missing, strlen(missing), &quiet, &cfg, &err), -1);
	ck_assert_str_eq(err->msg, "process: cwd: required but missing");
	husk_error_free(&err);

	ck_assert_int_eq(husk_config_parse_process("[1]", 3, &quiet, &cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "process: (top level): expected an object"));
}
END_TEST

START_TEST(free_null)
{
	struct husk_config *cfg = NULL;
	husk_config_free(&cfg);
	ck_assert_ptr_null(cfg);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");

	TCase *tc = tcase_create("fixtures");
	tcase_add_test(tc, fixtures_good);
	tcase_add_test(tc, fixtures_bad);
	tcase_add_test(tc, fixture_spec_example);
	tcase_add_test(tc, fixture_netdevice_rdma);
	tcase_add_test(tc, fixture_engines);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, full_process);
	tcase_add_test(tc, full_root_mounts_hooks);
	tcase_add_test(tc, full_linux);
	tcase_add_test(tc, full_resources);
	tcase_add_test(tc, full_seccomp);
	tcase_add_test(tc, full_no_warnings);
	tcase_add_test(tc, minimal_defaults);
	tcase_add_test(tc, process_document);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, oci_version_accepted);
	tcase_add_test(tc, oci_version_rejected);
	tcase_add_test(tc, uint64_full_range);
	tcase_add_test(tc, uint64_out_of_range);
	tcase_add_test(tc, negative_unsigned);
	tcase_add_test(tc, int64_bounds);
	tcase_add_test(tc, small_int_bounds);
	tcase_add_test(tc, non_integers);
	tcase_add_test(tc, null_is_absent);
	tcase_add_test(tc, top_level_not_object);
	tcase_add_test(tc, wrong_types);
	tcase_add_test(tc, wrong_type_reported_once);
	tcase_add_test(tc, required_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	/* Big documents are slow under valgrind. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, not_json);
	tcase_add_test(tc, trailing_garbage);
	tcase_add_test(tc, comments_rejected);
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, long_strings);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, duplicate_keys);
	tcase_add_test(tc, many_duplicate_keys);
	tcase_add_test(tc, big_config);
	tcase_add_test(tc, too_big);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, rules_process);
	tcase_add_test(tc, rules_capabilities);
	tcase_add_test(tc, rules_mounts_hooks);
	tcase_add_test(tc, rules_namespaces);
	tcase_add_test(tc, rules_devices);
	tcase_add_test(tc, rules_resources);
	tcase_add_test(tc, rules_seccomp);
	tcase_add_test(tc, all_errors_reported);
	tcase_add_test(tc, error_limit);
	tcase_add_test(tc, unknown_properties);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundle");
	tcase_add_test(tc, load_and_check_bundle);
	tcase_add_test(tc, free_null);
	suite_add_tcase(s, tc);
	return s;
}

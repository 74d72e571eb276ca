/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <yajl/yajl_tree.h>

#include "husk/config.h"
#include "husk/container.h"
#include "husk/json.h"
#include "husk/names.h"
#include "husk/seccomp_profile.h"
#include "husk/spec.h"
#include "husk/spec_hardened.h"
#include "husk/util.h"
#include "spec_internal.h"

#define SPEC_INDENT "\t"
/* More mount options than any tmpfs takes. */
#define MAX_TMPFS_OPTIONS 32

static const char *const default_args[] = { "sh", NULL };

void husk_hardened_defaults(struct husk_hardened_spec *h)
{
	*h = (struct husk_hardened_spec){
		.uid = HUSK_HARDENED_UID,
		.gid = HUSK_HARDENED_GID,
		.memory_limit = HUSK_HARDENED_MEMORY_LIMIT,
		.memory_reservation = HUSK_HARDENED_MEMORY_RESERVATION,
		.cpu_quota = (int64_t)HUSK_HARDENED_CPU_PERIOD,
		.cpu_period = HUSK_HARDENED_CPU_PERIOD,
		.pids_limit = HUSK_HARDENED_PIDS_LIMIT,
		.capabilities = 1ULL << husk_cap_from_name("CAP_NET_BIND_SERVICE"),
		.seccomp = "default",
		.init = true,
		.args = default_args,
		.tmpfs = {
			{ "/tmp", HUSK_HARDENED_TMPFS_OPTIONS ",size=100m" },
			{ "/var/tmp", HUSK_HARDENED_TMPFS_OPTIONS ",size=50m" },
		},
		.n_tmpfs = 2,
	};
}

int husk_hardened_add_tmpfs(struct husk_hardened_spec *h, const char *destination,
			    const char *options, husk_err *err)
{
	if (destination[0] != '/')
		return husk_error(err, EINVAL, "tmpfs %s: the destination must be an absolute path",
				  destination);
	if (!options || !*options)
		options = HUSK_HARDENED_TMPFS_OPTIONS;
	for (size_t i = 0; i < h->n_tmpfs; i++) {
		if (strcmp(h->tmpfs[i].destination, destination) == 0) {
			h->tmpfs[i].options = options;
			return 0;
		}
	}
	if (h->n_tmpfs == HUSK_HARDENED_MAX_TMPFS)
		return husk_error(err, E2BIG, "tmpfs %s: at most %d tmpfs mounts", destination,
				  HUSK_HARDENED_MAX_TMPFS);
	h->tmpfs[h->n_tmpfs++] = (struct husk_tmpfs_mount){ destination, options };
	return 0;
}

/* ---- generation ------------------------------------------------------- */

struct hardened_gen {
	struct husk_json j;
	const struct husk_hardened_spec *h;
	yajl_val seccomp;               /* NULL: unconfined */
};

/* The capabilities of mask as a JSON array of names. */
static void gen_cap_set(struct husk_json *j, const char *key, uint64_t mask)
{
	husk_json_array_open(j, key);
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++)
		if (mask & (1ULL << cap))
			husk_json_str(j, husk_cap_name(cap));
	husk_json_array_close(j);
}

/*
 * A user other than root loses its permitted set at execve unless the
 * capabilities are also inheritable and ambient: without them an added
 * capability such as NET_BIND_SERVICE would never reach the program.
 */
static void gen_capabilities(struct hardened_gen *g)
{
	uint64_t caps = g->h->capabilities;
	uint64_t carried = g->h->uid != 0 ? caps : 0;
	husk_json_map_open(&g->j, "capabilities");
	gen_cap_set(&g->j, "bounding", caps);
	gen_cap_set(&g->j, "effective", caps);
	gen_cap_set(&g->j, "inheritable", carried);
	gen_cap_set(&g->j, "permitted", caps);
	gen_cap_set(&g->j, "ambient", carried);
	husk_json_map_close(&g->j);
}

static void gen_rlimit(struct husk_json *j, const char *type, long long soft, long long hard)
{
	husk_json_map_open(j, NULL);
	husk_json_kv_str(j, "type", type);
	husk_json_kv_int(j, "hard", hard);
	husk_json_kv_int(j, "soft", soft);
	husk_json_map_close(j);
}

static void gen_rlimits(struct hardened_gen *g)
{
	husk_json_array_open(&g->j, "rlimits");
	gen_rlimit(&g->j, "RLIMIT_NOFILE", HUSK_HARDENED_NOFILE_SOFT, HUSK_HARDENED_NOFILE_HARD);
	gen_rlimit(&g->j, "RLIMIT_CORE", 0, 0);
	husk_json_array_close(&g->j);
}

static void gen_process(struct hardened_gen *g)
{
	husk_json_map_open(&g->j, "process");
	husk_json_kv_bool(&g->j, "terminal", true);
	husk_json_map_open(&g->j, "user");
	husk_json_kv_uint(&g->j, "uid", g->h->uid);
	husk_json_kv_uint(&g->j, "gid", g->h->gid);
	husk_json_map_close(&g->j);
	husk_json_kv_strv(&g->j, "args", g->h->args);
	husk_json_kv_strv(&g->j, "env", husk_spec_default_env);
	husk_json_kv_str(&g->j, "cwd", "/");
	gen_capabilities(g);
	gen_rlimits(g);
	husk_json_kv_bool(&g->j, "noNewPrivileges", true);
	husk_json_map_close(&g->j);
}

static void gen_root(struct hardened_gen *g)
{
	husk_json_map_open(&g->j, "root");
	husk_json_kv_str(&g->j, "path", "rootfs");
	husk_json_kv_bool(&g->j, "readonly", true);
	husk_json_map_close(&g->j);
}

/* Split "a,b,c" into at most MAX_TMPFS_OPTIONS words, in place. */
static int split_options(char *copy, const char **words, size_t max, husk_err *err)
{
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (n + 1 == max)
			return husk_error(err, E2BIG, "too many tmpfs options");
		words[n++] = w;
	}
	words[n] = NULL;
	return 0;
}

static int gen_tmpfs(struct hardened_gen *g, const struct husk_tmpfs_mount *t, husk_err *err)
{
	cleanup_free char *copy = strdup(t->options);
	if (!copy)
		return husk_error(err, ENOMEM, "tmpfs %s", t->destination);
	const char *words[MAX_TMPFS_OPTIONS + 1];
	if (split_options(copy, words, ARRAY_SIZE(words), err) < 0)
		return husk_error_wrap(err, "tmpfs %s", t->destination);
	spec_gen_mount(&g->j, t->destination, "tmpfs", "tmpfs", words[0] ? words : NULL);
	return 0;
}

static int gen_mounts(struct hardened_gen *g, husk_err *err)
{
	husk_json_array_open(&g->j, "mounts");
	spec_gen_default_mounts(&g->j, false);
	for (size_t i = 0; i < g->h->n_tmpfs; i++)
		if (gen_tmpfs(g, &g->h->tmpfs[i], err) < 0)
			return -1;
	husk_json_array_close(&g->j);
	return 0;
}

static void gen_annotations(struct hardened_gen *g)
{
	if (!g->h->init)
		return;
	husk_json_map_open(&g->j, "annotations");
	husk_json_kv_str(&g->j, HUSK_ANNOTATION_INIT, "true");
	husk_json_map_close(&g->j);
}

static void gen_resources(struct hardened_gen *g)
{
	struct husk_json *j = &g->j;
	husk_json_map_open(j, "resources");
	husk_json_array_open(j, "devices");
	husk_json_map_open(j, NULL);
	husk_json_kv_bool(j, "allow", false);
	husk_json_kv_str(j, "access", "rwm");
	husk_json_map_close(j);
	husk_json_array_close(j);
	husk_json_map_open(j, "memory");
	husk_json_kv_int(j, "limit", g->h->memory_limit);
	husk_json_kv_int(j, "reservation", g->h->memory_reservation);
	husk_json_map_close(j);
	husk_json_map_open(j, "cpu");
	husk_json_kv_int(j, "quota", g->h->cpu_quota);
	husk_json_kv_uint(j, "period", g->h->cpu_period);
	husk_json_map_close(j);
	husk_json_map_open(j, "pids");
	husk_json_kv_int(j, "limit", g->h->pids_limit);
	husk_json_map_close(j);
	husk_json_map_close(j);
}

static void gen_linux(struct hardened_gen *g)
{
	husk_json_map_open(&g->j, "linux");
	gen_resources(g);
	spec_gen_namespaces(&g->j, false);
	if (g->seccomp)
		husk_json_kv_tree(&g->j, "seccomp", g->seccomp);
	husk_json_kv_strv(&g->j, "maskedPaths", husk_spec_masked_paths);
	husk_json_kv_strv(&g->j, "readonlyPaths", husk_spec_readonly_paths);
	husk_json_map_close(&g->j);
}

static int gen_spec(struct hardened_gen *g, husk_err *err)
{
	husk_json_map_open(&g->j, NULL);
	husk_json_kv_str(&g->j, "ociVersion", HUSK_OCI_VERSION);
	gen_process(g);
	gen_root(g);
	husk_json_kv_str(&g->j, "hostname", "husk");
	if (gen_mounts(g, err) < 0)
		return -1;
	gen_annotations(g);
	gen_linux(g);
	husk_json_map_close(&g->j);
	return 0;
}

static void free_tree(yajl_val *tree)
{
	if (*tree)
		yajl_tree_free(*tree);
}

/* The document must be one husk itself accepts. */
static int check_document(const char *json, size_t len, const struct husk_log *log, husk_err *err)
{
	cleanup_config struct husk_config *cfg = NULL;
	if (husk_config_parse(json, len, log, &cfg, err) < 0)
		return husk_error_wrap(err, "the hardened config.json is not valid");
	return 0;
}

int husk_spec_generate_hardened(const struct husk_hardened_spec *h, const struct husk_log *log,
				char **json_out, size_t *len, husk_err *err)
{
	__attribute__((cleanup(free_tree))) yajl_val tree = NULL;
	struct hardened_gen g = { .h = h };
	if (strcmp(h->seccomp, "unconfined") != 0 &&
	    husk_seccomp_profile_load(h->seccomp, &tree, &g.seccomp, err) < 0)
		return -1;
	if (husk_json_init(&g.j, SPEC_INDENT, err) < 0)
		return -1;
	cleanup_free char *json = NULL;
	int rc = gen_spec(&g, err);
	if (rc == 0)
		rc = husk_json_take(&g.j, true, &json, len, err);
	husk_json_release(&g.j);
	if (rc < 0)
		return husk_error_wrap(err, "generate config.json");
	if (check_document(json, *len, log, err) < 0)
		return -1;
	*json_out = steal_pointer(&json);
	return 0;
}

struct hardened_args {
	const struct husk_hardened_spec *h;
	const struct husk_log *log;
};

static int generate_hardened(const void *arg, char **json, size_t *len, husk_err *err)
{
	const struct hardened_args *a = arg;
	return husk_spec_generate_hardened(a->h, a->log, json, len, err);
}

int husk_spec_write_hardened(const char *bundle, const struct husk_hardened_spec *h,
			     const struct husk_log *log, husk_err *err)
{
	const struct hardened_args a = { h, log };
	return spec_write_document(bundle, generate_hardened, &a, err);
}

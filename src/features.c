/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/features.h"
#include "husk/hooks.h"
#include "husk/mount_options.h"
#include "husk/seccomp.h"
#include "husk/json.h"
#include "husk/names.h"

/* runc prints its features document with four-space indentation. */
#define FEATURES_INDENT "    "

/*
 * The rule: a feature appears in the document only when the runtime
 * implements it.  Recognising a field of config.json is not implementing
 * it; applying it to the container is.  Turn a switch on in the same change
 * that makes husk apply the feature, and fill its list from the table the
 * implementing code itself uses (as capabilities do from husk_cap_name()),
 * so the document can never claim more than the code does.
 */
struct implemented {
	bool hooks;
	bool mount_options;
	bool namespaces;
	bool capabilities;
	bool cgroup_v1;
	bool cgroup_v2;
	bool cgroup_systemd;
	bool cgroup_systemd_user;
	bool cgroup_rdma;
	bool seccomp;
	bool apparmor;
	bool selinux;
	bool intel_rdt;
	bool idmap_mounts;
	bool net_devices;
	bool memory_policy;
};

static const struct implemented implemented = {
	.hooks = true,                  /* names: husk_hook_names */
	.mount_options = true,          /* names: husk_mount_option_names */
	.namespaces = true,             /* names: husk_namespace_names */
	.capabilities = true,           /* names: husk_cap_name() */
	.cgroup_v1 = true,
	.cgroup_v2 = true,
	.cgroup_systemd = false,
	.cgroup_systemd_user = false,
	.cgroup_rdma = false,            /* rdma.max is written, but untested without rdma devices */
	.seccomp = true,                /* names: husk_seccomp_*_names, as the host supports them */
	.apparmor = true,               /* process.apparmorProfile on hosts that enable it */
	.selinux = false,               /* process labels only; linux.mountLabel is not applied */
	.intel_rdt = false,
	.idmap_mounts = true,
	.net_devices = false,
	.memory_policy = true,          /* names: husk_mempolicy_*_names */
};

/* ---- building --------------------------------------------------------- */

static int alloc_names(struct husk_features *f, struct husk_feature_names *list, size_t max)
{
	list->v = husk_arena_alloc(&f->arena, max * sizeof(*list->v));
	if (!list->v)
		return -1;
	list->n = 0;
	list->supported = true;
	return 0;
}

static bool keep_all(int value)
{
	(void)value;
	return true;
}

/* The names of a husk_name table whose value passes keep, in table order. */
static int names_from_table_if(struct husk_features *f, struct husk_feature_names *list,
			       const struct husk_name *table, bool (*keep)(int value))
{
	size_t n = 0;
	while (table[n].name)
		n++;
	if (alloc_names(f, list, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (keep(table[i].value))
			list->v[list->n++] = table[i].name;
	return 0;
}

static int names_from_table(struct husk_features *f, struct husk_feature_names *list,
			    const struct husk_name *table)
{
	return names_from_table_if(f, list, table, keep_all);
}

/* A NULL-terminated list of names. */
static int names_from_strv(struct husk_features *f, struct husk_feature_names *list, const char *const *strv)
{
	size_t n = 0;
	while (strv[n])
		n++;
	if (alloc_names(f, list, n) < 0)
		return -1;
	for (; list->n < n; list->n++)
		list->v[list->n] = strv[list->n];
	return 0;
}

/* Seccomp notify needs a listener, which husk does not serve yet. */
static bool seccomp_action_usable(int action)
{
	return action != HUSK_SCMP_ACT_NOTIFY && husk_seccomp_action_supported(action);
}

/* Names of the numbers first..last that name_of knows. */
static int names_by_number(struct husk_features *f, struct husk_feature_names *list,
			   const char *(*name_of)(int), int first, int last)
{
	if (alloc_names(f, list, (size_t)(last - first + 1)) < 0)
		return -1;
	for (int i = first; i <= last; i++) {
		const char *name = name_of(i);
		if (name)
			list->v[list->n++] = name;
	}
	return 0;
}

static int add_annotation(struct husk_features *f, const char *key, const char *value)
{
	struct husk_kv *kv = &f->annotations.v[f->annotations.n];
	kv->key = husk_arena_strdup(&f->arena, key);
	kv->value = husk_arena_strdup(&f->arena, value);
	if (!kv->key || !kv->value)
		return -1;
	f->annotations.n++;
	return 0;
}

/* In key order, as runc prints its map. */
static int fill_annotations(struct husk_features *f)
{
	const struct scmp_version *v = seccomp_version();
	char seccomp_ver[48];
	snprintf(seccomp_ver, sizeof(seccomp_ver), "%u.%u.%u", v->major, v->minor, v->micro);
	f->annotations.v = husk_arena_alloc(&f->arena, 2 * sizeof(*f->annotations.v));
	if (!f->annotations.v)
		return -1;
	if (add_annotation(f, "io.github.seccomp.libseccomp.version", seccomp_ver) < 0 ||
	    add_annotation(f, "org.opencontainers.husk.version", HUSK_VERSION) < 0)
		return -1;
	return 0;
}

static void fill_cgroup(struct husk_cgroup_features *cg)
{
	cg->v1 = implemented.cgroup_v1;
	cg->v2 = implemented.cgroup_v2;
	cg->systemd = implemented.cgroup_systemd;
	cg->systemd_user = implemented.cgroup_systemd_user;
	cg->rdma = implemented.cgroup_rdma;
	cg->supported = cg->v1 || cg->v2 || cg->systemd || cg->systemd_user || cg->rdma;
}

/* Only what this libseccomp and the running kernel can apply. */
static int fill_seccomp(struct husk_features *f, struct husk_seccomp_features *sc)
{
	if (!implemented.seccomp)
		return 0;
	sc->supported = true;
	sc->enabled = true;
	if (names_from_table_if(f, &sc->actions, husk_seccomp_action_names, seccomp_action_usable) < 0 ||
	    names_from_table_if(f, &sc->operators, husk_seccomp_op_names, husk_seccomp_op_supported) < 0 ||
	    names_from_table_if(f, &sc->archs, husk_seccomp_arch_names, husk_seccomp_arch_supported) < 0 ||
	    names_from_table(f, &sc->known_flags, husk_seccomp_flag_names) < 0 ||
	    names_from_table_if(f, &sc->supported_flags, husk_seccomp_flag_names, husk_seccomp_flag_supported) < 0)
		return -1;
	return 0;
}

static void fill_enabled(struct husk_feature_enabled *e, bool is_implemented)
{
	e->supported = is_implemented;
	e->enabled = is_implemented;
}

static bool any_linux_section(const struct husk_linux_features *l)
{
	return l->namespaces.supported || l->capabilities.supported || l->cgroup.supported ||
	       l->seccomp.supported || l->apparmor.supported || l->selinux.supported ||
	       l->intel_rdt.supported || l->idmap_mounts.supported ||
	       l->net_devices.supported || l->memory_policy.supported;
}

static int fill_linux(struct husk_features *f)
{
	struct husk_linux_features *l = &f->linux_features;
	if (implemented.namespaces &&
	    names_from_table(f, &l->namespaces, husk_namespace_names) < 0)
		return -1;
	if (implemented.capabilities &&
	    names_by_number(f, &l->capabilities, husk_cap_name, 0, HUSK_CAP_LAST) < 0)
		return -1;
	if (fill_seccomp(f, &l->seccomp) < 0)
		return -1;
	if (implemented.memory_policy &&
	    (names_from_table(f, &l->memory_policy.modes, husk_mempolicy_mode_names) < 0 ||
	     names_from_table(f, &l->memory_policy.flags, husk_mempolicy_flag_names) < 0))
		return -1;
	l->memory_policy.supported = implemented.memory_policy;
	fill_cgroup(&l->cgroup);
	fill_enabled(&l->apparmor, implemented.apparmor);
	fill_enabled(&l->selinux, implemented.selinux);
	fill_enabled(&l->idmap_mounts, implemented.idmap_mounts);
	fill_enabled(&l->net_devices, implemented.net_devices);
	l->intel_rdt.supported = implemented.intel_rdt;
	l->intel_rdt.enabled = implemented.intel_rdt;
	l->supported = any_linux_section(l);
	return 0;
}

int husk_features_init(struct husk_features *f, husk_err *err)
{
	*f = (struct husk_features){
		.oci_version_min = HUSK_OCI_VERSION_MIN,
		.oci_version_max = HUSK_OCI_VERSION,
	};
	if ((implemented.hooks && names_from_strv(f, &f->hooks, husk_hook_names) < 0) ||
	    (implemented.mount_options && names_from_strv(f, &f->mount_options, husk_mount_option_names) < 0) ||
	    fill_linux(f) < 0 || fill_annotations(f) < 0) {
		husk_features_release(f);
		return husk_error(err, ENOMEM, "build the features document");
	}
	return 0;
}

void husk_features_release(struct husk_features *f)
{
	husk_arena_release(&f->arena);
	*f = (struct husk_features){ 0 };
}

/* ---- JSON ------------------------------------------------------------- */

static void gen_names(struct husk_json *j, const char *key, const struct husk_feature_names *list)
{
	if (!list->supported)
		return;
	husk_json_array_open(j, key);
	for (size_t i = 0; i < list->n; i++)
		husk_json_str(j, list->v[i]);
	husk_json_array_close(j);
}

static void gen_enabled(struct husk_json *j, const char *key, const struct husk_feature_enabled *e)
{
	if (!e->supported)
		return;
	husk_json_map_open(j, key);
	husk_json_kv_bool(j, "enabled", e->enabled);
	husk_json_map_close(j);
}

static void gen_cgroup(struct husk_json *j, const struct husk_cgroup_features *cg)
{
	if (!cg->supported)
		return;
	husk_json_map_open(j, "cgroup");
	husk_json_kv_bool(j, "v1", cg->v1);
	husk_json_kv_bool(j, "v2", cg->v2);
	husk_json_kv_bool(j, "systemd", cg->systemd);
	husk_json_kv_bool(j, "systemdUser", cg->systemd_user);
	husk_json_kv_bool(j, "rdma", cg->rdma);
	husk_json_map_close(j);
}

static void gen_seccomp(struct husk_json *j, const struct husk_seccomp_features *sc)
{
	if (!sc->supported)
		return;
	husk_json_map_open(j, "seccomp");
	husk_json_kv_bool(j, "enabled", sc->enabled);
	gen_names(j, "actions", &sc->actions);
	gen_names(j, "operators", &sc->operators);
	gen_names(j, "archs", &sc->archs);
	gen_names(j, "knownFlags", &sc->known_flags);
	gen_names(j, "supportedFlags", &sc->supported_flags);
	husk_json_map_close(j);
}

static void gen_intel_rdt(struct husk_json *j, const struct husk_intel_rdt_features *rdt)
{
	if (!rdt->supported)
		return;
	husk_json_map_open(j, "intelRdt");
	husk_json_kv_bool(j, "enabled", rdt->enabled);
	husk_json_kv_bool(j, "schemata", rdt->schemata);
	husk_json_kv_bool(j, "monitoring", rdt->monitoring);
	husk_json_map_close(j);
}

static void gen_mount_extensions(struct husk_json *j, const struct husk_feature_enabled *idmap)
{
	if (!idmap->supported)
		return;
	husk_json_map_open(j, "mountExtensions");
	gen_enabled(j, "idmap", idmap);
	husk_json_map_close(j);
}

static void gen_memory_policy(struct husk_json *j, const struct husk_memory_policy_features *mp)
{
	if (!mp->supported)
		return;
	husk_json_map_open(j, "memoryPolicy");
	gen_names(j, "modes", &mp->modes);
	gen_names(j, "flags", &mp->flags);
	husk_json_map_close(j);
}

static void gen_linux(struct husk_json *j, const struct husk_linux_features *l)
{
	if (!l->supported)
		return;
	husk_json_map_open(j, "linux");
	gen_names(j, "namespaces", &l->namespaces);
	gen_names(j, "capabilities", &l->capabilities);
	gen_cgroup(j, &l->cgroup);
	gen_seccomp(j, &l->seccomp);
	gen_enabled(j, "apparmor", &l->apparmor);
	gen_enabled(j, "selinux", &l->selinux);
	gen_intel_rdt(j, &l->intel_rdt);
	gen_mount_extensions(j, &l->idmap_mounts);
	gen_enabled(j, "netDevices", &l->net_devices);
	gen_memory_policy(j, &l->memory_policy);
	husk_json_map_close(j);
}

static void gen_annotations(struct husk_json *j, const husk_map *annotations)
{
	if (annotations->n == 0)
		return;
	husk_json_map_open(j, "annotations");
	for (size_t i = 0; i < annotations->n; i++) {
		husk_json_kv_str(j, annotations->v[i].key, annotations->v[i].value);
	}
	husk_json_map_close(j);
}

/* Keys in the order of the spec (and of runc's output). */
static void gen_features(struct husk_json *j, const struct husk_features *f)
{
	husk_json_map_open(j, NULL);
	husk_json_kv_str(j, "ociVersionMin", f->oci_version_min);
	husk_json_kv_str(j, "ociVersionMax", f->oci_version_max);
	gen_names(j, "hooks", &f->hooks);
	gen_names(j, "mountOptions", &f->mount_options);
	gen_linux(j, &f->linux_features);
	gen_annotations(j, &f->annotations);
	gen_names(j, "potentiallyUnsafeConfigAnnotations", &f->unsafe_annotations);
	husk_json_map_close(j);
}

int husk_features_json(const struct husk_features *f, char **json_out, size_t *len, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, FEATURES_INDENT, err) < 0)
		return -1;
	gen_features(&j, f);
	if (husk_json_take(&j, false, json_out, len, err) < 0)
		return husk_error_wrap(err, "generate the features document");
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "husk/config.h"
#include "husk/spec.h"
#include "husk/util.h"
#include "unit.h"

#define GET(v, ...) yajl_tree_get((v), (const char *[]){ __VA_ARGS__, NULL }, yajl_t_any)

static yajl_val parse_spec(bool rootless, char **text)
{
	husk_err err = NULL;
	size_t len = 0;
	char errbuf[256];
	ck_assert_int_eq(husk_spec_generate(rootless, text, &len, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(len, strlen(*text));
	ck_assert_msg(len > 0 && (*text)[len - 1] == '\n', "no final newline");
	yajl_val root = yajl_tree_parse(*text, errbuf, sizeof(errbuf));
	ck_assert_msg(root != NULL, "spec output is not JSON: %s", errbuf);
	return root;
}

static const char *str_at(yajl_val v)
{
	ck_assert_msg(YAJL_IS_STRING(v), "expected a string");
	return YAJL_GET_STRING(v);
}

static size_t array_len(yajl_val v)
{
	ck_assert_msg(YAJL_IS_ARRAY(v), "expected an array");
	return YAJL_GET_ARRAY(v)->len;
}

static yajl_val array_at(yajl_val v, size_t i)
{
	ck_assert_uint_lt(i, array_len(v));
	return YAJL_GET_ARRAY(v)->values[i];
}

static bool has_namespace(yajl_val root, const char *type)
{
	yajl_val ns = GET(root, "linux", "namespaces");
	for (size_t i = 0; i < array_len(ns); i++)
		if (strcmp(str_at(GET(array_at(ns, i), "type")), type) == 0)
			return true;
	return false;
}

static yajl_val find_mount(yajl_val root, const char *destination)
{
	yajl_val mounts = GET(root, "mounts");
	for (size_t i = 0; i < array_len(mounts); i++)
		if (strcmp(str_at(GET(array_at(mounts, i), "destination")), destination) == 0)
			return array_at(mounts, i);
	ck_abort_msg("no mount at %s", destination);
	return NULL;
}

static bool has_string(yajl_val array, const char *s)
{
	for (size_t i = 0; i < array_len(array); i++)
		if (strcmp(str_at(array_at(array, i)), s) == 0)
			return true;
	return false;
}

/* ---- the document ----------------------------------------------------- */

START_TEST(spec_process)
{
	cleanup_free char *text = NULL;
	yajl_val root = parse_spec(false, &text);
	ck_assert_str_eq(str_at(GET(root, "ociVersion")), HUSK_OCI_VERSION);
	ck_assert(YAJL_IS_TRUE(GET(root, "process", "terminal")));
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(root, "process", "user", "uid")), 0);
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(root, "process", "user", "gid")), 0);
	ck_assert_uint_eq(array_len(GET(root, "process", "args")), 1);
	ck_assert_str_eq(str_at(array_at(GET(root, "process", "args"), 0)), "sh");
	yajl_val env = GET(root, "process", "env");
	ck_assert_uint_eq(array_len(env), 2);
	ck_assert_str_eq(str_at(array_at(env, 0)),
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(str_at(array_at(env, 1)), "TERM=xterm");
	ck_assert_str_eq(str_at(GET(root, "process", "cwd")), "/");
	ck_assert(YAJL_IS_TRUE(GET(root, "process", "noNewPrivileges")));
	yajl_val rlimit = array_at(GET(root, "process", "rlimits"), 0);
	ck_assert_str_eq(str_at(GET(rlimit, "type")), "RLIMIT_NOFILE");
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(rlimit, "hard")), 1024);
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(rlimit, "soft")), 1024);
	yajl_tree_free(root);
}
END_TEST

START_TEST(spec_capabilities)
{
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	cleanup_free char *text = NULL;
	yajl_val root = parse_spec(false, &text);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		yajl_val set = GET(root, "process", "capabilities", sets[i]);
		ck_assert_uint_eq(array_len(set), 3);
		ck_assert_str_eq(str_at(array_at(set, 0)), "CAP_AUDIT_WRITE");
		ck_assert_str_eq(str_at(array_at(set, 1)), "CAP_KILL");
		ck_assert_str_eq(str_at(array_at(set, 2)), "CAP_NET_BIND_SERVICE");
	}
	ck_assert_ptr_null(GET(root, "process", "capabilities", "inheritable"));
	ck_assert_ptr_null(GET(root, "process", "capabilities", "ambient"));
	yajl_tree_free(root);
}
END_TEST

START_TEST(spec_root_and_mounts)
{
	cleanup_free char *text = NULL;
	yajl_val root = parse_spec(false, &text);
	ck_assert_str_eq(str_at(GET(root, "root", "path")), "rootfs");
	ck_assert(YAJL_IS_TRUE(GET(root, "root", "readonly")));
	ck_assert_str_eq(str_at(GET(root, "hostname")), "husk");
	ck_assert_uint_eq(array_len(GET(root, "mounts")), 7);
	yajl_val proc = array_at(GET(root, "mounts"), 0);
	ck_assert_str_eq(str_at(GET(proc, "destination")), "/proc");
	ck_assert_str_eq(str_at(GET(proc, "type")), "proc");
	ck_assert_ptr_null(GET(proc, "options"));
	ck_assert(has_string(GET(find_mount(root, "/dev/pts"), "options"), "gid=5"));
	yajl_val sys = find_mount(root, "/sys");
	ck_assert_str_eq(str_at(GET(sys, "type")), "sysfs");
	yajl_val cgroup = find_mount(root, "/sys/fs/cgroup");
	ck_assert(has_string(GET(cgroup, "options"), "relatime"));
	ck_assert(has_string(GET(cgroup, "options"), "ro"));
	yajl_tree_free(root);
}
END_TEST

START_TEST(spec_linux)
{
	static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
	cleanup_free char *text = NULL;
	yajl_val root = parse_spec(false, &text);
	yajl_val device = array_at(GET(root, "linux", "resources", "devices"), 0);
	ck_assert(YAJL_IS_FALSE(GET(device, "allow")));
	ck_assert_str_eq(str_at(GET(device, "access")), "rwm");
	yajl_val ns = GET(root, "linux", "namespaces");
	ck_assert_uint_eq(array_len(ns), 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(str_at(GET(array_at(ns, i), "type")), namespaces[i]);
	ck_assert(!has_namespace(root, "user"));
	ck_assert_ptr_null(GET(root, "linux", "uidMappings"));
	ck_assert_uint_eq(array_len(GET(root, "linux", "maskedPaths")), 10);
	ck_assert(has_string(GET(root, "linux", "maskedPaths"), "/proc/kcore"));
	ck_assert_uint_eq(array_len(GET(root, "linux", "readonlyPaths")), 5);
	ck_assert(has_string(GET(root, "linux", "readonlyPaths"), "/proc/sysrq-trigger"));
	yajl_tree_free(root);
}
END_TEST

static void check_idmap(yajl_val root, const char *key, unsigned int host_id)
{
	yajl_val maps = GET(root, "linux", key);
	ck_assert_uint_eq(array_len(maps), 1);
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(array_at(maps, 0), "containerID")), 0);
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(array_at(maps, 0), "hostID")), host_id);
	ck_assert_int_eq(YAJL_GET_INTEGER(GET(array_at(maps, 0), "size")), 1);
}

START_TEST(spec_rootless)
{
	cleanup_free char *text = NULL;
	yajl_val root = parse_spec(true, &text);
	ck_assert(has_namespace(root, "user"));
	ck_assert(!has_namespace(root, "network"));
	ck_assert(!has_namespace(root, "cgroup"));
	ck_assert(has_namespace(root, "pid"));
	ck_assert(has_namespace(root, "mount"));
	check_idmap(root, "uidMappings", geteuid());
	check_idmap(root, "gidMappings", getegid());
	ck_assert_ptr_null(GET(root, "linux", "resources"));
	ck_assert(!has_string(GET(find_mount(root, "/dev/pts"), "options"), "gid=5"));
	yajl_val sys = find_mount(root, "/sys");
	ck_assert_str_eq(str_at(GET(sys, "type")), "none");
	ck_assert_str_eq(str_at(GET(sys, "source")), "/sys");
	ck_assert_str_eq(str_at(array_at(GET(sys, "options"), 0)), "rbind");
	ck_assert_uint_eq(array_len(GET(sys, "options")), 5);
	ck_assert_uint_eq(array_len(GET(root, "mounts")), 7);
	yajl_tree_free(root);
}
END_TEST

START_TEST(spec_layout)
{
	cleanup_free char *text = NULL;
	husk_err err = NULL;
	ck_assert_int_eq(husk_spec_generate(false, &text, NULL, &err), 0);
	/* runc's layout: tab indentation, "key": value. */
	ck_assert(husk_str_has_prefix(text, "{\n\t\"ociVersion\": \"" HUSK_OCI_VERSION "\",\n\t\"process\": {\n"));
}
END_TEST

/* ---- husk's own parser accepts it ------------------------------------- */

static struct husk_config *parse_with_husk(bool rootless)
{
	cleanup_free char *text = NULL;
	size_t len;
	husk_err err = NULL;
	struct husk_log log = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_WARNING };
	struct husk_config *cfg = NULL;
	ck_assert_int_eq(husk_spec_generate(rootless, &text, &len, &err), 0);
	int rc = husk_config_parse(text, len, &log, &cfg, &err);
	if (rc < 0) {
		cleanup_free char *msg = husk_error_string(err);
		husk_error_free(&err);
		ck_abort_msg("husk_config_parse: %s", msg);
	}
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

START_TEST(spec_round_trip)
{
	cleanup_config struct husk_config *cfg = parse_with_husk(false);
	ck_assert_str_eq(cfg->oci_version, HUSK_OCI_VERSION);
	ck_assert_str_eq(cfg->hostname, "husk");
	ck_assert_str_eq(cfg->root->path, "rootfs");
	ck_assert(cfg->root->readonly);
	ck_assert(cfg->process->terminal);
	ck_assert_uint_eq(cfg->process->args.n, 1);
	ck_assert_uint_eq(cfg->process->env.n, 2);
	ck_assert(cfg->process->no_new_privileges);
	ck_assert_uint_eq(cfg->process->capabilities->bounding,
			  (1ULL << 29) | (1ULL << 5) | (1ULL << 10));
	ck_assert_uint_eq(cfg->process->rlimits.n, 1);
	ck_assert_uint_eq(cfg->mounts.n, 7);
	ck_assert_uint_eq(cfg->linux_cfg->namespaces.n, 6);
	ck_assert_ptr_nonnull(cfg->linux_cfg->resources);
	ck_assert_uint_eq(cfg->linux_cfg->resources->devices.n, 1);
	ck_assert_uint_eq(cfg->linux_cfg->masked_paths.n, 10);
	ck_assert_uint_eq(cfg->linux_cfg->readonly_paths.n, 5);
}
END_TEST

START_TEST(spec_round_trip_rootless)
{
	cleanup_config struct husk_config *cfg = parse_with_husk(true);
	ck_assert_uint_eq(cfg->linux_cfg->namespaces.n, 5);
	ck_assert_uint_eq(cfg->linux_cfg->uid_mappings.n, 1);
	ck_assert_uint_eq(cfg->linux_cfg->uid_mappings.v[0].host_id, geteuid());
	ck_assert_uint_eq(cfg->linux_cfg->gid_mappings.n, 1);
	ck_assert_uint_eq(cfg->linux_cfg->gid_mappings.v[0].host_id, getegid());
	ck_assert_ptr_null(cfg->linux_cfg->resources);
	ck_assert_uint_eq(cfg->mounts.n, 7);
}
END_TEST

/* ---- writing the file ------------------------------------------------- */

/* A scratch bundle directory and the path of its config.json. */
struct bundle {
	struct scratch s;
	char file[96];
};

static void bundle_make(struct bundle *b)
{
	scratch_make(&b->s, "spec");
	snprintf(b->file, sizeof(b->file), "%s/config.json", b->s.dir);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(spec_write_file)
{
	struct bundle s;
	husk_err err = NULL;
	bundle_make(&s);
	mode_t mask = umask(022);
	ck_assert_int_eq(husk_spec_write(s.s.dir, false, &err), 0);
	umask(mask);
	ck_assert_ptr_null(err);

	cleanup_free char *written = NULL;
	cleanup_free char *expected = NULL;
	ck_assert_int_eq(husk_read_file(s.file, 1 << 20, &written, NULL, &err), 0);
	ck_assert_int_eq(husk_spec_generate(false, &expected, NULL, &err), 0);
	ck_assert_str_eq(written, expected);
	struct stat st;
	ck_assert_int_eq(stat(s.file, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_uint_eq(count_entries(s.s.dir), 1);
	scratch_remove(&s.s);
}
END_TEST

START_TEST(spec_write_honours_umask)
{
	struct bundle s;
	husk_err err = NULL;
	bundle_make(&s);
	mode_t mask = umask(077);
	ck_assert_int_eq(husk_spec_write(s.s.dir, true, &err), 0);
	umask(mask);
	struct stat st;
	ck_assert_int_eq(stat(s.file, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	scratch_remove(&s.s);
}
END_TEST

START_TEST(spec_write_refuses_overwrite)
{
	struct bundle s;
	husk_err err = NULL;
	bundle_make(&s);
	int fd = open(s.file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "keep", 4), 4);
	close(fd);

	ck_assert_int_eq(husk_spec_write(s.s.dir, false, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, s.file) && strstr(err->msg, "exists"), "message: %s", err->msg);
	husk_error_free(&err);

	cleanup_free char *kept = NULL;
	ck_assert_int_eq(husk_read_file(s.file, 1 << 20, &kept, NULL, &err), 0);
	ck_assert_str_eq(kept, "keep");
	ck_assert_uint_eq(count_entries(s.s.dir), 1);
	scratch_remove(&s.s);
}
END_TEST

START_TEST(spec_write_missing_bundle)
{
	husk_err err = NULL;
	ck_assert_int_eq(husk_spec_write("/nonexistent/husk-bundle", false, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->msg, "/nonexistent/husk-bundle"));
	husk_error_free(&err);
}
END_TEST

Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *doc = tcase_create("document");
	tcase_add_test(doc, spec_process);
	tcase_add_test(doc, spec_capabilities);
	tcase_add_test(doc, spec_root_and_mounts);
	tcase_add_test(doc, spec_linux);
	tcase_add_test(doc, spec_rootless);
	tcase_add_test(doc, spec_layout);
	suite_add_tcase(s, doc);

	TCase *parse = tcase_create("round trip");
	tcase_add_test(parse, spec_round_trip);
	tcase_add_test(parse, spec_round_trip_rootless);
	suite_add_tcase(s, parse);

	TCase *write = tcase_create("write");
	tcase_add_test(write, spec_write_file);
	tcase_add_test(write, spec_write_honours_umask);
	tcase_add_test(write, spec_write_refuses_overwrite);
	tcase_add_test(write, spec_write_missing_bundle);
	suite_add_tcase(s, write);
	return s;
}

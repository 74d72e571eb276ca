/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "husk/names.h"
#include "husk/spec.h"
#include "husk/spec_hardened.h"
#include "husk/util.h"

enum {
	OPT_ROOTLESS = 256,
	OPT_HARDENED,
	OPT_USER,
	OPT_MEMORY,
	OPT_MEMORY_RESERVATION,
	OPT_CPUS,
	OPT_PIDS,
	OPT_TMPFS,
	OPT_CAP_ADD,
	OPT_SECCOMP,
	OPT_NO_INIT,
	OPT_ARGS,
};

static const struct option spec_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, OPT_ROOTLESS },
	{ "hardened", no_argument, NULL, OPT_HARDENED },
	{ "user", required_argument, NULL, OPT_USER },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "no-init", no_argument, NULL, OPT_NO_INIT },
	{ "args", required_argument, NULL, OPT_ARGS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the command line asked for; the hardened knobs apply only with
 * --hardened, so the first of them is remembered for the error. */
struct spec_request {
	const char *bundle;
	bool rootless;
	bool hardened;
	const char *hardened_flag;
	bool caps_given;
	char *args_copy;                /* owns the words of hardened.args */
	const char **args;
	struct husk_hardened_spec hardened_spec;
};

static void spec_request_release(struct spec_request *r)
{
	free(r->args_copy);
	free(r->args);
}

static int bad_value(const char *flag, const char *value)
{
	return husk_cli_usage_error("spec", "--%s: invalid value '%s'", flag, value);
}

static int parse_positive_size(const char *flag, const char *value, int64_t *out)
{
	if (husk_parse_size(value, out) < 0 || *out <= 0)
		return bad_value(flag, value);
	return 0;
}

static int parse_user(const char *value, struct husk_hardened_spec *h)
{
	cleanup_free char *copy = strdup(value);
	if (!copy)
		return bad_value("user", value);
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	uint64_t uid, gid;
	if (husk_parse_u64(copy, &uid) < 0 || uid > UINT32_MAX - 1)
		return bad_value("user", value);
	gid = uid;
	if (colon && (husk_parse_u64(colon + 1, &gid) < 0 || gid > UINT32_MAX - 1))
		return bad_value("user", value);
	h->uid = (uint32_t)uid;
	h->gid = (uint32_t)gid;
	return 0;
}

/* "net_raw", "NET_RAW" and "CAP_NET_RAW" all name CAP_NET_RAW. */
static int parse_cap(const char *value, struct spec_request *r)
{
	char name[64];
	const char *prefix = strncasecmp(value, "CAP_", 4) == 0 ? "" : "CAP_";
	int n = snprintf(name, sizeof(name), "%s%s", prefix, value);
	if (n < 0 || (size_t)n >= sizeof(name))
		return bad_value("cap-add", value);
	for (char *p = name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	int cap = husk_cap_from_name(name);
	if (cap < 0)
		return bad_value("cap-add", value);
	if (!r->caps_given)
		r->hardened_spec.capabilities = 0;
	r->caps_given = true;
	r->hardened_spec.capabilities |= 1ULL << cap;
	return 0;
}

/* PATH[:OPTS]; the strings stay in argv, which outlives the request. */
static int parse_tmpfs(char *value, struct husk_hardened_spec *h)
{
	char *colon = strchr(value, ':');
	char *options = NULL;
	if (colon) {
		*colon = '\0';
		options = colon + 1;
	}
	husk_err err = NULL;
	if (husk_hardened_add_tmpfs(h, value, options, &err) < 0) {
		husk_error_free(&err);
		if (colon)
			*colon = ':';
		return bad_value("tmpfs", value);
	}
	return 0;
}

/* Split on spaces: simple words, no quoting. */
static int parse_args(const char *value, struct spec_request *r)
{
	free(r->args_copy);
	free(r->args);
	r->args_copy = strdup(value);
	r->args = calloc(strlen(value) / 2 + 2, sizeof(*r->args));
	if (!r->args_copy || !r->args)
		return bad_value("args", value);
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(r->args_copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		r->args[n++] = w;
	if (n == 0)
		return bad_value("args", value);
	r->hardened_spec.args = r->args;
	return 0;
}

static int parse_seccomp(const char *value, struct husk_hardened_spec *h)
{
	if (!*value)
		return bad_value("seccomp", value);
	h->seccomp = value;
	return 0;
}

static int parse_hardened_option(int c, char *value, struct spec_request *r)
{
	struct husk_hardened_spec *h = &r->hardened_spec;
	switch (c) {
	case OPT_USER:
		return parse_user(value, h);
	case OPT_MEMORY:
		return parse_positive_size("memory", value, &h->memory_limit);
	case OPT_MEMORY_RESERVATION:
		return parse_positive_size("memory-reservation", value, &h->memory_reservation);
	case OPT_CPUS:
		return husk_parse_cpus(value, h->cpu_period, &h->cpu_quota) < 0 ? bad_value("cpus", value) : 0;
	case OPT_PIDS: {
		int64_t n;
		if (husk_parse_i64(value, &n) < 0 || n <= 0)
			return bad_value("pids", value);
		h->pids_limit = n;
		return 0;
	}
	case OPT_TMPFS:
		return parse_tmpfs(value, h);
	case OPT_CAP_ADD:
		return parse_cap(value, r);
	case OPT_SECCOMP:
		return parse_seccomp(value, h);
	case OPT_NO_INIT:
		h->init = false;
		return 0;
	case OPT_ARGS:
		return parse_args(value, r);
	default:
		return 2;
	}
}

static const char *option_name(int c)
{
	for (const struct option *o = spec_options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

static int parse_spec_options(int argc, char **argv, struct spec_request *r)
{
	int c;
	while ((c = husk_cli_getopt("spec", argc, argv, spec_options)) != -1) {
		switch (c) {
		case 'b':
			r->bundle = optarg;
			break;
		case OPT_ROOTLESS:
			r->rootless = true;
			break;
		case OPT_HARDENED:
			r->hardened = true;
			break;
		default:
			if (c < OPT_USER)
				return 2;
			if (!r->hardened_flag)
				r->hardened_flag = option_name(c);
			if (parse_hardened_option(c, optarg, r) != 0)
				return 2;
		}
	}
	if (optind < argc)
		return husk_cli_usage_error("spec", "unexpected argument '%s'", argv[optind]);
	if (r->hardened_flag && !r->hardened)
		return husk_cli_usage_error("spec", "--%s needs --hardened", r->hardened_flag);
	if (r->hardened && r->rootless)
		return husk_cli_usage_error("spec", "--hardened and --rootless cannot be combined");
	return 0;
}

int cmd_spec(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	__attribute__((cleanup(spec_request_release))) struct spec_request r = { .bundle = "." };
	husk_hardened_defaults(&r.hardened_spec);
	int rc = parse_spec_options(argc, argv, &r);
	if (rc != 0)
		return rc;
	if (r.hardened)
		return husk_spec_write_hardened(r.bundle, &r.hardened_spec, &cli->log, err) < 0 ? -1 : 0;
	return husk_spec_write(r.bundle, r.rootless, err) < 0 ? -1 : 0;
}

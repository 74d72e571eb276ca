/* SPDX-License-Identifier: Apache-2.0 */
/* husk exec: runc's options, both --flag X and --flag=X. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/names.h"
#include "husk/util.h"

enum {
	OPT_PID_FILE = 256,
	OPT_CWD,
	OPT_NO_NEW_PRIVS,
	OPT_PRESERVE_FDS,
	OPT_PROCESS_LABEL,
	OPT_APPARMOR,
	OPT_CGROUP,
	OPT_IGNORE_PAUSED,
	OPT_CONSOLE_SOCKET,
	OPT_PIDFD_SOCKET,
};

static const struct option exec_options[] = {
	{ "process", required_argument, NULL, 'p' },
	{ "detach", no_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "user", required_argument, NULL, 'u' },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "cap", required_argument, NULL, 'c' },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "process-label", required_argument, NULL, OPT_PROCESS_LABEL },
	{ "apparmor", required_argument, NULL, OPT_APPARMOR },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
	{ "tty", no_argument, NULL, 't' },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the options collect; the arrays hold at most argc entries. */
struct exec_args {
	struct husk_exec_opts o;
	const char *process_file;
	char **env;
	uint32_t *gids;
};

static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v;
	/* (uint32_t)-1 means "unchanged" to setresuid. */
	if (husk_parse_u64(s, &v) < 0 || v >= UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* UID[:GID], numbers only, as runc takes them: "--user 1" is uid 1. */
static int parse_user(const char *arg, struct husk_exec_opts *o)
{
	cleanup_free char *copy = strdup(arg);
	if (!copy)
		return -1;
	char *colon = strchr(copy, ':');
	if (colon) {
		*colon = '\0';
		if (parse_id(colon + 1, &o->gid) < 0)
			return -1;
		o->set_gid = true;
	}
	if (parse_id(copy, &o->uid) < 0)
		return -1;
	o->set_uid = true;
	return 0;
}

/* As runc: a name this build does not know is skipped with a warning. */
static void parse_cap(const struct husk_cli *cli, const char *name, uint64_t *caps)
{
	int cap = husk_cap_from_name(name);
	if (cap >= 0)
		*caps |= UINT64_C(1) << cap;
	else
		husk_warn(&cli->log, "--cap: unknown capability \"%s\" ignored", name);
}

static int parse_value_option(const struct husk_cli *cli, int c, struct exec_args *a)
{
	struct husk_exec_opts *o = &a->o;
	uint64_t n;
	switch (c) {
	case 'e':
		if (!strchr(optarg, '=') || optarg[0] == '=')
			return husk_cli_usage_error("exec", "--env: expected KEY=VALUE, got '%s'", optarg);
		a->env[o->env.n++] = optarg;
		return 0;
	case 'u':
		if (parse_user(optarg, o) < 0)
			return husk_cli_usage_error("exec", "--user: expected UID[:GID] (numbers), got '%s'", optarg);
		return 0;
	case 'g':
		if (parse_id(optarg, &a->gids[o->additional_gids.n]) < 0)
			return husk_cli_usage_error("exec", "--additional-gids: expected a group id, got '%s'", optarg);
		o->additional_gids.n++;
		return 0;
	case 'c':
		parse_cap(cli, optarg, &o->caps);
		return 0;
	case OPT_PRESERVE_FDS:
		if (husk_parse_u64(optarg, &n) < 0 || n > 65536)
			return husk_cli_usage_error("exec", "--preserve-fds: expected a count, got '%s'", optarg);
		o->preserve_fds = (int)n;
		return 0;
	case OPT_CGROUP:
		/* runc's v1 form names one controller's hierarchy. */
		if (strchr(optarg, ':'))
			return husk_cli_usage_error("exec", "--cgroup: the CONTROLLER:PATH form is not supported, "
						    "got '%s' (give a path for every hierarchy)", optarg);
		o->cgroup = optarg;
		return 0;
	default:
		return 2;
	}
}

static int parse_option(const struct husk_cli *cli, int c, struct exec_args *a)
{
	struct husk_exec_opts *o = &a->o;
	switch (c) {
	case 'p': a->process_file = optarg; return 0;
	case 'd': o->detach = true; return 0;
	case 't': o->tty = true; return 0;
	case OPT_PID_FILE: o->pid_file = optarg; return 0;
	case OPT_CWD: o->cwd = optarg; return 0;
	case OPT_NO_NEW_PRIVS: o->no_new_privs = true; return 0;
	case OPT_PROCESS_LABEL: o->process_label = optarg; return 0;
	case OPT_APPARMOR: o->apparmor = optarg; return 0;
	case OPT_IGNORE_PAUSED: o->ignore_paused = true; return 0;
	case OPT_CONSOLE_SOCKET: o->console_socket = optarg; return 0;
	case OPT_PIDFD_SOCKET: o->pidfd_socket = optarg; return 0;
	default: return parse_value_option(cli, c, a);
	}
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(const struct husk_cli *cli, int argc, char **argv, struct exec_args *a)
{
	int c;
	while ((c = husk_cli_getopt("exec", argc, argv, exec_options)) != -1) {
		int rc = parse_option(cli, c, a);
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return husk_cli_usage_error("exec", "missing container id");
	a->o.id = argv[optind];
	a->o.args.v = argv + optind + 1;
	a->o.args.n = (size_t)(argc - optind - 1);
	if (a->process_file && a->o.args.n)
		return husk_cli_usage_error("exec", "give either --process or a command, not both");
	a->o.env.v = a->env;
	a->o.additional_gids.v = a->gids;
	return -1;
}

static int read_process(const char *file, const struct husk_log *log, struct husk_config **cfg, husk_err *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (husk_read_file(file, HUSK_CONFIG_MAX_SIZE, &text, &len, err) < 0)
		return husk_error_wrap(err, "--process");
	if (husk_config_parse_process(text, len, log, cfg, err) < 0)
		return husk_error_wrap(err, "--process %s", file);
	return 0;
}

static int run_exec(struct husk_cli *cli, struct exec_args *a, husk_err *err)
{
	cleanup_config struct husk_config *process = NULL;
	if (a->process_file) {
		if (read_process(a->process_file, &cli->log, &process, err) < 0)
			return -1;
		a->o.process = process->process;
	}
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	int status = 0;
	if (husk_container_exec(&ctx, &a->o, &status, err) < 0)
		return -1;
	return status;
}

int cmd_exec(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	cleanup_free char **env = calloc((size_t)argc + 1, sizeof(char *));
	cleanup_free uint32_t *gids = calloc((size_t)argc + 1, sizeof(uint32_t));
	if (!env || !gids)
		return husk_error(err, ENOMEM, "exec");
	struct exec_args a = { .env = env, .gids = gids };
	int rc = parse_options(cli, argc, argv, &a);
	if (rc >= 0)
		return rc;
	/* runc's status and prefix for every failure, which engines expect. */
	cli->error_status = 255;
	rc = run_exec(cli, &a, err);
	if (rc < 0)
		husk_error_wrap(err, "exec failed");
	return rc;
}

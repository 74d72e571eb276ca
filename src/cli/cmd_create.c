/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/util.h"

enum {
	OPT_CONSOLE_SOCKET = 256,
	OPT_PID_FILE,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_INIT,
	OPT_KEEP,
	OPT_NO_SUBREAPER,
	OPT_PIDFD_SOCKET,
};

#define CREATE_OPTIONS \
	{ "bundle", required_argument, NULL, 'b' }, \
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET }, \
	{ "pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET }, \
	{ "pid-file", required_argument, NULL, OPT_PID_FILE }, \
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT }, \
	{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING }, \
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS }, \
	{ "init", no_argument, NULL, OPT_INIT }, \
	{ "help", no_argument, NULL, 'h' }

static const struct option create_options[] = {
	CREATE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const struct option run_options[] = {
	CREATE_OPTIONS,
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
	{ NULL, 0, NULL, 0 },
};

/* Options of create and run; returns -1 to go on, or an exit status. */
static int parse_options(const char *cmd, int argc, char **argv, struct husk_create_opts *o,
			 struct husk_run_opts *r)
{
	const struct option *opts = r ? run_options : create_options;
	uint64_t n;
	int c;
	while ((c = husk_cli_getopt(cmd, argc, argv, opts)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
		case OPT_PIDFD_SOCKET: o->pidfd_socket = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_NO_PIVOT: o->no_pivot = true; break;
		case OPT_NO_NEW_KEYRING: o->no_new_keyring = true; break;
		case OPT_INIT: o->init = true; break;
		case OPT_PRESERVE_FDS:
			if (husk_parse_u64(optarg, &n) < 0 || n > 65536)
				return husk_cli_usage_error(cmd, "--preserve-fds: expected a count, got '%s'", optarg);
			o->preserve_fds = (int)n;
			break;
		case 'd': r->detach = true; break;
		case OPT_KEEP: r->keep = true; break;
		case OPT_NO_SUBREAPER: r->no_subreaper = true; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc)
		return husk_cli_usage_error(cmd, optind >= argc ? "missing container id" : "too many arguments");
	o->id = argv[optind];
	return -1;
}

int cmd_create(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	struct husk_create_opts o = { .bundle = "." };
	int rc = parse_options("create", argc, argv, &o, NULL);
	if (rc >= 0)
		return rc;
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return husk_container_create(&ctx, &o, err) < 0 ? -1 : 0;
}

int cmd_run(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	struct husk_create_opts o = { .bundle = "." };
	struct husk_run_opts r = { 0 };
	int rc = parse_options("run", argc, argv, &o, &r);
	if (rc >= 0)
		return rc;
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	int status = 0;
	if (husk_container_run(&ctx, &o, &r, &status, err) < 0)
		return -1;
	return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The small commands on one existing container: start, state, kill, delete,
 * pause, resume. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/names.h"

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A command taking exactly one container id and no options. */
static const char *one_id(const char *cmd, int argc, char **argv, int *rc)
{
	*rc = -1;
	if (husk_cli_getopt(cmd, argc, argv, help_only) != -1) {
		*rc = 2;
		return NULL;
	}
	if (optind + 1 != argc) {
		*rc = husk_cli_usage_error(cmd, optind >= argc ? "missing container id" : "too many arguments");
		return NULL;
	}
	return argv[optind];
}

typedef int (*one_id_op)(const struct husk_ctx *ctx, const char *id, husk_err *err);

/* A command that does op on one container and prints nothing. */
static int run_one_id(const char *cmd, one_id_op op, struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	int rc;
	const char *id = one_id(cmd, argc, argv, &rc);
	if (!id)
		return rc;
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return op(&ctx, id, err) < 0 ? -1 : 0;
}

int cmd_start(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	return run_one_id("start", husk_container_start, cli, argc, argv, err);
}

int cmd_state(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	int rc;
	const char *id = one_id("state", argc, argv, &rc);
	if (!id)
		return rc;
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	cleanup_free char *json = NULL;
	if (husk_container_state(&ctx, id, &json, err) < 0)
		return -1;
	printf("%s\n", json);
	return 0;
}

int cmd_kill(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false;
	int c;
	while ((c = husk_cli_getopt("kill", argc, argv, opts)) != -1) {
		if (c == 'a')
			all = true;
		else
			return 2;
	}
	if (optind >= argc)
		return husk_cli_usage_error("kill", "missing container id");
	if (argc - optind > 2)
		return husk_cli_usage_error("kill", "too many arguments");
	int sig = SIGTERM;
	if (argc - optind == 2) {
		sig = husk_signal_parse(argv[optind + 1]);
		if (sig < 0)
			return husk_cli_usage_error("kill", "unknown signal '%s'", argv[optind + 1]);
	}
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return husk_container_kill(&ctx, argv[optind], sig, all, err) < 0 ? -1 : 0;
}

int cmd_delete(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	int c;
	while ((c = husk_cli_getopt("delete", argc, argv, opts)) != -1) {
		if (c == 'f')
			force = true;
		else
			return 2;
	}
	if (optind + 1 != argc)
		return husk_cli_usage_error("delete", optind >= argc ? "missing container id" : "too many arguments");
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return husk_container_delete(&ctx, argv[optind], force, err) < 0 ? -1 : 0;
}

int cmd_pause(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	return run_one_id("pause", husk_container_pause, cli, argc, argv, err);
}

int cmd_resume(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	return run_one_id("resume", husk_container_resume, cli, argc, argv, err);
}

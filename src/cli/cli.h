/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/log.h"

/* Global options, shared by every subcommand (runc's spelling). */
struct husk_cli {
	const char *root;          /* --root, state directory */
	const char *log_path;      /* --log */
	bool debug;                /* --debug */
	bool systemd_cgroup;       /* --systemd-cgroup */
	const char *rootless;      /* --rootless true|false|auto */
	struct husk_log log;
	int error_status;          /* exit status when the command fails (runc's exec: 255) */
};

/*
 * A subcommand gets its own argv (argv[0] is the command name) and returns
 * the process exit status, or -1 with *err set.  Usage errors return 2
 * after printing one line through husk_cli_usage_error().
 */
typedef int (*husk_cmd_fn)(struct husk_cli *cli, int argc, char **argv, husk_err *err);

struct husk_cmd {
	const char *name;
	husk_cmd_fn run;
	const char *summary;
	const char *usage;         /* printed by `husk NAME --help` */
};

int cmd_spec(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_validate(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_features(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_create(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_run(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_exec(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_start(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_state(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_kill(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_delete(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_list(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_pause(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_resume(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_update(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_ps(struct husk_cli *cli, int argc, char **argv, husk_err *err);
int cmd_events(struct husk_cli *cli, int argc, char **argv, husk_err *err);

extern const struct husk_cmd husk_commands[];

/* Print "husk CMD: message" and a hint, return the usage exit status (2). */
int husk_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the command's usage text to stdout and return 0. */
int husk_cli_help(const char *cmd);

/*
 * Common option handling for subcommands: getopt_long in runc's style
 * (both --flag X and --flag=X, stops at the first argument), with --help
 * built in.  Returns the option, -1 at the end, or '?' after printing a
 * usage error (the caller returns 2).
 */
struct option;
int husk_cli_getopt(const char *cmd, int argc, char **argv, const struct option *opts);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* husk ps: the processes of a container, as a JSON list or through ps(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/json.h"
#include "husk/ps_table.h"
#include "husk/util.h"

#define PS_OUTPUT_MAX (64 << 20)

extern char **environ;

static int print_json(const pid_t *pids, size_t n, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	cleanup_free char *out = NULL;
	if (husk_json_init(&j, NULL, err) < 0)
		return -1;
	husk_json_array_open(&j, NULL);
	for (size_t i = 0; i < n; i++)
		husk_json_uint(&j, (unsigned long long)pids[i]);
	husk_json_array_close(&j);
	if (husk_json_take(&j, true, &out, NULL, err) < 0)
		return -1;
	fputs(out, stdout);
	return 0;
}

static int wait_ps(pid_t pid, husk_err *err)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return husk_error(err, errno, "wait for ps");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return husk_error(err, 0, "ps: exit status %d", WEXITSTATUS(status));
	return husk_error(err, 0, "ps: killed by signal %d", WTERMSIG(status));
}

/* Run ps with args (NULL-terminated, args[0] "ps"); its output in *out.
 * Its stderr is ours, so that its complaints reach the user as written. */
static int run_ps(char **args, char **out, husk_err *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_error(err, errno, "pipe");
	cleanup_close int rd = p[0];
	cleanup_close int wr = p[1];
	posix_spawn_file_actions_t fa;
	if ((errno = posix_spawn_file_actions_init(&fa)) != 0)
		return husk_error(err, errno, "run ps");
	pid_t pid;
	int rc = posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
	if (rc == 0)
		rc = posix_spawnp(&pid, "ps", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return husk_error(err, rc, "run ps");
	/* Our copy of the write end closed, ps's exit ends the output. */
	husk_closep(&wr);
	wr = -1;
	int read_rc = husk_read_fd(rd, PS_OUTPUT_MAX, out, NULL, err);
	if (wait_ps(pid, err) < 0 || read_rc < 0)
		return -1;
	return 0;
}

static int print_table(const pid_t *pids, size_t n, char **ps_args, int n_args, husk_err *err)
{
	static char *default_args[] = { "ps", "-ef", NULL };
	cleanup_free char **args = NULL;
	if (n_args > 0) {
		args = calloc((size_t)n_args + 2, sizeof(*args));
		if (!args)
			return husk_error(err, ENOMEM, "ps arguments");
		args[0] = "ps";
		memcpy(args + 1, ps_args, (size_t)n_args * sizeof(*args));
	}
	cleanup_free char *output = NULL, *table = NULL;
	if (run_ps(args ? args : default_args, &output, err) < 0 ||
	    husk_ps_filter(output, pids, n, &table, err) < 0)
		return -1;
	fputs(table, stdout);
	return 0;
}

int cmd_ps(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table";
	int c;
	while ((c = husk_cli_getopt("ps", argc, argv, opts)) != -1) {
		if (c != 'f')
			return 2;
		format = optarg;
	}
	if (optind >= argc)
		return husk_cli_usage_error("ps", "missing container id");
	if (strcmp(format, "table") && strcmp(format, "json"))
		return husk_cli_usage_error("ps", "--format: expected table or json, got '%s'", format);
	const char *id = argv[optind];
	char **ps_args = argv + optind + 1;
	int n_args = argc - optind - 1;
	if (n_args > 0 && strcmp(ps_args[0], "--") == 0) {
		ps_args++;
		n_args--;
	}
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	cleanup_free pid_t *pids = NULL;
	size_t n;
	if (husk_container_pids(&ctx, id, &pids, &n, err) < 0)
		return -1;
	if (strcmp(format, "json") == 0)
		return print_json(pids, n, err) < 0 ? -1 : 0;
	return print_table(pids, n, ps_args, n_args, err) < 0 ? -1 : 0;
}

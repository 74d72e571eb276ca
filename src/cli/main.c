/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "husk/config.h"
#include "husk/util.h"

#ifndef HUSK_COMMIT
#define HUSK_COMMIT "unknown"
#endif

/* Options create and run share. */
#define CREATE_OPTIONS_HELP \
	"  -b, --bundle DIR        bundle directory (default: the current directory)\n" \
	"      --pid-file FILE     write the container process' pid to FILE\n" \
	"      --console-socket S  send the terminal's master to unix socket S\n" \
	"      --pidfd-socket S    send a pidfd of the container process to unix socket S\n" \
	"      --no-pivot          do not use pivot_root (for a rootfs on an initramfs)\n" \
	"      --no-new-keyring    keep the caller's session keyring\n" \
	"      --preserve-fds N    pass N more fds (from 3) to the container\n" \
	"      --init              run husk's reaper as PID 1 of the container\n"

const struct husk_cmd husk_commands[] = {
	{ "spec", cmd_spec, "write a new config.json",
	  "Usage: husk spec [--bundle DIR] [--rootless]\n"
	  "       husk spec --hardened [--bundle DIR] [hardening options]\n"
	  "\n"
	  "Write a default config.json into the bundle directory (default: the\n"
	  "current directory), as `runc spec` does.  With --hardened, write one\n"
	  "that runs as 10001:10001 on a read-only root with only\n"
	  "NET_BIND_SERVICE, a seccomp profile, resource limits and the reaper.\n"
	  "\n"
	  "Options:\n"
	  "  -b, --bundle DIR   directory to write config.json into\n"
	  "      --rootless     write a config for a container run by an unprivileged user\n"
	  "      --hardened     write the hardened config\n"
	  "\n"
	  "Hardening options (with --hardened):\n"
	  "      --user UID[:GID]          user and group (default 10001:10001)\n"
	  "      --memory SIZE             memory limit (default 512m; units k, m, g)\n"
	  "      --memory-reservation SIZE memory soft limit (default 256m)\n"
	  "      --cpus N                  CPU quota in CPUs (default 1; 0.5, 2.25, ...)\n"
	  "      --pids N                  maximum number of tasks (default 1024)\n"
	  "      --tmpfs PATH[:OPTS]       another tmpfs; OPTS comma-separated\n"
	  "                                (default nosuid,nodev,noexec); repeatable\n"
	  "      --cap-add CAP             keep CAP instead of NET_BIND_SERVICE; repeatable\n"
	  "      --seccomp PROFILE         default, strict, unconfined or a FILE (default: default)\n"
	  "      --no-init                 no reaper as PID 1\n"
	  "      --args 'CMD ...'          the program and its arguments, split on spaces\n" },
	{ "validate", cmd_validate, "check a bundle's config.json without running it",
	  "Usage: husk validate [--bundle DIR] [--warn | --strict]\n"
	  "\n"
	  "Parse and check the bundle's config.json and that root.path exists.\n"
	  "Every problem found is reported, one per line; exit 0 only when the\n"
	  "bundle is valid.\n"
	  "\n"
	  "Options:\n"
	  "  -b, --bundle DIR   bundle directory (default: the current directory)\n"
	  "      --warn         also print the hardening the config lacks compared\n"
	  "                     to `husk spec --hardened`, one line per finding\n"
	  "      --strict       as --warn, and exit 1 when there is any finding\n" },
	{ "features", cmd_features, "print the OCI features this build supports",
	  "Usage: husk features\n"
	  "\n"
	  "Print the OCI runtime features document (JSON) for this build of husk:\n"
	  "only what husk really supports.\n" },
	{ "create", cmd_create, "create a container, ready to start",
	  "Usage: husk create [options] ID\n"
	  "\n"
	  "Create the container ID from a bundle: its process exists with every\n"
	  "namespace, mount and security setting in place and waits for start.\n"
	  "\n"
	  "Options:\n"
	  CREATE_OPTIONS_HELP},
	{ "start", cmd_start, "run the user process of a created container",
	  "Usage: husk start ID\n" },
	{ "run", cmd_run, "create and start a container",
	  "Usage: husk run [options] ID\n"
	  "\n"
	  "Create and start the container ID; without --detach wait for it, pass on\n"
	  "signals, delete it afterwards and exit with its status.\n"
	  "\n"
	  "Options:\n"
	  CREATE_OPTIONS_HELP
	  "  -d, --detach            do not wait for the container\n"
	  "      --keep              do not delete the container after it exits\n"
	  "      --no-subreaper      do not reap orphans of the container\n" },
	{ "exec", cmd_exec, "run a new process in a container",
	  "Usage: husk exec [options] ID [COMMAND [ARG...]]\n"
	  "\n"
	  "Run COMMAND, or the process of --process FILE, in the container ID: in\n"
	  "its namespaces, cgroup and root, with the settings of its config.json's\n"
	  "process (user, capabilities, rlimits, no_new_privs, labels) and its\n"
	  "seccomp filter; the options below override or add to them.  Without\n"
	  "--detach wait for it, pass on signals and exit with its status.\n"
	  "\n"
	  "Options:\n"
	  "  -p, --process FILE       the process as OCI JSON (config.json's process object)\n"
	  "  -d, --detach             return once the process runs\n"
	  "      --pid-file FILE      write the process' pid to FILE\n"
	  "      --cwd DIR            working directory (absolute, in the container)\n"
	  "  -e, --env KEY=VALUE      set an environment variable (repeatable)\n"
	  "  -u, --user UID[:GID]     user and group ids (numbers)\n"
	  "  -g, --additional-gids GID  add a supplementary group (repeatable)\n"
	  "  -c, --cap CAP            add CAP to the bounding, effective and permitted\n"
	  "                           sets (repeatable); never inheritable or ambient\n"
	  "      --no-new-privs       set no_new_privs\n"
	  "      --preserve-fds N     pass N more fds (from 3) to the process\n"
	  "      --process-label L    SELinux label of the process\n"
	  "      --apparmor PROFILE   AppArmor profile of the process\n"
	  "      --cgroup PATH        join this sub-cgroup of the container's cgroup\n"
	  "      --ignore-paused      exec even into a paused container\n"
	  "  -t, --tty                allocate a terminal (the command line's process)\n"
	  "      --console-socket S   send the terminal's master to unix socket S\n"
	  "      --pidfd-socket S     send a pidfd of the new process to unix socket S\n" },
	{ "state", cmd_state, "print the OCI state of a container",
	  "Usage: husk state ID\n" },
	{ "kill", cmd_kill, "send a signal to a container",
	  "Usage: husk kill [--all] ID [SIGNAL]\n"
	  "\n"
	  "SIGNAL is a name (KILL, SIGKILL, RTMIN+3) or a number; default TERM.\n"
	  "\n"
	  "Options:\n"
	  "  -a, --all   signal every process of the container\n" },
	{ "delete", cmd_delete, "delete a container",
	  "Usage: husk delete [--force] ID\n"
	  "\n"
	  "Options:\n"
	  "  -f, --force   kill the container if it still runs\n" },
	{ "list", cmd_list, "list containers",
	  "Usage: husk list [--format table|json] [--quiet]\n"
	  "\n"
	  "Options:\n"
	  "  -f, --format table|json   output format (default table)\n"
	  "  -q, --quiet               print only the ids\n" },
	{ "pause", cmd_pause, "suspend every process of a container",
	  "Usage: husk pause ID\n"
	  "\n"
	  "Freeze the container's cgroup; `husk resume` thaws it.\n" },
	{ "resume", cmd_resume, "resume a paused container",
	  "Usage: husk resume ID\n" },
	{ "update", cmd_update, "change the resource limits of a running container",
	  "Usage: husk update [options] ID\n"
	  "\n"
	  "Apply new limits to the container's cgroup.  Only what is given changes;\n"
	  "flags override the same fields of --resources.\n"
	  "\n"
	  "Options:\n"
	  "  -r, --resources FILE         linux.resources JSON from FILE (- for standard input)\n"
	  "      --memory BYTES           memory limit (units k, m, g: 64m; -1: none)\n"
	  "      --memory-reservation BYTES  memory soft limit\n"
	  "      --memory-swap BYTES      memory plus swap limit (-1: unlimited swap)\n"
	  "      --cpu-shares N           relative CPU weight (also --cpu-share)\n"
	  "      --cpu-quota US           CPU time per period (-1: none)\n"
	  "      --cpu-period US          CFS period\n"
	  "      --cpu-rt-period US       realtime period (cgroup v1)\n"
	  "      --cpu-rt-runtime US      realtime runtime (cgroup v1)\n"
	  "      --cpuset-cpus LIST       CPUs allowed (0-3,5)\n"
	  "      --cpuset-mems LIST       memory nodes allowed\n"
	  "      --pids-limit N           maximum number of tasks (0 or -1: none)\n"
	  "      --blkio-weight N         block IO weight (10..1000)\n"
	  "      --kernel-memory BYTES    accepted and ignored (gone from the kernel)\n" },
	{ "ps", cmd_ps, "list the processes of a container",
	  "Usage: husk ps [--format table|json] ID [[--] PS-ARGS...]\n"
	  "\n"
	  "List the processes in the container's cgroup.  table runs ps(1) with\n"
	  "PS-ARGS (default -ef) and prints its header and the container's lines;\n"
	  "json prints their pids as a JSON array.\n"
	  "\n"
	  "Options:\n"
	  "  -f, --format table|json   output format (default table)\n" },
	{ "events", cmd_events, "print a container's statistics and OOM events",
	  "Usage: husk events [--stats] [--interval DURATION] ID\n"
	  "\n"
	  "Print one JSON object per line: the container's resource statistics\n"
	  "every interval, and {\"type\":\"oom\"} when the OOM killer strikes in\n"
	  "it, until the container stops.\n"
	  "\n"
	  "Options:\n"
	  "      --interval DURATION   time between statistics (default 5s; 500ms, 1m, ...)\n"
	  "      --stats               print the statistics once and exit\n" },
	{ NULL, NULL, NULL, NULL },
};

static const struct husk_cmd *find_command(const char *name)
{
	for (const struct husk_cmd *c = husk_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int husk_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 2;
	if (cmd)
		fprintf(stderr, "husk %s: %s (see 'husk %s --help')\n", cmd, msg, cmd);
	else
		fprintf(stderr, "husk: %s (see 'husk --help')\n", msg);
	return 2;
}

int husk_cli_help(const char *cmd)
{
	const struct husk_cmd *c = find_command(cmd);
	if (c)
		fputs(c->usage, stdout);
	return 0;
}

int husk_cli_getopt(const char *cmd, int argc, char **argv, const struct option *opts)
{
	/* Build the short option string from the table once per call;
	 * tables are tiny. */
	char shorts[64] = "+:";
	size_t n = strlen(shorts);
	for (const struct option *o = opts; o->name && n + 3 < sizeof(shorts); o++) {
		if (o->flag || o->val < 'A' || o->val > 'z')
			continue;
		shorts[n++] = (char)o->val;
		if (o->has_arg == required_argument)
			shorts[n++] = ':';
	}
	shorts[n] = '\0';
	opterr = 0;
	int longindex = -1;
	int c = getopt_long(argc, argv, shorts, opts, &longindex);
	/* Global options handle their own -h: cmd is NULL there. */
	if (cmd && c == 'h' && (longindex < 0 || strcmp(opts[longindex].name, "help") == 0)) {
		husk_cli_help(cmd);
		exit(0);
	}
	if (c == '?') {
		if (optopt && optopt < 256)
			husk_cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else
			husk_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		return '?';
	}
	if (c == ':') {
		husk_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		return '?';
	}
	return c;
}

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("husk version %s\n", HUSK_VERSION);
	printf("commit: %s\n", HUSK_COMMIT);
	printf("spec: %s\n", HUSK_OCI_VERSION);
	printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
	printf("features: +SECCOMP +CAP +YAJL\n");
}

static void print_help(void)
{
	printf("Usage: husk [global options] COMMAND [options] [ARGS]\n"
	       "\n"
	       "husk is a small, fast OCI container runtime.\n"
	       "\n"
	       "Commands:\n");
	for (const struct husk_cmd *c = husk_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\n"
	       "Global options:\n"
	       "  --root DIR              state directory (default /run/husk)\n"
	       "  --log FILE              write diagnostics to FILE instead of stderr\n"
	       "  --log-format text|json  format of --log lines (default text)\n"
	       "  --debug                 also log debug messages\n"
	       "  --systemd-cgroup        use systemd cgroups (not supported yet: refused)\n"
	       "  --rootless true|false|auto\n"
	       "                          rootless mode (default auto)\n"
	       "  -v, --version           print version information\n"
	       "  -h, --help              print this help\n"
	       "\n"
	       "Run 'husk COMMAND --help' for a command's options.\n");
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU,
};

static const struct option global_options[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
	{ "rootless", required_argument, NULL, OPT_ROOTLESS },
	{ "criu", required_argument, NULL, OPT_CRIU },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to continue, or an exit status. */
static int parse_global_options(struct husk_cli *cli, int argc, char **argv)
{
	const char *log_format = "text";
	int c;
	while ((c = husk_cli_getopt(NULL, argc, argv, global_options)) != -1) {
		switch (c) {
		case OPT_ROOT:
			cli->root = optarg;
			break;
		case OPT_LOG:
			cli->log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			log_format = optarg;
			break;
		case OPT_DEBUG:
			cli->debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			cli->systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			if (strcmp(optarg, "true") && strcmp(optarg, "false") && strcmp(optarg, "auto"))
				return husk_cli_usage_error(NULL, "--rootless: expected true, false or auto, got '%s'", optarg);
			cli->rootless = optarg;
			break;
		case OPT_CRIU:
			break; /* accepted for runc compatibility; no checkpointing */
		case 'v':
			print_version();
			return 0;
		case 'h':
			print_help();
			return 0;
		default:
			return 2;
		}
	}
	if (strcmp(log_format, "json") == 0)
		cli->log.format = HUSK_LOG_JSON;
	else if (strcmp(log_format, "text") == 0)
		cli->log.format = HUSK_LOG_TEXT;
	else
		return husk_cli_usage_error(NULL, "--log-format: expected text or json, got '%s'", log_format);
	if (cli->debug)
		cli->log.level = HUSK_LOG_DEBUG;
	return -1;
}

static int open_log(struct husk_cli *cli, husk_err *err)
{
	if (!cli->log_path)
		return 0;
	cli->log.fd = open(cli->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (cli->log.fd < 0)
		return husk_error(err, errno, "open log file %s", cli->log_path);
	return 0;
}

/*
 * The one place errors are reported: to the log (JSON when asked, so the
 * engines show husk's real message) and, when the log is a file, also to
 * stderr, as runc does.
 */
static void report_errors(const struct husk_cli *cli, const struct husk_error *err)
{
	husk_log_errors(&cli->log, err);
	if (cli->log.fd >= 0) {
		struct husk_log stderr_log = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_ERROR };
		husk_log_errors(&stderr_log, err);
	}
}

int main(int argc, char **argv)
{
	struct husk_cli cli = {
		.root = "/run/husk",
		.rootless = "auto",
		.error_status = 1,
		.log = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_WARNING },
	};
	cleanup_error husk_err err = NULL;

	int rc = parse_global_options(&cli, argc, argv);
	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		print_help();
		return 2;
	}
	const struct husk_cmd *cmd = find_command(argv[optind]);
	if (!cmd)
		return husk_cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	if (open_log(&cli, &err) < 0) {
		report_errors(&cli, err);
		return 1;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* reinitialise getopt for the subcommand */
	rc = cmd->run(&cli, argc, argv, &err);
	if (rc < 0) {
		report_errors(&cli, err);
		rc = cli.error_status;
	}
	if (cli.log.fd >= 0)
		close(cli.log.fd);
	return rc;
}

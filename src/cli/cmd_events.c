/* SPDX-License-Identifier: Apache-2.0 */
/* husk events: a container's statistics and OOM kills as JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/duration.h"

#define DEFAULT_INTERVAL_NS 5000000000LL

enum {
	OPT_INTERVAL = 256,
	OPT_STATS,
};

/* One event per line, flushed at once: the reader is usually a program
 * waiting for it. */
static int print_event(const char *json, void *arg, husk_err *err)
{
	(void)arg;
	if (puts(json) == EOF || fflush(stdout) == EOF)
		return husk_error(err, errno, "write event");
	return 0;
}

int cmd_events(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct husk_events_opts o = { .interval_ns = DEFAULT_INTERVAL_NS };
	int c;
	while ((c = husk_cli_getopt("events", argc, argv, opts)) != -1) {
		if (c == OPT_STATS)
			o.stats_once = true;
		else if (c != OPT_INTERVAL)
			return 2;
		else if (husk_parse_duration(optarg, &o.interval_ns) < 0)
			return husk_cli_usage_error("events", "--interval: invalid duration '%s' (e.g. 5s, 500ms, 1m)",
						    optarg);
	}
	if (optind + 1 != argc)
		return husk_cli_usage_error("events", optind >= argc ? "missing container id" : "too many arguments");
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log, .systemd_cgroup = cli->systemd_cgroup };
	return husk_container_events(&ctx, argv[optind], &o, print_event, NULL, err) < 0 ? -1 : 0;
}

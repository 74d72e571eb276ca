/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "husk/config.h"
#include "husk/hardening.h"

enum {
	OPT_WARN = 256,
	OPT_STRICT,
};

/* Print what the config lacks; returns how many findings there were, or -1. */
static int print_findings(const struct husk_config *cfg, husk_err *err)
{
	cleanup_findings struct husk_findings findings = { NULL, 0 };
	if (husk_hardening_check(cfg, &findings, err) < 0)
		return -1;
	for (size_t i = 0; i < findings.n; i++)
		printf("%s\n", findings.v[i]);
	return (int)findings.n;
}

int cmd_validate(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "warn", no_argument, NULL, OPT_WARN },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	bool warn = false, strict = false;
	int c;
	while ((c = husk_cli_getopt("validate", argc, argv, opts)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == OPT_WARN)
			warn = true;
		else if (c == OPT_STRICT)
			strict = true;
		else
			return 2;
	}
	if (optind < argc)
		return husk_cli_usage_error("validate", "unexpected argument '%s'", argv[optind]);

	cleanup_config struct husk_config *cfg = NULL;
	if (husk_config_load(bundle, &cli->log, &cfg, err) < 0)
		return -1;
	if (husk_config_check_bundle(cfg, bundle, err) < 0)
		return -1;
	printf("%s/config.json: valid\n", bundle);
	if (!warn && !strict)
		return 0;
	int found = print_findings(cfg, err);
	if (found < 0)
		return -1;
	return strict && found > 0 ? 1 : 0;
}

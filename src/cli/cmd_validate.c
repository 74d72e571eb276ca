/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "husk/config.h"

int cmd_validate(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	int c;
	while ((c = husk_cli_getopt("validate", argc, argv, opts)) != -1) {
		if (c == 'b')
			bundle = optarg;
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
	return 0;
}

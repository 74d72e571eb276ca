/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "husk/spec.h"

enum {
	OPT_ROOTLESS = 256,
};

static const struct option spec_options[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, OPT_ROOTLESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_spec(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	const char *bundle = ".";
	bool rootless = false;
	int c;
	(void)cli;
	while ((c = husk_cli_getopt("spec", argc, argv, spec_options)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case OPT_ROOTLESS:
			rootless = true;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc)
		return husk_cli_usage_error("spec", "unexpected argument '%s'", argv[optind]);
	if (husk_spec_write(bundle, rootless, err) < 0)
		return -1;
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <unistd.h>

#include "cli.h"
#include "husk/features.h"
#include "husk/util.h"

static const struct option features_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int print_features(husk_err *err)
{
	struct husk_features f;
	if (husk_features_init(&f, err) < 0)
		return -1;
	cleanup_free char *json = NULL;
	size_t len;
	int rc = husk_features_json(&f, &json, &len, err);
	husk_features_release(&f);
	if (rc < 0)
		return -1;
	if (husk_write_all(STDOUT_FILENO, json, len) < 0)
		return husk_error(err, errno, "write the features document");
	return 0;
}

int cmd_features(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	(void)cli;
	if (husk_cli_getopt("features", argc, argv, features_options) != -1)
		return 2;
	if (optind < argc)
		return husk_cli_usage_error("features", "unexpected argument '%s'", argv[optind]);
	if (print_features(err) < 0)
		return -1;
	return 0;
}

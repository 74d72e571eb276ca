/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the config parser: any byte string must either parse
 * into a config or fail with at least one error, without crashing, leaking
 * or reading out of bounds.  Build and run with `make fuzz`.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "husk/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Warnings (unknown capabilities, relative mount destinations) are
 * formatted and written like in real use, but to /dev/null. */
static struct husk_log quiet = { .fd = -1, .format = HUSK_LOG_TEXT, .level = HUSK_LOG_DEBUG };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (quiet.fd < 0)
		quiet.level = HUSK_LOG_ERROR;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_config *cfg = NULL;
	husk_err err = NULL;
	int rc = husk_config_parse((const char *)data, size, &quiet, &cfg, &err);
	if (rc == 0) {
		/* Success: a config, no error. */
		if (!cfg || err)
			abort();
		/* Touch the model the way callers do. */
		(void)husk_map_get(&cfg->annotations, "org.opencontainers.image.os");
		(void)husk_config_namespace(cfg, 0);
	} else {
		/* Failure: no config, and every problem explained. */
		if (cfg || !err || husk_error_count(err) == 0)
			abort();
		for (const struct husk_error *e = err; e; e = e->next)
			if (!e->msg || strncmp(e->msg, "config.json", 11) != 0)
				abort();
		char *s = husk_error_string(err);
		free(s);
	}
	husk_config_free(&cfg);
	husk_error_free(&err);
	return 0;
}

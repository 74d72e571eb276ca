/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "husk/container.h"
#include "husk/json.h"

static int max_width(int w, const char *s)
{
	int n = (int)strlen(s);
	return n > w ? n : w;
}

/* Columns padded to their widest cell, as a tab writer would. */
static void print_table(const struct husk_container_info *list, size_t n)
{
	int w[5] = { 2, 3, 6, 6, 7 };
	for (size_t i = 0; i < n; i++) {
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", (int)list[i].pid);
		w[0] = max_width(w[0], list[i].id);
		w[1] = max_width(w[1], pid);
		w[2] = max_width(w[2], husk_status_name(list[i].status));
		w[3] = max_width(w[3], list[i].bundle);
		w[4] = max_width(w[4], list[i].created);
	}
	printf("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", w[0], "ID", w[1], "PID", w[2], "STATUS",
	       w[3], "BUNDLE", w[4], "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++)
		printf("%-*s   %-*d   %-*s   %-*s   %-*s   %s\n", w[0], list[i].id, w[1], (int)list[i].pid,
		       w[2], husk_status_name(list[i].status), w[3], list[i].bundle, w[4], list[i].created,
		       list[i].owner[0] ? list[i].owner : "root");
}

static int print_json(const struct husk_container_info *list, size_t n, husk_err *err)
{
	cleanup_json struct husk_json j = { 0 };
	if (husk_json_init(&j, NULL, err) < 0)
		return -1;
	husk_json_array_open(&j, NULL);
	for (size_t i = 0; i < n; i++) {
		husk_json_map_open(&j, NULL);
		husk_json_kv_str(&j, "id", list[i].id);
		husk_json_kv_int(&j, "pid", list[i].pid);
		husk_json_kv_str(&j, "status", husk_status_name(list[i].status));
		husk_json_kv_str(&j, "bundle", list[i].bundle);
		husk_json_kv_str(&j, "created", list[i].created);
		husk_json_kv_str(&j, "owner", list[i].owner[0] ? list[i].owner : "root");
		husk_json_map_close(&j);
	}
	husk_json_array_close(&j);
	cleanup_free char *out = NULL;
	if (husk_json_take(&j, true, &out, NULL, err) < 0)
		return -1;
	fputs(out, stdout);
	return 0;
}

int cmd_list(struct husk_cli *cli, int argc, char **argv, husk_err *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table";
	bool quiet = false;
	int c;
	while ((c = husk_cli_getopt("list", argc, argv, opts)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return 2;
	}
	if (optind != argc)
		return husk_cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "table") && strcmp(format, "json"))
		return husk_cli_usage_error("list", "--format: expected table or json, got '%s'", format);
	struct husk_ctx ctx = { .root = cli->root, .log = &cli->log };
	struct husk_container_info *list;
	size_t n;
	if (husk_container_list(&ctx, &list, &n, err) < 0)
		return -1;
	int rc = 0;
	if (quiet)
		for (size_t i = 0; i < n; i++)
			puts(list[i].id);
	else if (strcmp(format, "json") == 0)
		rc = print_json(list, n, err);
	else
		print_table(list, n);
	husk_container_list_free(list, n);
	return rc;
}

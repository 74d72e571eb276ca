/* SPDX-License-Identifier: Apache-2.0 */
/* What `ps` and `events` parse on the command line and in ps(1)'s output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "husk/duration.h"
#include "husk/ps_table.h"
#include "unit.h"

/* ---- durations (Go's syntax, as runc's --interval) -------------------------- */

static int64_t duration_ok(const char *s)
{
	int64_t ns = -42;
	ck_assert_msg(husk_parse_duration(s, &ns) == 0, "\"%s\" refused", s);
	return ns;
}

START_TEST(durations)
{
	ck_assert_int_eq(duration_ok("5s"), 5000000000LL);
	ck_assert_int_eq(duration_ok("500ms"), 500000000LL);
	ck_assert_int_eq(duration_ok("1m"), 60000000000LL);
	ck_assert_int_eq(duration_ok("1m30s"), 90000000000LL);
	ck_assert_int_eq(duration_ok("1h2m3s4ms5us6ns"), 3723004005006LL);
	ck_assert_int_eq(duration_ok("1.5s"), 1500000000LL);
	ck_assert_int_eq(duration_ok(".5s"), 500000000LL);
	ck_assert_int_eq(duration_ok("5.s"), 5000000000LL);
	ck_assert_int_eq(duration_ok("1\u00b5s"), 1000);
	ck_assert_int_eq(duration_ok("1\u03bcs"), 1000);
	ck_assert_int_eq(duration_ok("0"), 0);
	ck_assert_int_eq(duration_ok("-0"), 0);
	ck_assert_int_eq(duration_ok("-1.5h"), -5400000000000LL);
	ck_assert_int_eq(duration_ok("0.1ns"), 0);
	ck_assert_int_eq(duration_ok("9223372036854775807ns"), INT64_MAX);
	ck_assert_int_eq(duration_ok("-9223372036854775808ns"), INT64_MIN);
	ck_assert_int_eq(duration_ok("1.0000000000000000000000001s"), 1000000000LL);
}
END_TEST

START_TEST(durations_refused)
{
	static const char *const bad[] = {
		"", "-", "1", "s", ".s", "1x", "1sm", "1s1", " 5s", "5s ", "1e3s", "3000000h",
		"9223372036854775808ns", "2562047h47m16.854775808s", "100000000000000000000ns",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ns;
		ck_assert_msg(husk_parse_duration(bad[i], &ns) == -1, "\"%s\" accepted", bad[i]);
	}
}
END_TEST

/* ---- ps output ------------------------------------------------------------------ */

static const char ps_ef[] = "UID        PID  PPID  C STIME TTY          TIME CMD\n"
			    "root         1     0  0 18:37 ?        00:00:03 /sbin/init\n"
			    "root     13975     1  0 21:29 ?        00:00:00 sh -c sleep 100 & sleep 100 & wait\n"
			    "root     13978 13975  0 21:29 ?        00:00:00 sleep 100\n"
			    "root     20001     1  0 21:30 ?        00:00:00 sleep 13975\n";

START_TEST(ps_keeps_header_and_container_lines)
{
	husk_err err = NULL;
	char *out = NULL;
	pid_t pids[] = { 13978, 13975 };
	ck_assert_int_eq(husk_ps_filter(ps_ef, pids, 2, &out, &err), 0);
	ck_assert_str_eq(out, "UID        PID  PPID  C STIME TTY          TIME CMD\n"
			      "root     13975     1  0 21:29 ?        00:00:00 sh -c sleep 100 & sleep 100 & wait\n"
			      "root     13978 13975  0 21:29 ?        00:00:00 sleep 100\n");
	free(out);
	ck_assert_int_eq(husk_ps_filter(ps_ef, NULL, 0, &out, &err), 0);
	ck_assert_str_eq(out, "UID        PID  PPID  C STIME TTY          TIME CMD\n");
	free(out);
}
END_TEST

START_TEST(ps_pid_column_anywhere)
{
	husk_err err = NULL;
	char *out = NULL;
	pid_t pids[] = { 7 };
	ck_assert_int_eq(husk_ps_filter("COMMAND   PID\nsleep       7\nsh          8", pids, 1, &out, &err), 0);
	ck_assert_str_eq(out, "COMMAND   PID\nsleep       7\n");
	free(out);
}
END_TEST

START_TEST(ps_errors)
{
	husk_err err = NULL;
	char *out = NULL;
	pid_t pids[] = { 7 };
	ck_assert_int_eq(husk_ps_filter("COMMAND\nsleep\n", pids, 1, &out, &err), -1);
	ck_assert_str_eq(err->msg, "couldn't find PID field in ps output");
	husk_error_free(&err);
	ck_assert_int_eq(husk_ps_filter("", pids, 1, &out, &err), -1);
	husk_error_free(&err);
	ck_assert_int_eq(husk_ps_filter("PID CMD\nx sleep\n", pids, 1, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "unable to parse pid"));
	husk_error_free(&err);
	ck_assert_int_eq(husk_ps_filter("CMD PID\nsleep\n", pids, 1, &out, &err), -1);
	husk_error_free(&err);
	ck_assert_ptr_null(out);
}
END_TEST

Suite *inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("duration");
	tcase_add_test(tc, durations);
	tcase_add_test(tc, durations_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("ps");
	tcase_add_test(tc, ps_keeps_header_and_container_lines);
	tcase_add_test(tc, ps_pid_column_anywhere);
	tcase_add_test(tc, ps_errors);
	suite_add_tcase(s, tc);
	return s;
}

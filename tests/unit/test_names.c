/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "husk/names.h"
#include "husk/passwd.h"
#include "unit.h"

/* ---- capabilities ----------------------------------------------------- */

START_TEST(cap_known_names)
{
	ck_assert_int_eq(husk_cap_from_name("CAP_CHOWN"), 0);
	ck_assert_int_eq(husk_cap_from_name("CAP_KILL"), 5);
	ck_assert_int_eq(husk_cap_from_name("CAP_SYS_ADMIN"), 21);
	ck_assert_int_eq(husk_cap_from_name("CAP_AUDIT_READ"), 37);
	ck_assert_int_eq(husk_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	ck_assert_str_eq(husk_cap_name(0), "CAP_CHOWN");
	ck_assert_str_eq(husk_cap_name(21), "CAP_SYS_ADMIN");
	ck_assert_str_eq(husk_cap_name(40), "CAP_CHECKPOINT_RESTORE");
}
END_TEST

START_TEST(cap_unknown)
{
	ck_assert_int_eq(husk_cap_from_name("CAP_FOO"), -1);
	ck_assert_int_eq(husk_cap_from_name(""), -1);
	ck_assert_int_eq(husk_cap_from_name("KILL"), -1);
	ck_assert_int_eq(husk_cap_from_name("CAP_KILL "), -1);
	ck_assert_ptr_null(husk_cap_name(-1));
	ck_assert_ptr_null(husk_cap_name(HUSK_CAP_LAST + 1));
	ck_assert_ptr_null(husk_cap_name(64));
}
END_TEST

START_TEST(cap_round_trip)
{
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++) {
		const char *name = husk_cap_name(cap);
		ck_assert_ptr_nonnull(name);
		ck_assert_msg(strncmp(name, "CAP_", 4) == 0, "%d: %s", cap, name);
		ck_assert_int_eq(husk_cap_from_name(name), cap);
	}
}
END_TEST

/* ---- signals ---------------------------------------------------------- */

START_TEST(signal_names_and_numbers)
{
	ck_assert_int_eq(husk_signal_parse("KILL"), SIGKILL);
	ck_assert_int_eq(husk_signal_parse("SIGKILL"), SIGKILL);
	ck_assert_int_eq(husk_signal_parse("9"), SIGKILL);
	ck_assert_int_eq(husk_signal_parse("TERM"), SIGTERM);
	/* names in any case, as runc takes them */
	ck_assert_int_eq(husk_signal_parse("sigterm"), SIGTERM);
	ck_assert_int_eq(husk_signal_parse("Kill"), SIGKILL);
	ck_assert_int_eq(husk_signal_parse("rtmin+1"), SIGRTMIN + 1);
	ck_assert_int_eq(husk_signal_parse("SIGHUP"), SIGHUP);
	ck_assert_int_eq(husk_signal_parse("1"), 1);
	ck_assert_int_eq(husk_signal_parse("64"), SIGRTMAX);
}
END_TEST

START_TEST(signal_realtime)
{
	ck_assert_int_eq(husk_signal_parse("SIGRTMIN"), SIGRTMIN);
	ck_assert_int_eq(husk_signal_parse("RTMIN"), SIGRTMIN);
	ck_assert_int_eq(husk_signal_parse("RTMIN+3"), SIGRTMIN + 3);
	ck_assert_int_eq(husk_signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	ck_assert_int_eq(husk_signal_parse("RTMAX"), SIGRTMAX);
	ck_assert_int_eq(husk_signal_parse("RTMAX-1"), SIGRTMAX - 1);
	ck_assert_int_eq(husk_signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
}
END_TEST

START_TEST(signal_invalid)
{
	static const char *const bad[] = {
		"0", "65", "SIGFOO", "", "9x", "-9", "RTMIN-1", "RTMAX+1",
		"RTMIN+", "RTMIN+99", "SIG", " 9",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(husk_signal_parse(bad[i]) == -1, "'%s' accepted", bad[i]);
	ck_assert_int_eq(husk_signal_parse(NULL), -1);
}
END_TEST

START_TEST(signal_name_round_trip)
{
	char buf[32];
	ck_assert_str_eq(husk_signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL");
	ck_assert_str_eq(husk_signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	ck_assert_str_eq(husk_signal_name(SIGRTMIN, buf, sizeof(buf)), "SIGRTMIN");
	ck_assert_str_eq(husk_signal_name(SIGRTMIN + 2, buf, sizeof(buf)), "SIGRTMIN+2");
	ck_assert_ptr_null(husk_signal_name(0, buf, sizeof(buf)));
	ck_assert_ptr_null(husk_signal_name(SIGRTMAX + 1, buf, sizeof(buf)));
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		const char *name = husk_signal_name(sig, buf, sizeof(buf));
		/* glibc keeps the first real-time signals for itself. */
		if (sig > SIGSYS && sig < SIGRTMIN)
			continue;
		ck_assert_msg(name != NULL, "signal %d has no name", sig);
		ck_assert_msg(husk_signal_parse(name) == sig, "%s does not parse back to %d", name, sig);
	}
}
END_TEST

/* ---- rlimits ---------------------------------------------------------- */

START_TEST(rlimit_names)
{
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, "RLIMIT_NOFILE"), RLIMIT_NOFILE);
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, "RLIMIT_CORE"), RLIMIT_CORE);
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, "RLIMIT_RTTIME"), RLIMIT_RTTIME);
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, "RLIMIT_FOO"), -1);
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, "NOFILE"), -1);
	ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, ""), -1);
	ck_assert_str_eq(husk_name_of(husk_rlimit_names, RLIMIT_AS), "RLIMIT_AS");
	ck_assert_ptr_null(husk_name_of(husk_rlimit_names, RLIM_NLIMITS));
}
END_TEST

START_TEST(rlimit_table_complete)
{
	/* Every limit the kernel has, each once. */
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		const char *name = husk_name_of(husk_rlimit_names, r);
		ck_assert_msg(name != NULL, "rlimit %d has no name", r);
		ck_assert_int_eq(husk_name_lookup(husk_rlimit_names, name), r);
	}
	size_t n = 0;
	while (husk_rlimit_names[n].name)
		n++;
	ck_assert_uint_eq(n, RLIM_NLIMITS);
}
END_TEST

/* ---- the container's /etc/passwd --------------------------------------- */

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"# not a comment in passwd(5), just a line that matches nothing\n"
	"short:x:7\n"
	"nohome:x:8:8:gecos::/bin/sh\n"
	"svc:x:4242:4242:a service:/srv/svc:/bin/false\n"
	"big:x:4294967294:1::/home/big:\n"
	"last:x:99:99::/home/last";

static void assert_home(uid_t uid, const char *want)
{
	char *home = husk_passwd_parse_home(passwd_text, strlen(passwd_text), uid);
	if (want)
		ck_assert_str_eq(home, want);
	else
		ck_assert_ptr_null(home);
	free(home);
}

START_TEST(passwd_home_by_uid)
{
	assert_home(0, "/root");
	assert_home(4294967294u, "/home/big");
	assert_home(99, "/home/last");   /* no final newline */
	assert_home(4242, "/srv/svc");
	assert_home(7, NULL);            /* too few fields */
	assert_home(8, NULL);            /* empty home */
	assert_home(1, NULL);
}
END_TEST

START_TEST(passwd_uid_must_be_exact)
{
	static const char text[] = "a:x:+5:0::/plus:\nb:x:05x:0::/junk:\nc:x:-1:0::/minus:\nd:x:05:0::/five:\n";
	char *home = husk_passwd_parse_home(text, strlen(text), 5);
	ck_assert_str_eq(home, "/five");
	free(home);
	ck_assert_ptr_null(husk_passwd_parse_home(text, strlen(text), (uid_t)-1));
	ck_assert_ptr_null(husk_passwd_parse_home("", 0, 0));
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *caps = tcase_create("capabilities");
	tcase_add_test(caps, cap_known_names);
	tcase_add_test(caps, cap_unknown);
	tcase_add_test(caps, cap_round_trip);
	suite_add_tcase(s, caps);

	TCase *sigs = tcase_create("signals");
	tcase_add_test(sigs, signal_names_and_numbers);
	tcase_add_test(sigs, signal_realtime);
	tcase_add_test(sigs, signal_invalid);
	tcase_add_test(sigs, signal_name_round_trip);
	suite_add_tcase(s, sigs);

	TCase *rlimits = tcase_create("rlimits");
	tcase_add_test(rlimits, rlimit_names);
	tcase_add_test(rlimits, rlimit_table_complete);
	suite_add_tcase(s, rlimits);

	TCase *passwd = tcase_create("passwd");
	tcase_add_test(passwd, passwd_home_by_uid);
	tcase_add_test(passwd, passwd_uid_must_be_exact);
	suite_add_tcase(s, passwd);
	return s;
}

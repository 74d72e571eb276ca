/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/names.h"
#include "husk/util.h"

/* Without the SIG prefix; the first name of a number is its canonical one. */
const struct husk_name husk_signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM },
#ifdef SIGSTKFLT
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD }, { "CLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL },
	{ "PWR", SIGPWR }, { "SYS", SIGSYS },
	{ NULL, 0 },
};

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" */
static int parse_realtime(const char *s)
{
	int base, sign;
	if (husk_str_has_prefix(s, "RTMIN")) {
		base = SIGRTMIN;
		sign = 1;
	} else if (husk_str_has_prefix(s, "RTMAX")) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -1;
	}
	s += 5;
	if (*s == '\0')
		return base;
	if (*s != (sign > 0 ? '+' : '-'))
		return -1;
	uint64_t off;
	if (husk_parse_u64(s + 1, &off) < 0 || off > (uint64_t)(SIGRTMAX - SIGRTMIN))
		return -1;
	return base + sign * (int)off;
}

int husk_signal_parse(const char *arg)
{
	uint64_t num;
	char s[32];
	if (!arg || !*arg || strlen(arg) >= sizeof(s))
		return -1;
	/* As runc: names in any case. */
	for (size_t i = 0; i <= strlen(arg); i++)
		s[i] = (char)toupper((unsigned char)arg[i]);
	if (husk_parse_u64(s, &num) == 0)
		return num >= 1 && num <= (uint64_t)SIGRTMAX ? (int)num : -1;
	const char *name = husk_str_has_prefix(s, "SIG") ? s + 3 : s;
	int sig = husk_name_lookup(husk_signal_names, name);
	return sig >= 0 ? sig : parse_realtime(name);
}

const char *husk_signal_name(int sig, char *buf, int size)
{
	const char *name = husk_name_of(husk_signal_names, sig);
	if (name)
		snprintf(buf, size, "SIG%s", name);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, size, sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		return NULL;
	return buf;
}

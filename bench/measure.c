/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure: run a command (or COUNT copies of it, one after another or all
 * at once) and append one CSV line with what it cost:
 *
 *   LABEL,COUNT,WALL_NS,USER_US,SYS_US,MAXRSS_KB,FAILED
 *
 * WALL_NS is CLOCK_MONOTONIC from just before the first fork to just after
 * the last wait4, so the benchmark's shell never shows up in the numbers.
 * USER_US and SYS_US add up the rusage wait4 returns for each child (which
 * covers the descendants that child waited for), MAXRSS_KB is the largest
 * peak RSS among them, FAILED counts children that did not exit 0.
 *
 * Every "{}" inside an argument is replaced by the copy's index (0-based),
 * so COUNT copies can use COUNT container ids.  The argument vectors are
 * built before the clock starts.
 *
 * The exit status is 0 whatever the children did (FAILED says that);
 * it is non-zero only when measure itself could not do its job.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct totals {
	int64_t wall_ns;
	int64_t user_us;
	int64_t sys_us;
	long maxrss_kb;
	long failed;
};

static void usage(void)
{
	fputs("usage: measure [-o FILE] [-l LABEL] [-S COUNT | -P COUNT] -- CMD [ARG...]\n"
	      "  -o FILE   append the result line to FILE (default: stdout)\n"
	      "  -l LABEL  first field of the result line (default: -)\n"
	      "  -S COUNT  run COUNT copies one after another\n"
	      "  -P COUNT  start COUNT copies at once, then wait for all\n"
	      "  {} in an argument is replaced by the copy's index\n",
	      stderr);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		perror("measure: malloc");
		exit(3);
	}
	return p;
}

/* ARG with every "{}" replaced by INDEX. */
static char *substitute(const char *arg, long index)
{
	char num[24];
	size_t hits = 0, numlen, len = strlen(arg);
	const char *p;
	char *out, *o;

	snprintf(num, sizeof(num), "%ld", index);
	numlen = strlen(num);
	for (p = arg; (p = strstr(p, "{}")) != NULL; p += 2)
		hits++;
	if (hits == 0)
		return (char *)arg;
	out = o = xmalloc(len + hits * numlen + 1);
	for (p = arg; *p;) {
		if (p[0] == '{' && p[1] == '}') {
			memcpy(o, num, numlen);
			o += numlen;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* COUNT argument vectors, built up front so that building them is not timed. */
static char ***build_argvs(char **cmd, int argc, long count)
{
	char ***argvs = xmalloc(sizeof(*argvs) * (size_t)count);
	for (long i = 0; i < count; i++) {
		argvs[i] = xmalloc(sizeof(char *) * (size_t)(argc + 1));
		for (int a = 0; a < argc; a++)
			argvs[i][a] = substitute(cmd[a], i);
		argvs[i][argc] = NULL;
	}
	return argvs;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		exit(3);
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for one child and add its cost to T. */
static void reap(pid_t pid, struct totals *t)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("measure: wait4");
			exit(3);
		}
	}
	t->user_us += tv_us(ru.ru_utime);
	t->sys_us += tv_us(ru.ru_stime);
	if (ru.ru_maxrss > t->maxrss_kb)
		t->maxrss_kb = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		t->failed++;
}

static void run_sequential(char ***argvs, long count, struct totals *t)
{
	int64_t start = now_ns();
	for (long i = 0; i < count; i++)
		reap(spawn(argvs[i]), t);
	t->wall_ns = now_ns() - start;
}

static void run_parallel(char ***argvs, long count, struct totals *t)
{
	pid_t *pids = xmalloc(sizeof(*pids) * (size_t)count);
	int64_t start = now_ns();
	for (long i = 0; i < count; i++)
		pids[i] = spawn(argvs[i]);
	for (long i = 0; i < count; i++)
		reap(pids[i], t);
	t->wall_ns = now_ns() - start;
	free(pids);
}

static long parse_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < 1 || n > 1000000)
		usage();
	return n;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *label = "-";
	long count = 1;
	int parallel = 0, opt;
	struct totals t = { 0 };
	FILE *out = stdout;

	while ((opt = getopt(argc, argv, "+o:l:S:P:")) != -1) {
		switch (opt) {
		case 'o':
			out_path = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'S':
			count = parse_count(optarg);
			parallel = 0;
			break;
		case 'P':
			count = parse_count(optarg);
			parallel = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	char ***argvs = build_argvs(argv + optind, argc - optind, count);
	if (out_path) {
		/* Opened before the clock starts; a failure here is measure's own. */
		out = fopen(out_path, "ae"); /* close-on-exec: not the children's */
		if (!out) {
			fprintf(stderr, "measure: %s: %s\n", out_path, strerror(errno));
			return 3;
		}
	}
	if (parallel)
		run_parallel(argvs, count, &t);
	else
		run_sequential(argvs, count, &t);

	fprintf(out, "%s,%ld,%lld,%lld,%lld,%ld,%ld\n", label, count, (long long)t.wall_ns,
		(long long)t.user_us, (long long)t.sys_us, t.maxrss_kb, t.failed);
	if (fclose(out) != 0) {
		perror("measure: write");
		return 3;
	}
	return 0;
}

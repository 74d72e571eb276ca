/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "husk/util.h"

void husk_freep(void *p)
{
	free(*(void **)p);
	*(void **)p = NULL;
}

void husk_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	/* Called on struct members too: a second call must not close a
	 * number that has since been reused. */
	*fd = -1;
}

void husk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

struct husk_arena_chunk {
	struct husk_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK 8192

void *husk_arena_alloc(struct husk_arena *a, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	if (size > SIZE_MAX - align) {
		a->failed = true;
		return NULL;
	}
	size = (size + align - 1) & ~(align - 1);
	struct husk_arena_chunk *c = a->chunks;
	if (!c || c->size - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			a->failed = true;
			return NULL;
		}
		c->size = cap;
		c->used = 0;
		/* A big one-off block goes behind the current chunk so the
		 * current chunk's free space stays usable. */
		if (a->chunks && cap > ARENA_CHUNK) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = a->chunks;
			a->chunks = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *husk_arena_strdup(struct husk_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = husk_arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void husk_arena_release(struct husk_arena *a)
{
	struct husk_arena_chunk *c = a->chunks;
	while (c) {
		struct husk_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->chunks = NULL;
	a->failed = false;
}

int husk_read_fd(int fd, size_t max, char **out, size_t *len, husk_err *err)
{
	size_t cap = 4096, n = 0;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	if (cap > max + 1)
		cap = max + 1;
	cleanup_free char *buf = malloc(cap);
	if (!buf)
		return husk_error(err, ENOMEM, "allocate %zu bytes", cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max)
				return husk_error(err, EFBIG, "file larger than %zu bytes", max);
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nbuf = realloc(buf, ncap);
			if (!nbuf)
				return husk_error(err, ENOMEM, "allocate %zu bytes", ncap);
			buf = nbuf;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return husk_error(err, errno, "read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	if (len)
		*len = n;
	return 0;
}

int husk_read_file(const char *path, size_t max, char **out, size_t *len, husk_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return husk_error(err, errno, "open %s", path);
	if (husk_read_fd(fd, max, out, len, err) < 0)
		return husk_error_wrap(err, "%s", path);
	return 0;
}

int husk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int husk_parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int husk_parse_i64(const char *s, int64_t *out)
{
	if (!s || !((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int husk_parse_size(const char *s, int64_t *out)
{
	if (s && strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	static const char units[] = "kmgtp";
	unsigned shift = 0;
	const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u) {
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (tolower((unsigned char)*end) == 'i' && tolower((unsigned char)end[1]) == 'b')
			end += 2;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v > (unsigned long long)INT64_MAX >> shift)
		return -1;
	*out = (int64_t)(v << shift);
	return 0;
}

/* Digits only, at least one; the value of at most max_digits of them. */
static const char *parse_digits(const char *s, unsigned max_digits, uint64_t *value, unsigned *count)
{
	*value = 0;
	*count = 0;
	for (; *s >= '0' && *s <= '9'; s++, (*count)++)
		if (*count < max_digits)
			*value = *value * 10 + (uint64_t)(*s - '0');
	return s;
}

#define CPUS_MAX_WHOLE 100000    /* more CPUs than any machine has */
#define CPUS_FRACTION_DIGITS 9
#define CFS_QUOTA_MIN 1000

int husk_parse_cpus(const char *s, uint64_t period, int64_t *quota)
{
	uint64_t whole, fraction = 0;
	unsigned n_whole, n_fraction = 0;
	const char *p = parse_digits(s, 7, &whole, &n_whole);
	bool has_point = *p == '.';
	if (has_point)
		p = parse_digits(p + 1, CPUS_FRACTION_DIGITS, &fraction, &n_fraction);
	if (*p || n_whole == 0 || n_whole > 6 || (has_point && n_fraction == 0) ||
	    whole > CPUS_MAX_WHOLE || period == 0 || period > 1000000)
		return -1;
	uint64_t scale = 1;
	for (unsigned i = 0; i < n_fraction && i < CPUS_FRACTION_DIGITS; i++)
		scale *= 10;
	uint64_t q = whole * period + fraction * period / scale;
	if (q < CFS_QUOTA_MIN)
		return -1;
	*quota = (int64_t)q;
	return 0;
}

bool husk_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void husk_format_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

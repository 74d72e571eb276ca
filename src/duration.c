/* SPDX-License-Identifier: Apache-2.0 */
/* Durations written as Go writes them, for runc-compatible options. */
#include <stdbool.h>
#include <string.h>

#include "husk/duration.h"
#include "husk/util.h"

#define LIMIT (UINT64_C(1) << 63) /* |INT64_MIN|: the largest magnitude */

static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\u00b5s", 1000 }, /* micro sign */
	{ "\u03bcs", 1000 }, /* Greek small letter mu */
	{ "ms", 1000 * 1000 },
	{ "s", UINT64_C(1000000000) },
	{ "m", UINT64_C(60000000000) },
	{ "h", UINT64_C(3600000000000) },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The unit at *s (up to the next number), advancing past it; 0 if none. */
static uint64_t take_unit(const char **s)
{
	size_t n = strcspn(*s, "0123456789.");
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (n && strlen(units[i].name) == n && strncmp(*s, units[i].name, n) == 0) {
			*s += n;
			return units[i].ns;
		}
	}
	return 0;
}

/* Digits at *s: *v accumulates them while it can grow without overflow
 * (a fraction's further digits only lose precision), *scale is 10^digits
 * taken. */
static size_t take_digits(const char **s, uint64_t *v, double *scale, bool fraction)
{
	size_t n = 0;
	for (; is_digit(**s); (*s)++, n++) {
		uint64_t d = (uint64_t)(**s - '0');
		if (*v > (LIMIT - d) / 10) {
			if (!fraction)
				return SIZE_MAX;
			continue;
		}
		*v = *v * 10 + d;
		*scale *= 10;
	}
	return n;
}

/* One "NUMBER[.FRACTION]UNIT" at *s, in nanoseconds. */
static int take_component(const char **s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0;
	double unused = 1, scale = 1;
	size_t digits = take_digits(s, &whole, &unused, false), frac_digits = 0;
	if (digits == SIZE_MAX)
		return -1;
	if (**s == '.') {
		(*s)++;
		frac_digits = take_digits(s, &frac, &scale, true);
	}
	if (digits == 0 && frac_digits == 0)
		return -1;
	uint64_t unit = take_unit(s);
	if (!unit || whole > LIMIT / unit)
		return -1;
	*ns = whole * unit;
	if (frac)
		*ns += (uint64_t)((double)frac * ((double)unit / scale));
	return *ns > LIMIT ? -1 : 0;
}

int husk_parse_duration(const char *s, int64_t *ns)
{
	bool negative = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	uint64_t total = 0;
	while (*s) {
		uint64_t part;
		if (take_component(&s, &part) < 0 || part > LIMIT - total)
			return -1;
		total += part;
	}
	if (!negative && total == LIMIT)
		return -1;
	*ns = negative ? (int64_t)(0 - total) : (int64_t)total;
	return 0;
}

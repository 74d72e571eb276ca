/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_DURATION_H
#define HUSK_DURATION_H

#include <stdint.h>

/*
 * A duration as runc's options take them (Go's syntax): an optionally
 * signed sequence of decimal numbers, each with an optional fraction and a
 * unit, e.g. "5s", "500ms", "1.5h", "2h45m".  Units: ns, us (or µs, μs),
 * ms, s, m, h; a bare "0" needs none.  Returns -1 when s is not a duration
 * or does not fit in int64 nanoseconds.
 */
int husk_parse_duration(const char *s, int64_t *ns);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "husk/names.h"
#include "husk/process.h"

/* Indexed by capability number (linux/capability.h). */
static const char *const cap_names[HUSK_CAP_LAST + 1] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int husk_cap_from_name(const char *name)
{
	for (int i = 0; i <= HUSK_CAP_LAST; i++)
		if (strcmp(cap_names[i], name) == 0)
			return i;
	return -1;
}

const char *husk_cap_name(int cap)
{
	if (cap < 0 || cap > HUSK_CAP_LAST)
		return NULL;
	return cap_names[cap];
}

/* ---- applying the sets (libcap) ------------------------------------------ */

static int last_cap(void)
{
	int n = (int)cap_max_bits() - 1;
	return n > HUSK_CAP_LAST ? HUSK_CAP_LAST : n;
}

static bool cap_in(uint64_t set, int cap)
{
	return set & (UINT64_C(1) << cap);
}

static uint64_t all_caps(void)
{
	return (UINT64_C(1) << (HUSK_CAP_LAST + 1)) - 1;
}

/* Capabilities the kernel knows and this process may still hold. */
static uint64_t held_bounding(int last)
{
	uint64_t held = 0;
	for (int cap = 0; cap <= last; cap++)
		if (cap_get_bound(cap) == 1)
			held |= UINT64_C(1) << cap;
	return held;
}

static void warn_unavailable(const struct husk_log *log, const char *set, uint64_t missing)
{
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++)
		if (cap_in(missing, cap))
			husk_warn(log, "process.capabilities.%s: %s is not available to the runtime; skipped",
				  set, husk_cap_name(cap));
}

int husk_caps_drop_bounding(const struct husk_capabilities *caps, const struct husk_log *log, uint64_t *bounding,
			    husk_err *err)
{
	int last = last_cap();
	uint64_t held = held_bounding(last);
	warn_unavailable(log, "bounding", caps->bounding & ~held & all_caps());
	*bounding = held & caps->bounding;
	for (int cap = 0; cap <= last; cap++) {
		if (!cap_in(held, cap) || cap_in(caps->bounding, cap))
			continue;
		if (cap_drop_bound(cap) < 0)
			return husk_error(err, errno, "drop %s from the bounding set", husk_cap_name(cap));
	}
	return 0;
}

static int set_flags(cap_t c, cap_flag_t flag, uint64_t set)
{
	for (int cap = 0; cap <= HUSK_CAP_LAST; cap++) {
		cap_value_t v = cap;
		if (cap_in(set, cap) && cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static uint64_t proc_flag_set(cap_t c, cap_flag_t flag, int last)
{
	uint64_t set = 0;
	for (int cap = 0; cap <= last; cap++) {
		cap_flag_value_t v;
		if (cap_get_flag(c, cap, flag, &v) == 0 && v == CAP_SET)
			set |= UINT64_C(1) << cap;
	}
	return set;
}

static void free_cap(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

int husk_caps_apply(const struct husk_capabilities *caps, uint64_t bounding, const struct husk_log *log,
		    husk_err *err)
{
	__attribute__((cleanup(free_cap))) cap_t cur = cap_get_proc();
	if (!cur)
		return husk_error(err, errno, "read capabilities");
	int last = last_cap();
	uint64_t permitted = proc_flag_set(cur, CAP_PERMITTED, last);
	/* Bounding was already reported by husk_caps_drop_bounding. */
	warn_unavailable(log, "permitted", caps->permitted & ~permitted & caps->bounding & all_caps());
	warn_unavailable(log, "effective", caps->effective & ~permitted & caps->bounding & all_caps());

	uint64_t p = caps->permitted & permitted;
	uint64_t e = caps->effective & p;
	uint64_t i = caps->inheritable & bounding;
	__attribute__((cleanup(free_cap))) cap_t c = cap_init();
	if (!c)
		return husk_error(err, errno, "set capabilities");
	if (set_flags(c, CAP_PERMITTED, p) < 0 || set_flags(c, CAP_EFFECTIVE, e) < 0 ||
	    set_flags(c, CAP_INHERITABLE, i) < 0)
		return husk_error(err, errno, "set capabilities");
	if (cap_set_proc(c) < 0)
		return husk_error(err, errno, "set capabilities");
	if (!caps->ambient)
		return 0;
	for (int cap = 0; cap <= last; cap++) {
		if (!cap_in(caps->ambient, cap))
			continue;
		if (!cap_in(p, cap) || !cap_in(i, cap)) {
			husk_warn(log, "process.capabilities.ambient: %s needs to be permitted and inheritable; skipped",
				  husk_cap_name(cap));
			continue;
		}
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return husk_error(err, errno, "process.capabilities.ambient: raise %s", husk_cap_name(cap));
	}
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-profile: write an OCI linux.seccomp object about the size and
 * shape of the default profile container engines apply: everything denied
 * with EPERM by default, then one allow rule per syscall the kernel header
 * names (about 300), except the ones engines keep from containers, plus a
 * few rules with argument filters.  Only the filter's size and shape
 * matter to the benchmark; it is not meant as a security policy.
 *
 *   seccomp-profile UNISTD_64_H > seccomp.json
 *
 * Names libseccomp cannot resolve are left out, so that every runtime
 * (all of them use libseccomp) accepts the same filter.  The number of
 * rules goes to stderr.
 */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept from containers: they reach outside the container or the kernel's
 * shared state; some come back below with argument filters. */
static const char *const denied[] = {
	"acct", "add_key", "afs_syscall", "bpf", "clock_adjtime", "clock_settime",
	"clone", "clone3", "create_module", "delete_module", "epoll_ctl_old",
	"epoll_wait_old", "fanotify_init", "finit_module", "fsconfig", "fsmount",
	"fsopen", "fspick", "get_kernel_syms", "get_mempolicy", "getpmsg",
	"init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load",
	"keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr", "move_mount",
	"move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at",
	"open_tree", "perf_event_open", "personality", "pivot_root",
	"process_vm_readv", "process_vm_writev", "ptrace", "putpmsg",
	"query_module", "quotactl", "quotactl_fd", "reboot", "request_key",
	"security", "set_mempolicy", "set_mempolicy_home_node", "setns",
	"settimeofday", "socket", "swapoff", "swapon", "_sysctl", "sysfs",
	"syslog", "tuxcall", "umount2", "unshare", "uselib", "userfaultfd",
	"ustat", "vhangup", "vserver",
};

static int is_denied(const char *name)
{
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (strcmp(name, denied[i]) == 0)
			return 1;
	return 0;
}

static unsigned rules;

static void rule_sep(void)
{
	fputs(rules++ ? ",\n" : "\n", stdout);
}

static void allow(const char *name)
{
	rule_sep();
	printf("    { \"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\" }", name);
}

/* Allow NAME when argument INDEX compares OP to VALUE (and VALUE2). */
static void allow_if(const char *name, int index, const char *op, unsigned long long value,
		     unsigned long long value2)
{
	rule_sep();
	printf("    { \"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	       "      \"args\": [ { \"index\": %d, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\" } ] }",
	       name, index, value, value2, op);
}

/* The rules with argument filters, as engines write them. */
static void conditional_rules(void)
{
	/* personality: only the harmless personas (Linux, 32-bit, query). */
	static const unsigned long long personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
	for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
		allow_if("personality", 0, "SCMP_CMP_EQ", personas[i], 0);
	/* clone: threads and processes, but no new namespaces (mask, then 0). */
	allow_if("clone", 0, "SCMP_CMP_MASKED_EQ", 0x7e020000ULL, 0);
	/* socket: every family but vsock (40). */
	allow_if("socket", 0, "SCMP_CMP_NE", 40, 0);
	/* clone3 cannot be filtered by flags: ENOSYS makes libc fall back to clone. */
	rule_sep();
	fputs("    { \"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38 }", stdout);
}

int main(int argc, char **argv)
{
	char line[512], name[128];
	int nr;
	FILE *in;

	if (argc != 2) {
		fputs("usage: seccomp-profile UNISTD_64_H\n", stderr);
		return 2;
	}
	in = fopen(argv[1], "re");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	printf("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 1,\n"
	       "  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"
	       "  \"syscalls\": [");
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "#define __NR_%127s %d", name, &nr) != 2)
			continue;
		if (is_denied(name) || seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
			continue;
		allow(name);
	}
	fclose(in);
	conditional_rules();
	printf("\n  ]\n}\n");
	fprintf(stderr, "seccomp-profile: %u rules\n", rules);
	return rules > 0 ? 0 : 1;
}

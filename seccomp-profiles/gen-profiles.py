#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# Writes default.json and strict.json (linux.seccomp objects of the OCI
# runtime spec) next to this script.  The JSON files are committed; run this
# after changing a list here and commit both.
#
#   default  the allow list of the usual Docker/Moby default profile, with
#            only the rules a container keeps without extra capabilities
#            (the capability-gated rules are left out: a hardened container
#            keeps CAP_NET_BIND_SERVICE only).
#   strict   default minus what ordinary network services never need:
#            ptrace, other personalities, socketcall.

import json
import os

EPERM = 1
ENOSYS = 38

ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
          "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]

# Allowed without conditions on every architecture.  Names an architecture
# lacks (the *32 and *64 variants, the time64 ones) are skipped for it.
COMMON = """
accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir
chmod chown chown32 clock_adjtime clock_adjtime64 clock_getres
clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
clock_nanosleep_time64 close close_range connect copy_file_range creat dup
dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait
epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate
fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl
fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr
fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex
futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat
get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid
getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname
getsockopt gettid gettimeofday getuid getuid32 getxattr inotify_add_watch
inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy
io_getevents io_pgetevents io_pgetevents_time64 io_setup io_submit ioctl
ioprio_get ioprio_set ipc kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen
listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64
madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir
mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr
mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync
munlock munlockall munmap name_to_handle_at nanosleep newfstatat _newselect
open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc
pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2
prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2
read readahead readlink readlinkat readv recv recvfrom recvmmsg
recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat
renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max
sched_get_priority_min sched_getaffinity sched_getattr sched_getparam
sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield
seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile
sendfile64 sendmmsg sendmsg sendto set_robust_list set_thread_area
set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32
setgroups setgroups32 setitimer setpgid setpriority setregid setregid32
setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit
setsid setsockopt setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown
sigaltstack signalfd signalfd4 sigprocmask sigreturn socketpair splice stat
stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs
sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create
timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times
tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime
utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write
writev
""".split()

# Architecture-specific calls.  An OCI profile has no per-rule architecture,
# but libseccomp adds a rule only where the call exists, which has the same
# effect.
X86 = ["arch_prctl", "modify_ldt"]
ARM = ["arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush",
       "set_tls", "sync_file_range2"]

# Debugging a process of the container (the kernel's ptrace access checks
# still apply; Docker allows these without CAP_SYS_PTRACE since Linux 4.8).
PTRACE = ["process_vm_readv", "process_vm_writev", "ptrace"]

# personality(2) values: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32
# and the query 0xffffffff, which changes nothing.
PERSONALITY_DEFAULT = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff]
PERSONALITY_STRICT = [0x0, 0xffffffff]

# CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|
# CLONE_NEWPID|CLONE_NEWNET: clone(2) is allowed when none is set.
CLONE_NEW_MASK = 0x7E020000

AF_ALG = 38
AF_VSOCK = 40


def allow(names, args=None):
    rule = {"names": sorted(names), "action": "SCMP_ACT_ALLOW"}
    if args:
        rule["args"] = args
    return rule


def arg(index, value, op, value_two=0):
    return {"index": index, "value": value, "valueTwo": value_two, "op": op}


def personality(values):
    # One rule per value: comparisons of one argument in a rule must all hold.
    return [allow(["personality"], [arg(0, v, "SCMP_CMP_EQ")]) for v in values]


def socket_rules():
    # Every address family but AF_ALG (the kernel crypto API, a recurring
    # source of privilege escalations) and AF_VSOCK (reaches the host or
    # hypervisor outside the container's network namespace).
    return [
        allow(["socket"], [arg(0, AF_ALG, "SCMP_CMP_LT")]),
        allow(["socket"], [arg(0, AF_ALG + 1, "SCMP_CMP_EQ")]),
        allow(["socket"], [arg(0, AF_VSOCK, "SCMP_CMP_GT")]),
    ]


def clone_rules():
    return [
        # Plain clone(2): fork and threads, never a new namespace.
        allow(["clone"], [arg(0, CLONE_NEW_MASK, "SCMP_CMP_MASKED_EQ", 0)]),
        # clone3 takes its flags in memory that seccomp cannot read:
        # ENOSYS makes the C library fall back to clone(2), filtered above.
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS},
    ]


def profile(rules):
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": EPERM,
        "architectures": ARCHES,
        "syscalls": rules,
    }


def default_profile():
    return profile([allow(COMMON + ["socketcall"]), allow(X86), allow(ARM),
                    allow(PTRACE)] + personality(PERSONALITY_DEFAULT) +
                   socket_rules() + clone_rules())


def strict_profile():
    return profile([
        allow(COMMON), allow(X86), allow(ARM),
        # socketcall(2) (i386, arm OABI) hides its arguments in memory, so
        # the socket family filter would not apply to it; a libc falls
        # back to socket(2) and friends on ENOSYS.  The errno differs from
        # the default one so that the rule is kept and overrides what
        # libseccomp would derive for socketcall from the socket rules.
        {"names": ["socketcall"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS},
    ] + personality(PERSONALITY_STRICT) + socket_rules() + clone_rules())


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    assert len(COMMON) == len(set(COMMON)), "a name is listed twice"
    write(os.path.join(here, "default.json"), default_profile())
    write(os.path.join(here, "strict.json"), strict_profile())


if __name__ == "__main__":
    main()

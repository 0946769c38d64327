// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c - see sandbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

#include "gadgetd/log.h"
#include "gadgetd/sandbox.h"

#define CAP_MAX_TRY 64 /* above CAP_LAST_CAP of any kernel: PR_CAPBSET_DROP says EINVAL */

static bool no_caps_left(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int c;

	if (syscall(SYS_capget, &h, d))
		return false;
	if (d[0].effective || d[1].effective || d[0].permitted || d[1].permitted ||
	    d[0].inheritable || d[1].inheritable)
		return false;
	for (c = 0; c < CAP_MAX_TRY; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0)
			return false;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0)
			return false;
	}
	return true;
}

int sandbox_drop(uid_t uid, gid_t gid, const char *user)
{
	gid_t groups[4];
	int c, n;

	if (!uid || !gid) {
		log_warnx("--user %s: uid %u, gid %u: the relay must not run as root or in group 0",
			  user, (unsigned)uid, (unsigned)gid);
		return -EINVAL;
	}
	for (c = 0; c < CAP_MAX_TRY; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return log_warn_errno(-errno, "dropping capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return log_warn_errno(-errno, "clearing the ambient capabilities");
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return log_warn_errno(-errno, "dropping privileges to %s", user);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		log_warnx("PR_SET_NO_NEW_PRIVS did not hold: refusing to run");
		return -EPERM;
	}
	n = getgroups(4, groups);
	if (n != 1 || groups[0] != gid || getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		log_warnx("the relay's ids are not %s's alone after dropping privileges", user);
		return -EPERM;
	}
	if (setuid(0) == 0 || setgid(0) == 0 || !no_caps_left()) {
		log_warnx("could regain root or a capability after dropping privileges: refusing "
			  "to run");
		return -EPERM;
	}
	return 0;
}

#ifdef HAVE_LIBSECCOMP
/* What the relay, its GadgetFS worker threads, its teardown and the sanitizers call. */
static const char *const relay_calls[] = {
	"read", "readv", "pread64", "write", "writev", "pwrite64", "recvfrom", "recvmsg",
	"sendto", "sendmsg", "shutdown", "close", "dup", "dup3", "fcntl", "ioctl", "lseek",
	"fstat", "newfstatat", "statx", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"poll", "ppoll", "pipe2", "eventfd2", "timerfd_create", "timerfd_settime",
	"timerfd_gettime", "timer_create", "timer_settime", "timer_gettime", "timer_delete",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "io_setup",
	"io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack", "restart_syscall",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "tgkill",
	"futex", "clone", "clone3", "set_robust_list", "rseq", "exit", "exit_group", "mmap",
	"munmap", "mprotect", "mremap", "madvise", "brk", "sched_yield", "sched_getaffinity",
	"getrandom", "prctl", "prlimit64", "getrlimit", "uname", "membarrier",
};
static const char *const child_calls[] = { "kill", "wait4", "waitid" };
static const char *const file_calls[] = { "openat", "rename", "renameat", "renameat2", "unlink",
					   "unlinkat" };

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "gadgetd: seccomp: system call %d is not allowed in "
			 "the relay\n", si->si_syscall);

	if (n > 0 && write(2, msg, (size_t)n) < 0)
		n = 0;
	_exit(SANDBOX_SECCOMP_EXIT);
}

static int allow(scmp_filter_ctx ctx, const char *const *names, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int r;

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a call of this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r)
			return log_warn_errno(r, "seccomp: allowing %s", names[i]);
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int sandbox_seccomp(bool files, bool syslog, bool children)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int r;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return log_warn_errno(-errno, "seccomp: SIGSYS handler");
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return log_warn_errno(-ENOMEM, "seccomp_init");
	r = allow(ctx, relay_calls, N(relay_calls));
	if (!r && files)
		r = allow(ctx, file_calls, N(file_calls));
	if (!r && children)
		r = allow(ctx, child_calls, N(child_calls));
	/* reading sysfs: GadgetFS's backend asks /sys/class/udc/UDC/function whether
	 * it still drives the UDC (backend_gfs.c); nothing opened for writing */
	if (!r && !files) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC |
					     O_APPEND, O_RDONLY));
		if (r)
			log_warn_errno(r, "seccomp: allowing openat for reading");
	}
	/* sd_notify(3) sends each message from a new AF_UNIX socket, syslog(3)
	 * connects one again after a restart of the log daemon */
	if (!r && (syslog || getenv("NOTIFY_SOCKET"))) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_CMP(0, SCMP_CMP_EQ, AF_UNIX, 0));
		if (!r)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0);
		if (r)
			log_warn_errno(r, "seccomp: allowing AF_UNIX sockets");
	}
	if (!r) {
		r = seccomp_load(ctx);
		if (r)
			log_warn_errno(r, "loading the seccomp filter");
	}
	seccomp_release(ctx);
	if (!r)
		log_info("relay confined: seccomp allow-list of %zu system calls%s%s%s",
			 N(relay_calls) + (files ? N(file_calls) : 0) + (children ? N(child_calls) : 0),
			 files ? " (with files)" : "", children ? " (with the proxy command)" : "",
			 syslog || getenv("NOTIFY_SOCKET") ? " (with AF_UNIX sockets)" : "");
	return r;
}
#else
int sandbox_seccomp(bool files, bool syslog, bool children)
{
	log_info("built without libseccomp (NO_SECCOMP=1): the relay runs without a system "
		 "call filter");
	return 0;
}
#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* privsep.c - see privsep.h. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gadgetd/log.h"
#include "gadgetd/capture.h"
#include "gadgetd/privsep.h"
#include "gadgetd/status.h"

/* Child exit codes of a privilege-separated relay, and back. */
static const int relay_codes[] = { -ECONNRESET, -ENODEV, -EPROTO, -ETIMEDOUT };

static int relay_exit_code(int r)
{
	unsigned i;

	if (!r)
		return 0;
	for (i = 0; i < sizeof(relay_codes) / sizeof(relay_codes[0]); i++)
		if (r == relay_codes[i])
			return 10 + (int)i;
	return 19;
}

static int relay_from_exit_code(int code)
{
	if (code == 0)
		return 0;
	if (code >= 10 && code < 10 + (int)(sizeof(relay_codes) / sizeof(relay_codes[0])))
		return relay_codes[code - 10];
	return -EIO;
}

/*
 * --user: the relay runs in a child that has given up root (no capabilities, no
 * way back: PR_SET_NO_NEW_PRIVS). It inherits the open socket and FunctionFS files,
 * which is all it needs. The parent stays root only to tear the gadget down, and
 * passes SIGINT/SIGTERM on.
 */
int relay_unprivileged(const struct relay_params *rp, const struct gd_opts *o, int sigfd)
{
	struct pollfd p[2];
	int pidfd, status, stopping = 0;
	pid_t pid, parent = getpid();

	capture_flush(); /* the child writes the same capture file */
	pid = fork();
	if (pid < 0)
		return log_warn_errno(-errno, "fork");
	if (pid == 0) {
		status_forked(); /* the status socket is the root process's */
		if (setgroups(1, &o->gid) || setgid(o->gid) || setuid(o->uid)) {
			log_warn("dropping privileges to %s", o->user);
			_exit(19);
		}
		if (setuid(0) == 0) {
			log_warnx("could regain root after dropping privileges: refusing to run");
			_exit(19);
		}
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		/* it shares the UDC's lock (udc_claim.h): it must not outlive a killed parent */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(19); /* the parent is gone already */
		log_info("relay running as %s (uid %u, gid %u)", o->user, (unsigned)o->uid,
			 (unsigned)o->gid);
		status = relay_exit_code(relay_run(rp));
		capture_flush(); /* _exit() flushes no stdio buffer */
		_exit(status);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	for (;;) {
		if (poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 200) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				log_info("signal %u: stopping the relay", si.ssi_signo);
				kill(pid, SIGTERM);
				stopping = 1;
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	capture_reopen();
	if (stopping)
		return 0;
	if (WIFEXITED(status))
		return relay_from_exit_code(WEXITSTATUS(status));
	log_warnx("the relay process died (signal %d)", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -EIO;
}
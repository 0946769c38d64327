// SPDX-License-Identifier: GPL-2.0-or-later
/* privsep.c - see privsep.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/capture.h"
#include "gadgetd/log.h"
#include "gadgetd/present_probe.h"
#include "gadgetd/present_root.h"
#include "gadgetd/privsep.h"
#include "gadgetd/sandbox.h"
#include "gadgetd/status.h"

/* ---- the outcome of the network process, as its exit status ---- */

static const int net_codes[] = { -ECONNRESET, -ENODEV, -EPROTO, -ETIMEDOUT, -EPERM,
				 -EOPNOTSUPP, -EINVAL };
#define N_CODES (int)(sizeof(net_codes) / sizeof(net_codes[0]))
#define CODE_BASE 16 /* 16 + 4 * index + 2 * permanent + ran; index N_CODES: another -errno */

static int outcome_to_exit(int r, const struct outcome *oc)
{
	int i;

	if (!r)
		return 0;
	for (i = 0; i < N_CODES && net_codes[i] != r; i++)
		;
	return CODE_BASE + 4 * i + (oc->permanent ? 2 : 0) + (oc->ran ? 1 : 0);
}

static int outcome_from_exit(int code, struct outcome *oc)
{
	int i = (code - CODE_BASE) / 4;

	if (code < CODE_BASE || i > N_CODES) {
		oc->permanent = code == 1 || code == 2;
		return code ? -EIO : 0;
	}
	oc->permanent = (code - CODE_BASE) & 2;
	oc->ran = (code - CODE_BASE) & 1;
	return i < N_CODES ? net_codes[i] : -EIO;
}

/* ---- messages with descriptors ---- */

static int send_msg(int fd, const struct psep_msg *m, const int *fds, unsigned n_fds)
{
	static uint8_t out[PSEP_MSG_MAX];
	char cbuf[CMSG_SPACE(sizeof(int) * PSEP_MAX_FDS)];
	struct iovec iov = { .iov_base = out };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = psep_encode(m, out, sizeof(out));

	if (n < 0)
		return (int)n;
	iov.iov_len = (size_t)n;
	if (n_fds) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* One datagram into @buf, its descriptors (at most @max) into @fds.
 * Return: its length, 0 at EOF, -EPROTO (truncated), -errno. */
static ssize_t recv_msg(int fd, uint8_t *buf, int *fds, unsigned max, unsigned *n_fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * PSEP_MAX_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = PSEP_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*n_fds = 0;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		unsigned k, cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (k = 0; k < cnt; k++) {
			int d;

			memcpy(&d, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			if (*n_fds < max)
				fds[(*n_fds)++] = d;
			else
				close(d); /* not asked for: never kept */
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	return n;
}

static void close_all(int *fds, unsigned n)
{
	while (n)
		close(fds[--n]);
}

int psep_call(struct psep_link *l, const struct psep_msg *req, int *fds, unsigned want_fds)
{
	int got[PSEP_MAX_FDS];
	unsigned n = 0;
	ssize_t len;
	int r;

	if (l->fd < 0) { /* in this process (no --user) */
		r = present_root_handle(l->root, req, &l->reply, got, &n);
	} else {
		r = send_msg(l->fd, req, NULL, 0);
		if (r)
			return r == -EPIPE || r == -ECONNRESET ? -ECONNRESET :
			       log_warn_errno(r, "privsep: the %s request cannot be sent",
					      psep_type_str(req->type));
		len = recv_msg(l->fd, l->buf, got, PSEP_MAX_FDS, &n);
		if (len == 0)
			r = -ECONNRESET;
		else if (len < 0)
			r = (int)len;
		else if (psep_decode(l->buf, (size_t)len, &l->reply) || l->reply.type != PSEP_REPLY)
			r = -EPROTO;
		else
			r = l->reply.u.reply.status;
	}
	if (!r && n != want_fds)
		r = -EPROTO;
	if (r) {
		close_all(got, n);
		return r;
	}
	memcpy(fds, got, n * sizeof(int));
	return 0;
}

int psep_open_ep(void *ctx, const char *name, const void *cfg, size_t len, int busy_ms,
		 unsigned *tries)
{
	struct psep_link *l = ctx;
	struct psep_msg m = { .type = PSEP_OPEN_EP };
	int fd, r;

	m.u.open_ep = (struct psep_open_ep){ .name = name, .cfg = cfg, .cfg_len = (uint32_t)len,
					     .busy_ms = busy_ms > 0 ? (uint32_t)busy_ms : 0 };
	r = psep_call(l, &m, &fd, 1);
	if (tries)
		*tries = r == 0 || r == -EBUSY ? l->reply.u.reply.value : 0;
	return r ? r : fd;
}

/* ---- the root process's side ---- */

static void apply_status(const struct psep_status *s)
{
	switch (s->what) {
	case PSEP_ST_STATE:
		if (s->s2)
			status_state(s->s1, "%s", s->s2);
		else
			status_state(s->s1, NULL);
		break;
	case PSEP_ST_DEVICE:
		status_device(s->vid, s->pid, s->s1, s->s2, s->s3);
		break;
	case PSEP_ST_BACKEND:
		status_backend(s->s1);
		break;
	case PSEP_ST_ERROR:
		status_error(s->s1);
		break;
	}
}

/* One message of the network process. Return: 0, or -errno to stop it. */
static int serve(int fd, struct present_root *rs, uint8_t *buf)
{
	int fds[PSEP_MAX_FDS];
	struct psep_msg req, reply;
	unsigned n;
	ssize_t len;
	int r;

	len = recv_msg(fd, buf, fds, 0, &n); /* it has no descriptor to give */
	if (len <= 0)
		return len ? (int)len : -ECONNRESET;
	if (psep_decode(buf, (size_t)len, &req) || req.type == PSEP_REPLY) {
		log_warnx("privsep: the relay process sent a malformed message (%zd bytes, type %s): "
			  "stopping it", len, psep_type_str(len >= 2 ? buf[0] : 0));
		return -EPROTO;
	}
	if (req.type == PSEP_STATUS) {
		apply_status(&req.u.status);
		return 0;
	}
	log_debug("privsep: %s", psep_type_str(req.type));
	present_root_handle(rs, &req, &reply, fds, &n);
	r = send_msg(fd, &reply, fds, n);
	close_all(fds, n); /* the relay has its copies */
	return r;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Has @pid exited? It is not reaped yet: its process group stays its own. */
static bool exited(pid_t pid)
{
	siginfo_t si = { .si_pid = 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Serve the network process @pid until it exits; stop it on a signal.
 * Return: its wait status. */
static int supervise(pid_t pid, int sock, int sigfd, struct present_root *rs, bool *signalled)
{
	uint8_t *buf = malloc(PSEP_MSG_MAX);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int64_t kill_at = -1;
	int status = 0;

	for (;;) {
		struct pollfd p[3] = { { .fd = sigfd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = sock, .events = POLLIN } };
		int timeout = pidfd >= 0 ? -1 : 200;

		if (kill_at >= 0) {
			int64_t left = kill_at - now_ms();

			timeout = left < 0 ? 0 : (timeout < 0 || left < timeout ? (int)left : timeout);
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && kill_at < 0) {
				log_info("signal %u: stopping the relay process", si.ssi_signo);
				kill(pid, SIGTERM);
				*signalled = true;
				kill_at = now_ms() + PSEP_STOP_MS;
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR) && sock >= 0 && buf) {
			int r = serve(sock, rs, buf);

			if (r) {
				if (r != -ECONNRESET && kill_at < 0) {
					kill(pid, SIGTERM);
					kill_at = now_ms() + PSEP_STOP_MS;
				}
				close(sock); /* its end of the link is gone, or it broke the protocol */
				sock = -1;
			}
		}
		if (exited(pid))
			break;
		if (kill_at >= 0 && now_ms() >= kill_at) {
			log_warnx("the relay process %ld did not stop within %d ms: killing its process "
				  "group", (long)pid, PSEP_STOP_MS);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			kill_at = now_ms() + 60000;
		}
	}
	kill(-pid, SIGKILL); /* whatever it left in its group, which it holds until reaped */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pidfd >= 0)
		close(pidfd);
	if (sock >= 0)
		close(sock);
	free(buf);
	return status;
}

/* ---- the network process ---- */

static void __attribute__((noreturn)) network_process(const char *udc, const struct gd_opts *o,
						       const struct gd_profile *prof, int sigfd,
						       int sock, pid_t parent)
{
	struct psep_link link = { .fd = sock };
	struct outcome oc = { .permanent = false };
	int r;

	setpgid(0, 0);
	status_forked(sock); /* the status socket is the root's; the state goes to it */
	if (sandbox_drop(o->uid, o->gid, o->user))
		_exit(2); /* permanent: retrying cannot help */
	/* it shares the UDC's lock (udc_claim.h): it must not outlive a killed parent.
	 * After the drop: a change of credentials clears it (commit_creds()). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != parent)
		_exit(1);
	log_info("relay running as %s (uid %u, gid %u): process %ld does the network, root only "
		 "the gadget", o->user, (unsigned)o->uid, (unsigned)o->gid, (long)getpid());
	link.buf = malloc(PSEP_MSG_MAX);
	if (!link.buf)
		_exit(1);
	r = session_network(o, prof, sigfd, udc, &link, &oc);
	capture_flush(); /* _exit() flushes no stdio buffer */
	_exit(outcome_to_exit(r == -EINTR ? 0 : r, &oc));
}

int privsep_session(const char *udc, const struct gd_opts *o, const struct gd_profile *prof,
		    int sigfd, struct outcome *oc)
{
	const char *backend = o->backend ? o->backend : prof->backend;
	struct present_root *rs;
	bool signalled = false;
	pid_t pid, parent = getpid();
	int sv[2], status, r;

	memset(oc, 0, sizeof(*oc));
	/* what FunctionFS takes is learned by root, once (present_probe.h) */
	if (!backend || strcmp(backend, "gadgetfs"))
		present_probe_dfu();
	rs = malloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	present_root_init(rs, udc);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		free(rs);
		return log_warn_errno(-errno, "socketpair");
	}
	capture_flush(); /* the network process writes the same capture file */
	pid = fork();
	if (pid < 0) {
		r = log_warn_errno(-errno, "fork");
		close(sv[0]);
		close(sv[1]);
		free(rs);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		free(rs);
		network_process(udc, o, prof, sigfd, sv[1], parent);
	}
	close(sv[1]);
	setpgid(pid, pid);
	status = supervise(pid, sv[0], sigfd, rs, &signalled);
	capture_reopen();
	if (WIFEXITED(status) && WEXITSTATUS(status) == SANDBOX_SECCOMP_EXIT)
		log_warnx("the relay process made a system call outside its seccomp allow-list");
	if (WIFEXITED(status) && WEXITSTATUS(status) != SANDBOX_SECCOMP_EXIT)
		r = outcome_from_exit(WEXITSTATUS(status), oc);
	else {
		if (!WIFEXITED(status) && !signalled)
			log_warnx("the relay process died (signal %d)", WTERMSIG(status));
		r = -EIO;
	}
	oc->ran = oc->ran || present_root_made(rs);
	if (present_root_made(rs))
		status_state("tearing down", NULL);
	present_root_undo(rs);
	free(rs);
	return signalled ? 0 : r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* transport.c - see transport.h. The proxy command's life: spawn, stderr, reap. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/client.h"
#include "gadgetd/log.h"
#include "gadgetd/text.h"
#include "gadgetd/transport.h"

#define PROXY_MAX	4	/* proxies alive at once: an import and its devlist */
#define PROXY_GROUPS	64	/* supplementary groups of the relay user kept */
#define PROXY_CMD_MAX	4096

static const char *proxy_tmpl;
static const char *proxy_user;
static uid_t proxy_uid;
static gid_t proxy_gid;
static gid_t proxy_groups[PROXY_GROUPS];
static int proxy_ngroups;

/* One running proxy command: the socket gadgetd uses, the child, its stderr reader. */
static struct proxy {
	int fd;		/* -1: free slot */
	pid_t pid;
	pthread_t reader;
	bool has_reader;
} proxies[PROXY_MAX] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };

/* What the stderr reader owns (freed by it). */
struct errpipe {
	int fd;
	pid_t pid;
};

int transport_expand(const char *tmpl, const char *host, const char *port, char *out,
		     size_t outlen, char *err, size_t errlen)
{
	size_t o = 0, n;
	const char *add;
	char pct[2] = "%";

	if (!outlen)
		return -ENAMETOOLONG;
	for (; *tmpl; tmpl++) {
		if (*tmpl != '%') {
			pct[0] = *tmpl;
			add = pct;
		} else if (tmpl[1] == 'h') {
			add = host;
		} else if (tmpl[1] == 'p') {
			add = port;
		} else if (tmpl[1] == '%') {
			pct[0] = '%';
			add = pct;
		} else {
			if (tmpl[1])
				snprintf(err, errlen, "proxy command: unknown token %%%c (known: %%h the "
					 "remote's host, %%p its port, %%%% a percent sign)", tmpl[1]);
			else
				snprintf(err, errlen, "proxy command: a '%%' at the end (write %%%% for "
					 "a percent sign)");
			out[0] = 0;
			return -EINVAL;
		}
		if (*tmpl == '%')
			tmpl++;
		n = strlen(add);
		if (o + n >= outlen) {
			snprintf(err, errlen, "proxy command: longer than %zu bytes once %%h and %%p "
				 "are replaced", outlen - 1);
			out[0] = 0;
			return -ENAMETOOLONG;
		}
		memcpy(out + o, add, n);
		o += n;
	}
	out[o] = 0;
	return 0;
}

int transport_set_proxy(const char *cmd, const char *user, uid_t uid, gid_t gid, char *err,
			size_t errlen)
{
	char tmp[PROXY_CMD_MAX];
	int r;

	proxy_tmpl = NULL;
	proxy_user = NULL;
	if (!cmd)
		return 0;
	r = transport_expand(cmd, "host", "3240", tmp, sizeof(tmp), err, errlen);
	if (r)
		return r;
	proxy_tmpl = cmd;
	if (user) {
		int n = PROXY_GROUPS;

		proxy_user = user;
		proxy_uid = uid;
		proxy_gid = gid;
		/* looked up here: the child after fork() must not use NSS */
		if (getgrouplist(user, gid, proxy_groups, &n) < 0) {
			proxy_groups[0] = gid; /* more than PROXY_GROUPS: the primary one only */
			n = 1;
		}
		proxy_ngroups = n;
	}
	return 0;
}

bool transport_wanted(const struct remote *r)
{
	return r->path[0] || proxy_tmpl;
}

static int unix_connect(const struct remote *r, int *out, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(r->path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: the path is longer than %zu bytes", r->name,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, r->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot make a socket for %s: %s", r->name, strerror(e));
		return -e;
	}
	/* a unix connect does not wait: done, refused, or a full backlog (EAGAIN) */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "cannot connect to %s: %s", r->name,
			 e == EAGAIN ? "its listen backlog is full" : strerror(e));
		return -e;
	}
	*out = fd;
	return 0;
}

/* Log each line the proxy writes to its stderr; a line longer than the buffer in pieces. */
static void *stderr_reader(void *arg)
{
	struct errpipe *ep = arg;
	char buf[1024], esc[4 * sizeof(buf) + 1], *nl;
	size_t have = 0;
	ssize_t n;

	for (;;) {
		n = read(ep->fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		while ((nl = strchr(buf, '\n')) || have == sizeof(buf) - 1) {
			size_t len = nl ? (size_t)(nl - buf) : have;

			buf[len] = 0;
			if (len && buf[len - 1] == '\r')
				buf[len - 1] = 0;
			for (char *t = buf; (t = strchr(t, '\t')); )
				*t = ' '; /* a tab reads better than \x09 */
			log_warning("proxy command (pid %d): %s", (int)ep->pid,
				    text_escape(esc, sizeof(esc), buf));
			len += nl ? 1 : 0;
			memmove(buf, buf + len, have - len);
			have -= len;
			buf[have] = 0;
		}
	}
	if (have)
		log_warning("proxy command (pid %d): %s", (int)ep->pid,
			    text_escape(esc, sizeof(esc), buf));
	close(ep->fd);
	free(ep);
	return NULL;
}

/* In the child between fork() and exec(): async-signal-safe calls only. */
static __attribute__((noreturn)) void proxy_child(int sock, int errw, const char *cmd,
						  pid_t parent)
{
	static const char no_root[] = "gadgetd: the proxy command could regain root after "
				      "dropping privileges: not started\n";
	sigset_t none;
	int s, e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* gadgetd blocks SIGTERM for its signalfd */
	signal(SIGPIPE, SIG_DFL);
	setsid(); /* a process group of its own, which transport_close() ends; no tty */
	s = fcntl(sock, F_DUPFD, 3);
	e = fcntl(errw, F_DUPFD, 3);
	if (s < 0 || e < 0 || dup2(e, 2) < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0)
		_exit(126);
	if (close_range(3, ~0U, 0) < 0)
		for (s = 3; s < 1024; s++)
			close(s);
	/* already that user (a connect made by an unprivileged process): nothing to drop */
	if (proxy_user && (getuid() != proxy_uid || geteuid() != proxy_uid) &&
	    (setgroups((size_t)proxy_ngroups, proxy_groups) || setgid(proxy_gid) ||
	     setuid(proxy_uid))) {
		dprintf(2, "gadgetd: cannot run the proxy command as %s: %s\n", proxy_user,
			strerror(errno));
		_exit(126);
	}
	if (proxy_user && setuid(0) == 0) {
		(void)!write(2, no_root, sizeof(no_root) - 1);
		_exit(126);
	}
	/* after the uid change, which clears it: gone with a killed gadgetd */
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != parent)
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	dprintf(2, "gadgetd: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

static struct proxy *free_slot(void)
{
	unsigned i;

	for (i = 0; i < PROXY_MAX; i++)
		if (proxies[i].fd < 0)
			return &proxies[i];
	return NULL;
}

static int proxy_start(const struct remote *r, int *out, char *err, size_t errlen)
{
	char cmd[PROXY_CMD_MAX];
	struct proxy *p = free_slot();
	struct errpipe *ep;
	int sv[2], ew[2], e;
	pid_t pid, parent = getpid();

	if (r->path[0]) {
		snprintf(err, errlen, "a proxy command needs a HOST:PORT remote, not %s", r->name);
		return -EINVAL;
	}
	/* as ssh runs a ProxyCommand: "exec CMD", so that no shell lingers between
	 * gadgetd and the command (its pid is the command's, its exit status too) */
	memcpy(cmd, "exec ", 5);
	if (transport_expand(proxy_tmpl, r->host, r->port, cmd + 5, sizeof(cmd) - 5, err, errlen))
		return -EINVAL;
	if (!p) {
		snprintf(err, errlen, "proxy command for %s: %d are running already", r->name,
			 PROXY_MAX);
		return -EMFILE;
	}
	ep = malloc(sizeof(*ep));
	if (!ep) {
		snprintf(err, errlen, "proxy command for %s: out of memory", r->name);
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		e = errno;
		free(ep);
		snprintf(err, errlen, "proxy command for %s: socketpair: %s", r->name, strerror(e));
		return -e;
	}
	if (pipe2(ew, O_CLOEXEC) < 0) {
		e = errno;
		close(sv[0]);
		close(sv[1]);
		free(ep);
		snprintf(err, errlen, "proxy command for %s: pipe: %s", r->name, strerror(e));
		return -e;
	}
	pid = fork();
	if (pid == 0)
		proxy_child(sv[1], ew[1], cmd, parent);
	e = errno;
	close(sv[1]);
	close(ew[1]);
	if (pid < 0) {
		close(sv[0]);
		close(ew[0]);
		free(ep);
		snprintf(err, errlen, "proxy command for %s: fork: %s", r->name, strerror(e));
		return -e;
	}
	log_info("proxy command for %s started (pid %d%s%s): %s", r->name, (int)pid,
		 proxy_user ? ", as " : "", proxy_user ? proxy_user : "", cmd + 5);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	ep->fd = ew[0];
	ep->pid = pid;
	p->has_reader = pthread_create(&p->reader, NULL, stderr_reader, ep) == 0;
	if (!p->has_reader) {
		log_warnx("proxy command (pid %d): no thread to read its standard error: it is "
			  "not logged", (int)pid);
		close(ew[0]);
		free(ep);
	}
	p->fd = sv[0];
	p->pid = pid;
	*out = sv[0];
	return 0;
}

int transport_connect(const struct remote *r, int *out, char *err, size_t errlen)
{
	return proxy_tmpl ? proxy_start(r, out, err, errlen) : unix_connect(r, out, err, errlen);
}

/* Wait up to @ms for @pid to end. Return: true when reaped (@status set). */
static bool reap_within(pid_t pid, int ms, int *status)
{
	struct timespec ten = { 0, 10 * 1000 * 1000 };
	pid_t w;

	for (;;) {
		w = waitpid(pid, status, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			return true;
		if (ms <= 0)
			return false;
		nanosleep(&ten, NULL);
		ms -= 10;
	}
}

void transport_close(int fd)
{
	struct proxy *p = NULL;
	struct timespec dl;
	int status = 0;
	bool gone;
	unsigned i;

	if (fd < 0)
		return;
	for (i = 0; i < PROXY_MAX; i++)
		if (proxies[i].fd == fd)
			p = &proxies[i];
	close(fd);
	if (!p)
		return;
	/* its stdin/stdout are closed now: ssh -W ends by itself on that */
	gone = reap_within(p->pid, 100, &status);
	if (!gone) {
		/* the group, and the pid itself in case it has not made its group yet */
		kill(-p->pid, SIGTERM);
		kill(p->pid, SIGTERM);
		if (!reap_within(p->pid, 1000, &status)) {
			log_warnx("proxy command (pid %d) did not end on SIGTERM: killing it",
				  (int)p->pid);
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
	}
	if (p->has_reader) {
		/* its last lines before the exit status; a grandchild that keeps the
		 * pipe open does not hold gadgetd: the reader then ends on its own */
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_nsec += 300 * 1000 * 1000;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(p->reader, NULL, &dl))
			pthread_detach(p->reader);
	}
	if (gone && WIFEXITED(status) && WEXITSTATUS(status))
		log_warnx("proxy command (pid %d) exited with status %d", (int)p->pid,
			  WEXITSTATUS(status));
	else if (gone && WIFSIGNALED(status))
		log_warnx("proxy command (pid %d) was killed by signal %d", (int)p->pid,
			  WTERMSIG(status));
	else
		log_info("proxy command (pid %d) ended", (int)p->pid);
	p->fd = -1;
	p->pid = 0;
	p->has_reader = false;
}

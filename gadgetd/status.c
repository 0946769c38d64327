// SPDX-License-Identifier: GPL-2.0-or-later
/* status.c - see status.h: the daemon's side of `gadgetd --status`. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/psep_msg.h"
#include "gadgetd/status.h"

/* What the relay writes, in a MAP_SHARED mapping the --user child inherits. */
struct status_shm {
	uint32_t seq; /* odd while the writer is at it */
	uint32_t host_config, host_suspended;
	uint32_t n_ep;
	struct status_ep ep[STATUS_MAX_EP];
};

static struct {
	bool on;
	pid_t pid;           /* the daemon's: only it takes the mutex */
	pthread_mutex_t mu;  /* guards st */
	struct gd_status st; /* what the root process knows */
	struct status_shm *shm;
	int lfd, stopfd;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} S = { .mu = PTHREAD_MUTEX_INITIALIZER, .lfd = -1, .stopfd = -1 };

/* ---- the sequence lock of the shared mapping ---- */

static void shm_write_begin(void)
{
	__atomic_store_n(&S.shm->seq, S.shm->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void shm_write_end(void)
{
	__atomic_store_n(&S.shm->seq, S.shm->seq + 1, __ATOMIC_RELEASE);
}

/*
 * A consistent copy. A writer killed in the middle (the relay child, by a
 * signal) leaves the sequence odd for good: after a bounded number of tries
 * the copy is taken as it is (it is only shown).
 */
static void shm_read(struct status_shm *out)
{
	uint32_t s1, s2;
	unsigned tries = 0;

	do {
		s1 = __atomic_load_n(&S.shm->seq, __ATOMIC_ACQUIRE);
		memcpy(out, S.shm, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&S.shm->seq, __ATOMIC_RELAXED);
		if (s1 == s2 && !(s1 & 1))
			return;
		sched_yield();
	} while (++tries < 10000);
}

/* The root process writes only while no relay child runs: one that died in a
 * write left the sequence odd; even it again. */
static void shm_settle(void)
{
	if (S.shm->seq & 1)
		__atomic_store_n(&S.shm->seq, S.shm->seq + 1, __ATOMIC_RELEASE);
}

/* ---- the root process's part, under the mutex ---- */

static bool lock(void)
{
	if (!S.on || getpid() != S.pid)
		return false;
	pthread_mutex_lock(&S.mu);
	return true;
}

static void unlock(void)
{
	pthread_mutex_unlock(&S.mu);
}

static void set_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

/* ---- with --user, in the network process: to the root over the link (privsep.h) ---- */

static int fwd_fd = -1;

/* A copy of @s the root takes: control bytes as '?', cut to PSEP_TEXT_MAX. */
static const char *clean(char *out, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; s[i] && i < PSEP_TEXT_MAX; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = 0;
	return out;
}

/* Return: true when this process forwards (the caller does nothing more). */
static bool forward(unsigned what, unsigned vid, unsigned pid, const char *s1, const char *s2,
		    const char *s3)
{
	char b1[PSEP_TEXT_MAX + 1], b2[PSEP_TEXT_MAX + 1], b3[PSEP_TEXT_MAX + 1];
	uint8_t out[3 * PSEP_TEXT_MAX + 64];
	struct psep_msg m = { .type = PSEP_STATUS };
	ssize_t n;

	if (fwd_fd < 0 || getpid() == S.pid)
		return false;
	m.u.status = (struct psep_status){ .what = (uint8_t)what, .vid = (uint16_t)vid,
					   .pid = (uint16_t)pid, .s1 = clean(b1, s1 ? s1 : ""),
					   .s2 = clean(b2, s2), .s3 = clean(b3, s3) };
	n = psep_encode(&m, out, sizeof(out));
	if (n > 0)
		(void)!send(fwd_fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return true;
}

void status_state(const char *state, const char *fmt, ...)
{
	char detail[sizeof(S.st.detail)] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (forward(PSEP_ST_STATE, 0, 0, state, fmt ? detail : NULL, NULL) || !lock())
		return;
	if (strcmp(S.st.state, state))
		S.st.since = (int64_t)time(NULL);
	set_str(S.st.state, sizeof(S.st.state), state);
	set_str(S.st.detail, sizeof(S.st.detail), detail);
	unlock();
}

/* One string of the root process's part. */
static void set_locked(char *dst, size_t n, const char *s)
{
	if (!lock())
		return;
	set_str(dst, n, s);
	unlock();
}

void status_udc(const char *udc)
{
	set_locked(S.st.udc, sizeof(S.st.udc), udc);
}

void status_busid(const char *busid)
{
	set_locked(S.st.busid, sizeof(S.st.busid), busid);
}

void status_device(unsigned vid, unsigned pid, const char *speed, const char *manufacturer,
		   const char *product)
{
	bool same;

	if (forward(PSEP_ST_DEVICE, vid, pid, speed, manufacturer, product) || !lock())
		return;
	/* imported again: its strings stay until describing reads them anew */
	same = S.st.has_device && S.st.vid == vid && S.st.pid_dev == pid;
	S.st.has_device = true;
	S.st.vid = vid;
	S.st.pid_dev = pid;
	set_str(S.st.speed, sizeof(S.st.speed), speed);
	if (manufacturer || product || !same) {
		set_str(S.st.manufacturer, sizeof(S.st.manufacturer), manufacturer);
		set_str(S.st.product, sizeof(S.st.product), product);
	}
	unlock();
}

void status_backend(const char *backend)
{
	if (!forward(PSEP_ST_BACKEND, 0, 0, backend, NULL, NULL))
		set_locked(S.st.backend, sizeof(S.st.backend), backend);
}

void status_reconnect(void)
{
	if (!lock())
		return;
	S.st.reconnects++;
	unlock();
}

/* log.h's error hook: every error line is the last error. */
void status_error(const char *msg)
{
	if (forward(PSEP_ST_ERROR, 0, 0, msg, NULL, NULL) || !lock())
		return;
	S.st.last_error_time = (int64_t)time(NULL);
	set_str(S.st.last_error, sizeof(S.st.last_error), msg);
	unlock();
}

/* ---- the relay's part, in the shared mapping ---- */

void status_relay_begin(void)
{
	if (!S.shm)
		return;
	shm_settle();
	shm_write_begin();
	S.shm->host_config = S.shm->host_suspended = 0;
	S.shm->n_ep = 1;
	S.shm->ep[0] = (struct status_ep){ .addr = 0, .type = 0 };
	shm_write_end();
}

void status_relay_end(void)
{
	if (!S.shm)
		return;
	shm_settle();
	status_host(0, false);
}

static struct status_ep *find_ep(uint8_t addr)
{
	unsigned i;

	if ((addr & 0x7f) == 0)
		addr = 0;
	for (i = 0; i < S.shm->n_ep && i < STATUS_MAX_EP; i++)
		if (S.shm->ep[i].addr == addr)
			return &S.shm->ep[i];
	return NULL;
}

void status_ep_add(uint8_t addr, uint8_t type)
{
	if (!S.shm || find_ep(addr) || S.shm->n_ep >= STATUS_MAX_EP)
		return;
	shm_write_begin();
	S.shm->ep[S.shm->n_ep++] = (struct status_ep){ .addr = addr, .type = type & 3 };
	shm_write_end();
}

void status_urb(uint8_t addr, uint32_t bytes)
{
	struct status_ep *e;

	if (!S.shm || !(e = find_ep(addr)))
		return;
	shm_write_begin();
	e->urbs++;
	e->bytes += bytes;
	shm_write_end();
}

void status_host(unsigned config, bool suspended)
{
	if (!S.shm)
		return;
	shm_write_begin();
	S.shm->host_config = config;
	S.shm->host_suspended = suspended;
	shm_write_end();
}

void status_host_off(unsigned config)
{
	if (S.shm && S.shm->host_config == config)
		status_host(0, false);
}

void status_snapshot(struct gd_status *st)
{
	struct status_shm sh;

	memset(st, 0, sizeof(*st));
	if (!lock())
		return;
	*st = S.st;
	unlock();
	shm_read(&sh);
	st->host_config = sh.host_config;
	st->host_suspended = sh.host_suspended;
	st->n_ep = sh.n_ep < STATUS_MAX_EP ? sh.n_ep : STATUS_MAX_EP;
	memcpy(st->ep, sh.ep, sizeof(st->ep));
}

/* ---- the socket ---- */

static void answer(int lfd)
{
	static char buf[STATUS_WIRE_MAX];
	struct gd_status st;
	int c, n;

	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;
	status_snapshot(&st);
	n = status_encode(&st, buf, sizeof(buf));
	/* far below the socket's buffer: a client that does not read cannot block us */
	if (n > 0)
		(void)!send(c, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(c);
}

static void *serve(void *arg)
{
	struct pollfd p[2] = { { .fd = S.lfd, .events = POLLIN },
			       { .fd = S.stopfd, .events = POLLIN } };

	(void)arg;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			answer(S.lfd);
	}
	return NULL;
}

/* Not an error of the run (without root the local checks say what is): a note. */
static int status_unavailable(int err, const char *what)
{
	log_info("no status for gadgetd --status: %s: %s", what, strerror(-err));
	return err;
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, r;

	if (mkdir(RUN_DIR, 0755) && errno != EEXIST)
		return status_unavailable(-errno, RUN_DIR);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return status_unavailable(-errno, "socket");
	unlink(path); /* a socket of a dead process that had our pid */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || chmod(path, 0666) || listen(fd, 8)) {
		r = status_unavailable(-errno, path);
		close(fd);
		unlink(path);
		return r;
	}
	return fd;
}

int status_start(const struct gd_opts *o, const char *server)
{
	sigset_t all, old;
	int r;

	if (S.on)
		return 0;
	S.shm = mmap(NULL, sizeof(*S.shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S.shm == MAP_FAILED) {
		S.shm = NULL;
		return log_warn_errno(-errno, "status: mmap");
	}
	S.pid = getpid();
	snprintf(S.path, sizeof(S.path), STATUS_SOCK_FMT, (long)S.pid);
	S.lfd = listen_on(S.path);
	S.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (S.lfd < 0 || S.stopfd < 0) {
		r = S.lfd < 0 ? S.lfd : -errno;
		goto fail;
	}
	S.st.pid = (long)S.pid;
	set_str(S.st.version, sizeof(S.st.version), GADGETD_VERSION);
	set_str(S.st.profile, sizeof(S.st.profile), o->profile);
	set_str(S.st.server, sizeof(S.st.server), server);
	set_str(S.st.busid, sizeof(S.st.busid), o->busid);
	set_str(S.st.user, sizeof(S.st.user), o->user);
	set_str(S.st.udc, sizeof(S.st.udc), o->udc);
	set_str(S.st.state, sizeof(S.st.state), "starting");
	S.st.started = S.st.since = (int64_t)time(NULL);
	/* the thread takes no signal: they are all read from main's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = -pthread_create(&S.thread, NULL, serve, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		log_warn_errno(r, "status: cannot start its thread");
		goto fail;
	}
	S.on = true;
	log_set_error_hook(status_error);
	log_debug("status: answering on %s", S.path);
	return 0;
fail:
	if (S.lfd >= 0) {
		close(S.lfd);
		unlink(S.path);
	}
	if (S.stopfd >= 0)
		close(S.stopfd);
	S.lfd = S.stopfd = -1;
	munmap(S.shm, sizeof(*S.shm));
	S.shm = NULL;
	return r;
}

void status_stop(void)
{
	uint64_t one = 1;

	if (!S.on || getpid() != S.pid)
		return;
	log_set_error_hook(NULL);
	(void)!write(S.stopfd, &one, sizeof(one));
	pthread_join(S.thread, NULL);
	S.on = false;
	close(S.lfd);
	close(S.stopfd);
	S.lfd = S.stopfd = -1;
	unlink(S.path);
}

void status_forked(int link_fd)
{
	fwd_fd = link_fd;
	if (S.lfd >= 0)
		close(S.lfd);
	if (S.stopfd >= 0)
		close(S.stopfd);
	S.lfd = S.stopfd = -1;
}

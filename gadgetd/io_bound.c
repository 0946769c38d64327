// SPDX-License-Identifier: GPL-2.0-or-later
/* io_bound.c - see io_bound.h. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/io_bound.h"

static timer_t timer;
static pid_t timer_pid; /* the process the timer belongs to (timers do not survive fork) */
static volatile sig_atomic_t fired;

static void on_bound(int sig)
{
	(void)sig;
	fired = 1;
}

static int setup(void)
{
	struct sigevent sev;
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bound; /* no SA_RESTART: the interrupted call fails EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(IO_BOUND_SIGNAL, &sa, NULL))
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, IO_BOUND_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = IO_BOUND_SIGNAL;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		return -errno;
	timer_pid = getpid();
	return 0;
}

int io_bound_arm(unsigned ms)
{
	struct itimerspec its = {
		.it_value = { ms / 1000, (long)(ms % 1000) * 1000000L },
		.it_interval = { 0, IO_BOUND_REPEAT_MS * 1000000L },
	};
	int r;

	if (timer_pid != getpid()) {
		r = setup();
		if (r)
			return r;
	}
	fired = 0;
	return timer_settime(timer, 0, &its, NULL) ? -errno : 0;
}

bool io_bound_disarm(void)
{
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	if (timer_pid == getpid())
		timer_settime(timer, 0, &off, NULL);
	return fired;
}

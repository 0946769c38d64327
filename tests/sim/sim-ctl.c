// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-ctl.c - what a test tells the simulated device while it runs
 * (tests/sim/README.md, "Triggers"): commands, one a line, written to the
 * --control FIFO, and SIGUSR1/SIGUSR2. Each is recorded as a CONTROL or SIGNAL
 * line with its outcome.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/sim/sim-srv.h"

int ctl_open(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		if (!S_ISFIFO(st.st_mode))
			return -EEXIST;
	} else if (mkfifo(path, 0600)) {
		return -errno;
	}
	/* read-write: no EOF when a writer closes; never blocks */
	sim.ctlfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return sim.ctlfd < 0 ? -errno : 0;
}

/* A number in [lo, hi] (0x.. works). */
static bool num(const char *v, long lo, long hi, long *out)
{
	char *e;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtol(v, &e, 0);
	return !errno && !*e && *out >= lo && *out <= hi;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "send EP HEX": one device-side transfer of those bytes on IN endpoint EP */
static const char *ctl_send(const char *ep, const char *hx, char *res, size_t reslen)
{
	struct sim_ep *e;
	uint8_t *b;
	size_t n, i;
	long a;

	if (!num(ep, 0x81, 0x8f, &a) || !hx)
		return "usage: send EP HEX (EP 0x81..0x8f, HEX: hex digits, - for none)";
	n = strcmp(hx, "-") ? strlen(hx) : 0;
	for (i = 0; i < n; i++)
		if (hexval(hx[i]) < 0 || n % 2)
			return "HEX: an even number of hex digits, - for none";
	e = find_ep((unsigned)a);
	if (!e)
		return "no such endpoint in the current configuration and settings";
	b = malloc(n / 2 + 1);
	if (!b)
		abort();
	for (i = 0; i < n / 2; i++)
		b[i] = (uint8_t)(hexval(hx[2 * i]) << 4 | hexval(hx[2 * i + 1]));
	ep_send(e, b, n / 2, true);
	free(b);
	snprintf(res, reslen, "ok bytes=%zu", n / 2);
	return NULL;
}

static void ctl_command(char *line)
{
	char *save = NULL, *cmd = strtok_r(line, " \t", &save);
	char *a1 = strtok_r(NULL, " \t", &save), *a2 = strtok_r(NULL, " \t", &save);
	char res[64] = "ok";
	const char *err = NULL;
	long st, intf = -1;
	int n;

	if (!cmd || *cmd == '#')
		return;
	if (!strcmp(cmd, "serial_state")) {
		if (!num(a1, 0, 0xffff, &st) || (a2 && !num(a2, 0, 255, &intf)))
			err = "usage: serial_state BITS [INTERFACE]";
		else if (!(n = acm_serial_state((int)intf, (int)st, "control")))
			err = "no notification endpoint (serial_state) in the current settings";
		else
			snprintf(res, sizeof(res), "ok sent=%d", n);
	} else if (!strcmp(cmd, "send")) {
		err = ctl_send(a1, a2, res, sizeof(res));
	} else {
		err = "unknown command (serial_state, send)";
	}
	rec("CONTROL %s%s%s%s%s -> %s%s", cmd, a1 ? " " : "", a1 ? a1 : "", a2 ? " " : "",
	    a2 ? a2 : "", err ? "error: " : "", err ? err : res);
}

void ctl_readable(void)
{
	char *nl;
	ssize_t n;

	for (;;) {
		if (sim.ctl_len == sizeof(sim.ctl) - 1) {
			rec("CONTROL - -> error: a line longer than %zu bytes, dropped",
			    sim.ctl_len);
			sim.ctl_len = 0;
		}
		n = read(sim.ctlfd, sim.ctl + sim.ctl_len, sizeof(sim.ctl) - 1 - sim.ctl_len);
		if (n <= 0)
			return;
		sim.ctl_len += (size_t)n;
		sim.ctl[sim.ctl_len] = 0;
		while ((nl = strchr(sim.ctl, '\n'))) {
			*nl = 0;
			ctl_command(sim.ctl);
			sim.ctl_len -= (size_t)(nl + 1 - sim.ctl);
			memmove(sim.ctl, nl + 1, sim.ctl_len + 1);
		}
	}
}

void ctl_signal(unsigned signo)
{
	int n = acm_serial_state(-1, signo == SIGUSR1 ? -1 : 0, signo == SIGUSR1 ? "SIGUSR1" :
									"SIGUSR2");

	rec("SIGNAL signal=%u -> %d SERIAL_STATE notification%s", signo, n, n == 1 ? "" : "s");
}

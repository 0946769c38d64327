// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-rec.c - usbip-sim's record file (one line per event, tests/sim/README.md
 * "The record") and the small helpers its parts share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/sim/sim-srv.h"

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *errname(int status)
{
	static char b[16];

	switch (status) {
	case 0: return "0";
	case -EPIPE: return "-EPIPE";
	case -ECONNRESET: return "-ECONNRESET";
	case -ESHUTDOWN: return "-ESHUTDOWN";
	case -EOVERFLOW: return "-EOVERFLOW";
	case -EREMOTEIO: return "-EREMOTEIO";
	case -ENOENT: return "-ENOENT";
	case -EINVAL: return "-EINVAL";
	default:
		snprintf(b, sizeof(b), "%d", status);
		return b;
	}
}

/* One record line: KIND key=value ... t=SECONDS, flushed. */
__attribute__((format(printf, 1, 2)))
void rec(const char *fmt, ...)
{
	va_list ap;
	int64_t t = now_ms() - sim.t0;

	if (!sim.rec)
		return;
	va_start(ap, fmt);
	vfprintf(sim.rec, fmt, ap);
	va_end(ap);
	fprintf(sim.rec, " t=%lld.%03lld\n", (long long)(t / 1000), (long long)(t % 1000));
	fflush(sim.rec);
}

char *hex(const uint8_t *p, size_t n)
{
	static const char x[] = "0123456789abcdef";
	char *s = malloc(2 * n + 2), *q = s;
	size_t i;

	if (!s)
		abort();
	if (!n)
		*q++ = '-';
	for (i = 0; i < n; i++) {
		*q++ = x[p[i] >> 4];
		*q++ = x[p[i] & 15];
	}
	*q = 0;
	return s;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

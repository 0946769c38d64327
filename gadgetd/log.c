// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - see log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/log.h"
#include "gadgetd/text.h"

static int to_syslog;
static int verbosity;
static enum log_time stamp = LOG_TIME_WALL;
static const char *prog = "gadgetd";
static void (*error_hook)(const char *msg);

/* Is stderr the stream journald gave us?  systemd.exec(5), $JOURNAL_STREAM. */
static int stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(int use_syslog, int verbose, enum log_time when, const char *ident)
{
	if (ident)
		prog = ident;
	to_syslog = use_syslog;
	verbosity = verbose;
	if (when == LOG_TIME_AUTO)
		when = stderr_is_journal() ? LOG_TIME_NONE : LOG_TIME_WALL;
	stamp = when;
	if (to_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_time_parse(const char *s, enum log_time *out)
{
	static const char *const names[] = { "auto", "wall", "mono", "none" };
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum log_time)i;
			return 0;
		}
	return -EINVAL;
}

int log_verbose(void)
{
	return verbosity;
}

void log_set_error_hook(void (*fn)(const char *msg))
{
	error_hook = fn;
}

static const char *level_name(int pri)
{
	switch (pri) {
	case LOG_CRIT: return "fatal";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

static void put_stamp(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;

	buf[0] = 0;
	if (stamp == LOG_TIME_MONO) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(buf, n, "[%ld.%03ld] ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	} else if (stamp == LOG_TIME_WALL) {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000);
	}
}

__attribute__((format(printf, 2, 0)))
static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char raw[1024], msg[1024], when[40];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* a busid, path or string of the server's must not steer the terminal or split the line */
	text_escape(msg, sizeof(msg), raw);
	if (error_hook && pri <= LOG_ERR) {
		char full[1280];

		snprintf(full, sizeof(full), "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
		error_hook(full);
	}
	if (to_syslog) {
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	put_stamp(when, sizeof(when));
	/* under journald, "<N>" gives the line its priority (sd-daemon(3)) */
	if (stamp == LOG_TIME_NONE && getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>%s: %s%s%s\n", pri, level_name(pri), msg,
			suffix ? ": " : "", suffix ? suffix : "");
	else
		fprintf(stderr, "%s%s: %s: %s%s%s\n", when, prog, level_name(pri), msg,
			suffix ? ": " : "", suffix ? suffix : "");
	fflush(stderr);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (verbosity >= LOG_V_DETAIL)
		vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void log_debug2(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (verbosity >= LOG_V_DEBUG) vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void log_hexdump(const char *what, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	char line[16 * 3 + 1];
	size_t i, j;

	if (verbosity < LOG_V_WIRE)
		return;
	log_debug("%s (%zu bytes)", what, len);
	for (i = 0; i < len; i += 16) {
		for (j = 0; j < 16 && i + j < len; j++)
			snprintf(line + 3 * j, 4, " %02x", p[i + j]);
		log_debug("  %04zx:%s", i, line);
	}
}

int log_warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, strerror(err < 0 ? -err : err));
	va_end(ap);
	return err;
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

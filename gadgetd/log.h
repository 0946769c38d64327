/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - logging in the OpenBSD daemons' manner (log_warn, log_warnx, fatal).
 *
 * Every line goes to stderr, whatever stderr is (a terminal, a file, a pipe,
 * journald's stream under systemd), unless syslog was asked for. Each line has
 * a level; the time stamp depends on where it goes (enum log_time). The *_errno
 * variants take a -errno, log it with strerror, and return it.
 */
#ifndef GADGETD_LOG_H
#define GADGETD_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define GD_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Verbosity levels: what -v, -vv and -vvv add. */
enum log_verbosity {
	LOG_V_DEFAULT = 0, /* errors, state changes */
	LOG_V_DETAIL = 1,  /* -v: detail of each step (log_debug) */
	LOG_V_DEBUG = 2,   /* -vv: per-transfer debug */
	LOG_V_WIRE = 3,    /* -vvv: hexdump of the USB/IP traffic */
};

/* The time stamp in front of each stderr line. */
enum log_time {
	LOG_TIME_AUTO,  /* none under journald (JOURNAL_STREAM), else wall clock */
	LOG_TIME_WALL,  /* 2026-12-02T17:05:31.123 */
	LOG_TIME_MONO,  /* [1264.923]: CLOCK_MONOTONIC, the clock of dmesg */
	LOG_TIME_NONE,
};

/**
 * log_init() - where and how much to log.
 * @use_syslog: 1 to log to syslog(LOG_DAEMON) instead of stderr.
 * @verbose: an enum log_verbosity (the number of -v).
 * @when: the time stamp of stderr lines.
 * @ident: the program name on each line ("gadgetd").
 */
void log_init(int use_syslog, int verbose, enum log_time when, const char *ident);
/**
 * log_time_parse() - "auto", "wall", "mono" or "none" to an enum log_time.
 * Returns 0, or -EINVAL for anything else.
 */
int log_time_parse(const char *s, enum log_time *out);
/** log_verbose() - the current verbosity (an enum log_verbosity). */
int log_verbose(void);
/**
 * log_set_error_hook() - @fn (NULL: none) gets every error and fatal line's
 * text, without level or time stamp, as it is logged (status.c keeps the last).
 */
void log_set_error_hook(void (*fn)(const char *msg));

/** log_warn() - an error, followed by ": strerror(errno)"; errno is kept. */
void log_warn(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_warnx() - an error, the message alone. */
void log_warnx(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_warning() - a warning: what another program said (a proxy's stderr), not an error of gadgetd's. */
void log_warning(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_info() - what the daemon does (state changes, one line each). */
void log_info(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_debug() - detail, shown with -v and more. */
void log_debug(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_debug2() - per-transfer debug, shown with -vv and more. */
void log_debug2(const char *fmt, ...) GD_PRINTF(1, 2);
/**
 * log_hexdump() - with -vvv, @len bytes of @buf as hex lines of 16 bytes,
 * after a line "@what (@len bytes)". Nothing below that verbosity.
 */
void log_hexdump(const char *what, const void *buf, size_t len);
/** log_warn_errno() - log "fmt: strerror(-err)" as an error; returns @err (a -errno). */
int log_warn_errno(int err, const char *fmt, ...) GD_PRINTF(2, 3);
/** fatal() - log "fmt: strerror(errno)" as critical and exit(1); start-up only. */
__attribute__((noreturn)) void fatal(const char *fmt, ...) GD_PRINTF(1, 2);
/** fatalx() - log the message as critical and exit(1); start-up only. */
__attribute__((noreturn)) void fatalx(const char *fmt, ...) GD_PRINTF(1, 2);

#endif

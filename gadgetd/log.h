/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - logging in the OpenBSD daemons' manner (log_warn, log_warnx, fatal).
 * To stderr when it is a terminal or when asked, else to syslog(LOG_DAEMON).
 * The *_errno variants take a -errno, log it with strerror, and return it.
 */
#ifndef GADGETD_LOG_H
#define GADGETD_LOG_H

#include <stdarg.h>

#define GD_PRINTF(a, b) __attribute__((format(printf, a, b)))

/** log_init() - @to_stderr: 1 stderr, 0 syslog, -1 stderr if it is a tty; @verbose: 0..2. */
void log_init(int to_stderr, int verbose, const char *ident);
/** log_verbose() - the current verbosity (0 info, 1 debug, 2 wire traffic). */
int log_verbose(void);

/** log_warn() - an error, followed by ": strerror(errno)"; errno is kept. */
void log_warn(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_warnx() - an error, the message alone. */
void log_warnx(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_info() - what the daemon does (state changes, one line each). */
void log_info(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_debug() - detail, only with -vv. */
void log_debug(const char *fmt, ...) GD_PRINTF(1, 2);
/** log_warn_errno() - log "fmt: strerror(-err)" as a warning; returns @err (a -errno). */
int log_warn_errno(int err, const char *fmt, ...) GD_PRINTF(2, 3);
/** fatal() - log "fmt: strerror(errno)" as critical and exit(1); start-up only. */
__attribute__((noreturn)) void fatal(const char *fmt, ...) GD_PRINTF(1, 2);
/** fatalx() - log the message as critical and exit(1); start-up only. */
__attribute__((noreturn)) void fatalx(const char *fmt, ...) GD_PRINTF(1, 2);

#endif

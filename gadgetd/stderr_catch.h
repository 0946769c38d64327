/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stderr_catch.h - a library call's own printing to stderr, caught and logged.
 *
 * libusbgx prints its errors straight to stderr ("usbg_init() No such file or
 * directory: couldn't init gadget state") and has no knob to stop it. Around
 * such a call, fd 2 goes to a memfd; after it, each line caught is logged at
 * debug level (-v), named after the library, and stderr is back. The caller
 * reports the failure itself, in gadgetd's words. Only for calls made while
 * no other thread logs (the set-up of a session).
 */
#ifndef GADGETD_STDERR_CATCH_H
#define GADGETD_STDERR_CATCH_H

struct stderr_catch {
	int saved; /* the real stderr, -1 when nothing is captured */
	int mfd;   /* where fd 2 points meanwhile */
};

/** stderr_catch_begin() - send fd 2 to a memfd until stderr_catch_end(). Fails open: on error nothing is caught. */
void stderr_catch_begin(struct stderr_catch *c);

/** stderr_catch_end() - restore fd 2; log what was caught as "@who: line" at debug level. */
void stderr_catch_end(struct stderr_catch *c, const char *who);

#endif

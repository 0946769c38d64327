/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox.h - what the unprivileged network process gives up (privsep.h):
 * root and every capability for good, then, once relaying, every system call
 * the relay does not make (seccomp, through libseccomp).
 */
#ifndef GADGETD_SANDBOX_H
#define GADGETD_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/**
 * sandbox_drop() - become @uid/@gid (the account @user) with nothing of root
 * left, and check it: the capability bounding set emptied (PR_CAPBSET_DROP,
 * while CAP_SETPCAP is still held) and the ambient set cleared
 * (PR_CAP_AMBIENT_CLEAR_ALL), the supplementary groups only @gid
 * (setgroups), real, effective and saved gid and uid set (setresgid,
 * setresuid: the kernel clears the permitted and effective sets,
 * capabilities(7) "Effect of user ID changes"), PR_SET_NO_NEW_PRIVS set and
 * read back. Then checked: no capability in any set (capget, PR_CAPBSET_READ,
 * PR_CAP_AMBIENT_IS_SET), the groups, and that setuid(0) and setgid(0) fail.
 * A @gid of 0 or a @uid of 0 is refused. Everything wrong is logged.
 * Return: 0, -EINVAL (uid or gid 0), -EPERM (a check failed), or -errno.
 */
int sandbox_drop(uid_t uid, gid_t gid, const char *user);

/**
 * sandbox_seccomp() - allow from now on only the system calls the relay and
 * its teardown make (epoll, socket and endpoint I/O, Linux AIO, timers,
 * threads for GadgetFS's transfers, memory, the log, opening files for
 * reading only: sysfs, /sys/class/udc, on GadgetFS); @files also allows
 * opening and renaming files (the capture file's rotation, capture.h),
 * @syslog (or NOTIFY_SOCKET in the environment) AF_UNIX sockets: syslog(3)
 * connects again, sd_notify(3) sends from a new socket each time; @children
 * kill(2) and wait4(2): a proxy command (transport.h) is ended and reaped at
 * the teardown. Any other call
 * raises SIGSYS, whose handler says which call on stderr and exits 99
 * (seccomp(2) SECCOMP_RET_TRAP). PR_SET_NO_NEW_PRIVS must be set.
 * A build without libseccomp (NO_SECCOMP=1) logs that it has none.
 * Return: 0 or -errno (the filter could not be loaded).
 */
int sandbox_seccomp(bool files, bool syslog, bool children);

#define SANDBOX_SECCOMP_EXIT 99 /* the exit status after a refused system call */

#endif

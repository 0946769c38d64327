/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport.h - the ways to reach the server other than TCP: a unix socket
 * (--remote unix:/path) and a proxy command (--proxy-command CMD, OpenSSH's
 * ProxyCommand: ssh_config(5), "TOKENS").
 *
 * Either way the rest of gadgetd gets one connected, non-blocking stream
 * socket (AF_UNIX) and uses it as it uses a TCP socket: send()/recv() with
 * MSG_NOSIGNAL | MSG_DONTWAIT, no TCP options. A proxy command runs as ssh
 * runs one, /bin/sh -c "exec CMD" (so a compound command wants its own sh -c),
 * with its standard input and output on one end of a socketpair
 * (the other end is the fd returned), in a session and process group of its
 * own, as the relay user when one is set (never as root then). Each line it
 * writes to standard error is logged at warning level, escaped (text.h).
 * transport_close() ends it (SIGTERM to its process group, SIGKILL after 1 s)
 * and reaps it, so a reconnect starts a new one and no zombie is left.
 * Errors are -errno with a sentence in @err naming the thing; nothing else is
 * logged here but the proxy's own standard error and its exit.
 */
#ifndef GADGETD_TRANSPORT_H
#define GADGETD_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct remote;

/**
 * transport_expand() - OpenSSH's ProxyCommand tokens: @tmpl with %h replaced
 * by @host, %p by @port and %% by one '%', into @out (@outlen bytes, always
 * NUL-terminated when @outlen > 0). Pure.
 * Return: 0; -EINVAL for any other %X or a '%' at the end (@err names it);
 * -ENAMETOOLONG when the result does not fit.
 */
int transport_expand(const char *tmpl, const char *host, const char *port, char *out,
		     size_t outlen, char *err, size_t errlen);

/**
 * transport_set_proxy() - every later connect runs @cmd (NULL: none, TCP or
 * the unix socket again) as a proxy command; with @user non-NULL, as @user
 * (@uid, @gid, and @user's supplementary groups). @cmd is kept, not copied.
 * Return: 0, or -EINVAL when @cmd has a token transport_expand() refuses
 * (@err filled).
 */
int transport_set_proxy(const char *cmd, const char *user, uid_t uid, gid_t gid, char *err,
			size_t errlen);

/** transport_wanted() - whether @r is reached through this module (unix: or a proxy). */
bool transport_wanted(const struct remote *r);

/**
 * transport_connect() - connect to @r's unix socket, or start the proxy
 * command for @r's host and port. @out: the non-blocking, close-on-exec
 * socket. Return: 0; -ECONNREFUSED, -ENOENT, ... (unix socket), -EINVAL (a
 * proxy command for a unix: remote), -EMFILE, -EAGAIN (socketpair, pipe,
 * fork), with @err filled.
 */
int transport_connect(const struct remote *r, int *out, char *err, size_t errlen);

/**
 * transport_close() - close @fd; when a proxy command runs on it, end it
 * (SIGTERM to its process group, SIGKILL after 1 s), reap it and log its exit
 * status when it failed. Any other fd is just closed. -1: nothing.
 */
void transport_close(int fd);

#endif

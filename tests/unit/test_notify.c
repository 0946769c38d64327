// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_notify.c - unit tests for gadgetd/notify.c: the sd_notify(3) datagram
 * protocol as notify_datagram() speaks it (the build without libsystemd), and
 * the notify_*() calls through whichever implementation this build has,
 * against a socket the test listens on as the service manager would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "gadgetd/notify.h"

static char dir[64], path[128];

/* A datagram socket bound to @name (a path, or '@' for an abstract name). */
static int listen_on(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

/* The next datagram on @fd is exactly @want (no NUL sent). */
static void expect_datagram(int fd, const char *want)
{
	char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(buf, want, n);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/gadgetd-notify-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

static void test_path_socket(void **state)
{
	int fd = listen_on(path);

	assert_int_equal(notify_datagram(path, "READY=1\nSTATUS=presenting 46f4:0001"), 1);
	expect_datagram(fd, "READY=1\nSTATUS=presenting 46f4:0001");
	close(fd);
}

static void test_abstract_socket(void **state)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@gadgetd-test-notify-%ld", (long)getpid());
	fd = listen_on(name);
	assert_int_equal(notify_datagram(name, "STATUS=waiting for 1-1.2 on server:3240"), 1);
	expect_datagram(fd, "STATUS=waiting for 1-1.2 on server:3240");
	close(fd);
}

/* Not started by a service manager: nothing sent, no error. */
static void test_no_socket(void **state)
{
	assert_int_equal(notify_datagram(NULL, "READY=1"), 0);
	assert_int_equal(notify_datagram("", "READY=1"), 0);
}

static void test_bad_names(void **state)
{
	char longname[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];

	assert_int_equal(notify_datagram("run/systemd/notify", "READY=1"), -EINVAL);
	assert_int_equal(notify_datagram("@", "READY=1"), -EINVAL);
	assert_int_equal(notify_datagram("vsock:2:1234", "READY=1"), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(notify_datagram(longname, "READY=1"), -EINVAL);
	/* sun_path holds 107 characters and the NUL of a path */
	longname[sizeof(longname) - 3] = '\0';
	assert_int_equal(notify_datagram(longname, "READY=1"), -ENOENT);
}

static void test_nobody_listens(void **state)
{
	int fd;

	assert_int_equal(notify_datagram(path, "READY=1"), -ENOENT);
	fd = listen_on(path);
	close(fd); /* the file stays, nobody reads it */
	assert_int_equal(notify_datagram(path, "READY=1"), -ECONNREFUSED);
}

/* notify_ready() sends READY=1 once; every call is one datagram. */
static void test_notify_calls(void **state)
{
	int fd = listen_on(path);

	setenv("NOTIFY_SOCKET", path, 1);
	notify_status("importing %s from %s", "1-1", "server:3240");
	expect_datagram(fd, "STATUS=importing 1-1 from server:3240");
	notify_ready("relaying: configuration %u", 1);
	expect_datagram(fd, "READY=1\nSTATUS=relaying: configuration 1");
	notify_ready("relaying: configuration %u", 2);
	expect_datagram(fd, "STATUS=relaying: configuration 2");
	notify_stopping();
	expect_datagram(fd, "STOPPING=1\nSTATUS=stopping");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abstract_socket, setup, teardown),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test_setup_teardown(test_nobody_listens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_calls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

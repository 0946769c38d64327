// SPDX-License-Identifier: GPL-2.0-or-later
/* test_remote.c - remote_parse() (gadgetd/client.h): --remote HOST[:PORT], unix:PATH. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/client.h"

static void ok(const char *s, const char *host, const char *port, const char *name)
{
	struct remote r;
	char err[256] = "";

	assert_int_equal(remote_parse(s, &r, err, sizeof(err)), 0);
	assert_string_equal(r.host, host);
	assert_string_equal(r.port, port);
	assert_string_equal(r.name, name);
}

static void bad(const char *s, const char *why)
{
	struct remote r;
	char err[256] = "";

	assert_int_equal(remote_parse(s, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
}

static void test_remote_forms(void **state)
{
	(void)state;
	ok("server", "server", "3240", "server:3240");
	ok("server:3241", "server", "3241", "server:3241");
	ok("10.0.0.2", "10.0.0.2", "3240", "10.0.0.2:3240");
	ok("::1", "::1", "3240", "[::1]:3240");
	ok("[::1]:3999", "::1", "3999", "[::1]:3999");
	ok("fe80::1%eth0", "fe80::1%eth0", "3240", "[fe80::1%eth0]:3240");
}

static void test_remote_unix(void **state)
{
	struct remote r;
	char err[256] = "", path[120];

	(void)state;
	assert_int_equal(remote_parse("unix:/tmp/u.sock", &r, err, sizeof(err)), 0);
	assert_string_equal(r.path, "/tmp/u.sock");
	assert_string_equal(r.name, "unix:/tmp/u.sock");
	assert_string_equal(r.host, "");
	assert_string_equal(r.port, "");
	/* a relative path is the caller's business, as for connect(2) */
	assert_int_equal(remote_parse("unix:u.sock", &r, err, sizeof(err)), 0);
	assert_string_equal(r.path, "u.sock");
	/* sun_path holds 107 bytes and the NUL */
	memset(path, 'a', sizeof(path));
	memcpy(path, "unix:/", 6);
	path[107 + 5] = 0;
	assert_int_equal(remote_parse(path, &r, err, sizeof(err)), 0);
	assert_int_equal(strlen(r.path), 107);
	path[107 + 5] = 'a';
	path[108 + 5] = 0;
	bad(path, "the socket path must be 1..107 bytes");
	bad("unix:", "the socket path must be 1..107 bytes");
	/* a TCP remote has no path */
	ok("unixhost:3240", "unixhost", "3240", "unixhost:3240");
	assert_int_equal(remote_parse("server", &r, err, sizeof(err)), 0);
	assert_string_equal(r.path, "");
}

static void test_remote_refused(void **state)
{
	(void)state;
	bad("", "empty host");
	bad("h:3240:1", "neither HOST:PORT nor an IPv6 address");
	bad("server:0", "not a number in 1..65535");
	bad("server:65536", "not a number in 1..65535");
	bad("server:", "not a number in 1..65535");
	bad("[::1", "missing ']'");
	bad("[::1]3240", "expected ':PORT' after ']'");
	bad(":3240", "bad host name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remote_forms),
		cmocka_unit_test(test_remote_refused),
		cmocka_unit_test(test_remote_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

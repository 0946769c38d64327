// SPDX-License-Identifier: GPL-2.0-or-later
/* test_transport.c - transport_expand() (gadgetd/transport.h): the proxy
 * command's %h, %p and %% as OpenSSH's ProxyCommand has them; the profile key
 * proxy_command (gadgetd/profile.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/profile.h"
#include "gadgetd/transport.h"

static void expands(const char *tmpl, const char *want)
{
	char out[256], err[256] = "";

	assert_int_equal(transport_expand(tmpl, "server.lan", "3240", out, sizeof(out), err,
					  sizeof(err)), 0);
	assert_string_equal(out, want);
}

static void test_expand_tokens(void **state)
{
	(void)state;
	expands("ssh -W %h:%p jumphost", "ssh -W server.lan:3240 jumphost");
	expands("nc %h %p", "nc server.lan 3240");
	expands("%h%p%h", "server.lan3240server.lan");
	expands("echo 100%% %%h", "echo 100% %h");
	expands("%%%h", "%server.lan");
	expands("no tokens", "no tokens");
	expands("", "");
}

static void test_expand_ipv6_host(void **state)
{
	char out[64], err[128];

	(void)state;
	/* as ssh: the bare address, brackets are the command's business */
	assert_int_equal(transport_expand("ssh -W [%h]:%p j", "fe80::1%eth0", "3999", out,
					  sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "ssh -W [fe80::1%eth0]:3999 j");
}

static void refused(const char *tmpl, int want, const char *why)
{
	char out[32], err[256] = "";

	assert_int_equal(transport_expand(tmpl, "server.lan", "3240", out, sizeof(out), err,
					  sizeof(err)), want);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, why));
}

static void test_expand_refused(void **state)
{
	(void)state;
	refused("ssh %r@%h", -EINVAL, "unknown token %r");
	refused("ssh -W %h:%P", -EINVAL, "unknown token %P");
	refused("ssh %", -EINVAL, "a '%' at the end");
	/* 31 bytes fit in 32, 32 do not */
	refused("0123456789012345678901234567890%h", -ENAMETOOLONG, "longer than 31 bytes");
	expands("0123456789012345678901234567890", "0123456789012345678901234567890");
}

static void test_expand_fits_exactly(void **state)
{
	char out[15], err[128];

	(void)state;
	/* "server.lan:3240" is 15 bytes: one short of the terminating NUL */
	assert_int_equal(transport_expand("%h:%p", "server.lan", "3240", out, sizeof(out), err,
					  sizeof(err)), -ENAMETOOLONG);
	assert_int_equal(transport_expand("%h:%p", "server.lan", "324", out, sizeof(out), err,
					  sizeof(err)), 0);
	assert_string_equal(out, "server.lan:324");
}

static void test_set_proxy(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(transport_set_proxy("ssh -W %h:%p j", NULL, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(transport_set_proxy("ssh -W %x", NULL, 0, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown token %x"));
	assert_int_equal(transport_set_proxy(NULL, NULL, 0, 0, err, sizeof(err)), 0);
}

/* the profile key proxy_command: its tokens are checked when the profile loads */
static void test_proxy_command_key(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("remote = \"unix:/run/u.sock\";\n", "t.cfg", &p, &err), 0);
	assert_string_equal(p.remote, "unix:/run/u.sock");
	assert_null(p.proxy_command);
	profile_free(&p);
	assert_int_equal(profile_load_string("proxy_command = \"ssh -W %h:%p -o X=100%% j\";",
					     "t.cfg", &p, &err), 0);
	assert_string_equal(p.proxy_command, "ssh -W %h:%p -o X=100%% j");
	profile_free(&p);
	assert_null(p.proxy_command);
	assert_int_equal(profile_load_string("\nproxy_command = \"ssh %r@%h\";", "t.cfg", &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "t.cfg:2: proxy command: unknown token %r"));
	assert_int_equal(profile_load_string("proxy_command = \"\";", "t.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "t.cfg:1: proxy_command: must not be empty");
	assert_int_equal(profile_load_string("proxy_command = 1;", "t.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "t.cfg:1: proxy_command: expected a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_tokens),
		cmocka_unit_test(test_expand_ipv6_host),
		cmocka_unit_test(test_expand_refused),
		cmocka_unit_test(test_expand_fits_exactly),
		cmocka_unit_test(test_set_proxy),
		cmocka_unit_test(test_proxy_command_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

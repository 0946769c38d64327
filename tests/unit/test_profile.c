// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_profile.c - profile parsing and validation (gadgetd/profile.c).
 *
 * Runs from the repository root (as `make unit` does) to find the shipped
 * profiles in configs/; GD_SRCDIR overrides where the repository is.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gadgetd/profile.h"

static const char *srcdir(void)
{
	const char *d = getenv("GD_SRCDIR");

	return d && *d ? d : ".";
}

/* Load @text as "t.cfg"; expect @want_ret and, if @want_msg, that message. */
static void check_load(const char *text, int want_ret, const char *want_msg)
{
	struct gd_profile p;
	struct gd_profile_err err;
	int ret;

	memset(&err, 'x', sizeof(err));
	ret = profile_load_string(text, "t.cfg", &p, &err);
	if (ret != want_ret)
		print_error("text:\n%s\nret %d (want %d), msg '%s'\n", text, ret, want_ret,
			    err.msg);
	assert_int_equal(ret, want_ret);
	if (want_msg)
		assert_string_equal(err.msg, want_msg);
	if (ret) {
		/* nothing is left allocated or set on failure */
		assert_null(p.remote);
		assert_null(p.busid);
		assert_null(p.udc);
		assert_null(p.serial);
		assert_null(p.manufacturer);
		assert_null(p.product);
		assert_false(p.has_idVendor);
	}
	profile_free(&p);
}

static void expect_ok(const char *text)
{
	check_load(text, 0, NULL);
}

static void expect_einval(const char *text, const char *want_msg)
{
	check_load(text, -EINVAL, want_msg);
}

/* Write @len bytes of @data to a new temporary file; its name goes to @path. */
static void write_tmp(char path[64], const void *data, size_t len)
{
	int fd;

	strcpy(path, "/tmp/test_profile.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void test_all_keys(void **state)
{
	static const char text[] =
		"# every key\n"
		"remote = \"usbip.example.org:3240\";\n"
		"busid = \"1-1.2\";\n"
		"udc = \"dummy_udc.0\";\n"
		"device = {\n"
		"\tidVendor = 0x1d6b;\n"
		"\tidProduct = 0x0104;\n"
		"\tbcdDevice = 0x0100;\n"
		"\tserial = \"0123456789\";\n"
		"\tmanufacturer = \"ACME\";\n"
		"\tproduct = \"Clé USB \\u00e9\";\n"	/* UTF-8 (and a literal \u) */
		"\tMaxPower = 500;\n"
		"\tself_powered = true;\n"
		"};\n";
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string(text, "all.cfg", &p, &err), 0);
	assert_string_equal(p.remote, "usbip.example.org:3240");
	assert_string_equal(p.busid, "1-1.2");
	assert_string_equal(p.udc, "dummy_udc.0");
	assert_true(p.has_idVendor);
	assert_int_equal(p.idVendor, 0x1d6b);
	assert_true(p.has_idProduct);
	assert_int_equal(p.idProduct, 0x0104);
	assert_true(p.has_bcdDevice);
	assert_int_equal(p.bcdDevice, 0x0100);
	assert_string_equal(p.serial, "0123456789");
	assert_string_equal(p.manufacturer, "ACME");
	assert_string_equal(p.product, "Clé USB \\u00e9");
	assert_true(p.has_MaxPower);
	assert_int_equal(p.MaxPower, 500);
	assert_true(p.has_self_powered);
	assert_true(p.self_powered);
	profile_free(&p);
	assert_null(p.remote);
	assert_false(p.has_idVendor);
}

static void test_partial_and_edges(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	/* only some keys: the rest stay unset; bounds are inclusive */
	assert_int_equal(profile_load_string("device: { idProduct = 0xffffL; MaxPower = 0;"
					     " self_powered = false; bcdDevice = 0; };",
					     "p.cfg", &p, &err), 0);
	assert_null(p.remote);
	assert_null(p.busid);
	assert_null(p.udc);
	assert_false(p.has_idVendor);
	assert_true(p.has_idProduct);
	assert_int_equal(p.idProduct, 0xffff);
	assert_true(p.has_bcdDevice);
	assert_int_equal(p.bcdDevice, 0);
	assert_true(p.has_MaxPower);
	assert_int_equal(p.MaxPower, 0);
	assert_true(p.has_self_powered);
	assert_false(p.self_powered);
	assert_null(p.serial);
	profile_free(&p);

	/* numbers inside strings and comments are not integers */
	assert_int_equal(profile_load_string("device = { serial = \"99999999999\"; };"
					     " # 0x100000000\n// 70000000000\n/* -99999999999 */",
					     "p.cfg", &p, &err), 0);
	assert_string_equal(p.serial, "99999999999");
	profile_free(&p);

	/* decimal and int64 forms */
	expect_ok("device = { idVendor = 65535; idProduct = 1L; bcdDevice = +7; };");
	/* names may contain digits and dashes; those are not numbers either */
	expect_einval("a-1 = 99999999999L;",
		      "t.cfg:1: unknown key 'a-1' (known: remote, busid, udc, device)");
}

static void test_empty(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;
	char path[64];

	(void)state;
	expect_ok("");
	expect_ok("\n\n# only a comment\n");
	expect_ok("device = {};\n");

	write_tmp(path, "", 0);
	assert_int_equal(profile_load_file(path, &p, &err), 0);
	assert_null(p.remote);
	assert_false(p.has_MaxPower);
	profile_free(&p);
	unlink(path);
}

static void load_shipped(const char *name, struct gd_profile *p)
{
	struct gd_profile_err err;
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/configs/%s", srcdir(), name);
	ret = profile_load_file(path, p, &err);
	if (ret)
		print_error("%s\n", err.msg);
	assert_int_equal(ret, 0);
}

static void test_shipped_configs(void **state)
{
	struct gd_profile p;
	char pattern[PATH_MAX];
	glob_t g;
	size_t i;

	(void)state;
	load_shipped("keyboard.cfg", &p);
	assert_non_null(p.remote);
	assert_non_null(p.busid);
	assert_non_null(p.product);
	assert_non_null(p.serial);
	profile_free(&p);

	load_shipped("mass-storage.cfg", &p);
	assert_true(p.has_MaxPower);
	assert_true(p.MaxPower <= 500);
	assert_true(p.has_self_powered);
	assert_true(p.self_powered);
	profile_free(&p);

	/* and whatever else is shipped */
	snprintf(pattern, sizeof(pattern), "%s/configs/*.cfg", srcdir());
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 2);
	for (i = 0; i < g.gl_pathc; i++) {
		struct gd_profile_err err;
		int ret = profile_load_file(g.gl_pathv[i], &p, &err);

		if (ret)
			print_error("%s\n", err.msg);
		assert_int_equal(ret, 0);
		profile_free(&p);
	}
	globfree(&g);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_einval("remote = \"h\";\n\nfoo = 1;\n",
		      "t.cfg:3: unknown key 'foo' (known: remote, busid, udc, device)");
	expect_einval("busid = \"1-1\";\n"
		      "device = {\n"
		      "  idVendor = 0x1234;\n"
		      "\n"
		      "  vendor = 0x1234;\n"
		      "};\n",
		      "t.cfg:5: unknown key 'device.vendor' (known: idVendor, idProduct, "
		      "bcdDevice, serial, manufacturer, product, MaxPower, self_powered)");
	/* keys are case-sensitive */
	expect_einval("device = { maxpower = 100; };",
		      "t.cfg:1: unknown key 'device.maxpower' (known: idVendor, idProduct, "
		      "bcdDevice, serial, manufacturer, product, MaxPower, self_powered)");
	expect_einval("Remote = \"h\";",
		      "t.cfg:1: unknown key 'Remote' (known: remote, busid, udc, device)");
	/* an unknown group is reported, not walked */
	expect_einval("\ngadget = { idVendor = 1; };",
		      "t.cfg:2: unknown key 'gadget' (known: remote, busid, udc, device)");
}

static void test_out_of_range(void **state)
{
	(void)state;
	expect_einval("device = {\n  idVendor = 70000;\n};",
		      "t.cfg:2: device.idVendor: 70000 is out of range 0..0xffff");
	expect_einval("device = { idProduct = -1; };",
		      "t.cfg:1: device.idProduct: -1 is out of range 0..0xffff");
	expect_einval("device = { bcdDevice = 0x10000; };",
		      "t.cfg:1: device.bcdDevice: 65536 is out of range 0..0xffff");
	expect_einval("device = { idVendor = 0x10000L; };",
		      "t.cfg:1: device.idVendor: 65536 is out of range 0..0xffff");
	expect_einval("device = { idVendor = 5000000000L; };",
		      "t.cfg:1: device.idVendor: 5000000000 is out of range 0..0xffff");
	expect_einval("device = { MaxPower = 501; };",
		      "t.cfg:1: device.MaxPower: 501 is out of range 0..500");
	expect_einval("device = { MaxPower = 900; };",
		      "t.cfg:1: device.MaxPower: 900 is out of range 0..500");
	expect_einval("device = { MaxPower = -2; };",
		      "t.cfg:1: device.MaxPower: -2 is out of range 0..500");
}

/* libconfig 1.5 would truncate these to 32 bits; they must not slip through */
static void test_int_overflow(void **state)
{
	(void)state;
	expect_einval("device = {\n idVendor = 0x100001234;\n};",
		      "t.cfg:2: integer 0x100001234 does not fit in 32 bits");
	expect_einval("device = { idVendor = 4294967297; };",
		      "t.cfg:1: integer 4294967297 does not fit in 32 bits");
	expect_einval("device = { idVendor = 0xffffffff; };",
		      "t.cfg:1: integer 0xffffffff does not fit in 32 bits");
	expect_einval("device = { MaxPower = -99999999999999999999; };",
		      "t.cfg:1: integer -99999999999999999999 does not fit in 32 bits");
	/* a string with a quote and a newline escape before the number */
	expect_einval("device = { serial = \"a\\\"b\"; product = \"x\";\n\nMaxPower = 4294967796; };",
		      "t.cfg:3: integer 4294967796 does not fit in 32 bits");
	/* the largest int is still a (range-checked) int */
	expect_einval("device = { MaxPower = 2147483647; };",
		      "t.cfg:1: device.MaxPower: 2147483647 is out of range 0..500");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_einval("device = { self_powered = 1; };",
		      "t.cfg:1: device.self_powered: expected a boolean");
	expect_einval("device = { self_powered = \"yes\"; };",
		      "t.cfg:1: device.self_powered: expected a boolean");
	expect_einval("\nbusid = 12;", "t.cfg:2: busid: expected a string");
	expect_einval("remote = [\"a\"];", "t.cfg:1: remote: expected a string");
	expect_einval("udc = true;", "t.cfg:1: udc: expected a string");
	expect_einval("device = { idVendor = \"0x1234\"; };",
		      "t.cfg:1: device.idVendor: expected an integer");
	expect_einval("device = { idProduct = 1.0; };",
		      "t.cfg:1: device.idProduct: expected an integer");
	expect_einval("device = { MaxPower = (100); };",
		      "t.cfg:1: device.MaxPower: expected an integer");
	expect_einval("device = { serial = 1234; };",
		      "t.cfg:1: device.serial: expected a string");
	expect_einval("device = { manufacturer = { }; };",
		      "t.cfg:1: device.manufacturer: expected a string");
	expect_einval("device = 1;", "t.cfg:1: device: expected a group { ... }");
	expect_einval("device = ( { idVendor = 1; } );",
		      "t.cfg:1: device: expected a group { ... }");
}

static void test_strings(void **state)
{
	char text[512], s[200];

	(void)state;
	/* 126 bytes is the most a USB string may have, in ConfigFS's terms */
	memset(s, 'a', 126);
	s[126] = '\0';
	snprintf(text, sizeof(text), "device = { serial = \"%s\"; };", s);
	expect_ok(text);
	strcpy(s + 126, "b");
	snprintf(text, sizeof(text), "device = { product = \"%s\"; };", s);
	expect_einval(text, "t.cfg:1: device.product: 127 bytes is longer than 126");
	snprintf(text, sizeof(text), "device = {\nmanufacturer = \"%s\" \"%s\"; };", s, "x");
	expect_einval(text, "t.cfg:2: device.manufacturer: 128 bytes is longer than 126");
	/* 63 two-byte characters fit; 64 do not */
	strcpy(s, "");
	for (int i = 0; i < 63; i++)
		strcat(s, "\xc3\xa9");
	snprintf(text, sizeof(text), "device = { product = \"%s\"; };", s);
	expect_ok(text);
	strcat(s, "\xc3\xa9");
	snprintf(text, sizeof(text), "device = { product = \"%s\"; };", s);
	expect_einval(text, "t.cfg:1: device.product: 128 bytes is longer than 126");

	/* busid: at most 31 characters */
	memset(s, '1', 31);
	s[31] = '\0';
	snprintf(text, sizeof(text), "busid = \"%s\";", s);
	expect_ok(text);
	strcpy(s + 31, "2");
	snprintf(text, sizeof(text), "busid = \"%s\";", s);
	expect_einval(text, "t.cfg:1: busid: 32 bytes is longer than 31");

	/* empty strings */
	expect_einval("remote = \"\";", "t.cfg:1: remote: must not be empty");
	expect_einval("busid = \"\";", "t.cfg:1: busid: must not be empty");
	expect_einval("udc = \"\";", "t.cfg:1: udc: must not be empty");
	expect_einval("device = { serial = \"\"; };", "t.cfg:1: device.serial: must not be empty");

	/* bytes that would make a bad descriptor or a bad ConfigFS write */
	expect_einval("device = { serial = \"\xff\"; };",
		      "t.cfg:1: device.serial: is not valid UTF-8");
	expect_einval("device = { serial = \"\\xc0\\x80\"; };", /* overlong NUL */
		      "t.cfg:1: device.serial: is not valid UTF-8");
	expect_einval("device = { serial = \"\xed\xa0\x80\"; };", /* a surrogate */
		      "t.cfg:1: device.serial: is not valid UTF-8");
	expect_einval("device = { serial = \"\xe2\x82\"; };", /* cut short */
		      "t.cfg:1: device.serial: is not valid UTF-8");
	expect_einval("device = { product = \"two\\nlines\"; };",
		      "t.cfg:1: device.product: contains a control character");
	expect_einval("udc = \"dummy_udc.0\\n\";",
		      "t.cfg:1: udc: contains a control character");
	expect_ok("device = { product = \"\xf0\x9f\x94\x8c plug\"; };");
}

static void test_syntax_errors(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;
	char path[64], want[128];
	static const char bad[] = "remote = \"h\";\n\nbusid = \"1-1\";\nudc = dummy_udc.0;\n";

	(void)state;
	expect_einval("remote = \"h\";\nbusid = ;\n", "t.cfg:2: syntax error");
	expect_einval("remote = \"h\";\nremote = \"h2\";\n",
		      "t.cfg:2: syntax error: duplicate setting name");
	expect_einval("device = {\n idVendor = 1;\n", "t.cfg:3: syntax error");
	expect_einval("x = \"unterminated\n", NULL);
	/* @include would read another file: refused */
	expect_einval("remote = \"h\";\n@include \"/etc/hostname\"\n",
		      "t.cfg:2: @include is not supported");

	/* from a file: the path and the line of the error */
	write_tmp(path, bad, strlen(bad));
	assert_int_equal(profile_load_file(path, &p, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:4: syntax error", path);
	assert_string_equal(err.msg, want);
	assert_null(p.remote);
	profile_free(&p);
	unlink(path);
}

static void test_file_errors(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;
	char path[64], want[128];
	char *big;

	(void)state;
	assert_int_equal(profile_load_file("/nonexistent/gadgetd.cfg", &p, &err), -ENOENT);
	assert_string_equal(err.msg,
			    "/nonexistent/gadgetd.cfg: cannot read: No such file or directory");
	assert_null(p.remote);
	profile_free(&p);

	assert_int_equal(profile_load_file("/tmp", &p, &err), -EISDIR);
	assert_string_equal(err.msg, "/tmp: cannot read: Is a directory");

	/* a NUL byte would hide the rest of the file from libconfig */
	write_tmp(path, "remote = \"h\";\0foo = 1;\n", 23);
	assert_int_equal(profile_load_file(path, &p, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s: contains a NUL byte (not a text file?)", path);
	assert_string_equal(err.msg, want);
	unlink(path);

	/* too large */
	big = malloc(GD_PROFILE_MAX_SIZE + 2);
	assert_non_null(big);
	memset(big, '\n', GD_PROFILE_MAX_SIZE + 1);
	big[GD_PROFILE_MAX_SIZE + 1] = '\0';
	write_tmp(path, big, GD_PROFILE_MAX_SIZE + 1);
	assert_int_equal(profile_load_file(path, &p, &err), -EFBIG);
	unlink(path);
	assert_int_equal(profile_load_string(big, "big.cfg", &p, &err), -EFBIG);
	assert_string_equal(err.msg, "big.cfg: larger than 32768 bytes");
	/* exactly the limit is fine */
	big[GD_PROFILE_MAX_SIZE] = '\0';
	write_tmp(path, big, GD_PROFILE_MAX_SIZE);
	assert_int_equal(profile_load_file(path, &p, &err), 0);
	unlink(path);
	free(big);
}

static void test_free_and_null_err(void **state)
{
	struct gd_profile p;

	(void)state;
	memset(&p, 0, sizeof(p));
	profile_free(&p);
	profile_free(&p);
	profile_free(NULL);

	/* @err may be NULL, on success and on failure */
	assert_int_equal(profile_load_string("remote = \"h\";", NULL, &p, NULL), 0);
	assert_string_equal(p.remote, "h");
	profile_free(&p);
	assert_int_equal(profile_load_string("foo = 1;", NULL, &p, NULL), -EINVAL);
	assert_int_equal(profile_load_file("/nonexistent", &p, NULL), -ENOENT);

	/* the first error wins and the earlier strings are freed (LSan checks) */
	expect_einval("remote = \"h\"; udc = \"u\"; device = { serial = \"s\"; MaxPower = 999; };",
		      "t.cfg:1: device.MaxPower: 999 is out of range 0..500");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_partial_and_edges),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_int_overflow),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_free_and_null_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

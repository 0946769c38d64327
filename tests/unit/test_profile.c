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

#define TOP_KEYS "remote, busid, udc, backend, device, dead_peer_timeout, retry, user, allow, readahead, capture, capture_max_mb, capture_snaplen, match, proxy_command"

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
		assert_null(p.user);
		assert_false(p.has_dead_peer_timeout);
		assert_false(p.has_retry_min);
		assert_false(p.has_retry_max);
		assert_false(p.has_allow);
		assert_false(p.has_allow_dev);
		assert_false(p.has_allow_class);
		assert_int_equal(p.n_allow_dev, 0);
		assert_int_equal(p.n_allow_class, 0);
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
		"backend = \"gadgetfs\";\n"
		"device = {\n"
		"\tidVendor = 0x1d6b;\n"
		"\tidProduct = 0x0104;\n"
		"\tbcdDevice = 0x0100;\n"
		"\tserial = \"0123456789\";\n"
		"\tmanufacturer = \"ACME\";\n"
		"\tproduct = \"Clé USB \\u00e9\";\n"	/* UTF-8 (and a literal \u) */
		"\tMaxPower = 500;\n"
		"\tself_powered = true;\n"
		"};\n"
		"dead_peer_timeout = 15;\n"
		"retry = { min = 2; max = 60; };\n"
		"user = \"gadgetd\";\n"
		"allow = {\n"
		"\tdevices = [ \"1d6b:0104\", \"046D:*\" ];\n"
		"\tclasses = ( 3, 8, \"0xff\" );\n"
		"};\n";
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string(text, "all.cfg", &p, &err), 0);
	assert_string_equal(p.remote, "usbip.example.org:3240");
	assert_string_equal(p.busid, "1-1.2");
	assert_string_equal(p.backend, "gadgetfs");
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
	assert_true(p.has_dead_peer_timeout);
	assert_int_equal(p.dead_peer_timeout, 15);
	assert_true(p.has_retry_min);
	assert_int_equal(p.retry_min, 2);
	assert_true(p.has_retry_max);
	assert_int_equal(p.retry_max, 60);
	assert_string_equal(p.user, "gadgetd");
	assert_true(p.has_allow);
	assert_true(p.has_allow_dev);
	assert_int_equal(p.n_allow_dev, 2);
	assert_int_equal(p.allow_dev[0].vid, 0x1d6b);
	assert_int_equal(p.allow_dev[0].pid, 0x0104);
	assert_false(p.allow_dev[0].any_pid);
	assert_int_equal(p.allow_dev[1].vid, 0x046d);
	assert_true(p.allow_dev[1].any_pid);
	assert_true(p.has_allow_class);
	assert_int_equal(p.n_allow_class, 3);
	assert_int_equal(p.allow_class[0], 3);
	assert_int_equal(p.allow_class[1], 8);
	assert_int_equal(p.allow_class[2], 0xff);
	profile_free(&p);
	assert_null(p.remote);
	assert_null(p.user);
	assert_false(p.has_idVendor);
	assert_false(p.has_allow);
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
		      "t.cfg:1: unknown key 'a-1' (known: " TOP_KEYS ")");
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
	assert_true(p.has_readahead);
	assert_true(p.readahead);
	profile_free(&p);

	/* one profile per kind of device (README "Device table"): the backend
	 * it needs, and an allow policy by class that admits its class */
	{
		static const struct {
			const char *name, *backend;
			uint8_t cls;
		} want[] = {
			{ "keyboard.cfg", NULL, 0x03 },     { "mouse.cfg", NULL, 0x03 },
			{ "tablet.cfg", NULL, 0x03 },       { "mass-storage.cfg", NULL, 0x08 },
			{ "ftdi-serial.cfg", NULL, 0xff },  { "ccid-reader.cfg", NULL, 0x0b },
			{ "mtp.cfg", NULL, 0x06 },          { "cdc-acm.cfg", "gadgetfs", 0x02 },
			{ "cdc-ecm.cfg", "gadgetfs", 0x02 }, { "midi.cfg", "gadgetfs", 0x01 },
			{ "vendor-altsetting.cfg", "gadgetfs", 0xff },
			{ "dfu.cfg", "auto", 0xfe },        { "audio.cfg", "auto", 0x01 },
			{ "cdc-large.cfg", "auto", 0x02 },
		};
		size_t k;

		for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			load_shipped(want[k].name, &p);
			if (want[k].backend) {
				assert_non_null(p.backend);
				assert_string_equal(p.backend, want[k].backend);
			}
			assert_true(p.has_allow && p.has_allow_class && p.n_allow_class > 0);
			assert_true(memchr(p.allow_class, want[k].cls, p.n_allow_class) != NULL);
			profile_free(&p);
		}
	}

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
		      "t.cfg:3: unknown key 'foo' (known: " TOP_KEYS ")");
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
		      "t.cfg:1: unknown key 'Remote' (known: " TOP_KEYS ")");
	/* an unknown group is reported, not walked */
	expect_einval("\ngadget = { idVendor = 1; };",
		      "t.cfg:2: unknown key 'gadget' (known: " TOP_KEYS ")");
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

/* backend = "auto" | "functionfs" | "gadgetfs", anything else names the line. */
static void test_backend(void **state)
{
	static const char *const ok[] = { "auto", "functionfs", "gadgetfs" };
	struct gd_profile p;
	struct gd_profile_err err;
	char text[64];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "backend = \"%s\";\n", ok[i]);
		assert_int_equal(profile_load_string(text, "t.cfg", &p, &err), 0);
		assert_string_equal(p.backend, ok[i]);
		profile_free(&p);
	}
	assert_int_equal(profile_load_string("\nbackend = \"rawgadget\";\n", "t.cfg", &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "t.cfg:2: backend: \"rawgadget\" is not \"auto\", "
			    "\"functionfs\" or \"gadgetfs\"");
	assert_int_equal(profile_load_string("backend = 1;\n", "t.cfg", &p, &err), -EINVAL);
}

static void test_readahead(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("readahead = false;", "t.cfg", &p, &err), 0);
	assert_true(p.has_readahead);
	assert_false(p.readahead);
	profile_free(&p);
	assert_int_equal(profile_load_string("", "t.cfg", &p, &err), 0);
	assert_false(p.has_readahead);
	profile_free(&p);
	assert_int_equal(profile_load_string("\nreadahead = \"no\";", "t.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "t.cfg:2: readahead: expected a boolean");
}

static void test_capture_keys(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("capture = \"/tmp/usb.pcap\";\ncapture_max_mb = 10;\n"
					     "capture_snaplen = 256;", "t.cfg", &p, &err), 0);
	assert_string_equal(p.capture, "/tmp/usb.pcap");
	assert_int_equal(p.capture_max_mb, 10);
	assert_int_equal(p.capture_snaplen, 256);
	profile_free(&p);
	assert_int_equal(profile_load_string("", "t.cfg", &p, &err), 0);
	assert_null(p.capture);
	assert_int_equal(p.capture_max_mb, 0);
	profile_free(&p);
	assert_int_equal(profile_load_string("capture_max_mb = 0;", "t.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "t.cfg:1: capture_max_mb: 0 is out of range 1..65535");
	assert_int_equal(profile_load_string("\ncapture_snaplen = 63;", "t.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "t.cfg:2: capture_snaplen: 63 is out of range 64..65535");
	assert_int_equal(profile_load_string("capture = 5;", "t.cfg", &p, &err), -EINVAL);
}

static void test_match_group(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("match = { vid = 0x1209; pid = 0x4854; serial = \"AB:1\"; };",
					     "m.cfg", &p, &err), 0);
	assert_true(p.match.set);
	assert_int_equal(p.match.vid, 0x1209);
	assert_int_equal(p.match.pid, 0x4854);
	assert_true(p.match.has_serial);
	assert_string_equal(p.match.serial, "AB:1");
	profile_free(&p);
	assert_int_equal(profile_load_string("match = { vid = 0x46f4; pid = 1; };", "m.cfg", &p, &err), 0);
	assert_false(p.match.has_serial);
	profile_free(&p);
	assert_int_equal(profile_load_string("\nmatch = { vid = 0x46f4; };", "m.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "m.cfg:2: match: needs both vid and pid");
	assert_int_equal(profile_load_string("match = { vid = 0x10000; pid = 1; };", "m.cfg", &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "m.cfg:1: match.vid: 65536 is not in 0..0xffff");
	assert_int_equal(profile_load_string("match = { vid = \"1209\"; pid = 1; };", "m.cfg", &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "m.cfg:1: match.vid: expected an integer 0..0xffff (such as 0x1209)");
	assert_int_equal(profile_load_string("match = { vid = 1; pid = 1; product = 2; };", "m.cfg", &p,
					     &err), -EINVAL);
	assert_string_equal(err.msg, "m.cfg:1: match.product: unknown key (known: vid, pid, serial)");
	assert_int_equal(profile_load_string("match = { vid = 1; pid = 1; serial = \"\"; };", "m.cfg", &p,
					     &err), -EINVAL);
	assert_string_equal(err.msg, "m.cfg:1: match.serial: 1 to 381 bytes");
	assert_int_equal(profile_load_string("match = 5;", "m.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "m.cfg:1: match: expected a group { vid = ...; pid = ...; }");
}

static void test_dead_peer_timeout(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("dead_peer_timeout = 1;", "d.cfg", &p, &err), 0);
	assert_true(p.has_dead_peer_timeout);
	assert_int_equal(p.dead_peer_timeout, 1);
	profile_free(&p);
	assert_int_equal(profile_load_string("dead_peer_timeout = 3600L;", "d.cfg", &p, &err), 0);
	assert_int_equal(p.dead_peer_timeout, 3600);
	profile_free(&p);
	/* left out: not set here (the daemon applies its default of 10 s) */
	assert_int_equal(profile_load_string("remote = \"h\";", "d.cfg", &p, &err), 0);
	assert_false(p.has_dead_peer_timeout);
	assert_int_equal(p.dead_peer_timeout, 0);
	profile_free(&p);

	expect_einval("\ndead_peer_timeout = 0;",
		      "t.cfg:2: dead_peer_timeout: 0 is out of range 1..3600");
	expect_einval("dead_peer_timeout = 3601;",
		      "t.cfg:1: dead_peer_timeout: 3601 is out of range 1..3600");
	expect_einval("dead_peer_timeout = -5;",
		      "t.cfg:1: dead_peer_timeout: -5 is out of range 1..3600");
	expect_einval("dead_peer_timeout = 10.5;",
		      "t.cfg:1: dead_peer_timeout: expected an integer");
	expect_einval("dead_peer_timeout = \"10\";",
		      "t.cfg:1: dead_peer_timeout: expected an integer");
	expect_einval("dead_peer_timeout = { s = 10; };",
		      "t.cfg:1: dead_peer_timeout: expected an integer");
	expect_einval("dead_peer_timeout = 4294967306;",
		      "t.cfg:1: integer 4294967306 does not fit in 32 bits");
	expect_einval("Dead_peer_timeout = 10;",
		      "t.cfg:1: unknown key 'Dead_peer_timeout' (known: " TOP_KEYS ")");
}

static void test_retry(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("retry = { min = 1; max = 30; };", "r.cfg", &p,
					     &err), 0);
	assert_true(p.has_retry_min);
	assert_true(p.has_retry_max);
	assert_int_equal(p.retry_min, 1);
	assert_int_equal(p.retry_max, 30);
	profile_free(&p);
	/* either alone; min == max is fine; an empty group sets nothing */
	assert_int_equal(profile_load_string("retry = { max = 3600; };", "r.cfg", &p, &err), 0);
	assert_false(p.has_retry_min);
	assert_true(p.has_retry_max);
	assert_int_equal(p.retry_max, 3600);
	profile_free(&p);
	assert_int_equal(profile_load_string("retry: { min = 45 };", "r.cfg", &p, &err), 0);
	assert_true(p.has_retry_min);
	assert_false(p.has_retry_max);
	assert_int_equal(p.retry_min, 45);
	profile_free(&p);
	expect_ok("retry = { max = 7; min = 7; };");
	expect_ok("retry = {};");

	/* min > max: the message names the line of max, whichever comes first */
	expect_einval("retry = {\n  min = 10;\n  max = 5;\n};",
		      "t.cfg:3: retry.max: 5 is less than retry.min (10)");
	expect_einval("retry = {\n  max = 5;\n\n  min = 6;\n};",
		      "t.cfg:2: retry.max: 5 is less than retry.min (6)");
	expect_einval("retry = { min = 0; };", "t.cfg:1: retry.min: 0 is out of range 1..3600");
	expect_einval("retry = {\n max = 3601; };",
		      "t.cfg:2: retry.max: 3601 is out of range 1..3600");
	expect_einval("retry = { min = true; };", "t.cfg:1: retry.min: expected an integer");
	expect_einval("retry = { max = \"30\"; };", "t.cfg:1: retry.max: expected an integer");
	expect_einval("retry = { min = 1;\n  step = 2; };",
		      "t.cfg:2: unknown key 'retry.step' (known: min, max)");
	expect_einval("retry = { Min = 1; };",
		      "t.cfg:1: unknown key 'retry.Min' (known: min, max)");
	expect_einval("retry = 5;", "t.cfg:1: retry: expected a group { ... }");
	expect_einval("retry = [ 1, 30 ];", "t.cfg:1: retry: expected a group { ... }");
	expect_einval("retry = { min = 1; min = 2; };",
		      "t.cfg:1: syntax error: duplicate setting name");
}

static void test_user(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;
	char text[128], s[40];

	(void)state;
	assert_int_equal(profile_load_string("user = \"gadgetd\";", "u.cfg", &p, &err), 0);
	assert_string_equal(p.user, "gadgetd");
	profile_free(&p);
	expect_ok("user = \"_gd\";");
	expect_ok("user = \"usb-relay_2\";");
	expect_ok("user = \"a\";");
	/* 32 characters at most */
	memset(s, 'u', 32);
	s[32] = '\0';
	snprintf(text, sizeof(text), "user = \"%s\";", s);
	expect_ok(text);
	strcpy(s + 32, "x");
	snprintf(text, sizeof(text), "user = \"%s\";", s);
	expect_einval(text, "t.cfg:1: user: 33 bytes is longer than 32");

	expect_einval("user = \"\";", "t.cfg:1: user: must not be empty");
	expect_einval("\nuser = \"Root\";",
		      "t.cfg:2: user: \"Root\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"1gd\";",
		      "t.cfg:1: user: \"1gd\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"-gd\";",
		      "t.cfg:1: user: \"-gd\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"gad get\";",
		      "t.cfg:1: user: \"gad get\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"gd$\";",
		      "t.cfg:1: user: \"gd$\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"../etc\";",
		      "t.cfg:1: user: \"../etc\" is not a valid user name ([a-z_][a-z0-9_-]*)");
	expect_einval("user = \"gd\\n\";", "t.cfg:1: user: contains a control character");
	expect_einval("user = \"\xc3\xa9t\xc3\xa9\";",
		      "t.cfg:1: user: \"\xc3\xa9t\xc3\xa9\" is not a valid user name "
		      "([a-z_][a-z0-9_-]*)");
	expect_einval("user = 0;", "t.cfg:1: user: expected a string");
	/* a number is a name, not a uid */
	expect_einval("user = \"1000\";",
		      "t.cfg:1: user: \"1000\" is not a valid user name ([a-z_][a-z0-9_-]*)");
}

static void test_allow_parse(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	/* arrays, hex digits in either case, the pid wildcard */
	assert_int_equal(profile_load_string("allow = {\n"
					     "  devices = [ \"ABCD:ef01\", \"0000:*\", \"ffff:FFFF\" ];\n"
					     "  classes = [ 0, 255, 0x0A ];\n"
					     "};", "a.cfg", &p, &err), 0);
	assert_true(p.has_allow);
	assert_true(p.has_allow_dev);
	assert_int_equal(p.n_allow_dev, 3);
	assert_int_equal(p.allow_dev[0].vid, 0xabcd);
	assert_int_equal(p.allow_dev[0].pid, 0xef01);
	assert_false(p.allow_dev[0].any_pid);
	assert_int_equal(p.allow_dev[1].vid, 0);
	assert_true(p.allow_dev[1].any_pid);
	assert_int_equal(p.allow_dev[1].pid, 0);
	assert_int_equal(p.allow_dev[2].vid, 0xffff);
	assert_int_equal(p.allow_dev[2].pid, 0xffff);
	assert_true(p.has_allow_class);
	assert_int_equal(p.n_allow_class, 3);
	assert_int_equal(p.allow_class[0], 0);
	assert_int_equal(p.allow_class[1], 255);
	assert_int_equal(p.allow_class[2], 10);
	profile_free(&p);

	/* hex strings, in an array of strings; lists; 0xN and 0XNN */
	assert_int_equal(profile_load_string("allow = { classes = [ \"0x3\", \"0X08\", \"0xFe\" ]; };",
					     "a.cfg", &p, &err), 0);
	assert_false(p.has_allow_dev);
	assert_int_equal(p.n_allow_dev, 0);
	assert_true(p.has_allow_class);
	assert_int_equal(p.n_allow_class, 3);
	assert_int_equal(p.allow_class[0], 3);
	assert_int_equal(p.allow_class[1], 8);
	assert_int_equal(p.allow_class[2], 0xfe);
	profile_free(&p);
	expect_ok("allow = { devices = ( \"1d6b:0104\" ); classes = ( 9L, \"0x09\" ); };");

	/* empty lists are given (nothing of that kind); missing ones are not */
	assert_int_equal(profile_load_string("allow = { devices = []; };", "a.cfg", &p, &err), 0);
	assert_true(p.has_allow);
	assert_true(p.has_allow_dev);
	assert_int_equal(p.n_allow_dev, 0);
	assert_false(p.has_allow_class);
	profile_free(&p);
	assert_int_equal(profile_load_string("allow = { classes = (); };", "a.cfg", &p, &err), 0);
	assert_false(p.has_allow_dev);
	assert_true(p.has_allow_class);
	assert_int_equal(p.n_allow_class, 0);
	profile_free(&p);
	assert_int_equal(profile_load_string("allow = {};", "a.cfg", &p, &err), 0);
	assert_true(p.has_allow);
	assert_false(p.has_allow_dev);
	assert_false(p.has_allow_class);
	profile_free(&p);
}

static void test_allow_errors(void **state)
{
	char text[2048];
	size_t off;
	int i;

	(void)state;
	expect_einval("allow = 1;", "t.cfg:1: allow: expected a group { ... }");
	expect_einval("allow = [ \"1d6b:0104\" ];", "t.cfg:1: allow: expected a group { ... }");
	expect_einval("allow = {\n  devices = [];\n  vendors = [];\n};",
		      "t.cfg:3: unknown key 'allow.vendors' (known: devices, classes, requests)");
	expect_einval("allow = { class = [ 3 ]; };",
		      "t.cfg:1: unknown key 'allow.class' (known: devices, classes, requests)");
	expect_einval("allow = { devices = \"1d6b:0104\"; };",
		      "t.cfg:1: allow.devices: expected an array [ ... ] or a list ( ... )");
	expect_einval("allow = { classes = 3; };",
		      "t.cfg:1: allow.classes: expected an array [ ... ] or a list ( ... )");
	expect_einval("allow = { classes = { a = 3; }; };",
		      "t.cfg:1: allow.classes: expected an array [ ... ] or a list ( ... )");

	/* devices: bad hex, wrong lengths, wrong separators, wrong types */
	expect_einval("allow = { devices = [\n \"1d6b:0104\",\n \"1d6b:01g4\" ]; };",
		      "t.cfg:3: allow.devices[1]: \"1d6b:01g4\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"d6b:0104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"d6b:0104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"1d6b:01044\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b:01044\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"1d6b:104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b:104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"1d6b-0104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b-0104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"0x1d6b:0x0104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"0x1d6b:0x0104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"*:0104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"*:0104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"*:*\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"*:*\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"1d6b:**\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b:**\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"1d6b:\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b:\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \"\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ \" 1d6b:0104\" ]; };",
		      "t.cfg:1: allow.devices[0]: \" 1d6b:0104\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	/* what cannot be shown is not printed raw */
	expect_einval("allow = { devices = [ \"1d6b:01\\n4\" ]; };",
		      "t.cfg:1: allow.devices[0]: \"1d6b:01?4\" is not \"VVVV:PPPP\" or "
		      "\"VVVV:*\" (4 hex digits each)");
	expect_einval("allow = { devices = [ 0x1d6b0104 ]; };",
		      "t.cfg:1: allow.devices[0]: expected a string \"VVVV:PPPP\" or \"VVVV:*\"");
	expect_einval("allow = { devices = ( \"1d6b:0104\", [ \"046d:*\" ] ); };",
		      "t.cfg:1: allow.devices[1]: expected a string \"VVVV:PPPP\" or \"VVVV:*\"");
	/* libconfig's own rule: an array holds one type (a list may mix) */
	expect_einval("allow = { classes = [ 3, \"0xff\" ]; };",
		      "t.cfg:1: syntax error: mismatched element type in array");

	/* classes: range, bad hex strings, wrong types */
	expect_einval("allow = { classes = [\n 3,\n 256 ]; };",
		      "t.cfg:3: allow.classes[1]: 256 is out of range 0..255");
	expect_einval("allow = { classes = [ -1 ]; };",
		      "t.cfg:1: allow.classes[0]: -1 is out of range 0..255");
	expect_einval("allow = { classes = ( 3, \"0x100\" ); };",
		      "t.cfg:1: allow.classes[1]: \"0x100\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"ff\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"ff\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"0x\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"0x\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"0xg1\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"0xg1\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"0x1g\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"0x1g\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"8\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"8\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ \"HID\" ]; };",
		      "t.cfg:1: allow.classes[0]: \"HID\" is not a class code "
		      "(0..255, or \"0x00\"..\"0xff\")");
	expect_einval("allow = { classes = [ 3.0 ]; };",
		      "t.cfg:1: allow.classes[0]: expected an integer 0..255 or a string \"0xNN\"");
	expect_einval("allow = { classes = [ true ]; };",
		      "t.cfg:1: allow.classes[0]: expected an integer 0..255 or a string \"0xNN\"");
	expect_einval("allow = { classes = ( 3, ( 8 ) ); };",
		      "t.cfg:1: allow.classes[1]: expected an integer 0..255 or a string \"0xNN\"");

	/* at most GD_PROFILE_MAX_ALLOW entries each; the first one too many is named */
	off = (size_t)snprintf(text, sizeof(text), "allow = { devices = [\n");
	for (i = 0; i < GD_PROFILE_MAX_ALLOW; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\"%04x:*\"\n",
					i ? "," : "", i);
	snprintf(text + off, sizeof(text) - off, "]; };");
	expect_ok(text);
	snprintf(text + off, sizeof(text) - off, ", \"ffff:*\" ]; };");
	expect_einval(text, "t.cfg:34: allow.devices: more than 32 entries");

	off = (size_t)snprintf(text, sizeof(text), "allow = { classes = [ ");
	for (i = 0; i < GD_PROFILE_MAX_ALLOW; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%d", i ? ", " : "", i);
	snprintf(text + off, sizeof(text) - off, " ]; };");
	expect_ok(text);
	snprintf(text + off, sizeof(text) - off, ", 32 ]; };");
	expect_einval(text, "t.cfg:1: allow.classes: more than 32 entries");

	/* the first error wins, and what was parsed before it is dropped (LSan checks) */
	expect_einval("user = \"gd\"; allow = { devices = [ \"1d6b:*\" ];\n classes = [ 300 ]; };",
		      "t.cfg:2: allow.classes[0]: 300 is out of range 0..255");
}

/* profile_allows() on @text; checks the result and, when refused, the reason */
static void check_allows(const char *text, uint16_t vid, uint16_t pid, const uint8_t *classes,
			 unsigned int n, int want, const char *want_why)
{
	struct gd_profile p;
	struct gd_profile_err err;
	char why[128];
	int ret;

	assert_int_equal(profile_load_string(text, "a.cfg", &p, &err), 0);
	memset(why, 'x', sizeof(why));
	ret = profile_allows(&p, vid, pid, classes, n, why, sizeof(why));
	if (ret != want)
		print_error("%s\n%04x:%04x: %d (want %d), why '%s'\n", text, vid, pid, ret, want,
			    why);
	assert_int_equal(ret, want);
	assert_string_equal(why, want_why ? want_why : "");
	profile_free(&p);
}

static void test_profile_allows(void **state)
{
	static const char devs[] = "allow = { devices = [ \"1d6b:0104\", \"046d:*\" ]; };";
	static const char cls[] = "allow = { classes = ( 3, \"0x09\" ); };";
	static const char both[] = "allow = { devices = [ \"046d:*\" ]; classes = [ 3 ]; };";
	static const uint8_t hid[] = { 3 }, hid_hub[] = { 3, 9, 3 }, hid_msc[] = { 3, 8 };
	static const uint8_t vendor[] = { 0xff }, odd[] = { 0x42 }, zero[] = { 0 };
	struct gd_profile p;
	char why[64], tiny[8];

	(void)state;
	/* no allow group: everything goes */
	check_allows("", 0x1234, 0x5678, hid_msc, 2, 1, NULL);
	check_allows("remote = \"h\";", 0, 0, NULL, 0, 1, NULL);
	/* an empty group, or one without lists: no restriction either */
	check_allows("allow = {};", 0x1234, 0x5678, vendor, 1, 1, NULL);

	/* devices only: exact pairs and wildcard pids; classes are not looked at */
	check_allows(devs, 0x1d6b, 0x0104, vendor, 1, 1, NULL);
	check_allows(devs, 0x046d, 0xc31c, hid_msc, 2, 1, NULL);
	check_allows(devs, 0x046d, 0x0000, NULL, 0, 1, NULL);
	check_allows(devs, 0x1d6b, 0x0105, hid, 1, 0, "1d6b:0105 is not in allow.devices");
	check_allows(devs, 0x1234, 0x5678, hid, 1, 0, "1234:5678 is not in allow.devices");
	check_allows(devs, 0x0104, 0x1d6b, hid, 1, 0, "0104:1d6b is not in allow.devices");
	/* an empty list admits nothing */
	check_allows("allow = { devices = []; };", 0x1d6b, 0x0104, hid, 1, 0,
		     "1d6b:0104 is not in allow.devices");

	/* classes only: every interface's class must be listed */
	check_allows(cls, 0x1234, 0x5678, hid, 1, 1, NULL);
	check_allows(cls, 0x1234, 0x5678, hid_hub, 3, 1, NULL);
	check_allows(cls, 0x1234, 0x5678, hid_msc, 2, 0,
		     "interface class 0x08 (Mass Storage) is not in allow.classes");
	check_allows(cls, 0x1234, 0x5678, hid_msc, 1, 1, NULL);	/* only n are looked at */
	check_allows(cls, 0x1234, 0x5678, vendor, 1, 0,
		     "interface class 0xff (Vendor Specific) is not in allow.classes");
	check_allows(cls, 0x1234, 0x5678, odd, 1, 0,
		     "interface class 0x42 is not in allow.classes");
	check_allows(cls, 0x1234, 0x5678, zero, 1, 0,
		     "interface class 0x00 (defined at interface level) is not in allow.classes");
	check_allows(cls, 0x1234, 0x5678, NULL, 0, 1, NULL);	/* no interfaces */
	check_allows(cls, 0x1234, 0x5678, NULL, 2, 0,
		     "the interface classes of 1234:5678 are unknown");
	check_allows("allow = { classes = []; };", 0x1234, 0x5678, hid, 1, 0,
		     "interface class 0x03 (HID) is not in allow.classes");
	check_allows("allow = { classes = []; };", 0x1234, 0x5678, NULL, 0, 1, NULL);

	/* both: the device first, then its classes */
	check_allows(both, 0x046d, 0xc52b, hid, 1, 1, NULL);
	check_allows(both, 0x046d, 0xc52b, hid_msc, 2, 0,
		     "interface class 0x08 (Mass Storage) is not in allow.classes");
	check_allows(both, 0x1234, 0x5678, hid_msc, 2, 0, "1234:5678 is not in allow.devices");
	check_allows(both, 0x1234, 0x5678, hid, 1, 0, "1234:5678 is not in allow.devices");

	/* a profile built by hand: entries restrict even without has_allow_dev/class */
	memset(&p, 0, sizeof(p));
	assert_int_equal(profile_allows(&p, 1, 2, hid, 1, why, sizeof(why)), 1);
	p.has_allow = true;
	assert_int_equal(profile_allows(&p, 1, 2, hid, 1, why, sizeof(why)), 1);
	p.n_allow_dev = 1;
	p.allow_dev[0].vid = 1;
	p.allow_dev[0].any_pid = true;
	assert_int_equal(profile_allows(&p, 1, 2, hid_msc, 2, why, sizeof(why)), 1);
	assert_string_equal(why, "");
	assert_int_equal(profile_allows(&p, 2, 2, hid, 1, why, sizeof(why)), 0);
	assert_string_equal(why, "0002:0002 is not in allow.devices");
	p.n_allow_class = 1;
	p.allow_class[0] = 3;
	assert_int_equal(profile_allows(&p, 1, 2, hid, 1, why, sizeof(why)), 1);
	assert_int_equal(profile_allows(&p, 1, 2, hid_msc, 2, why, sizeof(why)), 0);
	/* a count past the array is clamped, not overrun */
	p.n_allow_dev = 1000;
	p.n_allow_class = 1000;
	assert_int_equal(profile_allows(&p, 1, 2, hid, 1, why, sizeof(why)), 1);
	assert_int_equal(profile_allows(&p, 5, 2, hid, 1, why, sizeof(why)), 0);

	/* @why may be NULL or short: truncated, always terminated */
	assert_int_equal(profile_allows(&p, 5, 2, hid, 1, NULL, 0), 0);
	assert_int_equal(profile_allows(&p, 5, 2, hid, 1, why, 0), 0);
	assert_int_equal(profile_allows(&p, 5, 2, hid, 1, tiny, sizeof(tiny)), 0);
	assert_string_equal(tiny, "0005:00");
	assert_int_equal(profile_allows(NULL, 5, 2, hid, 1, tiny, sizeof(tiny)), 1);
	assert_string_equal(tiny, "");
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
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_readahead),
		cmocka_unit_test(test_capture_keys),
		cmocka_unit_test(test_match_group),
		cmocka_unit_test(test_dead_peer_timeout),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_allow_parse),
		cmocka_unit_test(test_allow_errors),
		cmocka_unit_test(test_profile_allows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* test_match.c - the device by identity (gadgetd/match.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/match.h"

static void test_parse_ok(void **state)
{
	struct dev_match m;
	char err[256];

	(void)state;
	assert_int_equal(match_parse("1209:4854", &m, err, sizeof(err)), 0);
	assert_true(m.set);
	assert_int_equal(m.vid, 0x1209);
	assert_int_equal(m.pid, 0x4854);
	assert_false(m.has_serial);
	assert_int_equal(match_parse("46F4:1:LAB:0002", &m, err, sizeof(err)), 0);
	assert_int_equal(m.vid, 0x46f4);
	assert_int_equal(m.pid, 1);
	assert_true(m.has_serial);
	assert_string_equal(m.serial, "LAB:0002"); /* a serial may hold colons */
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = { "", "1209", "1209:", ":4854", "12345:1", "1209:4854x",
					   "0x1209:4854", "g209:4854", "1209:4854:", "1209:-1" };
	struct dev_match m;
	char err[256], big[400];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(match_parse(bad[i], &m, err, sizeof(err)), -EINVAL);
		assert_false(m.set);
		assert_non_null(strstr(err, "device '"));
	}
	assert_int_equal(match_parse("1209:4854", &m, err, sizeof(err)), 0);
	assert_int_equal(match_parse("1:2:a\tb", &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "control byte"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "1:2:", 4);
	assert_int_equal(match_parse(big, &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1 to 381 bytes"));
	assert_int_equal(match_parse(NULL, &m, err, sizeof(err)), -EINVAL);
}

static void test_candidates(void **state)
{
	struct devlist_entry l[4];
	struct dev_match m;
	unsigned idx[2] = { 99, 99 };
	char err[64];

	(void)state;
	memset(l, 0, sizeof(l));
	l[0].udev.idVendor = 0x46f4, l[0].udev.idProduct = 1;
	l[1].udev.idVendor = 0x1209, l[1].udev.idProduct = 0x4854;
	l[2].udev.idVendor = 0x46f4, l[2].udev.idProduct = 1;
	l[3].udev.idVendor = 0x46f4, l[3].udev.idProduct = 1;
	assert_int_equal(match_parse("46f4:0001", &m, err, sizeof(err)), 0);
	assert_int_equal(match_candidates(&m, l, 4, idx, 2), 3); /* counts past max */
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 2);
	assert_int_equal(match_candidates(&m, l, 4, NULL, 0), 3);
	assert_int_equal(match_parse("1209:4854", &m, err, sizeof(err)), 0);
	assert_int_equal(match_candidates(&m, l, 4, idx, 2), 1);
	assert_int_equal(idx[0], 1);
	assert_int_equal(match_parse("1209:4855", &m, err, sizeof(err)), 0);
	assert_int_equal(match_candidates(&m, l, 4, idx, 2), 0);
	assert_int_equal(match_candidates(&m, NULL, 0, idx, 2), 0);
}

static void test_serial_and_str(void **state)
{
	struct dev_match m;
	char err[64], buf[128];

	(void)state;
	assert_int_equal(match_parse("46f4:1", &m, err, sizeof(err)), 0);
	assert_true(match_serial_ok(&m, NULL)); /* no serial asked: any device */
	assert_true(match_serial_ok(&m, "X"));
	assert_string_equal(match_str(&m, buf, sizeof(buf)), "46f4:0001");
	assert_int_equal(match_parse("46f4:1:LAB0002", &m, err, sizeof(err)), 0);
	assert_true(match_serial_ok(&m, "LAB0002"));
	assert_false(match_serial_ok(&m, "LAB0001"));
	assert_false(match_serial_ok(&m, "lab0002")); /* exact */
	assert_false(match_serial_ok(&m, NULL));
	assert_false(match_serial_ok(&m, ""));
	assert_string_equal(match_str(&m, buf, sizeof(buf)), "46f4:0001 serial \"LAB0002\"");
	m.serial[1] = 0x1b; /* a profile-made match is checked too; the text is escaped */
	assert_string_equal(match_str(&m, buf, sizeof(buf)), "46f4:0001 serial \"L\\x1bB0002\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_serial_and_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

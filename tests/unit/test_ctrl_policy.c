// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctrl_policy.c - the control request policy (gadgetd/ctrl_policy.h): rule
 * parsing and formatting, matching, the built-in rule, and the profile key
 * allow.requests (gadgetd/profile_requests.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/ctrl_policy.h"
#include "gadgetd/profile.h"

static struct ctrl_rule rule(const char *s)
{
	struct ctrl_rule r;
	char why[96] = "";

	if (ctrl_rule_parse(s, &r, why, sizeof(why)))
		fail_msg("'%s': %s", s, why);
	return r;
}

static void bad(const char *s, const char *want)
{
	struct ctrl_rule r;
	char why[96] = "";

	assert_int_equal(ctrl_rule_parse(s, &r, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, want));
}

static void test_parse(void **state)
{
	struct ctrl_rule r;
	char out[32];

	(void)state;
	r = rule("!class/other:0x03");
	assert_true(r.deny);
	assert_int_equal(r.type, 1);
	assert_int_equal(r.recip, 3);
	assert_int_equal(r.req, 3);
	r = rule("*/*");
	assert_false(r.deny);
	assert_int_equal(r.type, -1);
	assert_int_equal(r.recip, -1);
	assert_int_equal(r.req, -1);
	r = rule("Vendor/Device:255");
	assert_int_equal(r.type, 2);
	assert_int_equal(r.recip, 0);
	assert_int_equal(r.req, 255);
	r = rule("reserved/31");
	assert_int_equal(r.type, 3);
	assert_int_equal(r.recip, 31);
	/* formatting reads back the same */
	for (const char *const *s = (const char *const[]){ "!class/other:0x03", "*/*", "vendor/device:0xff",
							   "!standard/17", "class/interface", NULL }; *s; s++) {
		struct ctrl_rule a = rule(*s), b;

		b = rule(ctrl_rule_format(&a, out, sizeof(out)));
		assert_memory_equal(&a, &b, sizeof(a));
	}
	assert_string_equal(ctrl_rule_format(&(struct ctrl_rule){ true, 1, 3, 3 }, out, sizeof(out)),
			    "!class/other:0x03");
	bad("vendor", "TYPE/RECIPIENT");
	bad("", "TYPE/RECIPIENT");
	bad("bogus/device", "type 'bogus'");
	bad("vendor/hub", "recipient");
	bad("vendor/32", "recipient");
	bad("vendor/-1", "recipient");
	bad("vendor/device:256", "request");
	bad("vendor/device:", "request");
	bad("vendor/device:-1", "request");
	bad("vendor/device:3x", "request");
	bad("!!vendor/device", "type");
}

static void test_judge(void **state)
{
	struct ctrl_rule rs[4];
	int which;

	(void)state;
	/* built-in: device, interface, endpoint forwarded; other and reserved stalled */
	assert_true(ctrl_policy_judge(NULL, 0, 0xc0, 1, &which));
	assert_int_equal(which, -1);
	assert_true(ctrl_policy_judge(NULL, 0, 0x21, 0x20, NULL));
	assert_true(ctrl_policy_judge(NULL, 0, 0x02, 0x01, NULL));
	assert_false(ctrl_policy_judge(NULL, 0, 0x23, 0x03, &which)); /* SET_FEATURE(PORT_RESET) */
	assert_int_equal(which, -1);
	assert_false(ctrl_policy_judge(NULL, 0, 0xa3, 0x00, NULL));    /* GET_STATUS of a port */
	assert_false(ctrl_policy_judge(NULL, 0, 0x44, 0x00, NULL));    /* reserved recipient 4 */
	assert_false(ctrl_policy_judge(NULL, 0, 0xdf, 0x00, NULL));    /* 31 */
	/* rules first, first match decides */
	rs[0] = rule("!vendor/device:0x02");
	rs[1] = rule("class/other:3");
	rs[2] = rule("!*/interface");
	assert_true(ctrl_policy_judge(rs, 3, 0xc0, 1, &which));
	assert_int_equal(which, -1);
	assert_false(ctrl_policy_judge(rs, 3, 0xc0, 2, &which));
	assert_int_equal(which, 0);
	assert_false(ctrl_policy_judge(rs, 3, 0x40, 2, NULL));           /* either direction */
	assert_true(ctrl_policy_judge(rs, 3, 0x23, 3, &which));
	assert_int_equal(which, 1);
	assert_false(ctrl_policy_judge(rs, 3, 0x23, 1, &which));         /* CLEAR_FEATURE: built-in */
	assert_int_equal(which, -1);
	assert_false(ctrl_policy_judge(rs, 3, 0xa1, 1, &which));
	assert_int_equal(which, 2);
	assert_true(ctrl_policy_judge(rs, 3, 0x82, 0, NULL));
	/* n caps what is looked at */
	assert_true(ctrl_policy_judge(rs, 0, 0xc0, 2, NULL));
}

static void test_denied(void **state)
{
	const uint8_t port_reset[8] = { 0x23, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00 };
	const uint8_t vendor2[8] = { 0xc0, 0x02, 0, 0, 0, 0, 0x40, 0 };
	struct ctrl_rule rs[2];

	(void)state;
	ctrl_policy_use(NULL, 0);
	assert_true(ctrl_policy_denied(port_reset));
	assert_false(ctrl_policy_denied(vendor2));
	rs[0] = rule("class/other:3");
	rs[1] = rule("!vendor/*:2");
	ctrl_policy_use(rs, 2);
	assert_false(ctrl_policy_denied(port_reset));
	assert_true(ctrl_policy_denied(vendor2));
	ctrl_policy_use(NULL, 5);
	assert_true(ctrl_policy_denied(port_reset));
}

static void test_profile_key(void **state)
{
	struct gd_profile p;
	struct gd_profile_err err;

	(void)state;
	assert_int_equal(profile_load_string("allow = { requests = [ \"!vendor/device:0x02\", "
					     "\"class/other\" ]; };", "r.cfg", &p, &err), 0);
	assert_true(p.has_allow);
	assert_int_equal(p.n_allow_req, 2);
	assert_true(p.allow_req[0].deny);
	assert_int_equal(p.allow_req[0].req, 2);
	assert_int_equal(p.allow_req[1].recip, 3);
	/* requests alone restrict no device */
	assert_int_equal(profile_allows(&p, 0x1234, 0x5678, (const uint8_t[]){ 8 }, 1, NULL, 0), 1);
	profile_free(&p);
	assert_int_equal(profile_load_string("allow = { requests = ( ); };", "r.cfg", &p, &err), 0);
	assert_int_equal(p.n_allow_req, 0);
	profile_free(&p);

	assert_int_equal(profile_load_string("allow = {\n requests = [ \"vendor/hub\" ];\n};",
					     "r.cfg", &p, &err), -EINVAL);
	assert_string_equal(err.msg, "r.cfg:2: allow.requests[0]: \"vendor/hub\": recipient is not "
			    "device, interface, endpoint, other, * or 0..31");
	assert_int_equal(profile_load_string("allow = { requests = [ 3 ]; };", "r.cfg", &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "allow.requests[0]: expected a string"));
	assert_int_equal(profile_load_string("allow = { requests = \"x/y\"; };", "r.cfg", &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "expected an array"));
	/* a control byte in a bad rule is shown escaped */
	assert_int_equal(profile_load_string("allow = { requests = [ \"\\x1b[2J\" ]; };", "r.cfg",
					     &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "\"\\x1b[2J\""));
}

static void test_profile_too_many(void **state)
{
	char text[2048] = "allow = { requests = [ ";
	struct gd_profile p;
	struct gd_profile_err err;
	int i;

	(void)state;
	for (i = 0; i <= CTRL_RULES_MAX; i++)
		strcat(text, i ? ", \"vendor/device\"" : "\"vendor/device\"");
	strcat(text, " ]; };");
	assert_int_equal(profile_load_string(text, "r.cfg", &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than 32 entries"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_profile_key),
		cmocka_unit_test(test_profile_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

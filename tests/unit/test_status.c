// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_status.c - the status of a running gadgetd (gadgetd/status_fmt.h): its
 * wire form both ways, the table a person reads, and which daemon a name picks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gadgetd/status_fmt.h"

static void sample(struct gd_status *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = 1234;
	strcpy(st->version, "0.1.0");
	strcpy(st->udc, "dummy_udc.0");
	strcpy(st->profile, "/etc/gadgetd/disk.cfg");
	strcpy(st->server, "10.0.0.2:3240");
	strcpy(st->busid, "1-1.2");
	st->has_device = true;
	st->vid = 0x46f4;
	st->pid_dev = 0x0001;
	strcpy(st->speed, "high");
	strcpy(st->manufacturer, "QEMU");
	strcpy(st->product, "QEMU USB HARDDRIVE");
	strcpy(st->backend, "functionfs");
	strcpy(st->state, "relaying");
	st->started = 1764720000;
	st->since = 1764720030;
	st->host_config = 1;
	st->reconnects = 2;
	st->last_error_time = 1764720020;
	strcpy(st->last_error, "the server 10.0.0.2:3240 closed the connection");
	st->n_ep = 3;
	st->ep[0] = (struct status_ep){ 0x00, 0, 12, 345 };
	st->ep[1] = (struct status_ep){ 0x81, 2, 2048, 8388608 };
	st->ep[2] = (struct status_ep){ 0x02, 2, 60, 1024 };
}

static void test_round_trip(void **state)
{
	struct gd_status a, b;
	char buf[STATUS_WIRE_MAX];
	int n;

	(void)state;
	sample(&a);
	n = status_encode(&a, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(strncmp(buf, STATUS_MAGIC "\n", strlen(STATUS_MAGIC) + 1), 0);
	assert_non_null(strstr(buf, "\nstate relaying\n"));
	assert_non_null(strstr(buf, "\nidVendor 46f4\nidProduct 0001\n"));
	assert_non_null(strstr(buf, "\nep 0x81 bulk 2048 8388608\n"));
	assert_int_equal(status_decode(buf, (size_t)n, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_encode_cleans_and_fits(void **state)
{
	struct gd_status a, b;
	char buf[STATUS_WIRE_MAX], small[40];
	unsigned i;
	int n;

	(void)state;
	sample(&a);
	strcpy(a.last_error, "line one\nstate relaying\tx");
	n = status_encode(&a, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(status_decode(buf, (size_t)n, &b), 0);
	assert_string_equal(b.last_error, "line one?state relaying?x");
	assert_string_equal(b.state, "relaying");
	/* the fullest status fits STATUS_WIRE_MAX */
	memset(a.profile, 'p', sizeof(a.profile) - 1);
	memset(a.server, 's', sizeof(a.server) - 1);
	memset(a.manufacturer, 'm', sizeof(a.manufacturer) - 1);
	memset(a.product, 'q', sizeof(a.product) - 1);
	memset(a.detail, 'd', sizeof(a.detail) - 1);
	memset(a.last_error, 'e', sizeof(a.last_error) - 1);
	a.n_ep = STATUS_MAX_EP;
	for (i = 0; i < STATUS_MAX_EP; i++)
		a.ep[i] = (struct status_ep){ (uint8_t)i, 3, UINT64_MAX, UINT64_MAX };
	n = status_encode(&a, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(status_decode(buf, (size_t)n, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(status_encode(&a, small, sizeof(small)), -ENOSPC);
}

static void decode_str(const char *text, int want, struct gd_status *st)
{
	assert_int_equal(status_decode(text, strlen(text), st), want);
}

static void test_decode(void **state)
{
	struct gd_status st;

	(void)state;
	/* keys of a newer daemon are skipped; no trailing newline needed */
	decode_str(STATUS_MAGIC "\nfuture_key 17\nstate reconnecting\nreconnects 3", 0, &st);
	assert_string_equal(st.state, "reconnecting");
	assert_int_equal(st.reconnects, 3);
	decode_str("gadgetd-status 2\nstate x\n", -EINVAL, &st);
	decode_str("", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nreconnects many\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nimported 2\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nidVendor 12345\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nep 0x81 bulk 1\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nep 0x81 warp 1 2\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nep 0x181 bulk 1 2\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nep 0x03 interrupt 5 40 extra\n", -EINVAL, &st);
	decode_str(STATUS_MAGIC "\nep 0x83 interrupt 5 40\n", 0, &st);
	assert_int_equal(st.n_ep, 1);
	assert_int_equal(st.ep[0].type, 3);
	assert_int_equal(st.ep[0].bytes, 40);
}

static void test_table(void **state)
{
	struct gd_status st;
	char buf[8192];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	sample(&st);
	status_table(&st, st.since + 65, buf, sizeof(buf));
	assert_non_null(strstr(buf, "gadgetd 1234 (version 0.1.0), UDC dummy_udc.0, profile /etc/gadgetd/disk.cfg\n"));
	assert_non_null(strstr(buf, "  server       10.0.0.2:3240\n"));
	assert_non_null(strstr(buf, "  busid        1-1.2\n"));
	assert_non_null(strstr(buf, "  device       46f4:0001 QEMU QEMU USB HARDDRIVE (high speed)\n"));
	assert_non_null(strstr(buf, "  backend      FunctionFS\n"));
	assert_non_null(strstr(buf, "  state        relaying since 2025-12-03 00:00:30 (1 min 5 s)\n"));
	assert_non_null(strstr(buf, "  host         configured: yes (configuration 1)\n"));
	assert_non_null(strstr(buf, "  reconnects   2\n"));
	assert_non_null(strstr(buf, "  last error   2025-12-03 00:00:20 the server 10.0.0.2:3240 closed the connection\n"));
	assert_non_null(strstr(buf, "    ep0        control              12          345\n"));
	assert_non_null(strstr(buf, "    0x81 in    bulk               2048      8388608 (8.0 MiB)\n"));
	assert_non_null(strstr(buf, "    0x02 out   bulk                 60         1024 (1.0 KiB)\n"));

	/* before the first import, during a reconnect */
	memset(&st, 0, sizeof(st));
	st.pid = 7;
	strcpy(st.state, "reconnecting");
	strcpy(st.detail, "next attempt in 4 s");
	st.since = 100;
	status_table(&st, 100 + 7200 + 300, buf, sizeof(buf));
	assert_non_null(strstr(buf, "UDC (not chosen yet)"));
	assert_non_null(strstr(buf, "  device       - (not imported yet)\n"));
	assert_non_null(strstr(buf, "(2 h 5 min): next attempt in 4 s\n"));
	assert_non_null(strstr(buf, "  host         configured: no\n"));
	assert_non_null(strstr(buf, "  last error   none\n"));
	assert_null(strstr(buf, "endpoint"));
	/* a short buffer is cut, still a string */
	assert_int_equal(status_table(&st, 0, buf, 10), 9);
	assert_int_equal(strlen(buf), 9);
}

static void test_matches(void **state)
{
	struct gd_status st;

	(void)state;
	sample(&st);
	assert_true(status_matches(&st, NULL));
	assert_true(status_matches(&st, ""));
	assert_true(status_matches(&st, "1234"));
	assert_true(status_matches(&st, "dummy_udc.0"));
	assert_true(status_matches(&st, "1-1.2"));
	assert_true(status_matches(&st, "/etc/gadgetd/disk.cfg"));
	assert_true(status_matches(&st, "disk"));
	assert_false(status_matches(&st, "disk.c"));
	assert_false(status_matches(&st, "123"));
	assert_false(status_matches(&st, "keyboard"));
	st.profile[0] = 0;
	assert_false(status_matches(&st, "disk"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_cleans_and_fits),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

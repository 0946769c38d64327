// SPDX-License-Identifier: GPL-2.0-or-later
/* cmocka tests for capture.c: usbmon records written with libpcap, read back. */
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gadgetd/capture.h"

#define DEVID ((3u << 16) | 7u) /* bus 3, device 7 */

static char path[64];

struct rec {
	uint8_t h[CAPTURE_HDR_LEN];
	uint8_t data[256];
	uint32_t caplen, len;
};

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Read every record of @file; return their number. */
static unsigned read_all(const char *file, struct rec *out, unsigned max, int *linktype)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, eb);
	struct pcap_pkthdr *ph;
	const u_char *d;
	unsigned n = 0;

	assert_non_null(p);
	*linktype = pcap_datalink(p);
	while (pcap_next_ex(p, &ph, &d) == 1 && n < max) {
		assert_true(ph->caplen >= CAPTURE_HDR_LEN);
		memcpy(out[n].h, d, CAPTURE_HDR_LEN);
		memcpy(out[n].data, d + CAPTURE_HDR_LEN, ph->caplen - CAPTURE_HDR_LEN);
		out[n].caplen = ph->caplen;
		out[n].len = ph->len;
		n++;
	}
	pcap_close(p);
	return n;
}

static int setup(void **state)
{
	strcpy(path, "/tmp/test_capture.XXXXXX");
	close(mkstemp(path));
	return 0;
}

static int teardown(void **state)
{
	char old[80];

	capture_close();
	snprintf(old, sizeof(old), "%s.1", path);
	unlink(old);
	unlink(path);
	return 0;
}

/* A control IN request and its completion, as usbmon shows GET_DESCRIPTOR. */
static void test_control_in(void **state)
{
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	uint8_t desc[18] = { 18, 1, 0x00, 0x02 };
	struct rec r[4];
	int lt;

	assert_int_equal(capture_open(path, 0, 0), 0);
	assert_true(capture_active());
	capture_submit(DEVID, 5, 0, true, 0, get_dev, NULL, 18);
	capture_complete(5, 0, desc, 18);
	capture_close();
	assert_int_equal(read_all(path, r, 4, &lt), 2);
	assert_int_equal(lt, 220);
	/* submit: id, 'S', control, ep 0x80, devnum 7, busnum 3, setup flag 0, data '<' */
	assert_int_equal(r[0].h[0], 5);
	assert_int_equal(r[0].h[8], 'S');
	assert_int_equal(r[0].h[9], CAPTURE_CONTROL);
	assert_int_equal(r[0].h[10], 0x80);
	assert_int_equal(r[0].h[11], 7);
	assert_int_equal(r[0].h[12], 3);
	assert_int_equal(r[0].h[14], 0);
	assert_int_equal(r[0].h[15], '<');
	assert_int_equal((int32_t)u32(r[0].h + 28), -EINPROGRESS);
	assert_int_equal(u32(r[0].h + 32), 18);
	assert_memory_equal(r[0].h + 40, get_dev, 8);
	/* completion: same id and endpoint, status 0, the 18 bytes */
	assert_int_equal(r[1].h[8], 'C');
	assert_int_equal(r[1].h[10], 0x80);
	assert_int_equal(r[1].h[14], '-');
	assert_int_equal(u32(r[1].h + 28), 0);
	assert_int_equal(u32(r[1].h + 36), 18);
	assert_int_equal(r[1].caplen, CAPTURE_HDR_LEN + 18);
	assert_memory_equal(r[1].data, desc, 18);
}

/* OUT data queued in pieces after the header makes one record; bulk; snaplen. */
static void test_bulk_out_pieces_snaplen(void **state)
{
	uint8_t a[100], b[60];
	struct rec r[4];
	int lt;

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	assert_int_equal(capture_open(path, 120, 0), 0);
	capture_submit(DEVID, 9, 2, false, 0, NULL, NULL, 160);
	capture_data(a, sizeof(a));
	capture_data(b, sizeof(b));
	capture_complete(9, 0, NULL, 160);
	capture_close();
	assert_int_equal(read_all(path, r, 4, &lt), 2);
	assert_int_equal(r[0].h[9], CAPTURE_BULK);
	assert_int_equal(r[0].h[10], 0x02);
	assert_int_equal(r[0].h[14], '-');
	assert_int_equal(r[0].h[15], 0);
	assert_int_equal(u32(r[0].h + 32), 160); /* length: the whole URB */
	assert_int_equal(u32(r[0].h + 36), 120); /* len_cap: cut at the snaplen */
	assert_int_equal(r[0].len, CAPTURE_HDR_LEN + 160);
	assert_int_equal(r[0].data[99], 0xaa);
	assert_int_equal(r[0].data[100], 0xbb);
	/* OUT completion: actual_length, no data */
	assert_int_equal(r[1].h[8], 'C');
	assert_int_equal(u32(r[1].h + 32), 160);
	assert_int_equal(u32(r[1].h + 36), 0);
	assert_int_equal(r[1].h[15], '>');
}

/* An interrupt IN URB cancelled: RET_UNLINK -ECONNRESET completes it. */
static void test_unlink(void **state)
{
	struct rec r[4];
	int lt;

	assert_int_equal(capture_open(path, 0, 0), 0);
	capture_submit(DEVID, 11, 1, true, 8, NULL, NULL, 8);
	capture_unlink(12, 11);
	capture_unlinked(12, -ECONNRESET);
	capture_unlinked(12, -ECONNRESET); /* a second answer is ignored */
	capture_close();
	assert_int_equal(read_all(path, r, 4, &lt), 2);
	assert_int_equal(r[0].h[9], CAPTURE_INTR);
	assert_int_equal(u32(r[0].h + 48), 8);
	assert_int_equal(r[1].h[0], 11);
	assert_int_equal(r[1].h[8], 'C');
	assert_int_equal(r[1].h[10], 0x81);
	assert_int_equal((int32_t)u32(r[1].h + 28), -ECONNRESET);
}

/* Past the size limit the file is rotated: FILE.1 holds the older records. */
static void test_rotation(void **state)
{
	uint8_t d[200] = { 0 };
	char old[80];
	struct rec r[64];
	struct stat st;
	unsigned i, n_new, n_old;
	int lt;

	assert_int_equal(capture_open(path, 0, 2048), 0);
	for (i = 0; i < 20; i++)
		capture_submit(DEVID, i + 1, 1, false, 0, NULL, d, sizeof(d));
	capture_close();
	snprintf(old, sizeof(old), "%s.1", path);
	assert_int_equal(stat(old, &st), 0);
	assert_true(st.st_size >= 2048);
	/* 24 + 8 * (16 + 64 + 200) bytes pass 2048: a file holds 8 records; of
	 * 1-8, 9-16 and 17-20, the first file is gone */
	n_old = read_all(old, r, 64, &lt);
	assert_int_equal(n_old, 8);
	assert_int_equal(r[0].h[0], 9);
	n_new = read_all(path, r, 64, &lt);
	assert_int_equal(n_new, 4);
	assert_int_equal(r[0].h[0], 17);
	assert_int_equal(r[3].h[0], 20);
}

static void test_nothing_without_capture(void **state)
{
	assert_false(capture_active());
	capture_submit(DEVID, 1, 0, true, 0, NULL, NULL, 8); /* no crash, nothing kept */
	capture_complete(1, 0, NULL, 0);
	assert_int_equal(capture_open("/nonexistent-dir/x.pcap", 0, 0), -ENOENT);
	assert_false(capture_active());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_out_pieces_snaplen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_without_capture, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* test_scsi_ra.c - read-ahead decisions (gadgetd/scsi_ra.h): no I/O. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/scsi_ra.h"
#include "gadgetd/usb_wire.h"

#define BL 512
#define DISK_BLOCKS 4096 /* 2 MiB */

static void cbw_cdb(uint8_t c[31], uint32_t tag, uint32_t len, bool in, const uint8_t *cdb,
		    unsigned cdb_len)
{
	memset(c, 0, 31);
	memcpy(c, "USBC", 4);
	put_le32(c + 4, tag);
	put_le32(c + 8, len);
	c[12] = in ? 0x80 : 0;
	c[14] = (uint8_t)cdb_len;
	memcpy(c + 15, cdb, cdb_len);
}

static void read10(uint8_t c[31], uint32_t tag, uint32_t lba, uint16_t blocks)
{
	uint8_t cdb[10] = { 0x28 };

	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, blocks);
	cbw_cdb(c, tag, (uint32_t)blocks * BL, true, cdb, 10);
}

static void csw_ok(uint8_t s[13], uint32_t tag)
{
	memcpy(s, "USBS", 4);
	put_le32(s + 4, tag);
	memset(s + 8, 0, 5);
}

/* The host's command goes to the device and succeeds (@data: its data-in). */
static void host_cmd(struct scsi_ra *ra, const uint8_t *c, const uint8_t *data, size_t len)
{
	uint8_t s[13], csw[13];
	size_t n;

	assert_int_equal(ra_host_cbw(ra, c, &n, csw), RA_FORWARD);
	if (len)
		ra_host_data(ra, data, len);
	csw_ok(s, get_le32(c + 4));
	ra_host_csw(ra, s, 13);
}

static void capacity(struct scsi_ra *ra)
{
	uint8_t c[31], cdb[10] = { 0x25 }, d[8];

	cbw_cdb(c, 1, 8, true, cdb, 10);
	put_be32(d, DISK_BLOCKS - 1);
	put_be32(d + 4, BL);
	host_cmd(ra, c, d, 8);
	assert_int_equal(ra->lun[0].blocks, DISK_BLOCKS);
	assert_int_equal(ra->lun[0].block_len, BL);
}

/* Fill the read-ahead the device was asked for with LBA-stamped blocks. */
static void fetch_all(struct scsi_ra *ra, uint8_t tagged_csw_ok)
{
	static uint8_t blk[BL];
	uint8_t s[13];
	uint32_t k;

	for (k = 0; k < ra->f_blocks; k++) {
		put_be32(blk, (uint32_t)(ra->f_lba + k));
		assert_true(ra_fetch_data(ra, blk, BL));
	}
	csw_ok(s, tagged_csw_ok ? ra->tag : 0xdead);
	assert_int_equal(ra_fetch_end(ra, s, 13), tagged_csw_ok);
}

/* A new read-ahead state that has seen the capacity and two READs in order from @lba. */
static void stream(struct scsi_ra *ra, uint32_t lba, uint16_t blocks)
{
	uint8_t c[31];

	ra_init(ra);
	capacity(ra);
	read10(c, 2, lba, blocks);
	host_cmd(ra, c, NULL, 0);
	read10(c, 3, lba + blocks, blocks);
	host_cmd(ra, c, NULL, 0);
}

static void test_no_readahead_without_stream(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31];
	size_t len;

	(void)state;
	ra_init(&ra);
	read10(c, 2, 0, 8);
	host_cmd(&ra, c, NULL, 0);
	read10(c, 3, 8, 8);
	host_cmd(&ra, c, NULL, 0);
	/* two READs in a row, but no capacity known: nothing */
	assert_int_equal(ra_plan(&ra, c, &len), 0);
	capacity(&ra);
	/* a random READ after it: the stream starts again */
	read10(c, 4, 1000, 8);
	host_cmd(&ra, c, NULL, 0);
	assert_int_equal(ra_plan(&ra, c, &len), 0);
	ra_free(&ra);
}

static void test_serve_in_order(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], csw[13], out[240 * BL];
	size_t len, n;
	uint32_t lba = 240;

	(void)state;
	stream(&ra, 0, 120);
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	/* READ(10) of what follows, at most RA_FETCH_BYTES, tagged as ours */
	assert_int_equal(c[15], 0x28);
	assert_int_equal(get_be32(c + 17), 240);
	assert_int_equal(get_be16(c + 22), RA_FETCH_BYTES / BL);
	assert_int_equal(len, RA_FETCH_BYTES);
	assert_int_equal(get_le32(c + 8), RA_FETCH_BYTES);
	assert_int_equal(c[12], 0x80);
	/* the host's next READ comes while the read-ahead is at the device */
	read10(c, 4, lba, 240);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_WAIT);
	fetch_all(&ra, true);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_SERVE);
	assert_int_equal(n, 240 * BL);
	assert_memory_equal(csw, "USBS", 4);
	assert_int_equal(get_le32(csw + 4), 4); /* the host's own tag */
	assert_int_equal(get_le32(csw + 8), 0);
	assert_int_equal(csw[12], 0);
	ra_take(&ra, out, n);
	assert_int_equal(get_be32(out), 240);
	assert_int_equal(get_be32(out + 239 * BL), 479);
	/* a second read-ahead while the rest is still there */
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	assert_int_equal(get_be32(c + 17), 240 + RA_FETCH_BYTES / BL);
	ra_free(&ra);
}

static void test_other_commands_drop(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], csw[13], cdb[10] = { 0x2a }; /* WRITE(10) */
	size_t len, n;

	(void)state;
	stream(&ra, 0, 8);
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	fetch_all(&ra, true);
	/* a WRITE of the blocks read ahead: forwarded, and they are gone */
	put_be32(cdb + 2, 16);
	put_be16(cdb + 7, 8);
	cbw_cdb(c, 9, 8 * BL, false, cdb, 10);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_FORWARD);
	assert_int_equal(ra.have, 0);
	/* and nothing is read ahead after it: the stream is over */
	csw_ok(csw, 9);
	ra_host_csw(&ra, csw, 13);
	assert_int_equal(ra_plan(&ra, c, &len), 0);
	/* so the READ that follows goes to the device */
	read10(c, 10, 16, 8);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_FORWARD);
	ra_free(&ra);
}

static void test_mismatch_forwards(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], csw[13], cdb[10] = { 0x28 };
	size_t len, n;

	(void)state;
	stream(&ra, 0, 8);
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	fetch_all(&ra, true);
	/* FUA: must come from the medium */
	cdb[1] = 0x08;
	put_be32(cdb + 2, 16);
	put_be16(cdb + 7, 8);
	cbw_cdb(c, 4, 8 * BL, true, cdb, 10);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_FORWARD);
	ra_free(&ra);
	/* dCBWDataTransferLength other than blocks x block length */
	stream(&ra, 0, 8);
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	fetch_all(&ra, true);
	read10(c, 4, 16, 8);
	put_le32(c + 8, 8 * BL + 1);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_FORWARD);
	ra_free(&ra);
}

static void test_end_of_disk(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], csw[13], out[8 * BL];
	size_t len, n;

	(void)state;
	stream(&ra, DISK_BLOCKS - 24, 8);
	/* only the 8 blocks that are left */
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	assert_int_equal(get_be32(c + 17), DISK_BLOCKS - 8);
	assert_int_equal(get_be16(c + 22), 8);
	fetch_all(&ra, true);
	read10(c, 4, DISK_BLOCKS - 8, 8);
	assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_SERVE);
	ra_take(&ra, out, n);
	assert_int_equal(get_be32(out + 7 * BL), DISK_BLOCKS - 1);
	/* nothing past the end */
	assert_int_equal(ra_plan(&ra, c, &len), 0);
	ra_free(&ra);
}

static void test_failure_drops_and_turns_off(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], csw[13];
	size_t len, n;
	unsigned k;

	(void)state;
	ra_init(&ra);
	capacity(&ra);
	for (k = 0; k < RA_MAX_FAILURES; k++) {
		read10(c, 2, 0, 8);
		host_cmd(&ra, c, NULL, 0);
		read10(c, 3, 8, 8);
		host_cmd(&ra, c, NULL, 0);
		assert_int_equal(ra_plan(&ra, c, &len), 1);
		fetch_all(&ra, false); /* not our tag: dropped */
		read10(c, 4, 16, 8);
		assert_int_equal(ra_host_cbw(&ra, c, &n, csw), RA_FORWARD);
		csw_ok(csw, 4);
		ra_host_csw(&ra, csw, 13);
	}
	assert_true(ra.off);
	read10(c, 5, 24, 8);
	host_cmd(&ra, c, NULL, 0);
	assert_int_equal(ra_plan(&ra, c, &len), 0);
	ra_free(&ra);
}

static void test_read16_and_capacity16(void **state)
{
	struct scsi_ra ra;
	uint8_t c[31], cdb[16] = { 0x9e, 0x10 }, d[32] = { 0 };
	size_t len;
	uint64_t big = 0x100000010ull;

	(void)state;
	ra_init(&ra);
	put_be64(d, big - 1 + 1000);
	put_be32(d + 8, 4096);
	cbw_cdb(c, 1, 32, true, cdb, 16);
	host_cmd(&ra, c, d, 32);
	assert_int_equal(ra.lun[0].block_len, 4096);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x88;
	put_be64(cdb + 2, big - 16);
	put_be32(cdb + 10, 8);
	cbw_cdb(c, 2, 8 * 4096, true, cdb, 16);
	host_cmd(&ra, c, NULL, 0);
	put_be64(cdb + 2, big - 8);
	cbw_cdb(c, 3, 8 * 4096, true, cdb, 16);
	host_cmd(&ra, c, NULL, 0);
	assert_int_equal(ra_plan(&ra, c, &len), 1);
	assert_int_equal(c[15], 0x88); /* past 2^32 blocks: READ(16) */
	assert_true(get_be64(c + 17) == big);
	assert_int_equal(get_be32(c + 25), RA_FETCH_BYTES / 4096);
	ra_free(&ra);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_readahead_without_stream),
		cmocka_unit_test(test_serve_in_order),
		cmocka_unit_test(test_other_commands_drop),
		cmocka_unit_test(test_mismatch_forwards),
		cmocka_unit_test(test_end_of_disk),
		cmocka_unit_test(test_failure_drops_and_turns_off),
		cmocka_unit_test(test_read16_and_capacity16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

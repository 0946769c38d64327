// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_psep_msg.c - unit tests for gadgetd/psep_msg.c, the messages between
 * the unprivileged network process and the root process (--user): every
 * message type through encode and decode, and what the root must refuse:
 * wrong versions, lengths that lie, truncation at every byte, trailing bytes,
 * strings without NUL or with control bytes, blobs FunctionFS would not take,
 * file names with paths, counts over the limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/psep_msg.h"

static uint8_t buf[PSEP_MSG_MAX];

/* A FunctionFS blob head: magic, length, then zeros (what the codec checks). */
static void ffs_blob(uint8_t *b, uint32_t len, uint32_t magic)
{
	memset(b, 0, len);
	b[0] = (uint8_t)magic;
	b[4] = (uint8_t)len;
	b[5] = (uint8_t)(len >> 8);
}

static uint8_t descs[2][64], strs[2][32];

static void ffs_msg(struct psep_msg *m)
{
	struct psep_present_ffs *f = &m->u.ffs;

	memset(m, 0, sizeof(*m));
	m->type = PSEP_PRESENT_FFS;
	f->spec.idVendor = 0x46f4;
	f->spec.idProduct = 0x0001;
	f->spec.bcdDevice = 0x0100;
	f->spec.bDeviceClass = 0xef;
	f->spec.max_speed = 3;
	f->spec.n_lang = 2;
	f->spec.langid[0] = 0x0409;
	f->spec.langid[1] = 0x0407;
	f->spec.manufacturer[0] = "QEMU";
	f->spec.product[0] = "QEMU USB HARDDRIVE";
	f->spec.serial[1] = "1-0000:00:04.0-1";
	f->spec.n_cfg = 2;
	f->spec.cfg[0].bConfigurationValue = 1;
	f->spec.cfg[0].bmAttributes = 0xc0;
	f->spec.cfg[0].MaxPower_mA = 100;
	f->spec.cfg[0].configuration[1] = "Full speed config (usb 1.1)";
	f->spec.cfg[1].bConfigurationValue = 2;
	f->spec.cfg[1].MaxPower_mA = 500;
	ffs_blob(descs[0], sizeof(descs[0]), 3);
	ffs_blob(descs[1], 40, 3);
	ffs_blob(strs[0], sizeof(strs[0]), 2);
	ffs_blob(strs[1], 16, 2);
	f->descs[0] = descs[0];
	f->dlen[0] = sizeof(descs[0]);
	f->descs[1] = descs[1];
	f->dlen[1] = 40;
	f->strs[0] = strs[0];
	f->slen[0] = sizeof(strs[0]);
	f->strs[1] = strs[1];
	f->slen[1] = 16;
	f->n_ep[0] = 2;
	f->n_ep[1] = 30;
}

static void test_ffs_roundtrip(void **state)
{
	struct psep_msg m, d;
	ssize_t n;

	ffs_msg(&m);
	n = psep_encode(&m, buf, sizeof(buf));
	assert_true(n > PSEP_HDR_LEN);
	assert_int_equal(buf[0] | buf[1] << 8, PSEP_PRESENT_FFS);
	assert_int_equal(buf[2] | buf[3] << 8, PSEP_VERSION);
	assert_int_equal(buf[4] | buf[5] << 8 | buf[6] << 16, n);
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.type, PSEP_PRESENT_FFS);
	assert_int_equal(d.u.ffs.spec.idVendor, 0x46f4);
	assert_int_equal(d.u.ffs.spec.idProduct, 0x0001);
	assert_int_equal(d.u.ffs.spec.bcdDevice, 0x0100);
	assert_int_equal(d.u.ffs.spec.bDeviceClass, 0xef);
	assert_int_equal(d.u.ffs.spec.max_speed, 3);
	assert_int_equal(d.u.ffs.spec.n_lang, 2);
	assert_int_equal(d.u.ffs.spec.langid[1], 0x0407);
	assert_string_equal(d.u.ffs.spec.product[0], "QEMU USB HARDDRIVE");
	assert_null(d.u.ffs.spec.serial[0]);
	assert_string_equal(d.u.ffs.spec.serial[1], "1-0000:00:04.0-1");
	assert_null(d.u.ffs.spec.manufacturer[1]);
	assert_int_equal(d.u.ffs.spec.n_cfg, 2);
	assert_int_equal(d.u.ffs.spec.cfg[0].bmAttributes, 0xc0);
	assert_int_equal(d.u.ffs.spec.cfg[1].MaxPower_mA, 500);
	assert_string_equal(d.u.ffs.spec.cfg[0].configuration[1], "Full speed config (usb 1.1)");
	assert_int_equal(d.u.ffs.dlen[1], 40);
	assert_memory_equal(d.u.ffs.descs[0], descs[0], sizeof(descs[0]));
	assert_memory_equal(d.u.ffs.strs[1], strs[1], 16);
	assert_int_equal(d.u.ffs.n_ep[1], 30);
	/* the root names and owns what it makes: nothing of that is carried */
	assert_null(d.u.ffs.spec.name);
	assert_null(d.u.ffs.spec.cfg[0].ffs_dir);
	assert_false(d.u.ffs.spec.set_owner);
}

static void test_other_roundtrips(void **state)
{
	static const uint8_t cfg[18] = { 1, 0, 0, 0, 7, 5, 0x81, 2, 64, 0, 0,
					 7, 5, 0x81, 2, 0, 2, 0 };
	static uint8_t blob[4 + 9 + 18];
	struct psep_msg m = { .type = PSEP_OPEN_EP }, d;
	ssize_t n;

	m.u.open_ep = (struct psep_open_ep){ .name = "ep1in-bulk", .cfg = cfg, .cfg_len = 18,
					     .busy_ms = 500 };
	n = psep_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	assert_string_equal(d.u.open_ep.name, "ep1in-bulk");
	assert_int_equal(d.u.open_ep.cfg_len, 18);
	assert_memory_equal(d.u.open_ep.cfg, cfg, 18);
	assert_int_equal(d.u.open_ep.busy_ms, 500);

	m = (struct psep_msg){ .type = PSEP_PRESENT_GFS };
	m.u.gfs = (struct psep_present_gfs){ .bConfigurationValue = 1, .blob = blob,
					     .len = sizeof(blob) };
	n = psep_encode(&m, buf, sizeof(buf));
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.u.gfs.len, sizeof(blob));
	assert_int_equal(d.u.gfs.bConfigurationValue, 1);

	m = (struct psep_msg){ .type = PSEP_STATUS };
	m.u.status = (struct psep_status){ .what = PSEP_ST_DEVICE, .vid = 0x0627, .pid = 1,
					   .s1 = "high", .s3 = "QEMU USB Keyboard" };
	n = psep_encode(&m, buf, sizeof(buf));
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.u.status.what, PSEP_ST_DEVICE);
	assert_int_equal(d.u.status.vid, 0x0627);
	assert_string_equal(d.u.status.s1, "high");
	assert_null(d.u.status.s2);
	assert_string_equal(d.u.status.s3, "QEMU USB Keyboard");

	m = (struct psep_msg){ .type = PSEP_REPLY };
	m.u.reply.status = -EBUSY;
	m.u.reply.value = 3;
	m.u.reply.n_names = 2;
	m.u.reply.names[0] = "dummy_udc";
	m.u.reply.names[1] = "ep1in-bulk";
	n = psep_encode(&m, buf, sizeof(buf));
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.u.reply.status, -EBUSY);
	assert_int_equal(d.u.reply.value, 3);
	assert_int_equal(d.u.reply.n_names, 2);
	assert_string_equal(d.u.reply.names[1], "ep1in-bulk");
	assert_string_equal(psep_type_str(PSEP_REPLY), "reply");
}

/* Every prefix and every longer datagram of a good message is refused. */
static void test_lengths(void **state)
{
	struct psep_msg m, d;
	ssize_t n, i;

	ffs_msg(&m);
	n = psep_encode(&m, buf, sizeof(buf));
	for (i = 0; i < n; i++)
		assert_int_equal(psep_decode(buf, (size_t)i, &d), -EBADMSG);
	buf[n] = 0;
	assert_int_equal(psep_decode(buf, (size_t)n + 1, &d), -EBADMSG); /* length field != datagram */
	/* a length field that says more, and one that says less, than was received */
	buf[4]++;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[4] -= 2;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[4]++;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	/* too small a buffer to encode into */
	assert_int_equal(psep_encode(&m, buf, 20), -EMSGSIZE);
}

static void test_version_and_type(void **state)
{
	struct psep_msg m = { .type = PSEP_STATUS }, d;
	ssize_t n;

	m.u.status = (struct psep_status){ .what = PSEP_ST_STATE, .s1 = "relaying" };
	n = psep_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	buf[2] = PSEP_VERSION + 1;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[2] = 0;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[2] = PSEP_VERSION;
	buf[0] = 99;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[0] = PSEP_STATUS;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), 0);
	m.type = 0;
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.type = PSEP_STATUS;
	m.u.status.what = 9;
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
}

/* What the root process must not take from the network process. */
static void test_refused_content(void **state)
{
	static const uint8_t bad_desc[11] = { 1, 0, 0, 0, 9, 4, 0x81, 2, 64, 0, 0 };
	static uint8_t big[4 + 2 * 256 + 19];
	char longstr[PSEP_STR_MAX + 2];
	struct psep_msg m, d;
	ssize_t n;

	ffs_msg(&m);
	m.u.ffs.spec.product[0] = "bell\a"; /* a USB string goes as the device has it */
	assert_true(psep_encode(&m, buf, sizeof(buf)) > 0);
	m = (struct psep_msg){ .type = PSEP_STATUS };
	m.u.status = (struct psep_status){ .what = PSEP_ST_ERROR, .s1 = "escape \x1b[2J" };
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL); /* not in status text */
	ffs_msg(&m);
	memset(longstr, 'a', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = 0;
	m.u.ffs.spec.product[0] = longstr;
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	longstr[PSEP_STR_MAX] = 0;
	assert_true(psep_encode(&m, buf, sizeof(buf)) > 0); /* 126 bytes is the limit */

	ffs_msg(&m);
	descs[1][0] = 1; /* FUNCTIONFS_DESCRIPTORS_MAGIC (v1): not what gadgetd writes */
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	ffs_msg(&m);
	m.u.ffs.dlen[0] = 60; /* the blob's own length says 64 */
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	ffs_msg(&m);
	m.u.ffs.n_ep[0] = FFS_MAX_EPS + 1;
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	ffs_msg(&m);
	m.u.ffs.spec.cfg[1].bConfigurationValue = 1; /* twice */
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);
	ffs_msg(&m);
	m.u.ffs.spec.n_cfg = 0;
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);

	m = (struct psep_msg){ .type = PSEP_OPEN_EP };
	m.u.open_ep = (struct psep_open_ep){ .name = "../ep1in", .cfg = bad_desc + 0,
					     .cfg_len = 11 };
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL); /* a path */
	m.u.open_ep.name = "ep1in";
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL); /* an interface descriptor */
	m = (struct psep_msg){ .type = PSEP_PRESENT_GFS };
	m.u.gfs = (struct psep_present_gfs){ .bConfigurationValue = 1, .blob = big,
					     .len = sizeof(big) };
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL); /* over GadgetFS's 256 */

	m = (struct psep_msg){ .type = PSEP_REPLY };
	m.u.reply.status = 5; /* a status is 0 or -errno */
	assert_int_equal(psep_encode(&m, buf, sizeof(buf)), -EINVAL);

	/* a string's NUL removed on the wire */
	m = (struct psep_msg){ .type = PSEP_STATUS };
	m.u.status = (struct psep_status){ .what = PSEP_ST_BACKEND, .s1 = "gadgetfs" };
	n = psep_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	buf[PSEP_HDR_LEN + 5 + 2 + 8] = 'x';
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[PSEP_HDR_LEN + 5 + 2 + 3] = 0; /* an inner NUL */
	buf[PSEP_HDR_LEN + 5 + 2 + 8] = 0;
	assert_int_equal(psep_decode(buf, (size_t)n, &d), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ffs_roundtrip),
		cmocka_unit_test(test_other_roundtrips),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_version_and_type),
		cmocka_unit_test(test_refused_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

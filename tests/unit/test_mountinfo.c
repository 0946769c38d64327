// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_mountinfo.c - unit tests for gadgetd/mountinfo.c: parsing lines of
 * /proc/self/mountinfo (format: Documentation/filesystems/proc.rst) and telling
 * which mounts are the ones a dead gadgetd left for a UDC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gadgetd/mountinfo.h"

/* as a 6.1 kernel writes them (optional fields, super options) */
static const char l_ffs[] =
	"41 24 0:38 / /run/gadgetd/gadgetd.dummy_udc.0.1 rw,relatime shared:20 - functionfs "
	"gadgetd.dummy_udc.0.1 rw,uid=1000,gid=1000\n";
static const char l_gfs[] =
	"42 24 0:39 / /run/gadgetd/gadgetfs rw,nosuid,nodev,noexec,relatime - gadgetfs gadgetfs rw\n";
static const char l_space[] =
	"43 24 0:40 / /mnt/a\\040b\\134c rw,relatime - tmpfs my\\040disk rw\n";

/* each line, and the fields it must give: mount point, type, source */
static const struct {
	const char *line, *mnt, *fstype, *source;
} good[] = {
	{ l_ffs, "/run/gadgetd/gadgetd.dummy_udc.0.1", "functionfs", "gadgetd.dummy_udc.0.1" },
	{ l_gfs, "/run/gadgetd/gadgetfs", "gadgetfs", "gadgetfs" },
	{ l_space, "/mnt/a b\\c", "tmpfs", "my disk" }, /* \040 and \134 undone */
};

static void test_parse(void **st)
{
	struct mount_entry e;
	unsigned i;

	(void)st;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(mountinfo_parse(good[i].line, &e), 0);
		assert_string_equal(e.mnt, good[i].mnt);
		assert_string_equal(e.fstype, good[i].fstype);
		assert_string_equal(e.source, good[i].source);
	}
}

static void test_parse_bad(void **st)
{
	struct mount_entry e;
	char longl[PATH_MAX + 200];

	(void)st;
	assert_int_equal(mountinfo_parse("", &e), -EINVAL);
	assert_int_equal(mountinfo_parse("41 24 0:38 / /x rw\n", &e), -EINVAL); /* no " - " */
	assert_int_equal(mountinfo_parse("41 24 0:38 /\n", &e), -EINVAL);
	assert_int_equal(mountinfo_parse("41 24 0:38 / /x rw - \n", &e), -EINVAL);
	memset(longl, 'a', sizeof(longl));
	memcpy(longl, "1 2 3:4 / /", 11);
	strcpy(longl + sizeof(longl) - 20, " - tmpfs x rw\n");
	assert_int_equal(mountinfo_parse(longl, &e), -EINVAL);
}

/* mount point, type, UDC, and what it is to the gadgetd of that UDC */
static const struct {
	const char *mnt, *fstype, *udc;
	enum mount_kind kind;
} kinds[] = {
	{ "/run/gadgetd/gadgetd.dummy_udc.0.1", "functionfs", "dummy_udc.0", MOUNT_FUNCTIONFS },
	{ "/run/gadgetd/gadgetd.20980000.usb.255", "functionfs", "20980000.usb", MOUNT_FUNCTIONFS },
	{ "/run/gadgetd/gadgetfs", "gadgetfs", "dummy_udc.0", MOUNT_GADGETFS },
	/* another UDC's gadgetd; a prefix of our UDC's name is not our UDC */
	{ "/run/gadgetd/gadgetd.dummy_udc.1.1", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetd/gadgetd.dummy_udc.0.1", "functionfs", "dummy_udc", MOUNT_OTHER },
	/* someone else's FunctionFS, or ours by name but elsewhere or of another type */
	{ "/run/gadgetd/adb", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/dev/usb-ffs/gadgetd.dummy_udc.0.1", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetd/gadgetd.dummy_udc.0.1", "tmpfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetdx/gadgetd.dummy_udc.0.1", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	/* not a bConfigurationValue */
	{ "/run/gadgetd/gadgetd.dummy_udc.0.0", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetd/gadgetd.dummy_udc.0.1x", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetd/gadgetd.dummy_udc.0.", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	{ "/run/gadgetd/gadgetd.dummy_udc.0.1000", "functionfs", "dummy_udc.0", MOUNT_OTHER },
	/* GadgetFS anywhere else */
	{ "/dev/gadget", "gadgetfs", "dummy_udc.0", MOUNT_OTHER },
};

static void test_kind(void **st)
{
	struct mount_entry e;
	unsigned i;

	(void)st;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(&e, 0, sizeof(e));
		snprintf(e.mnt, sizeof(e.mnt), "%s", kinds[i].mnt);
		snprintf(e.fstype, sizeof(e.fstype), "%s", kinds[i].fstype);
		if (mountinfo_kind(&e, "/run/gadgetd", kinds[i].udc) != kinds[i].kind)
			fail_msg("%s (%s) for UDC %s: want kind %d", kinds[i].mnt, kinds[i].fstype,
				 kinds[i].udc, kinds[i].kind);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_kind),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}

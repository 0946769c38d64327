// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_preflight.c - the pure parts of the local checks (gadgetd/preflight.h):
 * finding a module in kmod's lists, and the messages that say what to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gadgetd/preflight.h"

static bool listed(const char *text, const char *name)
{
	return kmod_listed(text, strlen(text), name);
}

static void test_kmod_listed(void **state)
{
	static const char dep[] =
		"kernel/drivers/usb/gadget/libcomposite.ko.xz: kernel/drivers/usb/common/usb-common.ko.xz\n"
		"kernel/drivers/usb/gadget/function/usb_f_fs.ko.xz: kernel/drivers/usb/gadget/libcomposite.ko.xz\n"
		"kernel/drivers/usb/gadget/legacy/gadgetfs.ko.zst:\n"
		"kernel/drivers/usb/usbip/usbip-host.ko:\n"
		"kernel/fs/configfs/configfs_extra.ko.gz:";
	static const char builtin[] = "kernel/fs/configfs/configfs.ko\nkernel/drivers/usb/dwc2/dwc2.ko\n";

	(void)state;
	assert_true(listed(dep, "libcomposite"));
	assert_true(listed(dep, "usb_f_fs"));
	assert_true(listed(dep, "usb-f-fs"));     /* '-' and '_' are one */
	assert_true(listed(dep, "gadgetfs"));
	assert_true(listed(dep, "usbip_host"));
	assert_true(listed(dep, "configfs_extra")); /* the last line has no newline */
	assert_false(listed(dep, "usb_common"));   /* only a dependency: not a module line */
	assert_false(listed(dep, "usb_f"));
	assert_false(listed(dep, "fs"));
	assert_false(listed(dep, "configfs"));
	assert_true(listed(builtin, "configfs"));
	assert_true(listed(builtin, "dwc2"));
	assert_false(listed(builtin, "dwc3"));
	assert_false(listed("", "dwc2"));
	assert_false(listed("garbage without a module\n\n:", "garbage"));
}

static void test_udc_busy_msg(void **state)
{
	char m[1024];

	(void)state;
	preflight_udc_busy_msg(m, sizeof(m), "musb-hdrc.0", "g_multi", HOLDER_MODULE);
	assert_non_null(strstr(m, "UDC musb-hdrc.0 is in use by the gadget module g_multi"));
	assert_non_null(strstr(m, "modprobe -r g_multi"));
	preflight_udc_busy_msg(m, sizeof(m), "dummy_udc.0", "g1", HOLDER_CONFIGFS);
	assert_non_null(strstr(m, "ConfigFS gadget g1"));
	assert_non_null(strstr(m, "echo > /sys/kernel/config/usb_gadget/g1/UDC"));
	preflight_udc_busy_msg(m, sizeof(m), "dummy_udc.0", "gadgetd.dummy_udc.0", HOLDER_GADGETD);
	assert_non_null(strstr(m, "another gadgetd"));
	assert_non_null(strstr(m, "gadgetd --status"));
	preflight_udc_busy_msg(m, sizeof(m), "dummy_udc.0", "USB Gadget filesystem", HOLDER_GADGETFS);
	assert_non_null(strstr(m, "GadgetFS"));
	preflight_udc_busy_msg(m, sizeof(m), "x", "who", HOLDER_OTHER);
	assert_non_null(strstr(m, "UDC x is in use by gadget who: stop it first"));
	assert_non_null(strstr(m, "--udc"));
}

static void test_no_udc_msg(void **state)
{
	char m[1024];

	(void)state;
	preflight_no_udc_msg(m, sizeof(m), "Raspberry Pi Zero W Rev 1.1");
	assert_int_equal(strncmp(m, "no UDC in /sys/class/udc: ", 26), 0);
	assert_non_null(strstr(m, "dtoverlay=dwc2"));
	assert_non_null(strstr(m, "/boot/firmware/config.txt"));
	preflight_no_udc_msg(m, sizeof(m), "TI AM335x BeagleBone Black");
	assert_non_null(strstr(m, "musb"));
	preflight_no_udc_msg(m, sizeof(m), NULL);
	assert_int_equal(strncmp(m, "no UDC in /sys/class/udc: ", 26), 0);
	assert_non_null(strstr(m, "dtoverlay=dwc2")); /* a Pi without a device tree model */
	preflight_no_udc_msg(m, 30, "");
	assert_int_equal(strlen(m), 29);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmod_listed),
		cmocka_unit_test(test_udc_busy_msg),
		cmocka_unit_test(test_no_udc_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

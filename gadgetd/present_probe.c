// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * present_probe.c - what the running kernel's FunctionFS accepts (present_probe.h).
 */
#include <endian.h>
#include <errno.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "functionfs/ffs_io.h"
#include "gadgetd/gadget.h"
#include "gadgetd/log.h"
#include "gadgetd/present_probe.h"
#include "gadgetd/session.h"

static int dfu_ok = -1; /* -1: not probed yet */

/* A v2 descriptors blob (f_fs.c __ffs_data_got_descs()), full and high speed:
 * one interface without endpoints, class 0xfe subclass 1 protocol 1 (DFU
 * run-time), and its DFU functional descriptor: bmAttributes 0x0b (will detach,
 * manifestation tolerant, can download), wDetachTimeOut 255 ms, wTransferSize
 * 1024, bcdDFUVersion 1.10. */
struct probe_blob {
	struct usb_functionfs_descs_head_v2 head;
	uint32_t fs_count, hs_count;
	struct {
		uint8_t intf[USB_DT_INTERFACE_SIZE];
		uint8_t dfu[9];
	} __attribute__((packed)) speed[2];
} __attribute__((packed));

static void fill_blob(struct probe_blob *b)
{
	static const uint8_t intf[USB_DT_INTERFACE_SIZE] = {
		USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE, 0, 0, 0, USB_CLASS_APP_SPEC, 1, 1, 0
	};
	static const uint8_t dfu[9] = { 9, USB_TYPE_CLASS | 0x01, 0x0b, 0xff, 0, 0, 4, 0x10, 1 };
	int i;

	memset(b, 0, sizeof(*b));
	b->head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	b->head.length = htole32(sizeof(*b));
	b->head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
	b->fs_count = b->hs_count = htole32(2);
	for (i = 0; i < 2; i++) {
		memcpy(b->speed[i].intf, intf, sizeof(intf));
		memcpy(b->speed[i].dfu, dfu, sizeof(dfu));
	}
}

static int probe_dfu(void)
{
	struct usb_functionfs_strings_head strs = {
		.magic = htole32(FUNCTIONFS_STRINGS_MAGIC),
		.length = htole32(sizeof(strs)),
	};
	struct gadget_spec s = { .n_cfg = 1 };
	struct probe_blob b;
	struct gadget *g;
	char name[32], dir[64], err[256];
	bool rejected;
	int fd, r;

	/* FUNC_FFS_MAX_DEV_NAME_LEN is 41 */
	snprintf(name, sizeof(name), "gadgetd-probe.%ld", (long)getpid());
	snprintf(dir, sizeof(dir), RUN_DIR "/%s", name);
	s.name = name;
	s.cfg[0] = (struct gadget_config){ .bConfigurationValue = 1, .bmAttributes = 0x80,
					   .MaxPower_mA = 100, .ffs_name = name, .ffs_dir = dir };
	mkdir(RUN_DIR, 0755);
	r = gadget_create(&s, &g, err, sizeof(err));
	if (r) {
		log_debug("FunctionFS probe: %s", err);
		return 0;
	}
	fill_blob(&b);
	fd = ffs_ep0_open(dir, &b, sizeof(b), &strs, sizeof(strs), &rejected);
	if (fd >= 0)
		close(fd);
	else if (!rejected)
		log_debug("FunctionFS probe: %s/ep0: %s", dir, strerror(-fd));
	gadget_destroy(g);
	log_debug("FunctionFS probe: DFU functional descriptors %s", fd >= 0 ? "accepted" :
		  rejected ? "refused (f_fs.c before 6.12)" : "not tried");
	return fd >= 0;
}

bool present_probe_dfu(void)
{
	if (dfu_ok < 0)
		dfu_ok = probe_dfu();
	return dfu_ok > 0;
}

void present_ffs_opts(struct ffs_desc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->udc_has_iso = false;
	o->extra_flags = FUNCTIONFS_ALL_CTRL_RECIP;
	o->dfu_desc = dfu_ok > 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile.h - per-device profiles (libconfig files, see gadgetd.profile(5)).
 *
 * A profile may name the remote, busid and UDC, and override what the host sees of
 * the device. Parsing does no other I/O than reading the file (or a string, for
 * tests and fuzzing). Unknown keys and bad values are errors with file:line.
 */
#ifndef GADGETD_PROFILE_H
#define GADGETD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Keys (all optional):
 *   remote = "host[:port]";            string
 *   busid = "1-1.2";                   string, at most 31 characters
 *   udc = "dummy_udc.0";               string
 *   device = {                          group: overrides of what the host sees
 *     idVendor = 0x1234;  idProduct = 0x5678;  bcdDevice = 0x0100;   0..0xffff
 *     serial = "...";  manufacturer = "...";  product = "...";        <= 126 bytes
 *     MaxPower = 100;     mA, 0..500 (900 at SuperSpeed is not asked for)
 *     self_powered = true;
 *   };
 */
struct gd_profile {
	char *remote;
	char *busid;
	char *udc;
	/* device overrides: has_* says whether the key was given */
	bool has_idVendor, has_idProduct, has_bcdDevice;
	uint16_t idVendor, idProduct, bcdDevice;
	char *serial, *manufacturer, *product; /* NULL = not overridden */
	bool has_MaxPower;
	unsigned MaxPower; /* mA */
	bool has_self_powered;
	bool self_powered;
};

/* Largest profile accepted, in bytes (profiles are a few hundred bytes). */
#define GD_PROFILE_MAX_SIZE	(32 * 1024)

/* A message such as "configs/kbd.cfg:12: device.idVendor: 70000 is out of range 0..0xffff" */
struct gd_profile_err {
	char msg[256];
};

/**
 * profile_load_file() - parse and validate @path into @p (zeroed first).
 * Return: 0, -ENOENT/-EACCES/... if the file cannot be read, -EFBIG if it is larger
 * than GD_PROFILE_MAX_SIZE, -EINVAL for a syntax error, an @include, an unknown key
 * or a bad value; @err holds "file:line: what" (or "file: what"). @err may be NULL.
 * On failure @p is left zeroed.
 */
int profile_load_file(const char *path, struct gd_profile *p, struct gd_profile_err *err);

/**
 * profile_load_string() - the same for text in memory; @name stands for the file
 * name in messages.
 */
int profile_load_string(const char *text, const char *name, struct gd_profile *p,
			struct gd_profile_err *err);

/** profile_free() - free the strings of @p and zero it. */
void profile_free(struct gd_profile *p);

#endif

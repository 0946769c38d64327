/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * match.h - the device chosen by what it is (idVendor, idProduct, and the
 * serial number string) instead of by the port it sits in (its busid).
 *
 * A busid names a port of the server: replugged elsewhere, or enumerated in
 * another order after a reboot, the device has another. `--device VID:PID[:SERIAL]`
 * or the profile's `match = { vid; pid; serial; }` name the device itself. On
 * every connect gadgetd asks for the server's device list (OP_REQ_DEVLIST), keeps
 * the exported devices whose idVendor:idProduct match (match_candidates()) and
 * imports one of them. The serial number is not in the device list (struct
 * usbip_usb_device has no strings): with a serial, each candidate is imported in
 * turn and its serial string read (the describe phase); one whose serial differs
 * is released (the connection closed, so the server frees it) and the next is
 * tried. Without a serial, two or more candidates are refused, each named.
 *
 * Pure logic, no I/O (the session does the network part, session.c).
 */
#ifndef GADGETD_MATCH_H
#define GADGETD_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/client.h"

/* Longest serial accepted: a string descriptor holds at most 126 UTF-16 code units,
 * read back as at most 3 UTF-8 bytes each. */
#define MATCH_SERIAL_MAX 381

struct dev_match {
	bool set;         /* a match was given: the busid is found from it */
	uint16_t vid, pid; /* idVendor, idProduct (host byte order) */
	bool has_serial;
	char serial[MATCH_SERIAL_MAX + 1]; /* iSerialNumber's string, UTF-8, compared exactly */
};

/**
 * match_parse() - "VID:PID" or "VID:PID:SERIAL" (VID and PID 1..4 hex digits,
 * without 0x; SERIAL 1..381 bytes of printable text, colons allowed) into @m.
 * Return: 0, or -EINVAL with @err saying what is wrong.
 */
int match_parse(const char *s, struct dev_match *m, char *err, size_t errlen);

/**
 * match_set_serial() - check @serial (1..MATCH_SERIAL_MAX bytes, no control
 * bytes) and store it in @m. Return: 0; -ERANGE (length) or -EILSEQ (a control
 * byte), @m unchanged. For match_parse() and the profile's match.serial.
 */
int match_set_serial(struct dev_match *m, const char *serial);

/**
 * match_candidates() - the indexes into @l (@n entries of an OP_REP_DEVLIST) of
 * the devices whose idVendor and idProduct are @m's, in the server's order, at
 * most @max of them into @idx. Return: how many match (may exceed @max).
 */
unsigned match_candidates(const struct dev_match *m, const struct devlist_entry *l, unsigned n,
			  unsigned *idx, unsigned max);

/**
 * match_serial_ok() - does @serial (the device's iSerialNumber string, UTF-8; NULL
 * or "" when it has none) satisfy @m? Always true when @m names no serial.
 */
bool match_serial_ok(const struct dev_match *m, const char *serial);

/**
 * match_str() - @m as a person reads it, into @buf: "1209:4854" or
 * "1209:4854 serial \"ABC\"" (the serial escaped, text.h). Return: @buf.
 */
const char *match_str(const struct dev_match *m, char *buf, size_t len);

#endif

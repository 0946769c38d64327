/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status_fmt.h - what `gadgetd --status` shows about one running gadgetd, and
 * its two forms. No I/O (the socket is status.c's, the listing status_show.c's).
 *
 *   wire form   what the daemon writes to a client of its status socket, and
 *               what `--status --raw` prints: "key value" lines, the first
 *               "gadgetd-status 1"; endpoints as "ep ADDR TYPE URBS BYTES".
 *               Keys a reader does not know are skipped (newer daemons).
 *   table       what a person reads, as `usbip port` shows the kernel client.
 */
#ifndef GADGETD_STATUS_FMT_H
#define GADGETD_STATUS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATUS_MAGIC "gadgetd-status 1"
#define STATUS_MAX_EP 32 /* ep0 and 15 endpoint numbers each way */
#define STATUS_WIRE_MAX 8192 /* the wire form always fits */

/* One endpoint of the device as the relay uses it: URBs answered and bytes moved. */
struct status_ep {
	uint8_t addr;   /* the device's bEndpointAddress (0x00 for ep0) */
	uint8_t type;   /* USB_ENDPOINT_XFER_*: 0 control, 1 isochronous, 2 bulk, 3 interrupt */
	uint64_t urbs;  /* URBs the server answered (RET_SUBMIT) in this session */
	uint64_t bytes; /* their actual_length, summed: bytes moved in this session */
};

/* A snapshot of one gadgetd. Strings are NUL-terminated, "" when unknown. */
struct gd_status {
	long pid;
	char version[16];
	char udc[64];
	char profile[256];
	char server[200];        /* "host:port" as the log names it */
	char busid[40];
	char user[40];           /* --user: the relay's user */
	bool has_device;         /* imported at least once: the fields below hold */
	unsigned vid, pid_dev;   /* idVendor, idProduct */
	char speed[16];          /* the device's speed at the server ("high") */
	char manufacturer[128];  /* its iManufacturer, iProduct strings */
	char product[128];
	char backend[16];        /* "functionfs", "gadgetfs", "" before presenting */
	char state[24];          /* the session stage: see status.h */
	char detail[200];        /* about the state: "next attempt in 4 s" */
	int64_t started;         /* Unix time the daemon started */
	int64_t since;           /* Unix time it entered the state */
	unsigned host_config;    /* bConfigurationValue the host selected, 0: not configured */
	bool host_suspended;     /* ... and the bus is suspended */
	unsigned reconnects;     /* sessions begun again after a failure or a loss */
	int64_t last_error_time; /* 0: no error yet */
	char last_error[300];
	unsigned n_ep;
	struct status_ep ep[STATUS_MAX_EP];
};

/**
 * status_encode() - the wire form of @st into @buf (@len bytes, at least
 * STATUS_WIRE_MAX for a full status). Control characters in strings become '?'.
 * Return: the length written (NUL not counted), or -ENOSPC when @len is too small.
 */
int status_encode(const struct gd_status *st, char *buf, size_t len);

/**
 * status_decode() - parse the wire form @text (@len bytes, need not be
 * NUL-terminated) into @st (zeroed first). Unknown keys are skipped; values too
 * long for a field are cut. Return: 0, or -EINVAL when the first line is not
 * STATUS_MAGIC or a known key's value does not parse.
 */
int status_decode(const char *text, size_t len, struct gd_status *st);

/**
 * status_table() - the table a person reads, for @st at Unix time @now (for
 * "5 min ago"): local times, bytes also in KiB/MiB. Return: the length written,
 * cut (still NUL-terminated) when @len is too small.
 */
size_t status_table(const struct gd_status *st, int64_t now, char *buf, size_t len);

/** status_ep_type_str() - "control", "isochronous", "bulk", "interrupt" for a type 0..3. */
const char *status_ep_type_str(unsigned type);

/**
 * status_matches() - is @st the gadgetd a user named @name: its pid, UDC, busid,
 * profile file, or the profile's name (the file's name without ".cfg", as in
 * gadgetd@NAME)? NULL or "" matches every one.
 */
bool status_matches(const struct gd_status *st, const char *name);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - every URB gadgetd relays, written to a pcap file in the Linux
 * usbmon format (LINKTYPE_USB_LINUX_MMAPPED, 220) through libpcap, so that
 * Wireshark's USB dissectors (and usbms for Bulk-Only storage) decode it.
 *
 * One record per event, as usbmon writes them (Documentation/usb/usbmon.rst,
 * "Raw binary format and API"): 'S' when a CMD_SUBMIT is queued to the server
 * (setup packet, OUT data), 'C' when its RET_SUBMIT arrives (status,
 * actual_length, IN data) or when a RET_UNLINK says the URB was cancelled
 * (status -ECONNRESET). The URB id is the USB/IP seqnum; bus and device
 * numbers are the remote device's (its devid). The describe phase's control
 * requests (client.c) are recorded as well as the relay's (conn.c).
 *
 * One capture per process, like the log: the hooks below do nothing until
 * capture_open() succeeded, so the relay calls them unconditionally. The file
 * lives across reconnects. A size limit rotates it: FILE is renamed FILE.1
 * (one older file is kept) and a new FILE is started.
 */
#ifndef GADGETD_CAPTURE_H
#define GADGETD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* usbmon's struct usbmon_packet (drivers/usb/mon/mon_bin.c), host byte order */
#define CAPTURE_HDR_LEN 64
#define CAPTURE_SNAPLEN_DEFAULT 65535u

/* transfer types as usbmon numbers them */
enum capture_xfer { CAPTURE_ISO = 0, CAPTURE_INTR = 1, CAPTURE_CONTROL = 2, CAPTURE_BULK = 3 };

/* One usbmon event, before it is laid out (capture_hdr_build()). */
struct capture_event {
	uint64_t id;          /* URB id: the seqnum */
	char type;            /* 'S' submit, 'C' completion */
	enum capture_xfer xfer;
	uint8_t epnum;        /* bEndpointAddress: number | 0x80 for IN */
	uint8_t devnum;
	uint16_t busnum;
	const uint8_t *setup; /* 8 bytes for a control submit, else NULL */
	int64_t ts_sec;
	int32_t ts_usec;
	int32_t status;       /* -EINPROGRESS on submit; the URB's status on completion */
	uint32_t length;      /* transfer_buffer_length on submit, actual_length on completion */
	uint32_t len_cap;     /* data bytes that follow the header in the record */
	int32_t interval;     /* in frames/microframes, interrupt URBs only */
};

/**
 * capture_hdr_build() - lay @e out as usbmon's 64-byte binary header in host
 * byte order (what libpcap and Wireshark expect for link type 220): flag_setup
 * 0 when @e->setup is given, '-' otherwise; flag_data 0 when data follows,
 * '<' (IN submit, no data yet) or '>' (OUT completion) otherwise. Pure.
 */
void capture_hdr_build(const struct capture_event *e, uint8_t out[CAPTURE_HDR_LEN]);

/**
 * capture_open() - start writing @path (created or truncated; mode 0640).
 * @snaplen: data bytes kept per record (0 = CAPTURE_SNAPLEN_DEFAULT); @max_bytes:
 * rotate when the file passes this size (0 = never).
 * Return: 0, -EALREADY if a capture is open, or -errno (each logged, naming
 * the file).
 */
int capture_open(const char *path, unsigned snaplen, uint64_t max_bytes);

/** capture_close() - flush and close the capture; a no-op without one. */
void capture_close(void);

/**
 * capture_flush() - write out what is buffered, before a fork (privsep.c):
 * the relay child then writes the same file.
 */
void capture_flush(void);

/**
 * capture_reopen() - after the relay child ended: continue at the end of the
 * file as the child left it (it may have rotated it). On failure the capture
 * ends (logged).
 */
void capture_reopen(void);

/** capture_active() - a capture is being written. */
bool capture_active(void);

/**
 * capture_submit() - a CMD_SUBMIT for URB @seqnum of device @devid (the
 * remote's (busnum << 16) | devnum) was queued: @ep 0..15, @in
 * direction, @interval > 0 for interrupt URBs, @setup (8 bytes, USB byte
 * order) for ep 0 or NULL, @len transfer_buffer_length in bytes. @data: the
 * OUT payload, or NULL when it follows through capture_data() (the record is
 * written once @len bytes have come). Remembers the URB for its completion.
 */
void capture_submit(uint32_t devid, uint32_t seqnum, unsigned ep, bool in, unsigned interval, const uint8_t *setup,
		    const uint8_t *data, size_t len);

/** capture_data() - @len more OUT payload bytes of the last capture_submit(). */
void capture_data(const void *data, size_t len);

/**
 * capture_complete() - the RET_SUBMIT of URB @seqnum: @status (0 or -errno),
 * @data and @len the IN payload (actual_length) or NULL and the OUT
 * actual_length. An unknown seqnum is recorded on ep 0.
 */
void capture_complete(uint32_t seqnum, int status, const uint8_t *data, size_t len);

/** capture_unlink() - CMD_UNLINK @seqnum asks to cancel URB @target. */
void capture_unlink(uint32_t seqnum, uint32_t target);

/**
 * capture_unlinked() - RET_UNLINK @seqnum with @status: -ECONNRESET means
 * the target URB was cancelled and gets no RET_SUBMIT, so its completion is
 * written here.
 */
void capture_unlinked(uint32_t seqnum, int status);

#endif

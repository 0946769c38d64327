/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.h - usbip-sim's device model: what the device file describes (descriptors
 * and per-endpoint behaviour, tests/sim/README.md) plus the run-time state the
 * emulated host controller keeps per endpoint (queued device packets, pending
 * URBs, halt) and per interface setting (whether it is the current alternate
 * setting, CDC-ACM line coding and line state). One device, one imported
 * connection at a time, one thread.
 */
#ifndef GADGETD_SIM_H
#define GADGETD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_CFG 4
#define SIM_MAX_INTF 32    /* interface settings (number, alt) per configuration */
#define SIM_MAX_EP 16      /* per interface */
#define SIM_MAX_STR 64     /* string indices 1..63 */
#define SIM_MAX_CTRL 256
#define SIM_MAX_SEQ 512
#define SIM_STORE 4096     /* the vendor "store"/"load" buffer */
#define SIM_DESC_MAX 4096
#define SIM_CS_MAX 1024    /* class-specific descriptor bytes after one interface or endpoint */

#define SIM_XFER_BULK 2
#define SIM_XFER_INT 3

/* One entry of an IN endpoint's fixed sequence: a device-side transfer. */
struct sim_in_entry {
	uint32_t len;
	bool zlp;          /* end a whole number of packets with a ZLP */
	uint32_t delay_ms; /* released this long after the previous entry */
};

/* A packet the device has ready on an IN endpoint. */
struct sim_pkt {
	struct sim_pkt *next;
	uint32_t len;
	bool first, last; /* first / last packet of a device-side transfer */
	uint8_t data[];
};

struct sim_urb {
	struct sim_urb *next;
	uint32_t seqnum;
	uint8_t ep;        /* endpoint number, no direction bit */
	bool in;
	uint32_t flags;
	uint32_t len;
	int32_t interval;
	uint8_t *buf;      /* len bytes (OUT: the data; IN: filled) */
	uint32_t actual;
	char *packets;     /* "512,512,1" */
	size_t pk_len, pk_cap;
	int64_t due;       /* OUT: completion time (delay_ms) */
	bool zombie;       /* --hostile unlink=pipe: unlinked, still running, never answered */
};

enum sim_ctrl_action { CA_PATTERN, CA_STORE, CA_LOAD, CA_ACK, CA_STALL, CA_LINE_CODING,
		       CA_LINE_STATE };

struct sim_ctrl {
	int type, request; /* bmRequestType, bRequest: exact */
	int value, index;  /* -1: any */
	int length;        /* pattern: reply length cap, -1: wLength */
	enum sim_ctrl_action action;
	uint32_t seed;
	uint32_t delay_ms; /* the answer is sent this late (the whole device waits) */
	unsigned line;
};

struct sim_ep {
	/* from the file */
	uint8_t addr, type, interval;
	uint16_t mps;
	int echo;           /* OUT: IN address that gets each transfer back, or -1 */
	bool echo_zlp;
	bool echo_alt;      /* echo: each transfer starts with the alternate setting number */
	bool echo_stream;   /* echo: packet by packet as they come, no transfers (a serial port) */
	int serial_state;   /* IN: CDC-ACM SERIAL_STATE endpoint, the state sent when DTR goes
			     * on (0 when it goes off, -1: not a notification endpoint) */
	bool notify_dtr;    /* serial_state: notify on DTR changes */
	bool audio;         /* 9-byte (audio class) endpoint descriptor */
	uint8_t *cs;        /* class-specific descriptors after the endpoint's own */
	size_t cs_len;
	uint8_t alt;        /* the alternate setting it belongs to */
	int stall_after;    /* halt after this many transfers, -1: never */
	uint32_t delay_ms;  /* OUT: each URB completes this much later */
	uint32_t seed;      /* IN sequence entry k has pattern seed + k */
	struct sim_in_entry *seq;
	unsigned n_seq;
	/* run time */
	bool halted, stall_done;
	unsigned xfers;     /* device-side transfers completed */
	struct sim_pkt *pq, *pq_tail;
	struct sim_urb *uq, *uq_tail;
	unsigned seq_next;
	int64_t seq_due;
	int64_t out_last_due;
	uint8_t *acc;       /* OUT: the transfer being received */
	size_t acc_len, acc_cap;
	bool acc_active;
};

/* An interface association descriptor, sent before the interface it names first. */
struct sim_iad {
	bool present;
	uint8_t count, cls, sub, proto, istr;
};

/* One interface setting: interface @number, alternate setting @alt. */
struct sim_intf {
	uint8_t number, alt, cls, sub, proto, istr;
	struct sim_iad iad;
	uint8_t *cs;        /* class-specific descriptors after the interface descriptor */
	size_t cs_len;
	unsigned n_ep;
	struct sim_ep ep[SIM_MAX_EP];
	/* run time */
	bool active;        /* the interface's current alternate setting */
	uint8_t coding[7];  /* CDC-ACM line coding (GET/SET_LINE_CODING) */
	uint16_t line_state;/* CDC-ACM SET_CONTROL_LINE_STATE wValue (bit 0 DTR, 1 RTS) */
};

struct sim_cfg {
	uint8_t value, attributes, istr;
	unsigned max_power_ma;
	unsigned n_intf;    /* settings, alternate settings of an interface together */
	unsigned n_num;     /* interfaces (bNumInterfaces) */
	struct sim_intf intf[SIM_MAX_INTF];
	uint8_t desc[SIM_DESC_MAX];   /* at the device's speed */
	size_t desc_len;
	uint8_t other[SIM_DESC_MAX];  /* OTHER_SPEED_CONFIGURATION (high speed only) */
	size_t other_len;
};

struct sim_dev {
	const char *file;
	unsigned speed; /* USBIP_SPEED_FULL/HIGH/SUPER */
	char busid[32];
	char path[256];
	unsigned busnum, devnum;
	uint16_t idVendor, idProduct, bcdDevice;
	uint8_t cls, sub, proto;
	uint8_t imanufacturer, iproduct, iserial;
	uint8_t active;  /* bConfigurationValue at import */
	char *str[SIM_MAX_STR];
	unsigned n_str; /* highest index + 1 */
	unsigned n_cfg;
	struct sim_cfg cfg[SIM_MAX_CFG];
	unsigned n_ctrl;
	struct sim_ctrl ctrl[SIM_MAX_CTRL];
	uint8_t devdesc[18];
	/* run time */
	int cur; /* index into cfg[], -1: unconfigured */
	uint8_t store[SIM_STORE];
	size_t store_len;
};

/**
 * sim_dev_load() - read and check a device file (libconfig), build descriptors.
 * Return: 0, or -EINVAL with "FILE:LINE: what" in @err.
 */
int sim_dev_load(const char *path, struct sim_dev *d, char *err, size_t errlen);

/** sim_dev_print() - the descriptors of a loaded device file, for --check. */
void sim_dev_print(const struct sim_dev *d, FILE *f);

/**
 * sim_build() - the device's descriptors, from what sim_dev_load() read.
 * Return: 0, or minus the value of a configuration whose descriptors exceed SIM_DESC_MAX.
 */
int sim_build(struct sim_dev *d);

/** sim_setting_ep() - endpoint @addr of interface setting @f, or NULL. */
struct sim_ep *sim_setting_ep(struct sim_intf *f, unsigned addr);

/** sim_default_mps() - wMaxPacketSize a bulk/interrupt endpoint gets by default. */
unsigned sim_default_mps(unsigned speed, unsigned type);

/* sim_utf16() - UTF-8 @s as UTF-16 units into @u (NULL: only count), at most @max
 * of them. Return: the number of units, or -1 (not UTF-8, or more than @max). */
int sim_utf16(const char *s, uint16_t *u, size_t max);
/** sim_string_desc() - string descriptor @idx (0: language list) into @out; length or -1. */
int sim_string_desc(const struct sim_dev *d, unsigned idx, uint8_t *out, size_t outlen);

/** sim_qualifier() - DEVICE_QUALIFIER (high speed devices only); length or -1. */
int sim_qualifier(const struct sim_dev *d, uint8_t *out);

/** sim_bos() - a minimal BOS (super speed only); length or -1. */
int sim_bos(const struct sim_dev *d, uint8_t *out, size_t outlen);

const char *sim_speed_name(unsigned speed);

#endif

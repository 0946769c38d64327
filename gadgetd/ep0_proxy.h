/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ep0_proxy.h - control requests of the host that the gadget side cannot
 * answer itself (class, vendor, interface GET_DESCRIPTOR, ...), forwarded to
 * the device as CMD_SUBMIT on ep0, with wIndex in the device's numbering; the
 * device's reply, or its stall, goes back to the host.
 *
 * One control transfer at a time (USB 2.0 §8.5.3: the host does not start
 * another on the same pipe before this one ends):
 *
 *   CTRL_IDLE ---SETUP (IN, or no data)---> CTRL_WAIT_DEVICE
 *   CTRL_WAIT_DEVICE ---RET_SUBMIT---> reply or stall to the host, CTRL_IDLE
 *       (a reply the host does not take within EP0_HOST_MS, backend.h, is
 *       dropped: the host gave up on the request while the device answered)
 *   CTRL_WAIT_DEVICE ---no reply in CTRL_TIMEOUT_S---> stall, CMD_UNLINK, CTRL_ABANDONED
 *   CTRL_ABANDONED: ep0 is free again; the late RET_SUBMIT, if any, is dropped
 *
 * SET_INTERFACE (it reaches userspace on GadgetFS, never on FunctionFS) stops
 * the endpoints of the interface's old alternate setting before it is
 * forwarded (their URBs are unlinked first, so nothing of the old setting
 * reaches the new one), and starts the new setting's once the device has
 * accepted it, or the old one's again if the device stalls it or never answers.
 *
 * While waiting for the device, no ep0 is read: a read would be taken as the
 * request's data stage. A request with an OUT data stage is forwarded without
 * waiting: its status stage was completed by the UDC, so it cannot be stalled.
 */
#ifndef GADGETD_EP0_PROXY_H
#define GADGETD_EP0_PROXY_H

#include <linux/usb/ch9.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/usbip.h"

#define CTRL_BUF 4096      /* composite clamps ep0 data stages to 4096 */
#define CTRL_TIMEOUT_S 4   /* a host gives a control transfer 5 s (usb_control_msg) */

enum ctrl_state {
	CTRL_IDLE,        /* no request of the host is waiting */
	CTRL_WAIT_DEVICE, /* forwarded; the host waits for the device's answer */
	CTRL_ABANDONED,   /* the host got a stall after the timeout; a late reply is dropped */
};

struct inst;
struct relay;
struct urb_slot;

struct ep0_proxy {
	enum ctrl_state st;
	struct inst *inst;            /* whose request */
	struct usb_ctrlrequest setup; /* as the host sent it */
	uint32_t seqnum;              /* the forwarded URB */
	int tfd;                      /* timerfd: the deadline (TOK_CTRL) */
	bool alt_switch;              /* it is SET_INTERFACE: endpoints change on the reply */
	uint8_t intf, alt, old_alt;   /* its interface (device's number), new and old setting */
	uint8_t buf[CTRL_BUF];        /* an OUT data stage */
};

/** ep0_proxy_init() - CTRL_IDLE, with its deadline timer. Return: 0 or -errno. */
int ep0_proxy_init(struct ep0_proxy *p);
/** ep0_proxy_free() - close the timer. */
void ep0_proxy_free(struct ep0_proxy *p);
/** ep0_busy() - a request waits for the device: ep0 must not be read. */
bool ep0_busy(const struct ep0_proxy *p);

/**
 * ep0_setup() - the host's control request @cr (little-endian fields, USB 2.0
 * §9.3) from instance @in_: forward it to the device, or stall it when its
 * wLength is over CTRL_BUF. Return: 0 or -errno (-ENOBUFS, -ENOMEM).
 */
int ep0_setup(struct relay *r, struct inst *in_, const struct usb_ctrlrequest *cr);

/**
 * ep0_ret_submit() - the device answered a forwarded request: @status (0 or a
 * -errno URB status; -EPIPE is a stall) and @len bytes of @data for an IN
 * request. A reply for a request that is no longer waited for is dropped.
 * Return: 0 or -errno.
 */
int ep0_ret_submit(struct relay *r, uint32_t seqnum, int status, const uint8_t *data,
		   size_t len);

/** ep0_timeout() - TOK_CTRL fired: stall the request, unlink its URB. Return: 0 or -errno. */
int ep0_timeout(struct relay *r);

#endif

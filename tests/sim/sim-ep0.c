// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-ep0.c - usbip-sim's control endpoint: the standard requests the device
 * answers itself (descriptors, configuration, alternate settings, status, halt)
 * and the device file's class/vendor handlers (tests/sim/README.md), each request
 * recorded as a CTRL line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/pattern.h"
#include "tests/sim/sim-srv.h"

static const char *std_name(unsigned req)
{
	static const char *const n[] = { "GET_STATUS", "CLEAR_FEATURE", "2", "SET_FEATURE", "4",
					 "SET_ADDRESS", "GET_DESCRIPTOR", "SET_DESCRIPTOR",
					 "GET_CONFIGURATION", "SET_CONFIGURATION", "GET_INTERFACE",
					 "SET_INTERFACE", "SYNCH_FRAME" };
	return req < 13 ? n[req] : "unknown";
}

/* GET_DESCRIPTOR(@value): status; the descriptor in @in, @inlen (the whole of it). */
static int get_descriptor(unsigned value, uint8_t *in, uint32_t *inlen)
{
	unsigned idx = value & 0xff;
	int n = -1;

	switch (value >> 8) {
	case 1:
		memcpy(in, sim.d.devdesc, 18);
		n = 18;
		break;
	case 2:
	case 7: /* OTHER_SPEED_CONFIGURATION: a high-speed device's */
		if (idx >= sim.d.n_cfg || ((value >> 8) == 7 && sim.d.speed != USBIP_SPEED_HIGH))
			return -EPIPE;
		n = (int)((value >> 8) == 2 ? sim.d.cfg[idx].desc_len : sim.d.cfg[idx].other_len);
		memcpy(in, (value >> 8) == 2 ? sim.d.cfg[idx].desc : sim.d.cfg[idx].other,
		       (size_t)n);
		break;
	case 3:
		n = sim_string_desc(&sim.d, idx, in, 255);
		break;
	case 6:
		n = sim_qualifier(&sim.d, in);
		break;
	case 15:
		n = sim_bos(&sim.d, in, 4096);
		break;
	}
	if (n < 0)
		return -EPIPE;
	*inlen = (uint32_t)n;
	hostile_descriptor(value, in, inlen);
	return 0;
}

/* Standard requests; returns status, fills @in/@inlen for IN. */
static int std_request(const uint8_t *s, uint8_t *in, uint32_t *inlen)
{
	unsigned type = s[0], req = s[1], value = (unsigned)(s[2] | s[3] << 8);
	unsigned index = (unsigned)(s[4] | s[5] << 8), recip = type & 0x1f;
	struct sim_ep *e;
	struct sim_intf *f;
	int idx;

	switch (req) {
	case 0x00: /* GET_STATUS */
		if (!(type & 0x80))
			return -EPIPE;
		in[0] = in[1] = 0;
		*inlen = 2;
		if (recip == 0) {
			in[0] = cur_cfg() && (cur_cfg()->attributes & 0x40) ? 1 : 0;
			return 0;
		}
		if (recip == 1)
			return find_intf(index & 0xff) ? 0 : -EPIPE;
		if (recip == 2) {
			if ((index & 0x7f) == 0)
				return 0;
			e = find_ep(index & 0xff);
			if (!e)
				return -EPIPE;
			in[0] = e->halted;
			return 0;
		}
		return -EPIPE;
	case 0x01: /* CLEAR_FEATURE */
	case 0x03: /* SET_FEATURE */
		if (recip == 0)
			return 0; /* remote wakeup, test mode: accepted */
		if (recip != 2 || value != 0)
			return -EPIPE;
		if ((index & 0x7f) == 0)
			return 0;
		e = find_ep(index & 0xff);
		if (!e)
			return -EPIPE;
		if (req == 0x01) {
			rec("CLEAR_HALT ep=0x%02x halted=%d", e->addr, e->halted);
			e->halted = false;
			if (e->addr & 0x80)
				service_in(e);
			else
				service_out(e, now_ms());
		} else {
			rec("SET_HALT ep=0x%02x", e->addr);
			halt(e, "SET_FEATURE");
			if (e->addr & 0x80)
				service_in(e);
		}
		return 0;
	case 0x06: /* GET_DESCRIPTOR */
		return type == 0x80 ? get_descriptor(value, in, inlen) : -EPIPE;
	case 0x08: /* GET_CONFIGURATION */
		if (type != 0x80)
			return -EPIPE;
		in[0] = cur_cfg() ? cur_cfg()->value : 0;
		*inlen = 1;
		return 0;
	case 0x09: /* SET_CONFIGURATION */
		if (type != 0x00)
			return -EPIPE;
		idx = value ? cfg_index(value & 0xff) : -1;
		if (value && idx < 0)
			return -EPIPE;
		rec("SET_CONFIGURATION value=%u was=%u", value, cur_cfg() ? cur_cfg()->value : 0);
		cfg_leave(-ESHUTDOWN, true, "SET_CONFIGURATION");
		cfg_enter(idx);
		return 0;
	case 0x0a: /* GET_INTERFACE */
		f = type == 0x81 ? find_intf(index & 0xff) : NULL;
		if (!f)
			return -EPIPE;
		in[0] = f->alt;
		*inlen = 1;
		return 0;
	case 0x0b: /* SET_INTERFACE */
		return type == 0x01 && value < 256 ? set_interface(index & 0xff, value) : -EPIPE;
	}
	return -EPIPE;
}

/* The device's answer to a control request. Returns status; @line: handler line. */
static int ctrl_request(const uint8_t *s, const uint8_t *out, uint32_t outlen, uint8_t *in,
			uint32_t *inlen, unsigned *line)
{
	unsigned type = s[0], req = s[1], value = (unsigned)(s[2] | s[3] << 8);
	unsigned index = (unsigned)(s[4] | s[5] << 8), wlength = (unsigned)(s[6] | s[7] << 8);
	const struct sim_ctrl *h;
	unsigned i, n;

	*inlen = 0;
	*line = 0;
	for (i = 0; i < sim.d.n_ctrl; i++) {
		h = &sim.d.ctrl[i];
		if (h->type != (int)type || h->request != (int)req ||
		    (h->value >= 0 && h->value != (int)value) ||
		    (h->index >= 0 && h->index != (int)index))
			continue;
		*line = h->line;
		if (h->delay_ms)
			usleep(h->delay_ms * 1000u); /* a device slow to answer */
		switch (h->action) {
		case CA_PATTERN:
			n = h->length >= 0 && (unsigned)h->length < wlength ? (unsigned)h->length :
									      wlength;
			sim_pattern_fill(in, n, h->seed);
			*inlen = n;
			return 0;
		case CA_STORE:
			n = outlen < SIM_STORE ? outlen : SIM_STORE;
			memcpy(sim.d.store, out, n);
			sim.d.store_len = n;
			return 0;
		case CA_LOAD:
			n = sim.d.store_len < wlength ? (unsigned)sim.d.store_len : wlength;
			memcpy(in, sim.d.store, n);
			*inlen = n;
			return 0;
		case CA_ACK:
			return 0;
		case CA_STALL:
			return -EPIPE;
		case CA_LINE_CODING:
		case CA_LINE_STATE:
			return acm_request(h, s, out, outlen, in, inlen);
		}
	}
	if ((type & 0x60) == 0)
		return std_request(s, in, inlen);
	return -EPIPE; /* no handler: the device stalls */
}

void on_ctrl(const struct usbip_header *h, const uint8_t *payload, size_t len)
{
	const uint8_t *s = h->u.cmd_submit.setup;
	unsigned wlength = (unsigned)(s[6] | s[7] << 8);
	bool in = s[0] & 0x80;
	static uint8_t reply[65536 + 256];
	uint32_t rlen = 0, tbl = (uint32_t)h->u.cmd_submit.transfer_buffer_length, actual;
	unsigned line;
	char warn[128] = "", *hx;
	int status;

	if (tbl != wlength)
		snprintf(warn, sizeof(warn), " warn=transfer_buffer_length_%u_not_wLength", tbl);
	else if (wlength && (h->direction == USBIP_DIR_IN) != in)
		snprintf(warn, sizeof(warn), " warn=direction_%u_not_setup", h->direction);
	status = ctrl_request(s, payload, (uint32_t)len, reply, &rlen, &line);
	if (in) {
		actual = status ? 0 : rlen < wlength ? rlen : wlength;
		if (actual > tbl)
			actual = tbl;
		send_ret_submit(h->seqnum, status, actual, reply, tbl);
		hx = hex(reply, actual);
	} else {
		actual = status ? 0 : (uint32_t)len;
		send_ret_submit(h->seqnum, status, actual, NULL, tbl);
		hx = hex(payload, len);
	}
	rec("CTRL seq=%u type=0x%02x req=0x%02x value=0x%04x index=0x%04x length=%u -> %u status=%s"
	    "%s%s handler=%u%s data=%s",
	    h->seqnum, s[0], s[1], s[2] | s[3] << 8, s[4] | s[5] << 8, wlength, actual,
	    errname(status), (s[0] & 0x60) ? "" : " std=", (s[0] & 0x60) ? "" : std_name(s[1]),
	    line, warn, hx);
	free(hx);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-acm.c - usbip-sim's CDC-ACM (PSTN) behaviour (tests/sim/README.md, "CDC-ACM"):
 * the device file's line_coding and line_state handlers answer SET_LINE_CODING,
 * GET_LINE_CODING and SET_CONTROL_LINE_STATE and record what the host asked for;
 * SERIAL_STATE notifications go out on the interface's notification endpoint (an
 * endpoint with serial_state = BITS) when DTR changes, on SIGUSR1/SIGUSR2 and on
 * a --control command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/sim-srv.h"

#define ACM_SERIAL_STATE 0x20 /* bNotification */

void acm_reset(struct sim_intf *f)
{
	static const uint8_t power_on[7] = { 0x00, 0xc2, 0x01, 0x00, 0, 0, 8 }; /* 115200 8N1 */

	memcpy(f->coding, power_on, sizeof(power_on));
	f->line_state = 0;
}

/* "baud=115200 data_bits=8 parity=none stop_bits=1" */
static void coding_str(const uint8_t *c, char *b, size_t n)
{
	static const char *const parity[] = { "none", "odd", "even", "mark", "space" };
	static const char *const stop[] = { "1", "1.5", "2" };
	char p[8], st[8];

	snprintf(p, sizeof(p), "%s", c[5] < 5 ? parity[c[5]] : "");
	snprintf(st, sizeof(st), "%s", c[4] < 3 ? stop[c[4]] : "");
	if (!*p)
		snprintf(p, sizeof(p), "0x%02x", c[5]);
	if (!*st)
		snprintf(st, sizeof(st), "0x%02x", c[4]);
	snprintf(b, n, "baud=%u data_bits=%u parity=%s stop_bits=%s",
		 c[0] | c[1] << 8 | c[2] << 16 | (unsigned)c[3] << 24, c[6], p, st);
}

/* SERIAL_STATE with @state on notification endpoint @e of interface @f. */
static void notify(const struct sim_intf *f, struct sim_ep *e, unsigned state, const char *why)
{
	uint8_t b[10] = { 0xa1, ACM_SERIAL_STATE, 0, 0, f->number, 0, 2, 0, (uint8_t)state,
			  (uint8_t)(state >> 8) };

	rec("SERIAL_STATE interface=%u ep=0x%02x state=0x%04x dcd=%u dsr=%u break=%u ring=%u "
	    "framing=%u parity=%u overrun=%u why=%s", f->number, e->addr, state, state & 1,
	    state >> 1 & 1, state >> 2 & 1, state >> 3 & 1, state >> 4 & 1, state >> 5 & 1,
	    state >> 6 & 1, why);
	ep_send(e, b, sizeof(b), true);
}

int acm_serial_state(int number, int state, const char *why)
{
	struct sim_cfg *cf = cur_cfg();
	unsigned i, k;
	int n = 0;

	for (i = 0; cf && i < cf->n_intf; i++) {
		struct sim_intf *f = &cf->intf[i];

		if (!f->active || (number >= 0 && f->number != number))
			continue;
		for (k = 0; k < f->n_ep; k++)
			if (f->ep[k].serial_state >= 0) {
				notify(f, &f->ep[k], (unsigned)(state >= 0 ? state :
								 f->ep[k].serial_state), why);
				n++;
			}
	}
	return n;
}

int acm_request(const struct sim_ctrl *h, const uint8_t *s, const uint8_t *out, uint32_t outlen,
		uint8_t *in, uint32_t *inlen)
{
	unsigned value = (unsigned)(s[2] | s[3] << 8), wlength = (unsigned)(s[6] | s[7] << 8);
	struct sim_intf *f = find_intf(s[4]);
	char c[96], *hx;
	unsigned k, old;

	if (!f)
		return -EPIPE;
	if (h->action == CA_LINE_STATE) {
		old = f->line_state;
		f->line_state = (uint16_t)value;
		rec("SET_CONTROL_LINE_STATE interface=%u value=0x%04x dtr=%u rts=%u", f->number,
		    value, value & 1, value >> 1 & 1);
		for (k = 0; (old ^ value) & 1 && k < f->n_ep; k++) {
			struct sim_ep *e = &f->ep[k];

			if (e->serial_state >= 0 && e->notify_dtr)
				notify(f, e, value & 1 ? (unsigned)e->serial_state : 0,
				       value & 1 ? "dtr_on" : "dtr_off");
		}
		return 0;
	}
	if (s[0] & 0x80) { /* GET_LINE_CODING */
		*inlen = wlength < sizeof(f->coding) ? wlength : sizeof(f->coding);
		memcpy(in, f->coding, *inlen);
		coding_str(f->coding, c, sizeof(c));
		hx = hex(f->coding, sizeof(f->coding));
		rec("GET_LINE_CODING interface=%u %s data=%s", f->number, c, hx);
		free(hx);
		return 0;
	}
	/* SET_LINE_CODING: like Linux's f_acm, anything but 7 bytes is stalled */
	hx = hex(out, outlen);
	if (outlen != sizeof(f->coding)) {
		rec("SET_LINE_CODING interface=%u length=%u -> -EPIPE (not 7 bytes) data=%s",
		    f->number, outlen, hx);
		free(hx);
		return -EPIPE;
	}
	memcpy(f->coding, out, sizeof(f->coding));
	coding_str(f->coding, c, sizeof(c));
	rec("SET_LINE_CODING interface=%u %s data=%s", f->number, c, hx);
	free(hx);
	return 0;
}

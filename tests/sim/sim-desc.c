// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-desc.c - the descriptors usbip-sim's device answers with, built from the
 * device file (sim-dev.c reads it): device, configuration (interface association,
 * interface settings with their alternate settings, class-specific and endpoint
 * descriptors, super-speed companions), OTHER_SPEED_CONFIGURATION, qualifier,
 * strings, BOS; and the listing `usbip-sim --check` prints.
 */
#include <stdio.h>
#include <string.h>

#include "gadgetd/text.h"

#include "gadgetd/usbip.h"
#include "tests/sim/sim.h"

unsigned sim_default_mps(unsigned speed, unsigned type)
{
	if (type == SIM_XFER_INT)
		return 64;
	return speed == USBIP_SPEED_SUPER ? 1024 : speed == USBIP_SPEED_HIGH ? 512 : 64;
}

const char *sim_speed_name(unsigned speed)
{
	return speed == USBIP_SPEED_SUPER ? "super" : speed == USBIP_SPEED_HIGH ? "high" : "full";
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The bytes @src, @len of them, at @b + *n, when they fit. */
static bool put(uint8_t *b, size_t *n, const void *src, size_t len)
{
	if (*n + len > SIM_DESC_MAX)
		return false;
	if (len)
		memcpy(b + *n, src, len);
	*n += len;
	return true;
}

/* One endpoint descriptor (7 bytes, 9 for an audio endpoint), its super-speed
 * companion and its class-specific descriptors. */
static bool put_ep(const struct sim_ep *e, bool other, bool ss, uint8_t *b, size_t *n)
{
	unsigned mps = e->mps, ival = e->interval;
	uint8_t p[9] = { 0 }, c[6] = { 6, 0x30, 0, 0, 0, 0 };

	if (other) {
		mps = e->type == SIM_XFER_BULK ? 64 : mps > 64 ? 64 : mps;
		if (e->type == SIM_XFER_INT) {
			unsigned uf = ival ? 1u << (ival - 1 > 15 ? 15 : ival - 1) : 1;

			ival = uf / 8 ? (uf / 8 > 255 ? 255 : uf / 8) : 1;
		}
	}
	p[0] = e->audio ? 9 : 7;
	p[1] = 5;
	p[2] = e->addr;
	p[3] = e->type;
	put16(p + 4, mps);
	p[6] = (uint8_t)ival; /* audio: bRefresh, bSynchAddress 0 */
	if (!put(b, n, p, p[0]))
		return false;
	put16(c + 4, e->type == SIM_XFER_INT ? mps : 0); /* bMaxBurst, bmAttributes 0 */
	if (ss && !put(b, n, c, sizeof(c)))
		return false;
	return put(b, n, e->cs, e->cs_len);
}

/* @other: the high-speed device's full-speed view (OTHER_SPEED_CONFIGURATION).
 * Length, or 0 when the descriptors do not fit SIM_DESC_MAX. */
static size_t build_cfg(const struct sim_dev *d, const struct sim_cfg *cf, bool other,
			uint8_t *b)
{
	bool ss = d->speed == USBIP_SPEED_SUPER && !other;
	size_t n = 9;
	unsigned i, k;

	for (i = 0; i < cf->n_intf; i++) {
		const struct sim_intf *f = &cf->intf[i];
		const struct sim_iad *a = &f->iad;
		uint8_t p[9] = { 9, 4, f->number, f->alt, (uint8_t)f->n_ep, f->cls, f->sub,
				 f->proto, f->istr };
		uint8_t iad[8] = { 8, 0x0b, f->number, a->count, a->cls, a->sub, a->proto,
				   a->istr };

		if (a->present && f->alt == 0 && !put(b, &n, iad, sizeof(iad)))
			return 0;
		if (!put(b, &n, p, sizeof(p)) || !put(b, &n, f->cs, f->cs_len))
			return 0;
		for (k = 0; k < f->n_ep; k++)
			if (!put_ep(&f->ep[k], other, ss, b, &n))
				return 0;
	}
	b[0] = 9;
	b[1] = other ? 7 : 2;
	put16(b + 2, (unsigned)n);
	b[4] = (uint8_t)cf->n_num;
	b[5] = cf->value;
	b[6] = cf->istr;
	b[7] = cf->attributes;
	b[8] = (uint8_t)(ss ? (cf->max_power_ma + 7) / 8 : (cf->max_power_ma + 1) / 2);
	return n;
}

int sim_build(struct sim_dev *d)
{
	uint8_t *p = d->devdesc;
	unsigned i;

	p[0] = 18;
	p[1] = 1;
	put16(p + 2, d->speed == USBIP_SPEED_SUPER ? 0x0320 :
		     d->speed == USBIP_SPEED_HIGH ? 0x0200 : 0x0110);
	p[4] = d->cls;
	p[5] = d->sub;
	p[6] = d->proto;
	p[7] = d->speed == USBIP_SPEED_SUPER ? 9 : 64;
	put16(p + 8, d->idVendor);
	put16(p + 10, d->idProduct);
	put16(p + 12, d->bcdDevice);
	p[14] = d->imanufacturer;
	p[15] = d->iproduct;
	p[16] = d->iserial;
	p[17] = (uint8_t)d->n_cfg;
	for (i = 0; i < d->n_cfg; i++) {
		d->cfg[i].desc_len = build_cfg(d, &d->cfg[i], false, d->cfg[i].desc);
		if (d->speed == USBIP_SPEED_HIGH)
			d->cfg[i].other_len = build_cfg(d, &d->cfg[i], true, d->cfg[i].other);
		if (!d->cfg[i].desc_len || (d->speed == USBIP_SPEED_HIGH && !d->cfg[i].other_len))
			return -(int)d->cfg[i].value;
	}
	return 0;
}

int sim_utf16(const char *s, uint16_t *u, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, left = strlen(s), l;
	uint32_t cp;

	while (left) {
		l = text_utf8_len(p, left);
		if (!l)
			return -1;
		cp = l == 1 ? p[0] : p[0] & (0xff >> (l + 1));
		for (size_t k = 1; k < l; k++)
			cp = cp << 6 | (p[k] & 0x3f);
		if (n + (cp > 0xffff ? 2 : 1) > max)
			return -1;
		if (cp > 0xffff) {
			if (u) {
				u[n] = (uint16_t)(0xd800 | ((cp - 0x10000) >> 10));
				u[n + 1] = (uint16_t)(0xdc00 | ((cp - 0x10000) & 0x3ff));
			}
			n += 2;
		} else {
			if (u)
				u[n] = (uint16_t)cp;
			n++;
		}
		p += l;
		left -= l;
	}
	return (int)n;
}

int sim_string_desc(const struct sim_dev *d, unsigned idx, uint8_t *out, size_t outlen)
{
	uint16_t u[126];
	int n, i;

	if (idx == 0) {
		if (d->n_str <= 1)
			return -1;
		out[0] = 4;
		out[1] = 3;
		put16(out + 2, 0x0409);
		return 4;
	}
	if (idx >= d->n_str || !d->str[idx])
		return -1;
	n = sim_utf16(d->str[idx], u, 126); /* UTF-8 of at most 126 units (checked at load) */
	if (n < 0)
		return -1;
	if ((size_t)(2 + 2 * n) > outlen)
		n = (int)(outlen - 2) / 2;
	out[0] = (uint8_t)(2 + 2 * n);
	out[1] = 3;
	for (i = 0; i < n; i++)
		put16(out + 2 + 2 * i, u[i]);
	return 2 + 2 * n;
}

int sim_qualifier(const struct sim_dev *d, uint8_t *out)
{
	if (d->speed != USBIP_SPEED_HIGH)
		return -1;
	out[0] = 10;
	out[1] = 6;
	put16(out + 2, 0x0200);
	out[4] = d->cls;
	out[5] = d->sub;
	out[6] = d->proto;
	out[7] = 64;
	out[8] = (uint8_t)d->n_cfg;
	out[9] = 0;
	return 10;
}

int sim_bos(const struct sim_dev *d, uint8_t *out, size_t outlen)
{
	static const uint8_t bos[22] = {
		5, 0x0f, 22, 0, 2,
		7, 0x10, 0x02, 0x02, 0, 0, 0,             /* USB 2.0 extension: LPM */
		10, 0x10, 0x03, 0, 0x0e, 0, 0x01, 0x0a, 0xff, 0x07, /* SuperSpeed */
	};

	if (d->speed != USBIP_SPEED_SUPER || outlen < sizeof(bos))
		return -1;
	memcpy(out, bos, sizeof(bos));
	return sizeof(bos);
}

static const char *desc_name(unsigned type)
{
	switch (type) {
	case 0x02: return "configuration";
	case 0x04: return "interface";
	case 0x05: return "endpoint";
	case 0x07: return "other_speed";
	case 0x0b: return "association";
	case 0x21: return "hid";
	case 0x24: return "cs_interface";
	case 0x25: return "cs_endpoint";
	case 0x30: return "ss_companion";
	default: return "descriptor";
	}
}

/* One line for a configuration, then one for each descriptor in it. */
static void print_cfg(const char *what, unsigned value, const uint8_t *b, size_t n, FILE *f)
{
	size_t o, i;

	fprintf(f, "%s %u ", what, value);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
	for (o = 0; o + 2 <= n && b[o] >= 2 && o + b[o] <= n; o += b[o]) {
		fprintf(f, "  %-13s", desc_name(b[o + 1]));
		for (i = 0; i < b[o]; i++)
			fprintf(f, " %02x", b[o + i]);
		fputc('\n', f);
	}
}

void sim_dev_print(const struct sim_dev *d, FILE *f)
{
	unsigned k;

	fprintf(f, "device ");
	for (k = 0; k < 18; k++)
		fprintf(f, "%02x", d->devdesc[k]);
	fputc('\n', f);
	for (k = 0; k < d->n_cfg; k++) {
		print_cfg("config", d->cfg[k].value, d->cfg[k].desc, d->cfg[k].desc_len, f);
		if (d->cfg[k].other_len)
			print_cfg("other_speed", d->cfg[k].value, d->cfg[k].other,
				  d->cfg[k].other_len, f);
	}
}

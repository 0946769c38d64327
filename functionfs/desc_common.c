// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * desc_common.c - see desc_common.h.
 *
 * The speed derivation follows what dummy_hcd's dummy_enable() and real UDCs
 * take when the host enables an endpoint, and what the Linux host's
 * usb_parse_endpoint() would otherwise "fix up" (drivers/usb/core/config.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "functionfs/desc_common.h"

/* usb_ep_autoconfig() picks a UDC endpoint by capability; 0 never names one. */
#define FFS_FS_BULK_DEFAULT	64
#define FFS_HS_BULK		512
#define FFS_SS_BULK		1024
#define FFS_FS_INT_MAX		64
#define FFS_FS_ISO_MAX		1023

int desc_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EOPNOTSUPP;
}

bool desc_periodic_mps_bad(const struct usb_desc_endpoint *ep)
{
	uint16_t raw = ep->wMaxPacketSize;

	if (xfer(ep) != USB_ENDPOINT_XFER_INT && xfer(ep) != USB_ENDPOINT_XFER_ISOC)
		return false;
	return (raw & 0x7ff) > 1024 || (raw & 0xe000) || ((raw >> 11) & 3) == 3;
}

int desc_check_ep(const struct usb_desc_endpoint *ep, const char *who, bool udc_has_iso,
		  char *err, size_t errlen)
{
	if (xfer(ep) == USB_ENDPOINT_XFER_CONTROL)
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x is a control endpoint: a UDC offers no control endpoint besides ep0",
				   who, ep->bEndpointAddress);
	if (xfer(ep) == USB_ENDPOINT_XFER_ISOC && !udc_has_iso)
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x is isochronous: the UDC has no isochronous endpoints",
				   who, ep->bEndpointAddress);
	/*
	 * USB 2.0 9.6.6: a periodic endpoint moves at most 1024 bytes per packet,
	 * bits 15:13 are reserved and 3 additional transactions do not exist.
	 * FunctionFS's bind would pass (autoconfig sees the capped full-speed
	 * descriptor), GadgetFS takes any blob, but the UDC's ep_enable() refuses
	 * it (dummy_enable(): -EINVAL) when the endpoint is enabled: refuse it
	 * here, with a reason.
	 */
	if (desc_periodic_mps_bad(ep))
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x has wMaxPacketSize 0x%04x: more than 1024 bytes or reserved bits set (USB 2.0 9.6.6), which no UDC accepts",
				   who, ep->bEndpointAddress, ep->wMaxPacketSize);
	return 0;
}

static unsigned int clamp_u(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Interrupt, FS ms -> HS/SS exponent: largest b in 1..16 with 2^(b-1) <= ms * 8. */
static uint8_t int_ms_to_exp(uint8_t ms)
{
	unsigned int uframes = clamp_u(ms, 1, 255) * 8;
	unsigned int b = 1;

	while (b < 16 && (1u << b) <= uframes)
		b++;
	return b;
}

/* Interrupt, HS/SS exponent -> FS ms: 2^(b-1) microframes / 8, in 1..255. */
static uint8_t int_exp_to_ms(uint8_t b)
{
	return clamp_u((1u << (clamp_u(b, 1, 16) - 1)) / 8, 1, 255);
}

static bool fs_bulk_ok(unsigned int mps)
{
	return mps == 8 || mps == 16 || mps == 32 || mps == 64;
}

/*
 * @ep at the remote's speed @rs; @oep is the same endpoint in the other-speed
 * configuration (speed @os), or NULL. Bulk sizes are what dummy_enable() and
 * real UDCs take: 8/16/32/64 at FS, exactly 512 at HS, 1024 at SS.
 */
void desc_derive_ep(const struct usb_desc_endpoint *ep, enum ffs_speed rs,
		    const struct usb_desc_endpoint *oep, enum ffs_speed os,
		    struct desc_ep_vals *v)
{
	unsigned int m = ep->wMaxPacketSize & USB_ENDPOINT_MAXP_MASK;
	unsigned int b = ep->bInterval;
	bool intr = xfer(ep) == USB_ENDPOINT_XFER_INT;
	unsigned int fs_max = intr ? FFS_FS_INT_MAX : FFS_FS_ISO_MAX;
	int t;

	for (t = 0; t < FFS_SPEED_COUNT; t++) {
		const struct usb_desc_endpoint *src = NULL;
		unsigned int w, iv;

		if ((enum ffs_speed)t == rs)
			src = ep;
		else if (oep && (enum ffs_speed)t == os)
			src = oep;

		switch (xfer(ep)) {
		case USB_ENDPOINT_XFER_BULK:
			if (t == FFS_SPEED_FS) {
				w = src ? src->wMaxPacketSize & USB_ENDPOINT_MAXP_MASK : 0;
				if (!fs_bulk_ok(w))
					w = FFS_FS_BULK_DEFAULT;
			} else {
				w = t == FFS_SPEED_HS ? FFS_HS_BULK : FFS_SS_BULK;
			}
			/* bInterval is the HS OUT NAK rate, meaningless elsewhere */
			iv = src ? src->bInterval : 0;
			break;
		default: /* periodic: interrupt ms or iso 2^(b-1) frames at FS, 2^(b-1) uframes at HS/SS */
			if (src) {
				w = src->wMaxPacketSize;
				iv = src->bInterval;
				if (t != FFS_SPEED_HS)
					w &= USB_ENDPOINT_MAXP_MASK;
				if (t == FFS_SPEED_FS && w > fs_max)
					w = fs_max;
			} else if (t == FFS_SPEED_FS) {
				w = m < fs_max ? m : fs_max;
				iv = intr ? int_exp_to_ms(b) : clamp_u(b, 4, 19) - 3;
			} else {
				w = m;
				if (rs != FFS_SPEED_FS)
					iv = clamp_u(b, 1, 16);
				else
					iv = intr ? int_ms_to_exp(b) : clamp_u(b + 3, 1, 16);
			}
			break;
		}
		/*
		 * A period of 0 (or past 255 ms / 2^15 microframes) is not one; the
		 * host would "fix" it in usb_parse_endpoint(). Write a valid one.
		 */
		if (xfer(ep) == USB_ENDPOINT_XFER_INT && t == FFS_SPEED_FS)
			iv = clamp_u(iv, 1, 255);
		else if (xfer(ep) != USB_ENDPOINT_XFER_BULK)
			iv = clamp_u(iv, 1, 16);
		v->wmps[t] = w;
		v->interval[t] = iv;
	}

	if (rs == FFS_SPEED_SS && ep->has_ss_comp) {
		v->burst = ep->ss_bMaxBurst;
		v->ss_attr = ep->ss_bmAttributes;
		v->bpi = ep->ss_wBytesPerInterval;
	} else {
		/* one packet per service interval: the bandwidth the remote itself asks */
		v->burst = 0;
		v->ss_attr = 0;
		v->bpi = xfer(ep) == USB_ENDPOINT_XFER_BULK ? 0 :
			 v->wmps[FFS_SPEED_SS] & USB_ENDPOINT_MAXP_MASK;
	}
}

/*
 * The other-speed view is usable only when it has the same endpoints, in order,
 * and its periodic packet sizes are valid (the checks see only @a; fuzzer
 * finding "other-speed-mps": 0x2108 from it reached the HS descriptors).
 */
static bool same_shape(const struct usb_desc_config *a, const struct usb_desc_config *b)
{
	unsigned int i, j;

	if (n_intf(a) != n_intf(b))
		return false;
	for (i = 0; i < n_intf(a); i++) {
		const struct usb_desc_interface *x = &a->intf[i], *y = &b->intf[i];

		if (x->bInterfaceNumber != y->bInterfaceNumber ||
		    x->bAlternateSetting != y->bAlternateSetting || n_ep(x) != n_ep(y))
			return false;
		for (j = 0; j < n_ep(x); j++) {
			if (x->ep[j].bEndpointAddress != y->ep[j].bEndpointAddress ||
			    xfer(&x->ep[j]) != xfer(&y->ep[j]))
				return false;
			if (desc_periodic_mps_bad(&y->ep[j]))
				return false;
		}
	}
	return true;
}


const struct usb_desc_config *desc_other_view(const struct usb_desc_config *cfg, int speed,
					      const struct usb_desc_config *other,
					      enum ffs_speed *os)
{
	if (!other || (speed != USB_DESC_SPEED_HIGH && speed != USB_DESC_SPEED_FULL) ||
	    !same_shape(cfg, other))
		return NULL;
	*os = speed == USB_DESC_SPEED_HIGH ? FFS_SPEED_FS : FFS_SPEED_HS;
	return other;
}

void desc_map_ep(struct ffs_ep_info *info, const struct usb_desc_endpoint *ep,
		 const struct desc_ep_vals *v)
{
	int t;

	info->remote_addr = ep->bEndpointAddress;
	info->type = xfer(ep);
	info->remote_mps = ep->wMaxPacketSize & USB_ENDPOINT_MAXP_MASK;
	info->remote_interval = ep->bInterval;
	for (t = 0; t < FFS_SPEED_COUNT; t++) {
		info->mps[t] = v->wmps[t] & USB_ENDPOINT_MAXP_MASK;
		info->interval[t] = v->interval[t];
	}
}

void desc_put_ep(struct blob *b, const struct usb_desc_endpoint *ep,
		 const struct desc_ep_vals *v, enum ffs_speed t)
{
	bool audio = ep->bLength == USB_DT_ENDPOINT_AUDIO_SIZE;

	put_u8(b, audio ? USB_DT_ENDPOINT_AUDIO_SIZE : USB_DT_ENDPOINT_SIZE);
	put_u8(b, USB_DT_ENDPOINT);
	put_u8(b, ep->bEndpointAddress);
	put_u8(b, ep->bmAttributes);
	put_le16(b, v->wmps[t]);
	put_u8(b, v->interval[t]);
	if (audio) {
		put_u8(b, ep->bRefresh);
		put_u8(b, ep->bSynchAddress);
	}
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_gfs_desc.c - the descriptor parser (functionfs/usb_desc.c) and the
 * GadgetFS builder (functionfs/gfs_desc.c) the way the GadgetFS backend chains
 * them: usb_desc_parse_device/_config -> gfs_desc_check -> gfs_config_build at
 * every speed -> gfs_ep_config for every endpoint.
 *
 * Input: the layout of fuzz_ffs_desc.c, so that either corpus feeds both:
 * an options byte, then sections separated by the 4 bytes SEP:
 *   [0]  bits 0-2  ignored (every speed is tried)
 *        bit 3     the UDC has isochronous endpoints
 *        bits 4-5  max_eps: 0 (the default 30), 1, 4, 64 (capped at 30)
 *        bit 6     write each configuration's length into its wTotalLength
 *                  first (so that mutations reach past the length check)
 *        bit 7     also probe: short and NULL buffers, NULL @o and @err
 *   section 0  DEVICE descriptor (a fixed one is used when it does not parse)
 *   section 1  CONFIGURATION descriptor set (wTotalLength bytes)
 *   section 2  OTHER_SPEED_CONFIGURATION set, or empty
 *   further sections are ignored (fuzz_ffs_desc's strings).
 *
 * Invariants: the check does not depend on the speed and gives a sentence
 * exactly when it refuses; the build refuses exactly what the check refuses;
 * a built write passes an independent walk after dev_config() and
 * is_valid_config() (tag 0, each configuration header valid and at most
 * GFS_CTRL_MAX bytes, descriptors that tile it exactly, no SuperSpeed
 * companions, the HS blob exactly when the speed is high or above and equal
 * to the FS blob but for wMaxPacketSize and bInterval, the device descriptor
 * last with bcdUSB 0x0200 and one configuration), carries the model's
 * descriptors and nothing else, and agrees with the layout and map, whose
 * endpoint descriptors a UDC's ep_enable() takes; the endpoint-file writes
 * are tag 1 plus those descriptors; the builder writes exactly what fits and
 * says -ENOSPC otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/usb/ch9.h>

#include "functionfs/gfs_desc.h"
#include "functionfs/usb_desc.h"
#include "tests/fuzz/fuzz.h"

#define SEP "\xfe\xfdGD"
#define SEP_LEN 4
#define OUT_CAP 1024 /* tag + 2 x GFS_CTRL_MAX + device = 534 at most */
#define WRITE_MAX (4 + 2 * GFS_CTRL_MAX + USB_DT_DEVICE_SIZE)

static const int SPEEDS[] = {
	USB_DESC_SPEED_LOW, USB_DESC_SPEED_FULL, USB_DESC_SPEED_HIGH, USB_DESC_SPEED_SUPER,
	USB_DESC_SPEED_SUPER_PLUS, 0 /* unknown */, 4 /* wireless */,
};
static const unsigned MAX_EPS[4] = { 0, 1, 4, 64 };

static uint8_t out[OUT_CAP];

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The @k-th section of @data (0 from the start), or false when there are fewer. */
static bool section(const uint8_t *data, size_t size, unsigned k, const uint8_t **p, size_t *n)
{
	const uint8_t *end = data + size, *sep;

	for (;;) {
		sep = memmem(data, (size_t)(end - data), SEP, SEP_LEN);
		if (!k--)
			break;
		if (!sep)
			return false;
		data = sep + SEP_LEN;
	}
	*p = data;
	*n = sep ? (size_t)(sep - data) : (size_t)(end - data);
	return true;
}

static struct usb_desc_config *parse_config(const uint8_t *p, size_t n, bool fixup)
{
	struct usb_desc_config *cfg = malloc(sizeof(*cfg));
	uint8_t *buf = malloc(n ? n : 1);
	int rc;

	if (!cfg || !buf)
		abort();
	memcpy(buf, p, n);
	if (fixup && n >= 4 && n <= 0xffff) {
		buf[2] = (uint8_t)n;
		buf[3] = (uint8_t)(n >> 8);
	}
	rc = usb_desc_parse_config(buf, n, cfg, NULL);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	free(buf);
	if (rc) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

/* What gfs_config_build() writes of @cfg: 9 + every descriptor but SS-only ones. */
static size_t model_len(const struct usb_desc_config *cfg)
{
	size_t n = USB_DT_CONFIG_SIZE + cfg->extra.len + 8u * cfg->n_iad;
	const uint8_t *d;

	for (unsigned i = 0; i < cfg->n_intf; i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];

		n += USB_DT_INTERFACE_SIZE + in->extra.len;
		for (unsigned j = 0; j < in->n_ep; j++) {
			n += in->ep[j].bLength;
			usb_desc_for_each_extra(d, cfg, &in->ep[j].extra)
				if (d[1] != USB_DT_SSP_ISOC_ENDPOINT_COMP)
					n += d[0];
		}
	}
	return n;
}

/* a UDC's ep_enable() (dummy_hcd's dummy_enable()) on what the endpoint file gets */
static void check_ep_desc(const uint8_t *d, bool hs)
{
	uint16_t raw = le16(d + 4), mps = raw & USB_ENDPOINT_MAXP_MASK;
	uint8_t type = d[3] & USB_ENDPOINT_XFERTYPE_MASK, iv = d[6];

	FUZZ_CHECK(d[0] == USB_DT_ENDPOINT_SIZE && d[1] == USB_DT_ENDPOINT);
	FUZZ_CHECK(d[2] & USB_ENDPOINT_NUMBER_MASK);
	FUZZ_CHECK(type != USB_ENDPOINT_XFER_CONTROL);
	if (type == USB_ENDPOINT_XFER_BULK) {
		if (!hs)
			FUZZ_CHECKF(mps == 8 || mps == 16 || mps == 32 || mps == 64, "FS bulk %u", mps);
		else
			FUZZ_CHECKF(mps == 512, "HS bulk %u", mps);
	} else if (!hs) {
		FUZZ_CHECKF(mps <= (type == USB_ENDPOINT_XFER_INT ? 64 : 1023), "FS 0x%04x", raw);
		FUZZ_CHECK(iv >= 1 && (type == USB_ENDPOINT_XFER_INT || iv <= 16));
	} else {
		FUZZ_CHECKF(mps <= 1024 && !(raw & 0xe000) && ((raw >> 11) & 3) != 3,
			    "HS periodic 0x%04x", raw);
		FUZZ_CHECK(iv >= 1 && iv <= 16);
	}
	if (!hs) /* additional transactions exist at high speed only */
		FUZZ_CHECK((raw & ~USB_ENDPOINT_MAXP_MASK) == 0);
}

/*
 * One configuration blob at @b, as is_valid_config() and a host read it,
 * against the layout; @fs is the FS blob when @b is the HS one.
 */
static size_t walk_config(const uint8_t *b, size_t room, const struct gfs_layout *lay,
			  const struct usb_desc_config *cfg, const uint8_t *fs)
{
	size_t total, off = USB_DT_CONFIG_SIZE;
	unsigned e = 0, n_intf = 0, n_iad = 0;
	int intf = -1, alt = -1;
	bool of_ep = false; /* after an endpoint, before the next interface or IAD */

	FUZZ_CHECK(room >= USB_DT_CONFIG_SIZE);
	FUZZ_CHECK(b[0] == USB_DT_CONFIG_SIZE && b[1] == USB_DT_CONFIG);
	total = le16(b + 2);
	FUZZ_CHECKF(total >= USB_DT_CONFIG_SIZE && total <= GFS_CTRL_MAX && total <= room,
		    "wTotalLength %zu", total);
	FUZZ_CHECK(total == lay->wTotalLength && total == model_len(cfg));
	FUZZ_CHECK(b[4] == cfg->bNumInterfaces);
	FUZZ_CHECK(b[5] != 0 && b[5] == lay->bConfigurationValue);
	FUZZ_CHECK(!cfg->bConfigurationValue || b[5] == cfg->bConfigurationValue);
	FUZZ_CHECK(b[6] == cfg->iConfiguration);
	FUZZ_CHECK((b[7] & USB_CONFIG_ATT_ONE) && !(b[7] & USB_CONFIG_ATT_WAKEUP));
	FUZZ_CHECK((b[7] & 0x5f) == (cfg->bmAttributes & 0x5f));
	FUZZ_CHECK(b[8] <= 250 || b[8] == cfg->bMaxPower);

	while (off < total) {
		const uint8_t *p = b + off;

		FUZZ_CHECK(total - off >= 2);
		FUZZ_CHECK(p[0] >= 2 && p[0] <= total - off);
		FUZZ_CHECK(p[1] != USB_DT_SS_ENDPOINT_COMP);
		FUZZ_CHECK(!of_ep || p[1] != USB_DT_SSP_ISOC_ENDPOINT_COMP);
		if (p[1] == USB_DT_INTERFACE && p[0] == USB_DT_INTERFACE_SIZE) {
			const struct usb_desc_interface *in = &cfg->intf[n_intf];

			FUZZ_CHECK(n_intf < cfg->n_intf);
			FUZZ_CHECK(p[2] == in->bInterfaceNumber && p[3] == in->bAlternateSetting &&
				   p[4] == in->n_ep && p[5] == in->bInterfaceClass &&
				   p[8] == in->iInterface);
			intf = p[2];
			alt = p[3];
			n_intf++;
			of_ep = false;
		} else if (p[1] == USB_DT_ENDPOINT &&
			   (p[0] == USB_DT_ENDPOINT_SIZE || p[0] == USB_DT_ENDPOINT_AUDIO_SIZE)) {
			const struct gfs_ep *g = &lay->ep[e];
			uint8_t d7[USB_DT_ENDPOINT_SIZE];

			FUZZ_CHECK(e < lay->n_ep && intf >= 0);
			FUZZ_CHECK(g->bInterfaceNumber == intf && g->bAlternateSetting == alt);
			FUZZ_CHECK(g->bEndpointAddress == p[2]);
			FUZZ_CHECK(g->type == (p[3] & USB_ENDPOINT_XFERTYPE_MASK));
			memcpy(d7, p, sizeof(d7));
			d7[0] = USB_DT_ENDPOINT_SIZE;
			FUZZ_CHECK(!memcmp(d7, fs ? g->hs : g->fs, sizeof(d7)));
			check_ep_desc(d7, fs != NULL);
			e++;
			of_ep = true;
		} else if (p[1] == USB_DT_INTERFACE_ASSOCIATION && p[0] == 8) {
			n_iad++;
			of_ep = false;
		}
		/* the HS blob differs only in wMaxPacketSize and bInterval */
		if (fs && p[1] == USB_DT_ENDPOINT && p[0] >= USB_DT_ENDPOINT_SIZE)
			FUZZ_CHECK(!memcmp(p, fs + off, 4) && !memcmp(p + 7, fs + off + 7, p[0] - 7u));
		else if (fs)
			FUZZ_CHECK(!memcmp(p, fs + off, p[0]));
		off += p[0];
	}
	FUZZ_CHECKF(off == total, "walk ends at %zu of %zu", off, total);
	FUZZ_CHECK(e == lay->n_ep && n_intf == cfg->n_intf && n_iad >= cfg->n_iad);
	if (fs)
		FUZZ_CHECK(!memcmp(b, fs, USB_DT_CONFIG_SIZE));
	return total;
}

/* dev_config(): tag 0, FS, HS when present (byte [1] == 2), 18-byte device last */
static void walk_write(const uint8_t *b, size_t len, const struct gfs_layout *lay,
		       const struct usb_desc_config *cfg, const struct usb_desc_device *dev,
		       bool hs)
{
	const uint8_t *d = b + len - USB_DT_DEVICE_SIZE;
	size_t off = 4, t;

	FUZZ_CHECK(len >= 4 + USB_DT_CONFIG_SIZE + USB_DT_DEVICE_SIZE && len <= WRITE_MAX);
	FUZZ_CHECK(!b[0] && !b[1] && !b[2] && !b[3]);
	t = walk_config(b + off, len - off - USB_DT_DEVICE_SIZE, lay, cfg, NULL);
	off += t;
	FUZZ_CHECK(hs == (b[off + 1] == USB_DT_CONFIG) && hs == lay->has_hs);
	if (hs)
		off += walk_config(b + off, len - off - USB_DT_DEVICE_SIZE, lay, cfg, b + 4);
	FUZZ_CHECKF(off + USB_DT_DEVICE_SIZE == len, "device at %zu of %zu", off, len);

	FUZZ_CHECK(d[0] == USB_DT_DEVICE_SIZE && d[1] == USB_DT_DEVICE);
	FUZZ_CHECK(le16(d + 2) == 0x0200 && d[17] == 1);
	FUZZ_CHECK(d[7] == 8 || d[7] == 16 || d[7] == 32 || d[7] == 64);
	FUZZ_CHECK(d[4] == dev->bDeviceClass && d[5] == dev->bDeviceSubClass &&
		   d[6] == dev->bDeviceProtocol);
	FUZZ_CHECK(le16(d + 8) == dev->idVendor && le16(d + 10) == dev->idProduct &&
		   le16(d + 12) == dev->bcdDevice);
	FUZZ_CHECK(d[14] == dev->iManufacturer && d[15] == dev->iProduct &&
		   d[16] == dev->iSerialNumber);
}

/* The layout as the relay and the endpoint files see it. */
static void check_layout(const struct gfs_layout *lay, unsigned max_eps)
{
	uint8_t w[GFS_EP_CONFIG_MAX];
	unsigned hi = 0;

	FUZZ_CHECK(lay->n_ep <= GFS_MAX_EPS && lay->n_ep <= max_eps);
	FUZZ_CHECK(lay->map.n_ep == lay->n_ep);
	for (unsigned i = 0; i < lay->n_ep; i++) {
		const struct gfs_ep *g = &lay->ep[i];
		const struct ffs_ep_info *m = &lay->map.ep[i];

		FUZZ_CHECK(m->remote_addr == g->bEndpointAddress && m->type == g->type);
		FUZZ_CHECK(m->intf_index == g->bInterfaceNumber && m->alt == g->bAlternateSetting);
		FUZZ_CHECK(m->mps[FFS_SPEED_FS] == (le16(g->fs + 4) & USB_ENDPOINT_MAXP_MASK));
		FUZZ_CHECK(m->interval[FFS_SPEED_FS] == g->fs[6]);
		if (g->has_hs) {
			FUZZ_CHECK(m->mps[FFS_SPEED_HS] == (le16(g->hs + 4) & USB_ENDPOINT_MAXP_MASK));
			FUZZ_CHECK(m->interval[FFS_SPEED_HS] == g->hs[6]);
		}
		FUZZ_CHECK(g->bInterfaceNumber < GFS_MAX_INTF);
		if (g->bInterfaceNumber >= hi)
			hi = g->bInterfaceNumber + 1u;
		/* one endpoint file: one interface; once per alt setting */
		for (unsigned k = 0; k < i; k++) {
			const struct gfs_ep *o = &lay->ep[k];

			if (o->bEndpointAddress != g->bEndpointAddress)
				continue;
			FUZZ_CHECK(o->bInterfaceNumber == g->bInterfaceNumber);
			FUZZ_CHECK(o->bAlternateSetting != g->bAlternateSetting);
		}
		FUZZ_CHECK(gfs_ep_config(lay, i, w) == (g->has_hs ? 18u : 11u));
		FUZZ_CHECK(w[0] + w[1] + w[2] + w[3] == 1);
		FUZZ_CHECK(!memcmp(w + 4, g->fs, 7) && (!g->has_hs || !memcmp(w + 11, g->hs, 7)));
	}
	FUZZ_CHECK(gfs_ep_config(lay, lay->n_ep, w) == 0);
	FUZZ_CHECK(lay->map.n_intf >= hi && lay->map.n_intf <= GFS_MAX_INTF);
	for (unsigned k = 0; k < lay->map.n_intf; k++)
		FUZZ_CHECK(lay->map.intf_remote[k] == k);
}

static void build_at(const struct usb_desc_config *cfg, const struct usb_desc_config *other,
		     const struct usb_desc_device *dev, int speed, const struct gfs_desc_opts *o,
		     int rc, bool probe)
{
	bool hs = speed != USB_DESC_SPEED_LOW && speed != USB_DESC_SPEED_FULL;
	struct gfs_layout lay, lay2;
	ssize_t len, r;
	uint8_t *exact;

	len = gfs_config_build(cfg, dev, speed, other, o, out, sizeof(out), &lay);
	if (rc) {
		FUZZ_CHECKF(len == rc, "check gave %d, build %zd", rc, len);
		return;
	}
	FUZZ_CHECKF(len > 0, "check accepted, build gave %zd", len);
	walk_write(out, (size_t)len, &lay, cfg, dev, hs);
	check_layout(&lay, o->max_eps && o->max_eps < GFS_MAX_EPS ? o->max_eps : GFS_MAX_EPS);

	/* exactly the size: the same bytes and layout; one byte less: -ENOSPC */
	exact = malloc((size_t)len);
	if (!exact)
		abort();
	r = gfs_config_build(cfg, dev, speed, other, o, exact, (size_t)len, &lay2);
	FUZZ_CHECK(r == len && !memcmp(exact, out, (size_t)len));
	FUZZ_CHECK(!memcmp(&lay, &lay2, sizeof(lay)));
	FUZZ_CHECK(gfs_config_build(cfg, dev, speed, other, o, exact, (size_t)len - 1, NULL) ==
		   -ENOSPC);
	free(exact);
	if (probe) {
		FUZZ_CHECK(gfs_config_build(cfg, dev, speed, other, o, NULL, 0, NULL) == -ENOSPC);
		FUZZ_CHECK(gfs_config_build(cfg, NULL, speed, other, o, out, sizeof(out), NULL) ==
			   -EINVAL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct usb_desc_device fallback = { .bcdUSB = 0x0200, .bMaxPacketSize0 = 64,
							 .bNumConfigurations = 1 };
	struct usb_desc_config *cfg = NULL, *other = NULL;
	struct usb_desc_device dev = fallback;
	struct gfs_desc_opts o;
	char err[256], small[12];
	const uint8_t *p;
	bool fixup, probe;
	int rc = 0;
	size_t n;

	if (size < 1)
		return 0;
	fixup = data[0] & 0x40;
	probe = data[0] & 0x80;
	memset(&o, 0, sizeof(o));
	o.udc_has_iso = data[0] & 0x08;
	o.max_eps = MAX_EPS[(data[0] >> 4) & 3];
	data++;
	size--;

	if (section(data, size, 0, &p, &n) && usb_desc_parse_device(p, n, &dev, NULL))
		dev = fallback;
	if (section(data, size, 1, &p, &n))
		cfg = parse_config(p, n, fixup);
	if (cfg && section(data, size, 2, &p, &n) && n)
		other = parse_config(p, n, fixup);

	for (unsigned s = 0; cfg && s < sizeof(SPEEDS) / sizeof(SPEEDS[0]); s++) {
		int r = gfs_desc_check(cfg, SPEEDS[s], &o, err, sizeof(err));

		FUZZ_CHECK(r == 0 || r == -EOPNOTSUPP);
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
		FUZZ_CHECK(!r == !err[0]);
		FUZZ_CHECKF(!s || r == rc, "speed %d: %d, speed %d: %d", SPEEDS[s], r, SPEEDS[0], rc);
		rc = r;
		if (probe) {
			size_t elen = 1 + cfg->n_intf % sizeof(small);

			FUZZ_CHECK(gfs_desc_check(cfg, SPEEDS[s], &o, small, elen) == r);
			FUZZ_CHECK(memchr(small, '\0', elen) && !strncmp(small, err, strlen(small)));
			FUZZ_CHECK(gfs_desc_check(cfg, SPEEDS[s], &o, NULL, 0) == r);
		}
		build_at(cfg, other, &dev, SPEEDS[s], &o, r, probe);
	}
	if (probe && cfg && !o.udc_has_iso && !o.max_eps) {
		FUZZ_CHECK(gfs_desc_check(cfg, USB_DESC_SPEED_HIGH, NULL, NULL, 0) == rc);
		FUZZ_CHECK(gfs_config_build(cfg, &dev, USB_DESC_SPEED_HIGH, other, NULL, out,
					    sizeof(out), NULL) == (rc ? rc : (ssize_t)
					    gfs_config_build(cfg, &dev, USB_DESC_SPEED_HIGH, other,
							     &o, out, sizeof(out), NULL)));
	}
	FUZZ_CHECK(gfs_desc_check(NULL, USB_DESC_SPEED_HIGH, &o, NULL, 0) == -EINVAL);

	free(other);
	free(cfg);
	return 0;
}

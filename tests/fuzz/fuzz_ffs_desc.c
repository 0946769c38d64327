// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ffs_desc.c - the descriptor parser (functionfs/usb_desc.c) and the
 * FunctionFS blob builder (functionfs/ffs_desc.c) the way gadgetd chains them:
 * usb_desc_parse_device/_config/_langids/_string -> ffs_desc_check ->
 * ffs_desc_build -> ffs_strings_build.
 *
 * Input: an options byte, then sections separated by the 4 bytes SEP:
 *   [0]  bits 0-2  speed of the remote: SPEEDS[bits]
 *        bit 3     the UDC has isochronous endpoints
 *        bit 4     FUNCTIONFS_EVENTFD in the flags (eventfd 7)
 *        bit 5     FUNCTIONFS_ALL_CTRL_RECIP in the flags (what gadgetd sets)
 *        bit 6     write each configuration's length into its wTotalLength
 *                  first (so that mutations reach past the length check)
 *        bit 7     also probe: small and NULL buffers, NULL @err, MS OS flag
 *   section 0  DEVICE descriptor
 *   section 1  CONFIGURATION descriptor set (wTotalLength bytes)
 *   section 2  OTHER_SPEED_CONFIGURATION set, or empty
 *   section 3  STRING descriptor 0 (LANGIDs)
 *   section 4+ [string index][language slot][STRING descriptor]
 *
 * Every section is parsed from an exactly sized heap copy.
 *
 * Invariants: the model accounts for every byte of wTotalLength and its extra
 * runs are consistent; a STRING descriptor never gives -ENOSPC into
 * USB_DESC_STRING_UTF8_MAX bytes and always gives valid UTF-8; a too small
 * buffer gets a NUL-terminated prefix; ffs_desc_build() refuses exactly what
 * ffs_desc_check() refuses; a built blob passes an independent walk after
 * f_fs.c's __ffs_data_got_descs() / ffs_do_single_desc() /
 * __ffs_data_do_entity() (header length = blob length, counts match, the same
 * endpoint addresses per speed, every SS endpoint followed by its companion,
 * the packet sizes and intervals a UDC takes) and agrees with the model and
 * the map; the strings blob passes a walk after __ffs_data_got_strings(); both
 * builders write exactly what fits and say -ENOSPC otherwise.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/usb_desc.h"
#include "tests/fuzz/fuzz.h"

#define SEP "\xfe\xfdGD"
#define SEP_LEN 4
#define MAX_SECT (4 + 96)
#define BLOB_CAP (128 * 1024) /* never -ENOSPC: 3 speeds of at most 32 KB of extras */
#define STR_CAP (64 * 1024)   /* 8 languages x 64 strings x 127 bytes */
#define EVENTFD_VALUE 7

static const int SPEEDS[8] = {
	USB_DESC_SPEED_LOW, USB_DESC_SPEED_FULL, USB_DESC_SPEED_HIGH, USB_DESC_SPEED_SUPER,
	USB_DESC_SPEED_SUPER_PLUS, 0 /* unknown */, 4 /* wireless */, USB_DESC_SPEED_HIGH,
};

static uint8_t blob[BLOB_CAP], sblob[STR_CAP];

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the model ---- */

/* A run of extras: as many descriptors as it says, as many bytes, same by index. */
static size_t check_run(const struct usb_desc_config *cfg, const struct usb_desc_extras *x)
{
	const uint8_t *d;
	size_t bytes = 0;
	unsigned n = 0;

	usb_desc_for_each_extra(d, cfg, x) {
		FUZZ_CHECK(d >= cfg->extra_pool);
		FUZZ_CHECK(d + d[0] <= cfg->extra_pool + cfg->extra_used);
		FUZZ_CHECK(d[0] >= 2);
		FUZZ_CHECK(usb_desc_extra(cfg, x, n) == d);
		bytes += d[0];
		n++;
	}
	FUZZ_CHECKF(n == x->n, "run has %u descriptors, says %u", n, x->n);
	FUZZ_CHECKF(bytes == x->len, "run has %zu bytes, says %u", bytes, x->len);
	FUZZ_CHECK(usb_desc_extra(cfg, x, n) == NULL);
	return bytes;
}

static void check_model(const struct usb_desc_config *cfg, size_t total)
{
	size_t bytes = 9, extra = 0;
	unsigned i, j;

	FUZZ_CHECK(cfg->wTotalLength == total);
	FUZZ_CHECK(cfg->n_intf <= USB_DESC_MAX_INTF);
	FUZZ_CHECK(cfg->n_iad <= USB_DESC_MAX_IAD);
	FUZZ_CHECK(cfg->extra_used <= sizeof(cfg->extra_pool));
	extra += check_run(cfg, &cfg->extra);
	for (i = 0; i < cfg->n_iad; i++)
		FUZZ_CHECK(cfg->iad[i].before_intf < cfg->n_intf);
	bytes += 8 * cfg->n_iad;
	for (i = 0; i < cfg->n_intf; i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];
		const struct usb_desc_interface *f;

		FUZZ_CHECK(in->n_ep <= USB_DESC_MAX_EP);
		f = usb_desc_find_intf(cfg, in->bInterfaceNumber, in->bAlternateSetting);
		FUZZ_CHECK(f && f <= in && f->bInterfaceNumber == in->bInterfaceNumber &&
			   f->bAlternateSetting == in->bAlternateSetting);
		bytes += 9;
		extra += check_run(cfg, &in->extra);
		for (j = 0; j < in->n_ep; j++) {
			const struct usb_desc_endpoint *ep = &in->ep[j];

			FUZZ_CHECK(ep->bLength == 7 || ep->bLength == 9);
			FUZZ_CHECK(ep->bEndpointAddress & USB_ENDPOINT_NUMBER_MASK);
			bytes += ep->bLength + (ep->has_ss_comp ? 6 : 0);
			extra += check_run(cfg, &ep->extra);
		}
	}
	/* every extra byte belongs to exactly one run */
	FUZZ_CHECKF(extra == cfg->extra_used, "runs hold %zu bytes, pool %u", extra,
		    cfg->extra_used);
	FUZZ_CHECKF(bytes + extra == total, "model accounts for %zu of %zu bytes", bytes + extra,
		    total);
}

/* ---- strings ---- */

/* strict UTF-8, no NUL, no surrogates, at most U+10FFFF */
static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned cp, k, m;

		if (u[i] == 0)
			return false;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			k = 1, cp = u[i] & 0x1f;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			k = 2, cp = u[i] & 0x0f;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			k = 3, cp = u[i] & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (m = 1; m <= k; m++) {
			if ((u[i + m] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i + m] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static void parse_string(struct usb_desc_strings *strs, const uint8_t *sec, size_t len, bool probe)
{
	char *text = malloc(USB_DESC_STRING_UTF8_MAX), *small;
	struct usb_desc_err err;
	size_t small_len;
	int rc, rc2;

	if (!text)
		abort();
	memset(&err, 0, sizeof(err));
	rc = usb_desc_parse_string(sec + 2, len - 2, text, USB_DESC_STRING_UTF8_MAX, &err);
	FUZZ_CHECKF(rc >= 0 || rc == -EINVAL, "rc %d", rc); /* never -ENOSPC at this size */
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	if (rc >= 0) {
		FUZZ_CHECK(strlen(text) == (size_t)rc);
		FUZZ_CHECK(utf8_valid(text, (size_t)rc));
	}

	/* a buffer of 1..16 bytes: the whole characters that fit, NUL-terminated */
	if (probe) {
		small_len = 1 + (sec[1] >> 4);
		small = malloc(small_len);
		if (!small)
			abort();
		rc2 = usb_desc_parse_string(sec + 2, len - 2, small, small_len, NULL);
		if (rc < 0) {
			FUZZ_CHECK(rc2 == rc);
		} else if ((size_t)rc < small_len) {
			FUZZ_CHECK(rc2 == rc && !strcmp(small, text));
		} else {
			FUZZ_CHECK(rc2 == -ENOSPC);
			FUZZ_CHECK(memchr(small, '\0', small_len));
			FUZZ_CHECK(!strncmp(small, text, strlen(small)));
			FUZZ_CHECK(utf8_valid(small, strlen(small)));
			/* nothing more would have fitted: the next character is longer */
			{
				size_t sl = strlen(small);
				unsigned char c = (unsigned char)text[sl];
				size_t cl = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

				FUZZ_CHECK(sl < (size_t)rc);
				FUZZ_CHECKF(sl + cl + 1 > small_len, "%zu + %zu bytes fit in %zu",
					    sl, cl, small_len);
			}
		}
		free(small);
	}

	/* stored the way gadgetd/describe.c does: index >= 1, per language */
	if (rc >= 0 && strs->n_lang && sec[0]) {
		unsigned l = sec[1] % strs->n_lang;

		free(strs->text[l][sec[0]]);
		strs->text[l][sec[0]] = strdup(text);
		if (!strs->text[l][sec[0]])
			abort();
	}
	free(text);
}

/* ---- the blob, read the way f_fs.c reads it ---- */

struct walk {
	unsigned count[FFS_SPEED_COUNT];
	unsigned n_ep[FFS_SPEED_COUNT];
	uint8_t addr[FFS_SPEED_COUNT][32];
	uint8_t type[FFS_SPEED_COUNT][32];
	uint16_t wmps[FFS_SPEED_COUNT][32];
	uint8_t interval[FFS_SPEED_COUNT][32];
	uint8_t ep_intf[FFS_SPEED_COUNT][32];  /* bInterfaceNumber of the interface before */
	unsigned intf_count[FFS_SPEED_COUNT];  /* highest bInterfaceNumber + 1 */
	unsigned n_intf[FFS_SPEED_COUNT];      /* interface descriptors */
	unsigned n_iad[FFS_SPEED_COUNT];
	unsigned n_class[FFS_SPEED_COUNT];     /* HID / CCID descriptors */
	uint8_t intf_str[FFS_SPEED_COUNT][FFS_MAX_INTF];
	uint8_t intf_cls[FFS_SPEED_COUNT][FFS_MAX_INTF][3];
	uint8_t iad_str[FFS_SPEED_COUNT][USB_DESC_MAX_IAD];
	unsigned max_str;
};

static void walk_ep(struct walk *w, int t, const uint8_t *p, int cur_intf)
{
	unsigned i = w->n_ep[t]++;
	uint16_t raw = le16(p + 4), mps = raw & USB_ENDPOINT_MAXP_MASK;
	uint8_t type = p[3] & USB_ENDPOINT_XFERTYPE_MASK, iv = p[6];

	FUZZ_CHECK(p[0] == USB_DT_ENDPOINT_SIZE || p[0] == USB_DT_ENDPOINT_AUDIO_SIZE);
	/* __entity_check_ENDPOINT() */
	FUZZ_CHECK(p[2] & USB_ENDPOINT_NUMBER_MASK);
	/* __ffs_data_do_entity(): eps_count >= FFS_MAX_EPS_COUNT (31) is -EINVAL */
	FUZZ_CHECK(w->n_ep[t] < 31);
	FUZZ_CHECK(cur_intf >= 0);
	for (unsigned k = 0; k < i; k++) /* __ffs_func_bind_do_descs(): each address once */
		FUZZ_CHECKF(w->addr[t][k] != p[2], "address 0x%02x twice at speed %d", p[2], t);
	w->addr[t][i] = p[2];
	w->type[t][i] = type;
	w->wmps[t][i] = raw;
	w->interval[t][i] = iv;
	w->ep_intf[t][i] = (uint8_t)cur_intf;

	/* a UDC's ep_enable() (dummy_hcd's dummy_enable()) */
	FUZZ_CHECK(type != USB_ENDPOINT_XFER_CONTROL);
	if (type == USB_ENDPOINT_XFER_BULK) {
		if (t == FFS_SPEED_FS)
			FUZZ_CHECKF(mps == 8 || mps == 16 || mps == 32 || mps == 64, "FS bulk %u", mps);
		else
			FUZZ_CHECKF(mps == (t == FFS_SPEED_HS ? 512 : 1024), "bulk %u at %d", mps, t);
	} else if (t == FFS_SPEED_FS) {
		FUZZ_CHECKF(mps <= (type == USB_ENDPOINT_XFER_INT ? 64 : 1023),
			    "FS periodic 0x%04x", raw);
	} else {
		/*
		 * USB 2.0 9.6.6 / USB 3.2 9.6.6: at most 1024 bytes; bits 15:13
		 * reserved; bits 12:11 = 3 reserved. A UDC's ep_enable() refuses
		 * more than 1024 (dummy_enable(): -EINVAL), and a host fixes it up.
		 */
		/* was finding "periodic-mps": ffs_desc_check() refuses these now */
		FUZZ_CHECKF(mps <= 1024 && !(raw & 0xe000) && ((raw >> 11) & 3) != 3,
				 "%s endpoint 0x%02x wMaxPacketSize 0x%04x at %s",
				 type == USB_ENDPOINT_XFER_INT ? "interrupt" : "isochronous",
				 p[2], raw, t == FFS_SPEED_HS ? "HS" : "SS");
	}
	if (t != FFS_SPEED_FS && type != USB_ENDPOINT_XFER_BULK)
		FUZZ_CHECKF(iv >= 1 && iv <= 16, "bInterval %u at %d", iv, t);
	if (t == FFS_SPEED_FS && type == USB_ENDPOINT_XFER_INT)
		FUZZ_CHECK(iv >= 1);
	if (t == FFS_SPEED_FS && type == USB_ENDPOINT_XFER_ISOC)
		FUZZ_CHECK(iv >= 1 && iv <= 16);
	/* additional transactions exist at high speed only */
	if (t != FFS_SPEED_HS)
		FUZZ_CHECK((raw & ~USB_ENDPOINT_MAXP_MASK) == 0);
}

static void walk_blob(const uint8_t *b, size_t len, uint32_t want_flags, struct walk *w)
{
	size_t off;
	uint32_t flags;
	int t;

	memset(w, 0, sizeof(*w));
	FUZZ_CHECK(len >= 12);
	FUZZ_CHECK(le32(b) == FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	FUZZ_CHECKF(le32(b + 4) == len, "header says %u bytes, blob has %zu", le32(b + 4), len);
	flags = le32(b + 8);
	FUZZ_CHECK(flags == want_flags);
	FUZZ_CHECK((flags & 7) == 7);
	FUZZ_CHECK(!(flags & ~0xffu)); /* else -ENOSYS */
	FUZZ_CHECK(!(flags & FUNCTIONFS_HAS_MS_OS_DESC));
	off = 12;
	if (flags & FUNCTIONFS_EVENTFD) {
		FUZZ_CHECK(len >= off + 4 && le32(b + off) == EVENTFD_VALUE);
		off += 4;
	}
	for (t = 0; t < FFS_SPEED_COUNT; t++, off += 4) {
		FUZZ_CHECK(len >= off + 4);
		w->count[t] = le32(b + off);
	}

	for (t = 0; t < FFS_SPEED_COUNT; t++) {
		int cur_class = -1, cur_intf = -1;

		FUZZ_CHECKF(w->count[t] > 0, "speed %d has no descriptors", t);
		for (unsigned d = 0; d < w->count[t]; d++) {
			const uint8_t *p = b + off;
			uint8_t bl;

			FUZZ_CHECK(len - off >= 2);
			bl = p[0];
			FUZZ_CHECK(bl >= 2);
			FUZZ_CHECK(bl <= len - off);
			switch (p[1]) {
			case USB_DT_INTERFACE:
				FUZZ_CHECK(bl == USB_DT_INTERFACE_SIZE);
				if (p[2] >= w->intf_count[t])
					w->intf_count[t] = p[2] + 1u;
				if (p[8] > w->max_str)
					w->max_str = p[8];
				/* written 0..n-1 in order, alt 0 */
				FUZZ_CHECK(p[2] == w->n_intf[t]);
				FUZZ_CHECK(p[3] == 0);
				FUZZ_CHECK(w->n_intf[t] < FFS_MAX_INTF);
				w->intf_str[t][p[2]] = p[8];
				memcpy(w->intf_cls[t][p[2]], p + 5, 3);
				w->n_intf[t]++;
				cur_class = p[5];
				cur_intf = p[2];
				break;
			case USB_DT_ENDPOINT:
				walk_ep(w, t, p, cur_intf);
				if (t == FFS_SPEED_SS) {
					/* config_ep_by_speed_and_alt(): the companion right after */
					FUZZ_CHECK(d + 1 < w->count[t]);
					FUZZ_CHECK(len - off >= (size_t)bl + USB_DT_SS_EP_COMP_SIZE);
					FUZZ_CHECK(p[bl] == USB_DT_SS_EP_COMP_SIZE);
					FUZZ_CHECK(p[bl + 1] == USB_DT_SS_ENDPOINT_COMP);
				}
				break;
			case USB_TYPE_CLASS | 0x01:
				if (cur_class == USB_CLASS_HID)
					FUZZ_CHECK(bl == 9 && p[5] == 1);
				else if (cur_class == USB_CLASS_CSCID)
					FUZZ_CHECK(bl == 54);
				else
					FUZZ_CHECKF(0, "0x21 descriptor under class %d", cur_class);
				w->n_class[t]++;
				break;
			case USB_DT_INTERFACE_ASSOCIATION:
				FUZZ_CHECK(bl == USB_DT_INTERFACE_ASSOCIATION_SIZE);
				if (p[7] > w->max_str)
					w->max_str = p[7];
				FUZZ_CHECK(w->n_iad[t] < USB_DESC_MAX_IAD);
				w->iad_str[t][w->n_iad[t]++] = p[7];
				break;
			case USB_DT_SS_ENDPOINT_COMP:
				FUZZ_CHECK(bl == USB_DT_SS_EP_COMP_SIZE);
				/* gadgetd writes companions at SS only, right after an endpoint */
				FUZZ_CHECK(t == FFS_SPEED_SS);
				FUZZ_CHECK(d > 0 && off >= 7);
				FUZZ_CHECK((p[-7] == USB_DT_ENDPOINT_SIZE && p[-6] == USB_DT_ENDPOINT) ||
					   (off >= 9 && p[-9] == USB_DT_ENDPOINT_AUDIO_SIZE &&
					    p[-8] == USB_DT_ENDPOINT));
				break;
			default:
				FUZZ_CHECKF(0, "descriptor type 0x%02x at offset %zu", p[1], off);
			}
			off += bl;
		}
	}
	/* __ffs_data_got_descs(): everything consumed */
	FUZZ_CHECKF(off == len, "walk ends at %zu of %zu", off, len);
	for (t = 1; t < FFS_SPEED_COUNT; t++) {
		FUZZ_CHECK(w->n_ep[t] == w->n_ep[0]);
		FUZZ_CHECK(!memcmp(w->addr[t], w->addr[0], w->n_ep[0]));
		FUZZ_CHECK(!memcmp(w->type[t], w->type[0], w->n_ep[0]));
		FUZZ_CHECK(!memcmp(w->ep_intf[t], w->ep_intf[0], w->n_ep[0]));
		FUZZ_CHECK(w->intf_count[t] == w->intf_count[0]);
		FUZZ_CHECK(w->n_intf[t] == w->n_intf[0]);
		FUZZ_CHECK(w->n_iad[t] == w->n_iad[0]);
		FUZZ_CHECK(w->n_class[t] == w->n_class[0]);
		FUZZ_CHECK(!memcmp(w->intf_str[t], w->intf_str[0], sizeof(w->intf_str[0])));
		FUZZ_CHECK(!memcmp(w->iad_str[t], w->iad_str[0], sizeof(w->iad_str[0])));
	}
}

/* The blob and the map against the model they were built from. */
static void check_against_model(const struct usb_desc_config *cfg, const struct walk *w,
				const struct ffs_map *map, const uint8_t *str_map, unsigned n_str)
{
	unsigned i, j, e = 0, extras = 0;
	int t;

	FUZZ_CHECK(w->n_intf[0] == cfg->n_intf);
	FUZZ_CHECK(w->n_iad[0] == cfg->n_iad);
	FUZZ_CHECK(map->n_intf == cfg->n_intf);
	FUZZ_CHECK(map->n_intf == w->intf_count[0]); /* the kernel's interfaces_count */
	FUZZ_CHECK(map->n_ep == w->n_ep[0]);
	FUZZ_CHECK(map->n_ep <= FFS_MAX_EPS);
	for (i = 0; i < cfg->n_intf; i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];
		uint8_t s = w->intf_str[0][i];

		FUZZ_CHECK(map->intf_remote[i] == in->bInterfaceNumber);
		FUZZ_CHECK(map->intf_class[i] == in->bInterfaceClass &&
			   w->intf_cls[0][i][0] == in->bInterfaceClass);
		FUZZ_CHECK(map->intf_subclass[i] == in->bInterfaceSubClass &&
			   w->intf_cls[0][i][1] == in->bInterfaceSubClass);
		FUZZ_CHECK(map->intf_protocol[i] == in->bInterfaceProtocol &&
			   w->intf_cls[0][i][2] == in->bInterfaceProtocol);
		/* string k of the blob is remote string str_map[k - 1] */
		FUZZ_CHECK(!s == !in->iInterface);
		FUZZ_CHECK(!s || (s <= n_str && str_map[s - 1] == in->iInterface));
		extras += in->extra.n;
		for (j = 0; j < in->n_ep; j++, e++) {
			const struct ffs_ep_info *info = &map->ep[e];

			FUZZ_CHECK(e < map->n_ep);
			FUZZ_CHECK(w->addr[0][e] == in->ep[j].bEndpointAddress);
			FUZZ_CHECK(w->ep_intf[0][e] == i);
			FUZZ_CHECK(info->remote_addr == in->ep[j].bEndpointAddress);
			FUZZ_CHECK(info->type == w->type[0][e]);
			FUZZ_CHECK(info->intf_index == i && info->intf_index < map->n_intf);
			FUZZ_CHECK(info->remote_mps ==
				   (in->ep[j].wMaxPacketSize & USB_ENDPOINT_MAXP_MASK));
			FUZZ_CHECK(info->remote_interval == in->ep[j].bInterval);
			for (t = 0; t < FFS_SPEED_COUNT; t++) {
				FUZZ_CHECK(info->mps[t] == (w->wmps[t][e] & USB_ENDPOINT_MAXP_MASK));
				FUZZ_CHECK(info->interval[t] == w->interval[t][e]);
			}
		}
	}
	FUZZ_CHECK(e == map->n_ep);
	FUZZ_CHECK(w->n_class[0] == extras);
	for (i = 0; i < cfg->n_iad; i++) {
		uint8_t s = w->iad_str[0][i];

		FUZZ_CHECK(!s == !cfg->iad[i].iFunction);
		FUZZ_CHECK(!s || (s <= n_str && str_map[s - 1] == cfg->iad[i].iFunction));
	}
	for (t = 0; t < FFS_SPEED_COUNT; t++)
		FUZZ_CHECK(w->count[t] == cfg->n_iad + cfg->n_intf + extras +
					  map->n_ep * (t == FFS_SPEED_SS ? 2u : 1u));
	/* __ffs_data_got_strings(): str_count >= the highest index used; 1..n all used */
	FUZZ_CHECKF(w->max_str == n_str, "blob names strings up to %u, %u built", w->max_str,
		    n_str);
	for (i = 0; i < n_str; i++) {
		FUZZ_CHECK(str_map[i] != 0);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(str_map[j] != str_map[i]);
	}
}

/* __ffs_data_got_strings() */
static void walk_strings(const uint8_t *b, size_t len, unsigned n_str,
			 const struct usb_desc_strings *strs, const uint8_t *str_map)
{
	uint32_t str_count, lang_count;
	size_t off = 16;
	unsigned n_lang = strs->n_lang;

	FUZZ_CHECK(len >= 16);
	FUZZ_CHECK(le32(b) == FUNCTIONFS_STRINGS_MAGIC);
	FUZZ_CHECK(le32(b + 4) == len);
	str_count = le32(b + 8);
	lang_count = le32(b + 12);
	FUZZ_CHECK(!str_count == !lang_count);
	FUZZ_CHECK(str_count == n_str);
	if (!str_count) {
		FUZZ_CHECK(len == 16);
		return;
	}
	FUZZ_CHECK(lang_count == (n_lang ? n_lang : 1));
	for (unsigned l = 0; l < lang_count; l++) {
		FUZZ_CHECK(len - off >= 3);
		FUZZ_CHECK(le16(b + off) == (n_lang ? strs->langid[l] : 0x0409));
		off += 2;
		for (unsigned k = 0; k < str_count; k++) {
			const char *s = (const char *)b + off;
			size_t n = strnlen(s, len - off);
			const char *want = n_lang ? strs->text[l][str_map[k]] : NULL;

			FUZZ_CHECK(n < len - off);           /* NUL-terminated inside */
			FUZZ_CHECK(n <= 126);                /* USB_MAX_STRING_LEN */
			FUZZ_CHECK(utf8_valid(s, n));        /* cut at a character */
			if (want) {
				FUZZ_CHECK(!strncmp(s, want, n));
				FUZZ_CHECK(n == strlen(want) || n > 126 - 4);
			} else {
				FUZZ_CHECK(n == 0);
			}
			off += n + 1;
		}
	}
	FUZZ_CHECKF(off == len, "strings walk ends at %zu of %zu", off, len); /* no garbage */
}

/* ---- the chain ---- */

struct sect {
	const uint8_t *p;
	size_t len;
};

static size_t split(const uint8_t *p, size_t n, struct sect *s, size_t max)
{
	size_t k = 0;

	while (k < max) {
		const uint8_t *sep = memmem(p, n, SEP, SEP_LEN);
		size_t l = sep ? (size_t)(sep - p) : n;

		s[k].p = p;
		s[k++].len = l;
		if (!sep)
			break;
		p += l + SEP_LEN;
		n -= l + SEP_LEN;
	}
	return k;
}

/* Parse one configuration section; NULL if absent or refused (as describe.c). */
static struct usb_desc_config *parse_config(const struct sect *s, bool fixup, bool probe)
{
	struct usb_desc_config *cfg = calloc(1, sizeof(*cfg));
	uint8_t *buf = fuzz_dup(s->p, s->len);
	struct usb_desc_err err;
	int rc;

	if (!cfg)
		abort();
	if (fixup && s->len >= 4 && s->len <= 0xffff) {
		buf[2] = (uint8_t)s->len;
		buf[3] = (uint8_t)(s->len >> 8);
	}
	memset(&err, 0, sizeof(err));
	rc = usb_desc_parse_config(buf, s->len, cfg, &err);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	FUZZ_CHECK(rc != 0 || err.msg[0] == '\0');
	FUZZ_CHECK(rc == 0 || err.msg[0] != '\0');
	if (rc == 0)
		check_model(cfg, s->len);
	if (probe) {
		struct usb_desc_config *again = malloc(sizeof(*again));

		if (!again)
			abort();
		memset(again, 0x5a, sizeof(*again));
		FUZZ_CHECK(usb_desc_parse_config(buf, s->len, again, NULL) == rc);
		if (rc == 0)
			FUZZ_CHECK(!memcmp(again, cfg, sizeof(*cfg)));
		free(again);
	}
	free(buf);
	if (rc) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

static void build_and_check(const struct usb_desc_config *cfg, const struct usb_desc_config *other,
			    int speed, const struct ffs_desc_opts *o,
			    const struct usb_desc_strings *strs, bool probe)
{
	uint8_t str_map[FFS_MAX_STRINGS], str_map2[FFS_MAX_STRINGS];
	struct ffs_map map, map2;
	unsigned n_str = 0, n_str2 = 0;
	char *err = malloc(256);
	struct walk *w = malloc(sizeof(*w));
	ssize_t len, slen, r;
	uint8_t *exact;
	int rc;

	if (!err || !w)
		abort();
	rc = ffs_desc_check(cfg, o, err, 256);
	FUZZ_CHECK(rc == 0 || rc == -EOPNOTSUPP);
	FUZZ_CHECK(memchr(err, '\0', 256));
	FUZZ_CHECK(!rc == !err[0]);
	if (probe) {
		size_t elen = 1 + (size_t)(cfg->n_intf % 8);
		char *e2 = malloc(elen);

		if (!e2)
			abort();
		FUZZ_CHECK(ffs_desc_check(cfg, o, e2, elen) == rc);
		FUZZ_CHECK(memchr(e2, '\0', elen));
		FUZZ_CHECK(!strncmp(e2, err, strlen(e2)));
		free(e2);
		FUZZ_CHECK(ffs_desc_check(cfg, o, NULL, 0) == rc);
	}

	memset(&map, 0, sizeof(map));
	len = ffs_desc_build(cfg, speed, other, o, blob, sizeof(blob), &map, str_map, &n_str);
	if (rc) {
		FUZZ_CHECKF(len == -EOPNOTSUPP, "check refused, build gave %zd", len);
		goto out;
	}
	FUZZ_CHECKF(len > 0, "check accepted, build gave %zd", len);
	FUZZ_CHECK(n_str <= FFS_MAX_STRINGS);
	walk_blob(blob, (size_t)len, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC |
				     FUNCTIONFS_HAS_SS_DESC | o->extra_flags, w);
	check_against_model(cfg, w, &map, str_map, n_str);

	/* exactly the size: the same bytes; one byte less: -ENOSPC, nothing past it */
	exact = malloc((size_t)len);
	if (!exact)
		abort();
	r = ffs_desc_build(cfg, speed, other, o, exact, (size_t)len, &map2, str_map2, &n_str2);
	FUZZ_CHECK(r == len && !memcmp(exact, blob, (size_t)len));
	FUZZ_CHECK(!memcmp(&map2, &map, sizeof(map)) && n_str2 == n_str &&
		   !memcmp(str_map2, str_map, n_str));
	free(exact);
	exact = malloc((size_t)len - 1);
	if (!exact)
		abort();
	FUZZ_CHECK(ffs_desc_build(cfg, speed, other, o, exact, (size_t)len - 1, NULL, NULL,
				  NULL) == -ENOSPC);
	free(exact);
	if (probe) {
		struct ffs_desc_opts ms = *o;

		FUZZ_CHECK(ffs_desc_build(cfg, speed, other, o, NULL, 0, NULL, NULL, NULL) == -ENOSPC);
		ms.extra_flags |= FUNCTIONFS_HAS_MS_OS_DESC;
		FUZZ_CHECK(ffs_desc_build(cfg, speed, other, &ms, blob, sizeof(blob), NULL, NULL,
					  NULL) == -EINVAL);
	}

	slen = ffs_strings_build(strs, str_map, n_str, sblob, sizeof(sblob));
	FUZZ_CHECKF(slen > 0, "strings: %zd", slen);
	walk_strings(sblob, (size_t)slen, n_str, strs, str_map);
	exact = malloc((size_t)slen);
	if (!exact)
		abort();
	FUZZ_CHECK(ffs_strings_build(strs, str_map, n_str, exact, (size_t)slen) == slen);
	FUZZ_CHECK(!memcmp(exact, sblob, (size_t)slen));
	free(exact);
	exact = malloc((size_t)slen - 1);
	if (!exact)
		abort();
	FUZZ_CHECK(ffs_strings_build(strs, str_map, n_str, exact, (size_t)slen - 1) == -ENOSPC);
	free(exact);
out:
	free(w);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sect sec[MAX_SECT];
	struct usb_desc_device dev, *devp = NULL;
	struct usb_desc_config *cfg = NULL, *other = NULL;
	struct usb_desc_strings *strs;
	struct ffs_desc_opts o;
	struct usb_desc_err err;
	uint8_t used[USB_DESC_MAX_STRINGS / 8];
	bool fixup, probe;
	size_t n, k;
	uint8_t opt;

	if (size < 1)
		return 0;
	opt = data[0];
	fixup = opt & 0x40;
	probe = opt & 0x80;
	memset(&o, 0, sizeof(o));
	o.udc_has_iso = opt & 0x08;
	if (opt & 0x10)
		o.extra_flags |= FUNCTIONFS_EVENTFD;
	if (opt & 0x20)
		o.extra_flags |= FUNCTIONFS_ALL_CTRL_RECIP;
	o.eventfd = EVENTFD_VALUE;
	n = split(data + 1, size - 1, sec, MAX_SECT);

	/* 0: device */
	if (n > 0) {
		uint8_t *buf = fuzz_dup(sec[0].p, sec[0].len);
		int rc = usb_desc_parse_device(buf, sec[0].len, &dev, &err);

		FUZZ_CHECK(rc == 0 || rc == -EINVAL);
		if (rc == 0) {
			uint8_t m = dev.bMaxPacketSize0;

			FUZZ_CHECK(m == 8 || m == 16 || m == 32 || m == 64 ||
				   (m == 9 && dev.bcdUSB >= 0x0300));
			devp = &dev;
		}
		free(buf);
	}
	/* 1: configuration, 2: other speed */
	if (n > 1)
		cfg = parse_config(&sec[1], fixup, probe);
	if (n > 2 && sec[2].len)
		other = parse_config(&sec[2], fixup, probe);

	strs = calloc(1, sizeof(*strs));
	if (!strs)
		abort();
	/* 3: LANGIDs */
	if (n > 3) {
		uint8_t *buf = fuzz_dup(sec[3].p, sec[3].len);
		int rc = usb_desc_parse_langids(buf, sec[3].len, strs, NULL);

		FUZZ_CHECK(rc == 0 || rc == -EINVAL);
		FUZZ_CHECK(rc ? strs->n_lang == 0 : strs->n_lang >= 1 &&
			   strs->n_lang <= USB_DESC_MAX_LANGS);
		free(buf);
	}
	/* 4+: strings */
	for (k = 4; k < n; k++) {
		uint8_t *buf;

		if (sec[k].len < 2)
			continue;
		buf = fuzz_dup(sec[k].p, sec[k].len);
		parse_string(strs, buf, sec[k].len, probe);
		free(buf);
	}

	usb_desc_string_indices(devp, cfg, used);
	FUZZ_CHECK(!(used[0] & 1));
	if (cfg) {
		for (k = 0; k < cfg->n_intf; k++) {
			uint8_t i = cfg->intf[k].iInterface;

			FUZZ_CHECK(!i || (used[i / 8] & (1u << (i % 8))));
		}
		for (k = 0; k < cfg->n_iad; k++) {
			uint8_t i = cfg->iad[k].iFunction;

			FUZZ_CHECK(!i || (used[i / 8] & (1u << (i % 8))));
		}
		build_and_check(cfg, other, SPEEDS[opt & 7], &o, strs, probe);
	}

	usb_desc_strings_free(strs);
	FUZZ_CHECK(strs->n_lang == 0);
	free(strs);
	free(other);
	free(cfg);
	return 0;
}

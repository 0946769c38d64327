// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ffs_desc.c - see ffs_desc.h.
 *
 * Every rule here mirrors a check in drivers/usb/gadget/function/f_fs.c (6.1 and
 * 6.12), composite.c or a UDC's ep_enable(): a blob FunctionFS or the UDC would
 * refuse must be refused here first, with a sentence a user can act on, instead
 * of surfacing as a bare EINVAL from the ep0 write or the UDC bind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "functionfs/desc_common.h"
#include "functionfs/ffs_desc.h"

/* bDescriptorType 0x21: HID descriptor (HID class) or CCID descriptor (0x0b). */
#define FFS_DT_CLASS_FUNC	(USB_TYPE_CLASS | 0x01)
/* sizeof(struct hid_descriptor): one class descriptor, what ffs_do_single_desc() takes. */
#define FFS_HID_DESC_SIZE	9
/* sizeof(struct ccid_descriptor) in include/uapi/linux/usb/ccid.h */
#define FFS_CCID_DESC_SIZE	54
/* DFU 1.1 section 4.1.3: the run-time DFU interface (class 0xfe, subclass 1) and its
 * functional descriptor, sizeof(struct usb_dfu_functional_descriptor) in 6.12's
 * include/uapi/linux/usb/functionfs.h. */
#define FFS_SUBCLASS_DFU	0x01
#define FFS_DFU_DESC_SIZE	9
/* USB_MAX_STRING_LEN (include/linux/usb/gadget.h), in UTF-8 bytes. */
#define FFS_MAX_STRING_LEN	126
/* Flags whose extra header fields or trailing sections this builder writes. */
#define FFS_FLAGS_SPEEDS	(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | \
				 FUNCTIONFS_HAS_SS_DESC)

static const char ffs_accepts[] =
	"FunctionFS accepts only interface, endpoint, IAD, SuperSpeed companion, and HID/CCID class descriptors";

/* --- ffs_desc_check() --- */

/*
 * ffs_do_single_desc() accepts 0x21 only for the class of the most recent
 * interface: a 9-byte HID descriptor (so exactly one class descriptor, the
 * report descriptor) or a 54-byte CCID descriptor; from 6.12 also a 9-byte DFU
 * functional descriptor of a class 0xfe subclass 1 interface, which 6.1 refuses
 * ("unknown descriptor"), hence @o->dfu_desc.
 */
static int check_intf_extra(const struct usb_desc_interface *in, const char *who,
			    const uint8_t *d, const struct ffs_desc_opts *o, char *err,
			    size_t errlen)
{
	const uint8_t len = d[0], type = d[1];

	if (type == FFS_DT_CLASS_FUNC && in->bInterfaceClass == USB_CLASS_HID) {
		unsigned int num = len > 5 ? d[5] : 0;

		if (num != 1)
			return desc_refuse(err, errlen,
					   "%s has a HID descriptor naming %u class descriptors: FunctionFS accepts only 1",
					   who, num);
		if (len != FFS_HID_DESC_SIZE)
			return desc_refuse(err, errlen,
					   "%s has a %u-byte HID descriptor: FunctionFS accepts only %d-byte ones",
					   who, len, FFS_HID_DESC_SIZE);
		return 0;
	}
	if (type == FFS_DT_CLASS_FUNC && in->bInterfaceClass == USB_CLASS_CSCID) {
		if (len != FFS_CCID_DESC_SIZE)
			return desc_refuse(err, errlen,
					   "%s has a %u-byte %s descriptor: FunctionFS accepts only %d-byte CCID descriptors",
					   who, len, usb_desc_type_str(type), FFS_CCID_DESC_SIZE);
		return 0;
	}
	if (type == FFS_DT_CLASS_FUNC && in->bInterfaceClass == USB_CLASS_APP_SPEC &&
	    in->bInterfaceSubClass == FFS_SUBCLASS_DFU) {
		if (!o->dfu_desc)
			return desc_refuse(err, errlen,
					   "%s has a DFU functional descriptor: FunctionFS on this kernel refuses it (6.12 takes it)",
					   who);
		if (len != FFS_DFU_DESC_SIZE)
			return desc_refuse(err, errlen,
					   "%s has a %u-byte DFU functional descriptor: FunctionFS accepts only %d-byte ones",
					   who, len, FFS_DFU_DESC_SIZE);
		return 0;
	}
	return desc_refuse(err, errlen, "%s has a %s descriptor: %s", who, usb_desc_type_str(type),
			   ffs_accepts);
}

struct check_state {
	unsigned int n_ep;
	uint16_t owner[256];		/* bEndpointAddress -> interface number + 1 */
	uint8_t intf_seen[256 / 8];	/* bInterfaceNumber bitmap */
	unsigned int n_intf;
};

static int check_ep(const struct usb_desc_config *cfg, const struct usb_desc_interface *in,
		    const char *who, const struct usb_desc_endpoint *ep,
		    const struct ffs_desc_opts *o, struct check_state *st, char *err,
		    size_t errlen)
{
	const uint8_t *x = usb_desc_extra(cfg, &ep->extra, 0);
	uint8_t a = ep->bEndpointAddress;
	int ret;

	/*
	 * The parser hangs class descriptors that follow an endpoint on it; only
	 * the SS companion (kept as has_ss_comp) may follow an endpoint in what
	 * gadgetd writes, so that the companion stays right after its endpoint
	 * (config_ep_by_speed_and_alt() looks exactly there).
	 */
	if (x)
		return desc_refuse(err, errlen, "%s endpoint 0x%02x is followed by a %s descriptor: %s, and none after an endpoint",
				   who, a, usb_desc_type_str(x[1]), ffs_accepts);
	/* __entity_check_ENDPOINT() in ffs_do_single_desc() */
	if (!(a & USB_ENDPOINT_NUMBER_MASK))
		return desc_refuse(err, errlen,
				   "%s has an endpoint with address 0x%02x: endpoint number 0 is the default control pipe",
				   who, a);
	ret = desc_check_ep(ep, who, o->udc_has_iso, err, errlen);
	if (ret)
		return ret;
	/* __ffs_data_do_entity(): eps_count >= FFS_MAX_EPS_COUNT is -EINVAL */
	if (++st->n_ep > FFS_MAX_EPS)
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x is endpoint %u of the configuration: FunctionFS accepts at most %d",
				   who, a, st->n_ep, FFS_MAX_EPS);
	/*
	 * ffs_ep_addr2idx() finds the first endpoint file with an address, so
	 * __ffs_func_bind_do_descs() fails the bind with "two ...speed
	 * descriptors for EP n" when an address repeats.
	 */
	if (st->owner[a])
		return desc_refuse(err, errlen,
				   "%s endpoint 0x%02x repeats an address of interface %u: FunctionFS binds each endpoint address once",
				   who, a, st->owner[a] - 1);
	st->owner[a] = in->bInterfaceNumber + 1;
	return 0;
}

int ffs_desc_check(const struct usb_desc_config *cfg, const struct ffs_desc_opts *o,
		   char *err, size_t errlen)
{
	static const struct ffs_desc_opts none;
	struct check_state st;
	const uint8_t *x;
	unsigned int i, j;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!o)
		o = &none;
	memset(&st, 0, sizeof(st));

	/* composite's config_buf() writes the configuration level itself (OTG only). */
	x = usb_desc_extra(cfg, &cfg->extra, 0);
	if (x)
		return desc_refuse(err, errlen,
				   "the configuration has a %s descriptor before its first interface: FunctionFS carries nothing at configuration level",
				   usb_desc_type_str(x[1]));
	/* __ffs_data_got_descs(): a blob without descriptors is -EINVAL */
	if (!n_intf(cfg))
		return desc_refuse(err, errlen,
				   "the configuration has no interfaces: FunctionFS needs at least one");

	for (i = 0; i < n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];
		uint8_t num = in->bInterfaceNumber;
		char who[96];

		snprintf(who, sizeof(who), "interface %u (%s, alt %u)", num,
			 usb_desc_class_str(in->bInterfaceClass), in->bAlternateSetting);

		/*
		 * Before 6.10 f_fs has no get_alt, so composite stalls SET_INTERFACE
		 * with wValue != 0; even after, userspace is never told the alt.
		 */
		if (in->bAlternateSetting)
			return desc_refuse(err, errlen,
					   "%s is an alternate setting: FunctionFS on this kernel cannot switch alternate settings",
					   who);
		if (st.intf_seen[num / 8] & (1u << (num % 8)))
			return desc_refuse(err, errlen,
					   "%s is described twice: an interface number may have one alt 0 setting only",
					   who);
		st.intf_seen[num / 8] |= 1u << (num % 8);
		/* usb_interface_id() fails past MAX_CONFIG_INTERFACES */
		if (++st.n_intf > FFS_MAX_INTF)
			return desc_refuse(err, errlen,
					   "%s is interface %u of the configuration: composite accepts at most %d",
					   who, st.n_intf, FFS_MAX_INTF);

		/* emit_speed() copies exactly the extras this walk sees */
		usb_desc_for_each_extra(x, cfg, &in->extra) {
			ret = check_intf_extra(in, who, x, o, err, errlen);
			if (ret)
				return ret;
		}
		for (j = 0; j < n_ep(in); j++) {
			ret = check_ep(cfg, in, who, &in->ep[j], o, &st, err, errlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* --- endpoint values per speed --- */

enum ffs_speed ffs_speed_of(int usb_speed)
{
	switch (usb_speed) {
	case USB_DESC_SPEED_LOW:
	case USB_DESC_SPEED_FULL:
		return FFS_SPEED_FS;
	case USB_DESC_SPEED_HIGH:
		return FFS_SPEED_HS;
	default:
		return FFS_SPEED_SS;
	}
}

/* --- ffs_desc_build() --- */

struct build {
	const struct usb_desc_config *cfg;
	uint8_t intf_idx[USB_DESC_MAX_INTF];	/* intf[i] -> FunctionFS interface index */
	uint8_t str_new[USB_DESC_MAX_STRINGS];	/* remote string index -> new, 0 = none */
	uint8_t str_map[FFS_MAX_STRINGS];
	unsigned int n_str;
	unsigned int n_ep;
	struct desc_ep_vals ep[FFS_MAX_EPS];
	struct ffs_map map;
};

static int use_string(struct build *bd, uint8_t idx)
{
	if (!idx || bd->str_new[idx])
		return 0;
	if (bd->n_str >= FFS_MAX_STRINGS)
		return -ENOSPC;
	bd->str_map[bd->n_str++] = idx;
	bd->str_new[idx] = bd->n_str;
	return 0;
}

static uint8_t intf_index_of(const struct build *bd, uint8_t remote)
{
	unsigned int k;

	for (k = 0; k < bd->map.n_intf; k++)
		if (bd->map.intf_remote[k] == remote)
			return k;
	return remote; /* an IAD naming a missing interface: left as the remote wrote it */
}

/*
 * FunctionFS hands bInterfaceNumber to usb_interface_id() in order of first
 * appearance (__ffs_func_bind_do_nums()) and reports interface-recipient
 * SETUPs with wIndex = the number written here (ffs_func_revmap_intf()). So
 * gadgetd writes 0..n-1: wIndex is then the index into map->intf_remote[].
 * IAD bFirstInterface is not remapped by the kernel, so it is rewritten here;
 * with FunctionFS the only function, the host sees the same 0..n-1.
 */
static int plan(struct build *bd, int speed, const struct usb_desc_config *other)
{
	const struct usb_desc_config *cfg = bd->cfg;
	enum ffs_speed rs = ffs_speed_of(speed), os = FFS_SPEED_FS;
	unsigned int i, j, k;
	int ret;

	other = desc_other_view(cfg, speed, other, &os);

	for (i = 0; i < n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];
		unsigned int idx = bd->map.n_intf++; /* ffs_desc_check(): numbers are unique */

		bd->intf_idx[i] = idx;
		bd->map.intf_remote[idx] = in->bInterfaceNumber;
		bd->map.intf_class[idx] = in->bInterfaceClass;
		bd->map.intf_subclass[idx] = in->bInterfaceSubClass;
		bd->map.intf_protocol[idx] = in->bInterfaceProtocol;
	}

	/* strings in the order the blob names them: an IAD before its interface */
	for (i = 0; i <= n_intf(cfg); i++) {
		for (k = 0; k < n_iad(cfg); k++) {
			if (iad_before(cfg, k, i)) {
				ret = use_string(bd, cfg->iad[k].iFunction);
				if (ret)
					return ret;
			}
		}
		if (i < n_intf(cfg)) {
			ret = use_string(bd, cfg->intf[i].iInterface);
			if (ret)
				return ret;
		}
	}

	for (i = 0; i < n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];

		for (j = 0; j < n_ep(in); j++) {
			const struct usb_desc_endpoint *ep = &in->ep[j];
			struct ffs_ep_info *info = &bd->map.ep[bd->n_ep];
			struct desc_ep_vals *v = &bd->ep[bd->n_ep];

			desc_derive_ep(ep, rs, other ? &other->intf[i].ep[j] : NULL, os, v);
			desc_map_ep(info, ep, v);
			info->intf_index = bd->intf_idx[i];
			bd->n_ep++;
		}
	}
	bd->map.n_ep = bd->n_ep;
	return 0;
}

static unsigned int emit_iad(struct blob *b, const struct build *bd, const struct usb_desc_iad *a)
{
	put_u8(b, USB_DT_INTERFACE_ASSOCIATION_SIZE);
	put_u8(b, USB_DT_INTERFACE_ASSOCIATION);
	put_u8(b, intf_index_of(bd, a->bFirstInterface));
	put_u8(b, a->bInterfaceCount);
	put_u8(b, a->bFunctionClass);
	put_u8(b, a->bFunctionSubClass);
	put_u8(b, a->bFunctionProtocol);
	put_u8(b, bd->str_new[a->iFunction]);
	return 1;
}

/* One speed's descriptors in the remote's order. Return: how many. */
static unsigned int emit_speed(struct blob *b, const struct build *bd, enum ffs_speed t)
{
	const struct usb_desc_config *cfg = bd->cfg;
	unsigned int i, j, k, n = 0, e = 0;
	const uint8_t *x;

	for (i = 0; i <= n_intf(cfg); i++) {
		const struct usb_desc_interface *in = &cfg->intf[i];

		for (k = 0; k < n_iad(cfg); k++)
			if (iad_before(cfg, k, i))
				n += emit_iad(b, bd, &cfg->iad[k]);
		if (i == n_intf(cfg))
			break;

		put_u8(b, USB_DT_INTERFACE_SIZE);
		put_u8(b, USB_DT_INTERFACE);
		put_u8(b, bd->intf_idx[i]);
		put_u8(b, 0); /* ffs_desc_check(): alt 0 only */
		put_u8(b, n_ep(in));
		put_u8(b, in->bInterfaceClass);
		put_u8(b, in->bInterfaceSubClass);
		put_u8(b, in->bInterfaceProtocol);
		put_u8(b, bd->str_new[in->iInterface]);
		n++;

		/* HID/CCID/DFU: no interface numbers or string indices inside */
		usb_desc_for_each_extra(x, cfg, &in->extra) {
			put_bytes(b, x, x[0]);
			n++;
		}

		for (j = 0; j < n_ep(in); j++, e++) {
			const struct usb_desc_endpoint *ep = &in->ep[j];
			const struct desc_ep_vals *v = &bd->ep[e];

			desc_put_ep(b, ep, v, t);
			n++;
			/* config_ep_by_speed_and_alt() wants the companion right after */
			if (t == FFS_SPEED_SS) {
				put_u8(b, USB_DT_SS_EP_COMP_SIZE);
				put_u8(b, USB_DT_SS_ENDPOINT_COMP);
				put_u8(b, v->burst);
				put_u8(b, v->ss_attr);
				put_le16(b, v->bpi);
				n++;
			}
		}
	}
	return n;
}

ssize_t ffs_desc_build(const struct usb_desc_config *cfg, int speed,
		       const struct usb_desc_config *other, const struct ffs_desc_opts *o,
		       uint8_t *out, size_t outlen, struct ffs_map *map,
		       uint8_t str_map[FFS_MAX_STRINGS], unsigned *n_str)
{
	static const struct ffs_desc_opts none;
	struct build build, *bd = &build;
	struct blob b = { .buf = out, .cap = out ? outlen : 0 };
	uint32_t flags;
	size_t counts_at;
	int t, ret;

	if (!o)
		o = &none;
	ret = ffs_desc_check(cfg, o, NULL, 0);
	if (ret)
		return ret;
	/* The OS-descriptor section and its os_count are not built here. */
	if (o->extra_flags & FUNCTIONFS_HAS_MS_OS_DESC)
		return -EINVAL;

	memset(bd, 0, sizeof(*bd));
	bd->cfg = cfg;
	ret = plan(bd, speed, other);
	if (ret)
		return ret;

	flags = FFS_FLAGS_SPEEDS | o->extra_flags;
	put_le32(&b, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	put_le32(&b, 0); /* length, set below */
	put_le32(&b, flags);
	if (flags & FUNCTIONFS_EVENTFD)
		put_le32(&b, (uint32_t)o->eventfd);
	counts_at = b.len;
	for (t = 0; t < FFS_SPEED_COUNT; t++)
		put_le32(&b, 0);
	for (t = 0; t < FFS_SPEED_COUNT; t++)
		set_le32(&b, counts_at + 4 * t, emit_speed(&b, bd, t));

	if (b.len > b.cap || b.len > UINT32_MAX)
		return -ENOSPC;
	set_le32(&b, 4, b.len);

	if (map)
		*map = bd->map;
	if (str_map)
		memcpy(str_map, bd->str_map, bd->n_str);
	if (n_str)
		*n_str = bd->n_str;
	return b.len;
}

/* --- ffs_strings_build() --- */

ssize_t ffs_strings_build(const struct usb_desc_strings *s, const uint8_t *str_map,
			  unsigned n_str, uint8_t *out, size_t outlen)
{
	struct blob b = { .buf = out, .cap = out ? outlen : 0 };
	unsigned int n_lang = s ? s->n_lang : 0;
	unsigned int l, j;

	if (n_lang > USB_DESC_MAX_LANGS)
		n_lang = USB_DESC_MAX_LANGS;
	/* __ffs_data_got_strings(): str_count and lang_count are both 0 or both not */
	if (!n_str)
		n_lang = 0;

	put_le32(&b, FUNCTIONFS_STRINGS_MAGIC);
	put_le32(&b, 0); /* length, set below */
	put_le32(&b, n_str);
	put_le32(&b, n_str ? (n_lang ? n_lang : 1) : 0);

	if (n_str && !n_lang) {
		/* no language list on the remote: en-US with empty texts */
		put_le16(&b, 0x0409);
		for (j = 0; j < n_str; j++)
			put_u8(&b, 0);
	}
	for (l = 0; l < n_lang; l++) {
		put_le16(&b, s->langid[l]);
		for (j = 0; j < n_str; j++) {
			const char *txt = s->text[l][str_map[j]];

			if (txt)
				put_bytes(&b, txt, usb_desc_utf8_cut(txt, FFS_MAX_STRING_LEN));
			put_u8(&b, 0);
		}
	}

	if (b.len > b.cap || b.len > UINT32_MAX)
		return -ENOSPC;
	set_le32(&b, 4, b.len);
	return b.len;
}

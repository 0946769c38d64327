// SPDX-License-Identifier: GPL-2.0-or-later
/* psep_msg.c - see psep_msg.h. No I/O. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "gadgetd/psep_msg.h"

#define FFS_DESC_MAGIC_V2 3 /* FUNCTIONFS_DESCRIPTORS_MAGIC_V2 (uapi/linux/usb/functionfs.h) */
#define FFS_STR_MAGIC 2     /* FUNCTIONFS_STRINGS_MAGIC */
#define FFS_BLOB_MAX 16384  /* struct pcfg's buffers (present.h) */
#define GFS_BLOB_MIN (4 + 9 + 18)
#define GFS_BLOB_MAX (4 + 2 * GFS_EP0_MAX + 18)

/* ---- writing ---- */

struct wr {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void put(struct wr *w, const void *d, size_t n)
{
	if (!n)
		return; /* d may be NULL: no string, an empty blob */
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return;
	}
	memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void put_u8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void put_u16(struct wr *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(w, b, 2);
}

static void put_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(w, b, 4);
}

static void put_str(struct wr *w, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;

	if (n > 0xffff) {
		w->err = true;
		return;
	}
	put_u16(w, (unsigned)n);
	put(w, s, n);
}

static void put_blob(struct wr *w, const void *d, uint32_t n)
{
	put_u32(w, n);
	put(w, d, n);
}

/* ---- reading ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool err;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static unsigned get_u8(struct rd *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static unsigned get_u16(struct rd *r)
{
	const uint8_t *p = take(r, 2);

	return p ? (unsigned)p[0] | (unsigned)p[1] << 8 : 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t get_u32(struct rd *r)
{
	const uint8_t *p = take(r, 4);

	return p ? le32(p) : 0;
}

/* A string of at most @max bytes: its NUL last, no other; no control byte unless
 * @usb (a USB string descriptor's text goes to ConfigFS as the device has it). */
static const char *get_str(struct rd *r, size_t max, bool usb)
{
	unsigned n = get_u16(r);
	const uint8_t *p;
	unsigned i;

	if (!n)
		return NULL;
	p = take(r, n);
	if (!p || n - 1 > max || p[n - 1]) {
		r->err = true;
		return NULL;
	}
	for (i = 0; i + 1 < n; i++)
		if (!p[i] || (!usb && (p[i] < 0x20 || p[i] == 0x7f))) {
			r->err = true;
			return NULL;
		}
	return (const char *)p;
}

static const uint8_t *get_blob(struct rd *r, uint32_t *n, uint32_t min, uint32_t max)
{
	*n = get_u32(r);
	if (*n < min || *n > max) {
		r->err = true;
		return NULL;
	}
	return take(r, *n);
}

/* ---- the messages ---- */

static void enc_ffs(struct wr *w, const struct psep_present_ffs *f)
{
	const struct gadget_spec *s = &f->spec;
	unsigned l, k;

	put_u16(w, s->idVendor);
	put_u16(w, s->idProduct);
	put_u16(w, s->bcdDevice);
	put_u8(w, s->bDeviceClass);
	put_u8(w, s->bDeviceSubClass);
	put_u8(w, s->bDeviceProtocol);
	put_u8(w, (unsigned)s->max_speed);
	put_u8(w, s->n_lang);
	for (l = 0; l < s->n_lang && l < GADGET_MAX_LANGS; l++) {
		put_u16(w, s->langid[l]);
		put_str(w, s->manufacturer[l]);
		put_str(w, s->product[l]);
		put_str(w, s->serial[l]);
	}
	put_u8(w, s->n_cfg);
	for (k = 0; k < s->n_cfg && k < GADGET_MAX_CONFIGS; k++) {
		const struct gadget_config *c = &s->cfg[k];

		put_u8(w, c->bConfigurationValue);
		put_u8(w, c->bmAttributes);
		put_u16(w, c->MaxPower_mA);
		for (l = 0; l < s->n_lang && l < GADGET_MAX_LANGS; l++)
			put_str(w, c->configuration[l]);
		put_u8(w, f->n_ep[k]);
		put_blob(w, f->descs[k], f->dlen[k]);
		put_blob(w, f->strs[k], f->slen[k]);
	}
}

/* The head of a FunctionFS ep0 blob: @magic, then the blob's own length. */
static bool ffs_head_ok(const uint8_t *b, uint32_t n, uint32_t magic)
{
	return b && n >= 16 && le32(b) == magic && le32(b + 4) == n;
}

static void dec_ffs(struct rd *r, struct psep_present_ffs *f)
{
	struct gadget_spec *s = &f->spec;
	unsigned l, k;

	s->idVendor = (uint16_t)get_u16(r);
	s->idProduct = (uint16_t)get_u16(r);
	s->bcdDevice = (uint16_t)get_u16(r);
	s->bDeviceClass = (uint8_t)get_u8(r);
	s->bDeviceSubClass = (uint8_t)get_u8(r);
	s->bDeviceProtocol = (uint8_t)get_u8(r);
	s->max_speed = (int)get_u8(r);
	s->n_lang = get_u8(r);
	if (s->n_lang > GADGET_MAX_LANGS || s->max_speed > 6)
		r->err = true;
	for (l = 0; !r->err && l < s->n_lang; l++) {
		s->langid[l] = (uint16_t)get_u16(r);
		s->manufacturer[l] = get_str(r, PSEP_STR_MAX, true);
		s->product[l] = get_str(r, PSEP_STR_MAX, true);
		s->serial[l] = get_str(r, PSEP_STR_MAX, true);
	}
	s->n_cfg = get_u8(r);
	if (!s->n_cfg || s->n_cfg > GADGET_MAX_CONFIGS)
		r->err = true;
	for (k = 0; !r->err && k < s->n_cfg; k++) {
		struct gadget_config *c = &s->cfg[k];

		c->bConfigurationValue = (uint8_t)get_u8(r);
		c->bmAttributes = (uint8_t)get_u8(r);
		c->MaxPower_mA = get_u16(r);
		for (l = 0; l < s->n_lang; l++)
			c->configuration[l] = get_str(r, PSEP_STR_MAX, true);
		f->n_ep[k] = (uint8_t)get_u8(r);
		f->descs[k] = get_blob(r, &f->dlen[k], 16, FFS_BLOB_MAX);
		f->strs[k] = get_blob(r, &f->slen[k], 16, FFS_BLOB_MAX);
		if (!c->bConfigurationValue || f->n_ep[k] > FFS_MAX_EPS || c->MaxPower_mA > 8 * 255 ||
		    (!r->err && (!ffs_head_ok(f->descs[k], f->dlen[k], FFS_DESC_MAGIC_V2) ||
				 !ffs_head_ok(f->strs[k], f->slen[k], FFS_STR_MAGIC))))
			r->err = true;
		for (l = 0; !r->err && l < k; l++)
			if (s->cfg[l].bConfigurationValue == c->bConfigurationValue)
				r->err = true;
	}
}

/* A GadgetFS file name: what gfs_ep_files() lists, no path. */
static bool name_ok(const char *n)
{
	return n && n[0] && n[0] != '.' && strlen(n) < GFS_NAME_MAX && !strchr(n, '/');
}

/* u32 tag 1 (host byte order, gfs_ep_open()), then 7-byte endpoint descriptors. */
static bool ep_cfg_ok(const uint8_t *c, uint32_t n)
{
	uint32_t tag;
	unsigned i;

	if (!c || (n != 11 && n != 18))
		return false;
	memcpy(&tag, c, 4);
	for (i = 4; i < n; i += 7)
		if (c[i] != 7 || c[i + 1] != 5 /* USB_DT_ENDPOINT */ || !(c[i + 2] & 0x0f))
			return false;
	return tag == 1;
}

static void enc_body(struct wr *w, const struct psep_msg *m)
{
	unsigned i;

	switch (m->type) {
	case PSEP_PRESENT_FFS:
		enc_ffs(w, &m->u.ffs);
		break;
	case PSEP_PRESENT_GFS:
		put_u8(w, m->u.gfs.bConfigurationValue);
		put_blob(w, m->u.gfs.blob, m->u.gfs.len);
		break;
	case PSEP_OPEN_EP:
		put_str(w, m->u.open_ep.name);
		put_blob(w, m->u.open_ep.cfg, m->u.open_ep.cfg_len);
		put_u32(w, m->u.open_ep.busy_ms);
		break;
	case PSEP_STATUS:
		put_u8(w, m->u.status.what);
		put_u16(w, m->u.status.vid);
		put_u16(w, m->u.status.pid);
		put_str(w, m->u.status.s1);
		put_str(w, m->u.status.s2);
		put_str(w, m->u.status.s3);
		break;
	case PSEP_REPLY:
		put_u32(w, (uint32_t)m->u.reply.status);
		put_u32(w, m->u.reply.value);
		put_u8(w, m->u.reply.n_names);
		for (i = 0; i < m->u.reply.n_names && i < 1 + GFS_MAX_FILES; i++)
			put_str(w, m->u.reply.names[i]);
		break;
	default:
		w->err = true;
	}
}

static void dec_body(struct rd *r, struct psep_msg *m)
{
	unsigned i;

	switch (m->type) {
	case PSEP_PRESENT_FFS:
		dec_ffs(r, &m->u.ffs);
		break;
	case PSEP_PRESENT_GFS:
		m->u.gfs.bConfigurationValue = (uint8_t)get_u8(r);
		m->u.gfs.blob = get_blob(r, &m->u.gfs.len, GFS_BLOB_MIN, GFS_BLOB_MAX);
		if (!m->u.gfs.bConfigurationValue)
			r->err = true;
		break;
	case PSEP_OPEN_EP:
		m->u.open_ep.name = get_str(r, GFS_NAME_MAX - 1, false);
		m->u.open_ep.cfg = get_blob(r, &m->u.open_ep.cfg_len, 11, 18);
		m->u.open_ep.busy_ms = get_u32(r);
		if (!r->err && (!name_ok(m->u.open_ep.name) || m->u.open_ep.busy_ms > 10000 ||
				!ep_cfg_ok(m->u.open_ep.cfg, m->u.open_ep.cfg_len)))
			r->err = true;
		break;
	case PSEP_STATUS:
		m->u.status.what = (uint8_t)get_u8(r);
		m->u.status.vid = (uint16_t)get_u16(r);
		m->u.status.pid = (uint16_t)get_u16(r);
		m->u.status.s1 = get_str(r, PSEP_TEXT_MAX, false);
		m->u.status.s2 = get_str(r, PSEP_TEXT_MAX, false);
		m->u.status.s3 = get_str(r, PSEP_TEXT_MAX, false);
		if (m->u.status.what < PSEP_ST_STATE || m->u.status.what > PSEP_ST_ERROR ||
		    (!r->err && !m->u.status.s1))
			r->err = true;
		break;
	case PSEP_REPLY:
		m->u.reply.status = (int32_t)get_u32(r);
		m->u.reply.value = get_u32(r);
		m->u.reply.n_names = (uint8_t)get_u8(r);
		if (m->u.reply.status > 0 || m->u.reply.status < -4095 ||
		    m->u.reply.n_names > 1 + GFS_MAX_FILES)
			r->err = true;
		for (i = 0; !r->err && i < m->u.reply.n_names; i++)
			if (!name_ok(m->u.reply.names[i] = get_str(r, GFS_NAME_MAX - 1, false)))
				r->err = true;
		break;
	default:
		r->err = true;
	}
}

int psep_decode(const uint8_t *buf, size_t len, struct psep_msg *m)
{
	struct rd r = { .p = buf, .len = len };
	unsigned version;
	uint32_t total;

	memset(m, 0, sizeof(*m));
	if (len < PSEP_HDR_LEN || len > PSEP_MSG_MAX)
		return -EBADMSG;
	m->type = (uint16_t)get_u16(&r);
	version = get_u16(&r);
	total = get_u32(&r);
	if (version != PSEP_VERSION || total != len)
		return -EBADMSG;
	dec_body(&r, m);
	if (r.err || r.off != len)
		return -EBADMSG;
	return 0;
}

ssize_t psep_encode(const struct psep_msg *m, uint8_t *out, size_t cap)
{
	struct wr w = { .p = out, .cap = cap < PSEP_MSG_MAX ? cap : PSEP_MSG_MAX };
	struct psep_msg check;

	put_u16(&w, m->type);
	put_u16(&w, PSEP_VERSION);
	put_u32(&w, 0); /* the length, below */
	enc_body(&w, m);
	if (w.err)
		return m->type < PSEP_PRESENT_FFS || m->type > PSEP_REPLY ? -EINVAL : -EMSGSIZE;
	out[4] = (uint8_t)w.len;
	out[5] = (uint8_t)(w.len >> 8);
	out[6] = (uint8_t)(w.len >> 16);
	out[7] = (uint8_t)(w.len >> 24);
	/* what the other side would refuse is not sent */
	if (psep_decode(out, w.len, &check))
		return -EINVAL;
	return (ssize_t)w.len;
}

const char *psep_type_str(unsigned type)
{
	static const char *const n[] = { "?", "present-functionfs", "present-gadgetfs",
					 "open-endpoint", "status", "reply" };

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

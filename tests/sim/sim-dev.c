// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-dev.c - usbip-sim's device file (libconfig, see tests/sim/README.md):
 * parsing, checking, and the descriptors the simulated device answers with.
 * Every key is checked: an unknown key or a bad value is an error naming
 * FILE:LINE, so a typo in a test's device file cannot silently change a test.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "gadgetd/usbip.h"
#include "tests/sim/sim.h"

struct lctx {
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int lerr(const struct lctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u: %s", c->file, s ? config_setting_source_line(s) : 0,
		 what);
	return -EINVAL;
}

static int check_keys(const struct lctx *c, const config_setting_t *g, const char *what,
		      const char *const *keys)
{
	int i, n = config_setting_length(g);
	const char *const *k;

	if (!config_setting_is_group(g))
		return lerr(c, g, "%s must be a group { ... }", what);
	for (i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);

		for (k = keys; *k; k++)
			if (!strcmp(*k, name))
				break;
		if (!*k)
			return lerr(c, m, "unknown key '%s' in %s", name, what);
	}
	return 0;
}

/* An integer member in [lo, hi]; *out unchanged when absent. 1 if present. */
static int get_int(const struct lctx *c, const config_setting_t *g, const char *name, long lo,
		   long hi, long *out)
{
	config_setting_t *m = config_setting_get_member(g, name);
	long long v;

	if (!m)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_INT)
		v = config_setting_get_int(m);
	else if (config_setting_type(m) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(m);
	else
		return lerr(c, m, "%s must be an integer", name);
	if (v < lo || v > hi)
		return lerr(c, m, "%s = %lld is outside %ld..%ld", name, v, lo, hi);
	*out = (long)v;
	return 1;
}

static int get_str(const struct lctx *c, const config_setting_t *g, const char *name,
		   const char **out)
{
	config_setting_t *m = config_setting_get_member(g, name);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return lerr(c, m, "%s must be a string", name);
	*out = config_setting_get_string(m);
	return 1;
}

static int get_bool(const struct lctx *c, const config_setting_t *g, const char *name, bool *out)
{
	config_setting_t *m = config_setting_get_member(g, name);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
		return lerr(c, m, "%s must be true or false", name);
	*out = config_setting_get_bool(m);
	return 1;
}

/* Give a string text an index (1, 2, ...); 0 for none. */
static int add_string(const struct lctx *c, const config_setting_t *s, struct sim_dev *d,
		      const char *text, uint8_t *idx)
{
	if (!text) {
		*idx = 0;
		return 0;
	}
	if (strlen(text) > 126)
		return lerr(c, s, "string '%s' is longer than 126 characters", text);
	if (d->n_str == 0)
		d->n_str = 1;
	if (d->n_str >= SIM_MAX_STR)
		return lerr(c, s, "more than %d strings", SIM_MAX_STR - 1);
	d->str[d->n_str] = strdup(text);
	if (!d->str[d->n_str])
		return -ENOMEM;
	*idx = (uint8_t)d->n_str++;
	return 0;
}

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

/* "[wMS:]LEN[z] ..." */
static int parse_seq(const struct lctx *c, const config_setting_t *s, struct sim_ep *e,
		     const char *text)
{
	const char *p = text;
	char *end;
	unsigned long v;

	e->seq = calloc(SIM_MAX_SEQ, sizeof(*e->seq));
	if (!e->seq)
		return -ENOMEM;
	for (;;) {
		struct sim_in_entry *x;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (e->n_seq >= SIM_MAX_SEQ)
			return lerr(c, s, "in: more than %d entries", SIM_MAX_SEQ);
		x = &e->seq[e->n_seq];
		if (*p == 'w') {
			v = strtoul(p + 1, &end, 10);
			if (end == p + 1 || *end != ':' || v > 600000)
				return lerr(c, s, "in: bad delay at '%.12s' (wMS:LEN)", p);
			x->delay_ms = (uint32_t)v;
			p = end + 1;
		}
		v = strtoul(p, &end, 10);
		if (end == p || v > 1048576)
			return lerr(c, s, "in: bad length at '%.12s' (0..1048576)", p);
		x->len = (uint32_t)v;
		p = end;
		if (*p == 'z') {
			x->zlp = true;
			p++;
		}
		if (*p && *p != ' ' && *p != '\t' && *p != ',')
			return lerr(c, s, "in: unexpected '%c' in '%s'", *p, text);
		e->n_seq++;
	}
	return 0;
}

static const char *const ep_keys[] = { "address", "type", "mps", "interval", "echo",
				       "echo_zlp", "stall_after", "delay_ms", "seed", "in", NULL };

static int load_ep(const struct lctx *c, const config_setting_t *g, struct sim_dev *d,
		   struct sim_ep *e)
{
	const char *type = NULL, *seq = NULL;
	long v;
	int r;

	r = check_keys(c, g, "an endpoint", ep_keys);
	if (r)
		return r;
	v = -1;
	if ((r = get_int(c, g, "address", 0, 255, &v)) < 0)
		return r;
	if (v < 0 || (v & 0x70) || !(v & 0x0f))
		return lerr(c, g, "an endpoint needs address = 0x01..0x0f or 0x81..0x8f");
	e->addr = (uint8_t)v;
	if ((r = get_str(c, g, "type", &type)) < 0)
		return r;
	if (!type || !strcmp(type, "bulk"))
		e->type = SIM_XFER_BULK;
	else if (!strcmp(type, "interrupt"))
		e->type = SIM_XFER_INT;
	else
		return lerr(c, g, "type = \"%s\": bulk or interrupt", type);
	v = sim_default_mps(d->speed, e->type);
	if ((r = get_int(c, g, "mps", 1, 1024, &v)) < 0)
		return r;
	e->mps = (uint16_t)v;
	v = e->type == SIM_XFER_INT ? (d->speed == USBIP_SPEED_FULL ? 1 : 4) : 0;
	if ((r = get_int(c, g, "interval", 0, 255, &v)) < 0)
		return r;
	e->interval = (uint8_t)v;
	v = -1;
	if ((r = get_int(c, g, "echo", 0x81, 0x8f, &v)) < 0)
		return r;
	e->echo = (int)v;
	e->echo_zlp = true;
	if ((r = get_bool(c, g, "echo_zlp", &e->echo_zlp)) < 0)
		return r;
	v = -1;
	if ((r = get_int(c, g, "stall_after", 0, 1000000, &v)) < 0)
		return r;
	e->stall_after = (int)v;
	v = 0;
	if ((r = get_int(c, g, "delay_ms", 0, 600000, &v)) < 0)
		return r;
	e->delay_ms = (uint32_t)v;
	v = (long)e->addr << 8;
	if ((r = get_int(c, g, "seed", 0, 0x7fffffff, &v)) < 0)
		return r;
	e->seed = (uint32_t)v;
	if ((r = get_str(c, g, "in", &seq)) < 0)
		return r;
	if (seq) {
		if (!(e->addr & 0x80))
			return lerr(c, g, "in = \"...\" is for IN endpoints (0x8N)");
		r = parse_seq(c, config_setting_get_member(g, "in"), e, seq);
		if (r)
			return r;
	}
	if (e->echo >= 0 && (e->addr & 0x80))
		return lerr(c, g, "echo is for OUT endpoints");
	if (e->delay_ms && (e->addr & 0x80))
		return lerr(c, g, "delay_ms is for OUT endpoints (IN: use wMS: in the sequence)");
	return 0;
}

static const char *const intf_keys[] = { "number", "class", "subclass", "protocol", "name",
					 "endpoints", NULL };

static int load_intf(const struct lctx *c, const config_setting_t *g, struct sim_dev *d,
		     struct sim_intf *f)
{
	const config_setting_t *eps;
	const char *name = NULL;
	long v;
	int r;
	unsigned i;

	r = check_keys(c, g, "an interface", intf_keys);
	if (r)
		return r;
	v = -1;
	if ((r = get_int(c, g, "number", 0, 255, &v)) < 0)
		return r;
	if (v < 0)
		return lerr(c, g, "an interface needs number = N");
	f->number = (uint8_t)v;
	v = 0xff;
	if ((r = get_int(c, g, "class", 0, 255, &v)) < 0)
		return r;
	f->cls = (uint8_t)v;
	v = 0;
	if ((r = get_int(c, g, "subclass", 0, 255, &v)) < 0)
		return r;
	f->sub = (uint8_t)v;
	v = 0;
	if ((r = get_int(c, g, "protocol", 0, 255, &v)) < 0)
		return r;
	f->proto = (uint8_t)v;
	if ((r = get_str(c, g, "name", &name)) < 0)
		return r;
	if ((r = add_string(c, g, d, name, &f->istr)))
		return r;
	eps = config_setting_get_member(g, "endpoints");
	if (!eps)
		return 0;
	if (!config_setting_is_list(eps))
		return lerr(c, eps, "endpoints must be a list ( {...}, ... )");
	if (config_setting_length(eps) > SIM_MAX_EP)
		return lerr(c, eps, "more than %d endpoints", SIM_MAX_EP);
	f->n_ep = (unsigned)config_setting_length(eps);
	for (i = 0; i < f->n_ep; i++) {
		r = load_ep(c, config_setting_get_elem(eps, i), d, &f->ep[i]);
		if (r)
			return r;
	}
	return 0;
}

static const char *const cfg_keys[] = { "value", "attributes", "max_power", "name",
					"interfaces", NULL };

static struct sim_ep *cfg_ep(struct sim_cfg *cf, unsigned addr)
{
	unsigned i, k;

	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++)
			if (cf->intf[i].ep[k].addr == addr)
				return &cf->intf[i].ep[k];
	return NULL;
}

static int load_cfg(const struct lctx *c, const config_setting_t *g, struct sim_dev *d,
		    struct sim_cfg *cf)
{
	const config_setting_t *ifs;
	const char *name = NULL;
	long v;
	int r;
	unsigned i, k;

	r = check_keys(c, g, "a configuration", cfg_keys);
	if (r)
		return r;
	v = -1;
	if ((r = get_int(c, g, "value", 1, 255, &v)) < 0)
		return r;
	if (v < 0)
		return lerr(c, g, "a configuration needs value = 1..255");
	cf->value = (uint8_t)v;
	v = 0x80;
	if ((r = get_int(c, g, "attributes", 0x80, 0xe0, &v)) < 0)
		return r;
	cf->attributes = (uint8_t)v;
	v = 100;
	if ((r = get_int(c, g, "max_power", 0, 2000, &v)) < 0)
		return r;
	cf->max_power_ma = (unsigned)v;
	if ((r = get_str(c, g, "name", &name)) < 0)
		return r;
	if ((r = add_string(c, g, d, name, &cf->istr)))
		return r;
	ifs = config_setting_get_member(g, "interfaces");
	if (!ifs || !config_setting_is_list(ifs) || config_setting_length(ifs) < 1)
		return lerr(c, g, "a configuration needs interfaces = ( {...}, ... )");
	if (config_setting_length(ifs) > SIM_MAX_INTF)
		return lerr(c, ifs, "more than %d interfaces", SIM_MAX_INTF);
	cf->n_intf = (unsigned)config_setting_length(ifs);
	for (i = 0; i < cf->n_intf; i++) {
		r = load_intf(c, config_setting_get_elem(ifs, i), d, &cf->intf[i]);
		if (r)
			return r;
		for (k = 0; k < i; k++)
			if (cf->intf[k].number == cf->intf[i].number)
				return lerr(c, config_setting_get_elem(ifs, i),
					    "interface number %u appears twice", cf->intf[i].number);
	}
	/* endpoint addresses unique in the configuration; echo targets exist */
	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++) {
			struct sim_ep *e = &cf->intf[i].ep[k], *t;

			if (cfg_ep(cf, e->addr) != e)
				return lerr(c, g, "endpoint 0x%02x appears twice in configuration %u",
					    e->addr, cf->value);
			if (e->echo >= 0) {
				t = cfg_ep(cf, (unsigned)e->echo);
				if (!t)
					return lerr(c, g, "endpoint 0x%02x: echo = 0x%02x is not an "
						    "endpoint of configuration %u", e->addr, e->echo,
						    cf->value);
				if (t->n_seq)
					return lerr(c, g, "endpoint 0x%02x: echo target 0x%02x also has "
						    "an in sequence", e->addr, e->echo);
			}
		}
	return 0;
}

static const char *const ctrl_keys[] = { "type", "request", "value", "index", "length",
					 "action", "seed", NULL };

static int load_ctrl(const struct lctx *c, const config_setting_t *g, struct sim_ctrl *h)
{
	const char *action = NULL;
	long v;
	int r;

	r = check_keys(c, g, "a control handler", ctrl_keys);
	if (r)
		return r;
	h->line = config_setting_source_line(g);
	v = -1;
	if ((r = get_int(c, g, "type", 0, 255, &v)) < 0)
		return r;
	if (v < 0)
		return lerr(c, g, "a control handler needs type = bmRequestType");
	h->type = (int)v;
	v = -1;
	if ((r = get_int(c, g, "request", 0, 255, &v)) < 0)
		return r;
	if (v < 0)
		return lerr(c, g, "a control handler needs request = bRequest");
	h->request = (int)v;
	v = -1;
	if ((r = get_int(c, g, "value", 0, 65535, &v)) < 0)
		return r;
	h->value = (int)v;
	v = -1;
	if ((r = get_int(c, g, "index", 0, 65535, &v)) < 0)
		return r;
	h->index = (int)v;
	v = -1;
	if ((r = get_int(c, g, "length", 0, 65535, &v)) < 0)
		return r;
	h->length = (int)v;
	v = h->type << 8 | h->request;
	if ((r = get_int(c, g, "seed", 0, 0x7fffffff, &v)) < 0)
		return r;
	h->seed = (uint32_t)v;
	if ((r = get_str(c, g, "action", &action)) < 0)
		return r;
	if (!action)
		return lerr(c, g, "a control handler needs action = pattern|store|load|ack|stall");
	if (!strcmp(action, "pattern"))
		h->action = CA_PATTERN;
	else if (!strcmp(action, "store"))
		h->action = CA_STORE;
	else if (!strcmp(action, "load"))
		h->action = CA_LOAD;
	else if (!strcmp(action, "ack"))
		h->action = CA_ACK;
	else if (!strcmp(action, "stall"))
		h->action = CA_STALL;
	else
		return lerr(c, g, "action = \"%s\": pattern, store, load, ack or stall", action);
	if ((h->action == CA_PATTERN || h->action == CA_LOAD) && !(h->type & 0x80))
		return lerr(c, g, "action %s needs an IN request (type 0x80 set)", action);
	if (h->action == CA_STORE && (h->type & 0x80))
		return lerr(c, g, "action store needs an OUT request (type 0x80 clear)");
	return 0;
}

/* ---- descriptors ---- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* @other: the high-speed device's full-speed view (OTHER_SPEED_CONFIGURATION) */
static size_t build_cfg(const struct sim_dev *d, const struct sim_cfg *cf, bool other,
			uint8_t *b)
{
	bool ss = d->speed == USBIP_SPEED_SUPER && !other;
	size_t n = 9;
	unsigned i, k, mps, ival;

	for (i = 0; i < cf->n_intf; i++) {
		const struct sim_intf *f = &cf->intf[i];
		uint8_t *p = b + n;

		p[0] = 9;
		p[1] = 4;
		p[2] = f->number;
		p[3] = 0;
		p[4] = (uint8_t)f->n_ep;
		p[5] = f->cls;
		p[6] = f->sub;
		p[7] = f->proto;
		p[8] = f->istr;
		n += 9;
		for (k = 0; k < f->n_ep; k++) {
			const struct sim_ep *e = &f->ep[k];

			mps = e->mps;
			ival = e->interval;
			if (other) {
				mps = e->type == SIM_XFER_BULK ? 64 : mps > 64 ? 64 : mps;
				if (e->type == SIM_XFER_INT) {
					unsigned uf = ival ? 1u << (ival - 1 > 15 ? 15 : ival - 1) : 1;

					ival = uf / 8 ? (uf / 8 > 255 ? 255 : uf / 8) : 1;
				}
			}
			p = b + n;
			p[0] = 7;
			p[1] = 5;
			p[2] = e->addr;
			p[3] = e->type;
			put16(p + 4, mps);
			p[6] = (uint8_t)ival;
			n += 7;
			if (ss) {
				p = b + n;
				p[0] = 6;
				p[1] = 0x30;
				p[2] = 0; /* bMaxBurst */
				p[3] = 0;
				put16(p + 4, e->type == SIM_XFER_INT ? mps : 0);
				n += 6;
			}
		}
	}
	b[0] = 9;
	b[1] = other ? 7 : 2;
	put16(b + 2, (unsigned)n);
	b[4] = (uint8_t)cf->n_intf;
	b[5] = cf->value;
	b[6] = cf->istr;
	b[7] = cf->attributes;
	b[8] = (uint8_t)(ss ? (cf->max_power_ma + 7) / 8 : (cf->max_power_ma + 1) / 2);
	return n;
}

static void build(struct sim_dev *d)
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
	}
}

int sim_string_desc(const struct sim_dev *d, unsigned idx, uint8_t *out, size_t outlen)
{
	const char *s;
	size_t n, i;

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
	s = d->str[idx];
	n = strlen(s);
	if (2 + 2 * n > outlen || 2 + 2 * n > 254)
		n = (outlen < 254 ? outlen - 2 : 252) / 2;
	out[0] = (uint8_t)(2 + 2 * n);
	out[1] = 3;
	for (i = 0; i < n; i++)
		put16(out + 2 + 2 * i, (uint8_t)s[i]); /* ASCII only (checked at load) */
	return (int)(2 + 2 * n);
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

static const char *const top_keys[] = { "speed", "busid", "busnum", "devnum", "device",
					"configurations", "control", NULL };
static const char *const dev_keys[] = { "idVendor", "idProduct", "bcdDevice", "class",
					"subclass", "protocol", "manufacturer", "product",
					"serial", "active", NULL };

int sim_dev_load(const char *path, struct sim_dev *d, char *err, size_t errlen)
{
	struct lctx c = { path, err, errlen };
	config_t cfg;
	config_setting_t *root, *dev, *cfgs, *ctl;
	const char *s = NULL, *m = NULL, *p = NULL, *sn = NULL;
	long v;
	int r = -EINVAL;
	unsigned i, k;

	memset(d, 0, sizeof(*d));
	d->file = path;
	d->cur = -1;
	config_init(&cfg);
	config_set_include_dir(&cfg, "/dev/null");
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read the file", path);
		else
			snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cfg),
				 config_error_text(&cfg));
		goto out;
	}
	root = config_root_setting(&cfg);
	if ((r = check_keys(&c, root, "the file", top_keys)))
		goto out;
	if ((r = get_str(&c, root, "speed", &s)) < 0)
		goto out;
	r = -EINVAL;
	if (!s || !strcmp(s, "high"))
		d->speed = USBIP_SPEED_HIGH;
	else if (!strcmp(s, "full"))
		d->speed = USBIP_SPEED_FULL;
	else if (!strcmp(s, "super"))
		d->speed = USBIP_SPEED_SUPER;
	else {
		lerr(&c, config_setting_get_member(root, "speed"), "speed = \"%s\": full, high or super",
		     s);
		goto out;
	}
	s = "1-1";
	if ((r = get_str(&c, root, "busid", &s)) < 0)
		goto out;
	if (!*s || strlen(s) > 31) {
		r = lerr(&c, root, "busid must be 1..31 characters");
		goto out;
	}
	snprintf(d->busid, sizeof(d->busid), "%s", s);
	v = 1;
	if ((r = get_int(&c, root, "busnum", 1, 65535, &v)) < 0)
		goto out;
	d->busnum = (unsigned)v;
	v = 2;
	if ((r = get_int(&c, root, "devnum", 1, 65535, &v)) < 0)
		goto out;
	d->devnum = (unsigned)v;
	dev = config_setting_get_member(root, "device");
	if (!dev) {
		r = lerr(&c, root, "the file needs device = { idVendor = ...; idProduct = ...; }");
		goto out;
	}
	if ((r = check_keys(&c, dev, "device", dev_keys)))
		goto out;
	v = -1;
	if ((r = get_int(&c, dev, "idVendor", 0, 0xffff, &v)) < 0)
		goto out;
	d->idVendor = (uint16_t)v;
	if (v < 0 || (r = get_int(&c, dev, "idProduct", 0, 0xffff, &v)) <= 0) {
		r = lerr(&c, dev, "device needs idVendor and idProduct");
		goto out;
	}
	d->idProduct = (uint16_t)v;
	v = 0x0100;
	if ((r = get_int(&c, dev, "bcdDevice", 0, 0xffff, &v)) < 0)
		goto out;
	d->bcdDevice = (uint16_t)v;
	v = 0;
	if ((r = get_int(&c, dev, "class", 0, 255, &v)) < 0)
		goto out;
	d->cls = (uint8_t)v;
	v = 0;
	if ((r = get_int(&c, dev, "subclass", 0, 255, &v)) < 0)
		goto out;
	d->sub = (uint8_t)v;
	v = 0;
	if ((r = get_int(&c, dev, "protocol", 0, 255, &v)) < 0)
		goto out;
	d->proto = (uint8_t)v;
	if ((r = get_str(&c, dev, "manufacturer", &m)) < 0 ||
	    (r = get_str(&c, dev, "product", &p)) < 0 || (r = get_str(&c, dev, "serial", &sn)) < 0)
		goto out;
	if ((r = add_string(&c, dev, d, m, &d->imanufacturer)) ||
	    (r = add_string(&c, dev, d, p, &d->iproduct)) ||
	    (r = add_string(&c, dev, d, sn, &d->iserial)))
		goto out;
	cfgs = config_setting_get_member(root, "configurations");
	if (!cfgs || !config_setting_is_list(cfgs) || config_setting_length(cfgs) < 1 ||
	    config_setting_length(cfgs) > SIM_MAX_CFG) {
		r = lerr(&c, cfgs ? cfgs : root, "the file needs configurations = ( {...} ), 1..%d",
			 SIM_MAX_CFG);
		goto out;
	}
	d->n_cfg = (unsigned)config_setting_length(cfgs);
	for (i = 0; i < d->n_cfg; i++) {
		r = load_cfg(&c, config_setting_get_elem(cfgs, i), d, &d->cfg[i]);
		if (r)
			goto out;
		for (k = 0; k < i; k++)
			if (d->cfg[k].value == d->cfg[i].value) {
				r = lerr(&c, config_setting_get_elem(cfgs, i),
					 "configuration value %u appears twice", d->cfg[i].value);
				goto out;
			}
	}
	v = d->cfg[0].value;
	if ((r = get_int(&c, dev, "active", 1, 255, &v)) < 0)
		goto out;
	d->active = (uint8_t)v;
	for (k = 0; k < d->n_cfg && d->cfg[k].value != d->active; k++)
		;
	if (k == d->n_cfg) {
		r = lerr(&c, dev, "active = %u is not a configuration value", d->active);
		goto out;
	}
	ctl = config_setting_get_member(root, "control");
	if (ctl) {
		if (!config_setting_is_list(ctl) || config_setting_length(ctl) > SIM_MAX_CTRL) {
			r = lerr(&c, ctl, "control must be a list ( {...}, ... ) of at most %d",
				 SIM_MAX_CTRL);
			goto out;
		}
		d->n_ctrl = (unsigned)config_setting_length(ctl);
		for (i = 0; i < d->n_ctrl; i++) {
			r = load_ctrl(&c, config_setting_get_elem(ctl, i), &d->ctrl[i]);
			if (r)
				goto out;
		}
	}
	for (i = 1; i < d->n_str; i++)
		for (s = d->str[i]; *s; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
				snprintf(err, errlen, "%s: string '%s': ASCII only", path, d->str[i]);
				r = -EINVAL;
				goto out;
			}
	snprintf(d->path, sizeof(d->path), "/sys/devices/usbip-sim/usb%u/%s", d->busnum,
		 d->busid);
	build(d);
	r = 0;
out:
	config_destroy(&cfg);
	return r;
}

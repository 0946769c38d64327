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

/* An integer member in [lo, hi], @dflt when absent, into an int. */
static int get_int_or(const struct lctx *c, const config_setting_t *g, const char *name, long lo,
		      long hi, long dflt, int *out)
{
	long v = dflt;
	int r = get_int(c, g, name, lo, hi, &v);

	*out = (int)v;
	return r < 0 ? r : 0;
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
	if (sim_utf16(text, NULL, 126) < 0)
		return lerr(c, s, "string '%s' is not UTF-8 of at most 126 UTF-16 units", text);
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

/* descriptors = ( [bLength, bDescriptorType, ...], ... ): class-specific descriptors,
 * each an array of bytes whose first is its length. */
static int load_cs(const struct lctx *c, const config_setting_t *g, uint8_t **out, size_t *outlen)
{
	const config_setting_t *l = config_setting_get_member(g, "descriptors"), *a;
	unsigned i, k, n, t;
	uint8_t *b;

	if (!l)
		return 0;
	if (!config_setting_is_list(l))
		return lerr(c, l, "descriptors must be a list of byte arrays ( [5, 0x24, ...], ... )");
	b = calloc(1, SIM_CS_MAX);
	if (!b)
		return -ENOMEM;
	*out = b;
	for (i = 0; i < (unsigned)config_setting_length(l); i++) {
		a = config_setting_get_elem(l, i);
		n = config_setting_is_array(a) ? (unsigned)config_setting_length(a) : 0;
		if (n < 2 || config_setting_type(config_setting_get_elem(a, 0)) != CONFIG_TYPE_INT)
			return lerr(c, a, "a descriptor is an array of at least 2 bytes [bLength, "
				    "bDescriptorType, ...]");
		if (*outlen + n > SIM_CS_MAX)
			return lerr(c, a, "descriptors: more than %d bytes", SIM_CS_MAX);
		for (k = 0; k < n; k++) {
			int v = config_setting_get_int_elem(a, (int)k);

			if (v < 0 || v > 255)
				return lerr(c, a, "descriptor byte %u = %d is not 0..255", k, v);
			b[*outlen + k] = (uint8_t)v;
		}
		t = b[*outlen + 1];
		if (b[*outlen] != n)
			return lerr(c, a, "descriptor bLength %u, but it has %u bytes", b[*outlen],
				    n);
		if (t == 1 || t == 2 || t == 4 || t == 5 || t == 7 || t == 0x0b)
			return lerr(c, a, "descriptor type 0x%02x is built from the file's keys, "
				    "not given as bytes", t);
		*outlen += n;
	}
	return 0;
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
				       "echo_zlp", "echo_alt", "echo_stream", "stall_after",
				       "delay_ms", "seed", "in", "serial_state", "notify_dtr",
				       "audio", "descriptors", NULL };

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
	e->echo_zlp = e->notify_dtr = true;
	if ((r = get_int_or(c, g, "echo", 0x81, 0x8f, -1, &e->echo)) ||
	    (r = get_bool(c, g, "echo_zlp", &e->echo_zlp)) < 0 ||
	    (r = get_bool(c, g, "echo_alt", &e->echo_alt)) < 0 ||
	    (r = get_bool(c, g, "echo_stream", &e->echo_stream)) < 0 ||
	    (r = get_int_or(c, g, "serial_state", 0, 0xffff, -1, &e->serial_state)) ||
	    (r = get_bool(c, g, "notify_dtr", &e->notify_dtr)) < 0 ||
	    (r = get_bool(c, g, "audio", &e->audio)) < 0 ||
	    (r = load_cs(c, g, &e->cs, &e->cs_len)) ||
	    (r = get_int_or(c, g, "stall_after", 0, 1000000, -1, &e->stall_after)))
		return r;
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
	if ((e->echo_alt || e->echo_stream) && e->echo < 0)
		return lerr(c, g, "echo_alt and echo_stream go with echo = 0x8N");
	if (e->echo_alt && e->echo_stream)
		return lerr(c, g, "echo_alt or echo_stream, not both");
	if (e->serial_state >= 0 && !(e->addr & 0x80))
		return lerr(c, g, "serial_state is for IN endpoints (the notification endpoint)");
	if (e->delay_ms && (e->addr & 0x80))
		return lerr(c, g, "delay_ms is for OUT endpoints (IN: use wMS: in the sequence)");
	return 0;
}

static const char *const intf_keys[] = { "number", "alt", "class", "subclass", "protocol",
					 "name", "iad", "descriptors", "endpoints", NULL };
static const char *const iad_keys[] = { "count", "class", "subclass", "protocol", "name", NULL };

/* iad = { count = N; class = ...; subclass = ...; protocol = ...; name = "..."; } */
static int load_iad(const struct lctx *c, const config_setting_t *g, struct sim_dev *d,
		    struct sim_iad *a)
{
	const char *name = NULL;
	long cnt = 0, cls = 0, sub = 0, proto = 0;
	int r;

	if (!g)
		return 0;
	if ((r = check_keys(c, g, "iad", iad_keys)))
		return r;
	if ((r = get_int(c, g, "count", 1, 32, &cnt)) < 0 || (r = get_int(c, g, "class", 0, 255,
	     &cls)) < 0 || (r = get_int(c, g, "subclass", 0, 255, &sub)) < 0 ||
	    (r = get_int(c, g, "protocol", 0, 255, &proto)) < 0 || (r = get_str(c, g, "name",
	     &name)) < 0)
		return r;
	if (!cnt)
		return lerr(c, g, "iad needs count = the number of interfaces it groups");
	a->present = true;
	a->count = (uint8_t)cnt;
	a->cls = (uint8_t)cls;
	a->sub = (uint8_t)sub;
	a->proto = (uint8_t)proto;
	return add_string(c, g, d, name, &a->istr);
}

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
	v = 0;
	if ((r = get_int(c, g, "alt", 0, 255, &v)) < 0)
		return r;
	f->alt = (uint8_t)v;
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
	if ((r = add_string(c, g, d, name, &f->istr)) ||
	    (r = load_iad(c, config_setting_get_member(g, "iad"), d, &f->iad)) ||
	    (r = load_cs(c, g, &f->cs, &f->cs_len)))
		return r;
	if (f->iad.present && f->alt)
		return lerr(c, g, "iad goes with alternate setting 0");
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
		f->ep[i].alt = f->alt;
	}
	return 0;
}

static const char *const cfg_keys[] = { "value", "attributes", "max_power", "name",
					"interfaces", NULL };

struct sim_ep *sim_setting_ep(struct sim_intf *f, unsigned addr)
{
	unsigned k;

	for (k = 0; k < f->n_ep; k++)
		if (f->ep[k].addr == addr)
			return &f->ep[k];
	return NULL;
}

static bool has_number(const struct sim_cfg *cf, unsigned number)
{
	unsigned i;

	for (i = 0; i < cf->n_intf; i++)
		if (cf->intf[i].number == number)
			return true;
	return false;
}

/* Alternate settings of an interface follow each other, numbered 0, 1, ...;
 * an interface association names interfaces that exist. */
static int check_settings(const struct lctx *c, const config_setting_t *ifs, struct sim_cfg *cf)
{
	unsigned i, k;

	for (i = 0; i < cf->n_intf; i++) {
		struct sim_intf *f = &cf->intf[i], *p = i ? &cf->intf[i - 1] : NULL;
		const config_setting_t *g = config_setting_get_elem(ifs, i);

		if (p && p->number == f->number) {
			if (f->alt != p->alt + 1)
				return lerr(c, g, "interface %u: alt = %u follows alt %u (settings "
					    "in order 0, 1, ...)", f->number, f->alt, p->alt);
			continue;
		}
		for (k = 0; k < i; k++)
			if (cf->intf[k].number == f->number)
				return lerr(c, g, "interface number %u appears twice (its "
					    "alternate settings must follow each other)", f->number);
		if (f->alt)
			return lerr(c, g, "interface %u: its first setting must be alt = 0",
				    f->number);
		cf->n_num++;
	}
	for (i = 0; i < cf->n_intf; i++)
		for (k = 1; cf->intf[i].iad.present && k < cf->intf[i].iad.count; k++)
			if (!has_number(cf, cf->intf[i].number + k))
				return lerr(c, config_setting_get_elem(ifs, i), "iad: interface "
					    "%u of the %u it groups is not in the configuration",
					    cf->intf[i].number + k, cf->intf[i].iad.count);
	return 0;
}

/* The IN endpoint @addr that @e's transfers are echoed on: in @e's own setting, else in
 * another interface; NULL if none. */
static struct sim_ep *echo_target(struct sim_cfg *cf, struct sim_intf *own, unsigned addr)
{
	struct sim_ep *t = sim_setting_ep(own, addr);
	unsigned i;

	for (i = 0; !t && i < cf->n_intf; i++)
		if (cf->intf[i].number != own->number)
			t = sim_setting_ep(&cf->intf[i], addr);
	return t;
}

/* An endpoint address is used once in a setting, and by one interface (its alternate
 * settings may share it); echo targets exist and have no sequence of their own. */
static int check_endpoints(const struct lctx *c, const config_setting_t *g, struct sim_cfg *cf)
{
	unsigned i, j, k;

	for (i = 0; i < cf->n_intf; i++)
		for (k = 0; k < cf->intf[i].n_ep; k++) {
			struct sim_intf *f = &cf->intf[i], *o;
			struct sim_ep *e = &f->ep[k], *t;

			for (j = 0; j <= i; j++) {
				o = &cf->intf[j];
				t = sim_setting_ep(o, e->addr);
				if (!t || t == e || (j != i && o->number == f->number))
					continue;
				return lerr(c, g, "endpoint 0x%02x appears twice in configuration "
					    "%u (interface %u alt %u, interface %u alt %u)", e->addr,
					    cf->value, o->number, o->alt, f->number, f->alt);
			}
			if (e->echo < 0)
				continue;
			t = echo_target(cf, f, (unsigned)e->echo);
			if (!t)
				return lerr(c, g, "endpoint 0x%02x: echo = 0x%02x is not an endpoint "
					    "of configuration %u", e->addr, e->echo, cf->value);
			if (t->n_seq)
				return lerr(c, g, "endpoint 0x%02x: echo target 0x%02x also has an "
					    "in sequence", e->addr, e->echo);
		}
	return 0;
}

static int load_cfg(const struct lctx *c, const config_setting_t *g, struct sim_dev *d,
		    struct sim_cfg *cf)
{
	const config_setting_t *ifs;
	const char *name = NULL;
	long v;
	int r;
	unsigned i;

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
		return lerr(c, ifs, "more than %d interface settings", SIM_MAX_INTF);
	cf->n_intf = (unsigned)config_setting_length(ifs);
	for (i = 0; i < cf->n_intf; i++) {
		r = load_intf(c, config_setting_get_elem(ifs, i), d, &cf->intf[i]);
		if (r)
			return r;
	}
	r = check_settings(c, ifs, cf);
	return r ? r : check_endpoints(c, g, cf);
}

static const char *const ctrl_keys[] = { "type", "request", "value", "index", "length",
					 "action", "seed", "delay_ms", NULL };

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
	v = 0;
	if ((r = get_int(c, g, "delay_ms", 0, 60000, &v)) < 0)
		return r;
	h->delay_ms = (uint32_t)v;
	if ((r = get_str(c, g, "action", &action)) < 0)
		return r;
	if (!action)
		return lerr(c, g, "a control handler needs action = pattern|store|load|ack|stall|"
			    "line_coding|line_state");
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
	else if (!strcmp(action, "line_coding"))
		h->action = CA_LINE_CODING;
	else if (!strcmp(action, "line_state"))
		h->action = CA_LINE_STATE;
	else
		return lerr(c, g, "action = \"%s\": pattern, store, load, ack, stall, line_coding "
			    "or line_state", action);
	if ((h->action == CA_LINE_CODING || h->action == CA_LINE_STATE) && (h->type & 0x1f) != 1)
		return lerr(c, g, "action %s needs an interface request (type 0x21 or 0xa1)",
			    action);
	if (h->action == CA_LINE_STATE && (h->type & 0x80))
		return lerr(c, g, "action line_state needs an OUT request (type 0x80 clear)");
	if ((h->action == CA_PATTERN || h->action == CA_LOAD) && !(h->type & 0x80))
		return lerr(c, g, "action %s needs an IN request (type 0x80 set)", action);
	if (h->action == CA_STORE && (h->type & 0x80))
		return lerr(c, g, "action store needs an OUT request (type 0x80 clear)");
	return 0;
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
	snprintf(d->path, sizeof(d->path), "/sys/devices/usbip-sim/usb%u/%s", d->busnum,
		 d->busid);
	r = sim_build(d);
	if (r) {
		snprintf(err, errlen, "%s: configuration %d: the descriptors are longer than %d "
			 "bytes", path, -r, SIM_DESC_MAX);
		r = -EINVAL;
		goto out;
	}
out:
	config_destroy(&cfg);
	return r;
}

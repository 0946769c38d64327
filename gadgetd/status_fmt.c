// SPDX-License-Identifier: GPL-2.0-or-later
/* status_fmt.c - see status_fmt.h. No I/O. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gadgetd/status_fmt.h"

enum ftype { F_STR, F_LONG, F_UINT, F_I64, F_BOOL, F_HEX };

/* The scalar keys of the wire form, in the order they are written. */
static const struct field {
	const char *key;
	enum ftype t;
	size_t off, size;
} fields[] = {
#define S(k, m) { k, F_STR, offsetof(struct gd_status, m), sizeof(((struct gd_status *)0)->m) }
#define N(k, t, m) { k, t, offsetof(struct gd_status, m), sizeof(((struct gd_status *)0)->m) }
	N("pid", F_LONG, pid),
	S("version", version),
	S("udc", udc),
	S("profile", profile),
	S("server", server),
	S("busid", busid),
	S("user", user),
	N("imported", F_BOOL, has_device),
	N("idVendor", F_HEX, vid),
	N("idProduct", F_HEX, pid_dev),
	S("speed", speed),
	S("manufacturer", manufacturer),
	S("product", product),
	S("backend", backend),
	S("state", state),
	S("detail", detail),
	N("started", F_I64, started),
	N("since", F_I64, since),
	N("host_config", F_UINT, host_config),
	N("host_suspended", F_BOOL, host_suspended),
	N("reconnects", F_UINT, reconnects),
	N("last_error_time", F_I64, last_error_time),
	S("last_error", last_error),
#undef S
#undef N
};

const char *status_ep_type_str(unsigned type)
{
	static const char *const n[] = { "control", "isochronous", "bulk", "interrupt" };

	return type < 4 ? n[type] : "?";
}

/* An appender that remembers running out of room. */
struct out {
	char *buf;
	size_t len, pos;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->full = true;
		o->pos = o->len - 1;
		return;
	}
	o->pos += (size_t)n;
}

/* @s with control characters (a newline would end the value) as '?'. */
static void put_clean(struct out *o, const char *s)
{
	char c[2] = "";

	for (; *s && !o->full; s++) {
		c[0] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
		put(o, "%s", c);
	}
}

int status_encode(const struct gd_status *st, char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	const char *base = (const char *)st;
	unsigned i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	put(&o, "%s\n", STATUS_MAGIC);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		const void *p = base + f->off;

		switch (f->t) {
		case F_STR:
			if (!*(const char *)p)
				continue;
			put(&o, "%s ", f->key);
			put_clean(&o, p);
			put(&o, "\n");
			break;
		case F_LONG: put(&o, "%s %ld\n", f->key, *(const long *)p); break;
		case F_UINT: put(&o, "%s %u\n", f->key, *(const unsigned *)p); break;
		case F_HEX: put(&o, "%s %04x\n", f->key, *(const unsigned *)p); break;
		case F_I64: put(&o, "%s %" PRId64 "\n", f->key, *(const int64_t *)p); break;
		case F_BOOL: put(&o, "%s %d\n", f->key, *(const bool *)p ? 1 : 0); break;
		}
	}
	for (i = 0; i < st->n_ep && i < STATUS_MAX_EP; i++)
		put(&o, "ep 0x%02x %s %" PRIu64 " %" PRIu64 "\n", st->ep[i].addr,
		    status_ep_type_str(st->ep[i].type), st->ep[i].urbs, st->ep[i].bytes);
	return o.full ? -ENOSPC : (int)o.pos;
}

static int parse_field(const struct field *f, const char *v, void *p)
{
	char *end;

	errno = 0;
	switch (f->t) {
	case F_STR:
		snprintf(p, f->size, "%s", v);
		return 0;
	case F_LONG:
		*(long *)p = strtol(v, &end, 10);
		break;
	case F_UINT: {
		unsigned long u = strtoul(v, &end, 10);

		*(unsigned *)p = (unsigned)u;
		if (u > 0xffffffffUL)
			return -EINVAL;
		break;
	}
	case F_HEX: {
		unsigned long u = strtoul(v, &end, 16);

		*(unsigned *)p = (unsigned)u;
		if (u > 0xffff)
			return -EINVAL;
		break;
	}
	case F_I64:
		*(int64_t *)p = strtoll(v, &end, 10);
		break;
	case F_BOOL:
		if (strcmp(v, "0") && strcmp(v, "1"))
			return -EINVAL;
		*(bool *)p = v[0] == '1';
		return 0;
	default:
		return -EINVAL;
	}
	return errno || end == v || *end ? -EINVAL : 0;
}

static int parse_ep(const char *v, struct gd_status *st)
{
	char type[16];
	unsigned addr, t;
	uint64_t urbs, bytes;
	int used = 0;

	if (st->n_ep >= STATUS_MAX_EP)
		return 0;
	if (sscanf(v, "%x %15s %" SCNu64 " %" SCNu64 "%n", &addr, type, &urbs, &bytes, &used) != 4 ||
	    v[used] || addr > 0xff)
		return -EINVAL;
	for (t = 0; t < 4 && strcmp(type, status_ep_type_str(t)); t++)
		;
	if (t == 4)
		return -EINVAL;
	st->ep[st->n_ep++] = (struct status_ep){ (uint8_t)addr, (uint8_t)t, urbs, bytes };
	return 0;
}

int status_decode(const char *text, size_t len, struct gd_status *st)
{
	const char *p = text, *end = text + len;
	char line[512];
	bool first = true;
	unsigned i;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *v;
		int r = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		p += n + (nl ? 1 : 0);
		if (first) {
			if (strcmp(line, STATUS_MAGIC))
				return -EINVAL;
			first = false;
			continue;
		}
		if (!line[0])
			continue;
		v = strchr(line, ' ');
		v = v ? (*v = 0, v + 1) : line + strlen(line);
		if (!strcmp(line, "ep"))
			r = parse_ep(v, st);
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(line, fields[i].key))
				r = parse_field(&fields[i], v, (char *)st + fields[i].off);
		if (r)
			return r;
	}
	return first ? -EINVAL : 0;
}

bool status_matches(const struct gd_status *st, const char *name)
{
	const char *base;
	size_t n;
	char *end;
	long pid;

	if (!name || !*name)
		return true;
	pid = strtol(name, &end, 10);
	if (!*end && pid == st->pid)
		return true;
	if (!strcmp(name, st->udc) || !strcmp(name, st->busid) || !strcmp(name, st->profile))
		return true;
	if (!st->profile[0])
		return false;
	base = strrchr(st->profile, '/');
	base = base ? base + 1 : st->profile;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".cfg"))
		n -= 4;
	return strlen(name) == n && !strncmp(name, base, n);
}

/* "2026-12-03 02:40:11" in local time. */
static void put_time(struct out *o, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	if (!localtime_r(&tt, &tm) || !strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(s, sizeof(s), "@%" PRId64, t);
	put(o, "%s", s);
}

/* "3 s", "5 min 2 s", "2 h 5 min", "3 days 4 h" */
static void put_age(struct out *o, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		put(o, "%" PRId64 " s", secs);
	else if (secs < 3600)
		put(o, "%" PRId64 " min %" PRId64 " s", secs / 60, secs % 60);
	else if (secs < 86400)
		put(o, "%" PRId64 " h %" PRId64 " min", secs / 3600, secs % 3600 / 60);
	else
		put(o, "%" PRId64 " days %" PRId64 " h", secs / 86400, secs % 86400 / 3600);
}

static void put_bytes(struct out *o, uint64_t b)
{
	put(o, "%12" PRIu64, b);
	if (b >= 1u << 20)
		put(o, " (%.1f MiB)", (double)b / (1u << 20));
	else if (b >= 1u << 10)
		put(o, " (%.1f KiB)", (double)b / (1u << 10));
}

static void put_ep(struct out *o, const struct status_ep *e)
{
	if ((e->addr & 0x7f) == 0)
		put(o, "    %-11s", "ep0");
	else
		put(o, "    0x%02x %-6s", e->addr, e->addr & 0x80 ? "in" : "out");
	put(o, "%-12s %10" PRIu64 " ", status_ep_type_str(e->type), e->urbs);
	put_bytes(o, e->bytes);
	put(o, "\n");
}

static const char *backend_name(const char *b)
{
	return !strcmp(b, "functionfs") ? "FunctionFS" : !strcmp(b, "gadgetfs") ? "GadgetFS" : b;
}

size_t status_table(const struct gd_status *st, int64_t now, char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	unsigned i;

	if (!len)
		return 0;
	buf[0] = 0;
	put(&o, "gadgetd %ld (version %s), UDC %s", st->pid, st->version[0] ? st->version : "?",
	    st->udc[0] ? st->udc : "(not chosen yet)");
	if (st->profile[0])
		put(&o, ", profile %s", st->profile);
	put(&o, "\n  %-12s %s\n  %-12s %s\n", "server", st->server[0] ? st->server : "-", "busid",
	    st->busid[0] ? st->busid : "-");
	put(&o, "  %-12s ", "device");
	if (st->has_device) {
		put(&o, "%04x:%04x", st->vid, st->pid_dev);
		if (st->manufacturer[0] || st->product[0])
			put(&o, " %s%s%s", st->manufacturer, st->manufacturer[0] && st->product[0] ?
			    " " : "", st->product);
		if (st->speed[0])
			put(&o, " (%s speed)", st->speed);
	} else {
		put(&o, "- (not imported yet)");
	}
	put(&o, "\n  %-12s %s\n", "backend", st->backend[0] ? backend_name(st->backend) : "-");
	put(&o, "  %-12s %s since ", "state", st->state[0] ? st->state : "?");
	put_time(&o, st->since);
	put(&o, " (");
	put_age(&o, now - st->since);
	put(&o, ")%s%s\n", st->detail[0] ? ": " : "", st->detail);
	put(&o, "  %-12s ", "host");
	if (st->host_config)
		put(&o, "configured: yes (configuration %u%s)\n", st->host_config,
		    st->host_suspended ? ", suspended" : "");
	else
		put(&o, "configured: no\n");
	put(&o, "  %-12s %u\n  %-12s ", "reconnects", st->reconnects, "last error");
	if (st->last_error_time) {
		put_time(&o, st->last_error_time);
		put(&o, " %s\n", st->last_error);
	} else {
		put(&o, "none\n");
	}
	put(&o, "  %-12s ", "started");
	put_time(&o, st->started);
	if (st->user[0])
		put(&o, "; relay as %s", st->user);
	put(&o, "\n");
	if (st->n_ep) {
		put(&o, "    %-11s%-12s %10s %12s\n", "endpoint", "type", "URBs", "bytes");
		for (i = 0; i < st->n_ep && i < STATUS_MAX_EP; i++)
			put_ep(&o, &st->ep[i]);
	}
	return o.pos;
}

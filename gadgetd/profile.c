// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile.c - per-device profiles (libconfig files, see gadgetd.profile(5)).
 *
 * The file is read into memory here and handed to config_read_string(), so that
 * a missing file, a directory or a read error is told apart from a syntax error,
 * and so that the text can be checked for integers that libconfig 1.5 would
 * silently truncate to 32 bits (it stores 0x100001234 as 0x1234). @include is
 * refused: parsing reads nothing but the one file.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/profile.h"
#include "gadgetd/transport.h"
#include "gadgetd/profile_int.h"

#define USB_MAX_STRING_LEN	126	/* bytes of UTF-8, as ConfigFS takes them */
#define BUSID_MAX_LEN		31	/* SYSFS_BUS_ID_SIZE - 1 */
#define MAX_POWER_MA		500
#define MAX_SECONDS		3600	/* dead_peer_timeout, retry.min, retry.max */
#define USER_MAX_LEN		32	/* as useradd(8) allows by default */

/* libconfig prepends this and "/" to @include paths: nothing can be opened */
#define NO_INCLUDE_DIR		"/dev/null"

struct pctx {
	const char *name;		/* file name in messages */
	struct gd_profile *p;
	struct gd_profile_err *err;
};

static const char *const top_keys[] = {
	"remote", "busid", "udc", "backend", "device", "dead_peer_timeout", "retry", "user", "allow",
	"readahead", "capture", "capture_max_mb", "capture_snaplen", "match", "proxy_command",
	NULL,
};
static const char *const retry_keys[] = { "min", "max", NULL };
static const char *const allow_keys[] = { "devices", "classes", "requests", NULL };
static const char *const device_keys[] = {
	"idVendor", "idProduct", "bcdDevice", "serial", "manufacturer", "product",
	"MaxPower", "self_powered", NULL,
};

__attribute__((format(printf, 2, 3)))
static void set_err(struct gd_profile_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: " + the rest; returns -EINVAL for the caller's convenience */
__attribute__((format(printf, 3, 4)))
static int line_err(const struct pctx *c, unsigned int line, const char *fmt, ...)
{
	char what[sizeof(c->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_err(c->err, "%s:%u: %s", c->name, line, what);
	return -EINVAL;
}

static unsigned int setting_line(const config_setting_t *s)
{
	return config_setting_source_line(s);
}

static bool key_known(const char *const *keys, const char *name)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, name))
			return true;
	return false;
}

static int unknown_key(const struct pctx *c, const config_setting_t *s,
		       const char *prefix, const char *const *keys)
{
	char known[256];
	size_t off = 0;

	known[0] = '\0';
	for (; *keys; keys++) {
		size_t n = strlen(*keys);

		if (off + n + 3 > sizeof(known))
			break;
		if (off) {
			memcpy(known + off, ", ", 2);
			off += 2;
		}
		memcpy(known + off, *keys, n + 1);
		off += n;
	}
	return line_err(c, setting_line(s), "unknown key '%s%s' (known: %s)",
			prefix, config_setting_name(s), known);
}

/*
 * Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without C0
 * controls or DEL: the string ends up in a ConfigFS attribute and a descriptor.
 */
static const char *string_problem(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		unsigned int cp, n, i;

		if (*u < 0x80) {
			if (*u < 0x20 || *u == 0x7f)
				return "contains a control character";
			u++;
			continue;
		}
		if (*u >= 0xc2 && *u <= 0xdf) {
			n = 1;
			cp = *u & 0x1f;
		} else if (*u >= 0xe0 && *u <= 0xef) {
			n = 2;
			cp = *u & 0x0f;
		} else if (*u >= 0xf0 && *u <= 0xf4) {
			n = 3;
			cp = *u & 0x07;
		} else {
			return "is not valid UTF-8";
		}
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = (cp << 6) | (u[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return "is not valid UTF-8";
		if (cp >= 0x80 && cp < 0xa0)
			return "contains a control character";
		u += n + 1;
	}
	return NULL;
}

/* A non-empty string of at most @max bytes (0: no limit), strdup'd into *@dst. */
static int get_string(const struct pctx *c, const config_setting_t *s,
		      const char *key, size_t max, char **dst)
{
	const char *v, *why;
	size_t len;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return line_err(c, setting_line(s), "%s: expected a string", key);
	v = config_setting_get_string(s);
	len = v ? strlen(v) : 0;
	if (!len)
		return line_err(c, setting_line(s), "%s: must not be empty", key);
	if (max && len > max)
		return line_err(c, setting_line(s), "%s: %zu bytes is longer than %zu",
				key, len, max);
	why = string_problem(v);
	if (why)
		return line_err(c, setting_line(s), "%s: %s", key, why);
	*dst = strdup(v);
	if (!*dst) {
		set_err(c->err, "%s: out of memory", c->name);
		return -ENOMEM;
	}
	return 0;
}

/*
 * An int or int64 setting within @min..@max; @minstr and @maxstr are how the
 * range is shown.
 */
static int get_range(const struct pctx *c, const config_setting_t *s, const char *key,
		     long long min, const char *minstr, long long max, const char *maxstr,
		     long long *out)
{
	long long v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		return line_err(c, setting_line(s), "%s: expected an integer", key);
	}
	if (v < min || v > max)
		return line_err(c, setting_line(s), "%s: %lld is out of range %s..%s",
				key, v, minstr, maxstr);
	*out = v;
	return 0;
}

static int get_uint(const struct pctx *c, const config_setting_t *s, const char *key,
		    long long max, const char *maxstr, long long *out)
{
	return get_range(c, s, key, 0, "0", max, maxstr, out);
}

/* Seconds, 1..MAX_SECONDS. */
static int get_seconds(const struct pctx *c, const config_setting_t *s, const char *key,
		       bool *has, unsigned int *dst)
{
	long long v = 0;
	int ret = get_range(c, s, key, 1, "1", MAX_SECONDS, "3600", &v);

	if (ret)
		return ret;
	*has = true;
	*dst = (unsigned int)v;
	return 0;
}

static int get_bool(const struct pctx *c, const config_setting_t *s, const char *key,
		    bool *has, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return line_err(c, setting_line(s), "%s: expected a boolean", key);
	*has = true;
	*out = config_setting_get_bool(s);
	return 0;
}

static int get_u16(const struct pctx *c, const config_setting_t *s, const char *key,
		   bool *has, uint16_t *dst)
{
	long long v = 0;
	int ret = get_uint(c, s, key, 0xffff, "0xffff", &v);

	if (ret)
		return ret;
	*has = true;
	*dst = (uint16_t)v;
	return 0;
}

static int parse_device(const struct pctx *c, const config_setting_t *dev)
{
	struct gd_profile *p = c->p;
	int i, n, ret = 0;

	if (!config_setting_is_group(dev))
		return line_err(c, setting_line(dev), "device: expected a group { ... }");

	n = config_setting_length(dev);
	for (i = 0; i < n && !ret; i++) {
		const config_setting_t *s = config_setting_get_elem(dev, (unsigned int)i);
		const char *k = config_setting_name(s);
		long long v = 0;

		if (!k || !key_known(device_keys, k))
			return unknown_key(c, s, "device.", device_keys);

		if (!strcmp(k, "idVendor")) {
			ret = get_u16(c, s, "device.idVendor", &p->has_idVendor, &p->idVendor);
		} else if (!strcmp(k, "idProduct")) {
			ret = get_u16(c, s, "device.idProduct", &p->has_idProduct,
				      &p->idProduct);
		} else if (!strcmp(k, "bcdDevice")) {
			ret = get_u16(c, s, "device.bcdDevice", &p->has_bcdDevice,
				      &p->bcdDevice);
		} else if (!strcmp(k, "serial")) {
			ret = get_string(c, s, "device.serial", USB_MAX_STRING_LEN,
					 &p->serial);
		} else if (!strcmp(k, "manufacturer")) {
			ret = get_string(c, s, "device.manufacturer", USB_MAX_STRING_LEN,
					 &p->manufacturer);
		} else if (!strcmp(k, "product")) {
			ret = get_string(c, s, "device.product", USB_MAX_STRING_LEN,
					 &p->product);
		} else if (!strcmp(k, "MaxPower")) {
			ret = get_uint(c, s, "device.MaxPower", MAX_POWER_MA, "500", &v);
			if (!ret) {
				p->has_MaxPower = true;
				p->MaxPower = (unsigned int)v;
			}
		} else {
			ret = get_bool(c, s, "device.self_powered", &p->has_self_powered,
				       &p->self_powered);
		}
	}
	return ret;
}

static int parse_retry(const struct pctx *c, const config_setting_t *g)
{
	struct gd_profile *p = c->p;
	const config_setting_t *max_s = NULL;
	int i, n, ret = 0;

	if (!config_setting_is_group(g))
		return line_err(c, setting_line(g), "retry: expected a group { ... }");

	n = config_setting_length(g);
	for (i = 0; i < n && !ret; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *k = config_setting_name(s);

		if (!k || !key_known(retry_keys, k))
			return unknown_key(c, s, "retry.", retry_keys);
		if (!strcmp(k, "min")) {
			ret = get_seconds(c, s, "retry.min", &p->has_retry_min, &p->retry_min);
		} else {
			ret = get_seconds(c, s, "retry.max", &p->has_retry_max, &p->retry_max);
			max_s = s;
		}
	}
	if (!ret && p->has_retry_min && p->has_retry_max && p->retry_min > p->retry_max)
		return line_err(c, setting_line(max_s), "retry.max: %u is less than retry.min (%u)",
				p->retry_max, p->retry_min);
	return ret;
}

/* A user name as useradd(8) takes it by default: [a-z_][a-z0-9_-]*, at most 32. */
static int parse_user(const struct pctx *c, const config_setting_t *s)
{
	const char *u;
	int ret = get_string(c, s, "user", USER_MAX_LEN, &c->p->user);

	if (ret)
		return ret;
	u = c->p->user;
	if (!((*u >= 'a' && *u <= 'z') || *u == '_'))
		goto bad;
	for (u++; *u; u++)
		if (!((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') || *u == '_' ||
		      *u == '-'))
			goto bad;
	return 0;
bad:
	return line_err(c, setting_line(s),
			"user: \"%s\" is not a valid user name ([a-z_][a-z0-9_-]*)", c->p->user);
}

/* @v, cut at 40 bytes and with bytes other than printable ASCII as '?', for messages */
static const char *shown(const char *v, char buf[44])
{
	size_t i;

	for (i = 0; v[i] && i < 40; i++)
		buf[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	if (v[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* The value of hex digit @ch, or -1. */
static int hexval(char ch)
{
	if (!isxdigit((unsigned char)ch))
		return -1;
	return isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10;
}

/* Exactly four hex digits at @s (four bytes readable); the value to *@out. */
static bool hex4(const char *s, uint16_t *out)
{
	int a = hexval(s[0]), b = hexval(s[1]), c = hexval(s[2]), d = hexval(s[3]);

	if ((a | b | c | d) < 0)
		return false;
	*out = (uint16_t)(a << 12 | b << 8 | c << 4 | d);
	return true;
}

/* "VVVV:PPPP" or "VVVV:*" */
static bool parse_dev_entry(const char *v, struct gd_allow_dev *d)
{
	memset(d, 0, sizeof(*d));
	if (strlen(v) < 6 || !hex4(v, &d->vid) || v[4] != ':')
		return false;
	if (!strcmp(v + 5, "*")) {
		d->any_pid = true;
		return true;
	}
	return strlen(v + 5) == 4 && hex4(v + 5, &d->pid);
}

/* An integer 0..255 or a string "0xN" / "0xNN". */
static int parse_class_entry(const struct pctx *c, const config_setting_t *e,
			     const char *key, uint8_t *out)
{
	long long v = 0;
	const char *str;
	char buf[44];
	int ret, hi, lo;

	switch (config_setting_type(e)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		ret = get_uint(c, e, key, 0xff, "255", &v);
		if (!ret)
			*out = (uint8_t)v;
		return ret;
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(e);
		if (!str)
			str = "";
		if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X')) {
			hi = hexval(str[2]);
			lo = hi >= 0 && str[3] ? hexval(str[3]) : -1;
			if (hi >= 0 && !str[3]) {
				*out = (uint8_t)hi;
				return 0;
			}
			if (lo >= 0 && !str[4]) {
				*out = (uint8_t)(hi << 4 | lo);
				return 0;
			}
		}
		return line_err(c, setting_line(e),
				"%s: \"%s\" is not a class code (0..255, or \"0x00\"..\"0xff\")",
				key, shown(str, buf));
	default:
		return line_err(c, setting_line(e),
				"%s: expected an integer 0..255 or a string \"0xNN\"", key);
	}
}

/* allow.devices or allow.classes: an array [ ... ] or a list ( ... ) */
static int parse_allow_list(const struct pctx *c, const config_setting_t *l, bool devices)
{
	struct gd_profile *p = c->p;
	const char *name = devices ? "allow.devices" : "allow.classes";
	int i, n, ret;

	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return line_err(c, setting_line(l), "%s: expected an array [ ... ] or a list ( ... )",
				name);

	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		char key[32], buf[44];
		const char *v;

		if (i >= GD_PROFILE_MAX_ALLOW)
			return line_err(c, setting_line(e), "%s: more than %d entries", name,
					GD_PROFILE_MAX_ALLOW);
		snprintf(key, sizeof(key), "%s[%d]", name, i);
		if (!devices) {
			ret = parse_class_entry(c, e, key, &p->allow_class[i]);
			if (ret)
				return ret;
			p->n_allow_class = (unsigned int)i + 1;
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return line_err(c, setting_line(e),
					"%s: expected a string \"VVVV:PPPP\" or \"VVVV:*\"", key);
		v = config_setting_get_string(e);
		if (!v)
			v = "";
		if (!parse_dev_entry(v, &p->allow_dev[i]))
			return line_err(c, setting_line(e),
					"%s: \"%s\" is not \"VVVV:PPPP\" or \"VVVV:*\" (4 hex digits each)",
					key, shown(v, buf));
		p->n_allow_dev = (unsigned int)i + 1;
	}
	if (devices)
		p->has_allow_dev = true;
	else
		p->has_allow_class = true;
	return 0;
}

static int parse_allow(const struct pctx *c, const config_setting_t *g)
{
	int i, n, ret = 0;

	if (!config_setting_is_group(g))
		return line_err(c, setting_line(g), "allow: expected a group { ... }");

	c->p->has_allow = true;
	n = config_setting_length(g);
	for (i = 0; i < n && !ret; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *k = config_setting_name(s);

		if (!k || !key_known(allow_keys, k))
			return unknown_key(c, s, "allow.", allow_keys);
		ret = !strcmp(k, "requests") ? profile_parse_requests(s, c->name, c->p, c->err)
					     : parse_allow_list(c, s, !strcmp(k, "devices"));
	}
	return ret;
}

static int parse_backend(const struct pctx *c, const config_setting_t *s)
{
	int ret = get_string(c, s, "backend", 0, &c->p->backend);

	if (ret || !strcmp(c->p->backend, "auto") || !strcmp(c->p->backend, "functionfs") ||
	    !strcmp(c->p->backend, "gadgetfs"))
		return ret;
	return line_err(c, setting_line(s), "backend: \"%s\" is not \"auto\", \"functionfs\" "
			"or \"gadgetfs\"", c->p->backend);
}

/* capture_max_mb 1..65535 (MiB), capture_snaplen 64..65535 (bytes) */
/* proxy_command = "CMD": its tokens checked here, for the file's line (transport.h). */
static int parse_proxy_command(const struct pctx *c, const config_setting_t *s)
{
	char out[4096], why[200];
	int ret = get_string(c, s, "proxy_command", 0, &c->p->proxy_command);

	if (!ret && transport_expand(c->p->proxy_command, "host", "3240", out, sizeof(out), why,
				     sizeof(why)))
		return line_err(c, setting_line(s), "%s", why);
	return ret;
}

static int parse_capture_limit(const struct pctx *c, const config_setting_t *s, const char *k)
{
	bool mb = !strcmp(k, "capture_max_mb");
	long long v = 0;
	int ret = get_range(c, s, k, mb ? 1 : 64, mb ? "1" : "64", 65535, "65535", &v);

	if (!ret)
		*(mb ? &c->p->capture_max_mb : &c->p->capture_snaplen) = (unsigned)v;
	return ret;
}

static int parse_root(const struct pctx *c, const config_setting_t *root)
{
	int i, n, ret = 0;

	n = config_setting_length(root);
	for (i = 0; i < n && !ret; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned int)i);
		const char *k = config_setting_name(s);

		if (!k || !key_known(top_keys, k))
			return unknown_key(c, s, "", top_keys);

		if (!strcmp(k, "remote"))
			ret = get_string(c, s, "remote", 0, &c->p->remote);
		else if (!strcmp(k, "busid"))
			ret = get_string(c, s, "busid", BUSID_MAX_LEN, &c->p->busid);
		else if (!strcmp(k, "udc"))
			ret = get_string(c, s, "udc", 0, &c->p->udc);
		else if (!strcmp(k, "backend"))
			ret = parse_backend(c, s);
		else if (!strcmp(k, "device"))
			ret = parse_device(c, s);
		else if (!strcmp(k, "dead_peer_timeout"))
			ret = get_seconds(c, s, "dead_peer_timeout", &c->p->has_dead_peer_timeout,
					  &c->p->dead_peer_timeout);
		else if (!strcmp(k, "retry"))
			ret = parse_retry(c, s);
		else if (!strcmp(k, "user"))
			ret = parse_user(c, s);
		else if (!strcmp(k, "readahead"))
			ret = get_bool(c, s, "readahead", &c->p->has_readahead,
				       &c->p->readahead);
		else if (!strcmp(k, "capture"))
			ret = get_string(c, s, "capture", 0, &c->p->capture);
		else if (!strcmp(k, "proxy_command"))
			ret = parse_proxy_command(c, s);
		else if (!strcmp(k, "capture_max_mb") || !strcmp(k, "capture_snaplen"))
			ret = parse_capture_limit(c, s, k);
		else if (!strcmp(k, "match"))
			ret = profile_parse_match(s, c->name, c->p, c->err);
		else
			ret = parse_allow(c, s);
	}
	return ret;
}

/* An integer literal libconfig would cut to 32 bits (profile_int.h). */
static int check_int_overflow(const struct pctx *c, const char *t)
{
	const char *tok;
	size_t len;
	unsigned int line = profile_int_overflow(t, &tok, &len);

	if (!line)
		return 0;
	return line_err(c, line, "integer %.*s does not fit in 32 bits", (int)(len > 40 ? 40 : len),
			tok);
}

static int parse_text(const char *text, const char *name, struct gd_profile *p,
		      struct gd_profile_err *err)
{
	struct pctx c = { .name = name, .p = p, .err = err };
	config_t cfg;
	int ret;

	if (strlen(text) > GD_PROFILE_MAX_SIZE) {
		set_err(err, "%s: larger than %d bytes", name, GD_PROFILE_MAX_SIZE);
		return -EFBIG;
	}

	config_init(&cfg);
	config_set_include_dir(&cfg, NO_INCLUDE_DIR);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		const char *what = config_error_text(&cfg);
		int line = config_error_line(&cfg);

		if (!what)
			what = "syntax error";
		if (!strcmp(what, "cannot open include file"))
			set_err(err, "%s:%d: @include is not supported", name, line);
		else if (!strcmp(what, "syntax error"))
			set_err(err, "%s:%d: syntax error", name, line);
		else
			set_err(err, "%s:%d: syntax error: %s", name, line, what);
		config_destroy(&cfg);
		return -EINVAL;
	}

	ret = check_int_overflow(&c, text);
	if (!ret)
		ret = parse_root(&c, config_root_setting(&cfg));
	config_destroy(&cfg);
	if (ret)
		profile_free(p);
	return ret;
}

int profile_load_string(const char *text, const char *name, struct gd_profile *p,
			struct gd_profile_err *err)
{
	memset(p, 0, sizeof(*p));
	if (err)
		err->msg[0] = '\0';
	if (!name)
		name = "<string>";
	if (!text) {
		set_err(err, "%s: no text", name);
		return -EINVAL;
	}
	return parse_text(text, name, p, err);
}

/* Read all of @path, NUL-terminated, into *@out. */
static int read_whole(const char *path, char **out, struct gd_profile_err *err)
{
	size_t len = 0, cap = GD_PROFILE_MAX_SIZE + 1;
	struct stat st;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto fail_close;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto fail_close;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto fail_close;
	}
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			free(buf);
			goto fail_close;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > GD_PROFILE_MAX_SIZE) {
		free(buf);
		set_err(err, "%s: larger than %d bytes", path, GD_PROFILE_MAX_SIZE);
		return -EFBIG;
	}
	if (memchr(buf, '\0', len)) {
		free(buf);
		set_err(err, "%s: contains a NUL byte (not a text file?)", path);
		return -EINVAL;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;

fail_close:
	close(fd);
fail:
	set_err(err, "%s: cannot read: %s", path, strerror(-ret));
	return ret;
}

int profile_load_file(const char *path, struct gd_profile *p, struct gd_profile_err *err)
{
	char *text = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	if (err)
		err->msg[0] = '\0';
	if (!path) {
		set_err(err, "(null): cannot read: %s", strerror(EINVAL));
		return -EINVAL;
	}
	ret = read_whole(path, &text, err);
	if (ret)
		return ret;
	ret = parse_text(text, path, p, err);
	free(text);
	return ret;
}

void profile_free(struct gd_profile *p)
{
	if (!p)
		return;
	free(p->remote);
	free(p->busid);
	free(p->udc);
	free(p->backend);
	free(p->serial);
	free(p->manufacturer);
	free(p->product);
	free(p->user);
	free(p->capture);
	free(p->proxy_command);
	memset(p, 0, sizeof(*p));
}

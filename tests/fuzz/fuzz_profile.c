// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_profile.c - the profile parser (gadgetd/profile.c, libconfig underneath):
 * profile_load_string() + profile_free() on the input as text (up to its first
 * NUL byte), then profile_allows() on the parsed allow policy.
 *
 * Input: the profile text; after its first NUL byte, optionally, queries for
 * profile_allows(): [vid BE16][pid BE16][n][n class codes], repeated. Without
 * them, each allow.devices entry is asked about with the allow.classes list.
 *
 * Invariants: the result is 0, -EINVAL, -EFBIG or -ENOMEM; on failure the
 * profile is all zero and the message names the file; on success there is no
 * message and every value is within what gadgetd.profile(5) allows (strings
 * non-empty, strict UTF-8 without control characters, busid <= 31 bytes,
 * device strings <= 126 bytes, MaxPower <= 500, seconds 1..3600 with
 * retry.min <= retry.max, user [a-z_][a-z0-9_-]{0,31}, at most 32 allow
 * entries of each kind and nothing past them); the profile, written back out
 * as libconfig text, parses to the same profile; profile_allows() answers
 * what the documented rule answers, with a reason exactly when it refuses,
 * NUL-terminated in any buffer size.
 *
 * libconfig 1.5 itself leaks on some syntax errors (its scanner's string
 * buffer): tests/fuzz/lsan.supp suppresses exactly those two frames.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "gadgetd/profile.h"
#include "tests/fuzz/fuzz.h"

#define NAME "fuzz.cfg"

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* strict UTF-8 without C0, DEL or C1 controls: profile.c's string_problem() rule */
static bool text_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		unsigned cp, k, m;

		if (*u < 0x80) {
			if (*u < 0x20 || *u == 0x7f)
				return false;
			u++;
			continue;
		}
		if (*u >= 0xc2 && *u <= 0xdf)
			k = 1, cp = *u & 0x1f;
		else if (*u >= 0xe0 && *u <= 0xef)
			k = 2, cp = *u & 0x0f;
		else if (*u >= 0xf0 && *u <= 0xf4)
			k = 3, cp = *u & 0x07;
		else
			return false;
		for (m = 1; m <= k; m++) {
			if ((u[m] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[m] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		u += k + 1;
	}
	return true;
}

static void check_str(const char *s, size_t max)
{
	if (!s)
		return;
	FUZZ_CHECK(s[0] != '\0');
	FUZZ_CHECK(!max || strlen(s) <= max);
	FUZZ_CHECKF(text_ok(s), "\"%s\"", s);
}

/* ---- writing a profile back out ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			abort();
	}
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}

static void put_str(struct out *o, const char *key, const char *v)
{
	char c[2] = { 0, 0 };

	if (!v)
		return;
	put(o, key);
	put(o, " = \"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			put(o, "\\");
		c[0] = *v;
		put(o, c);
	}
	put(o, "\";\n");
}

static void put_uint(struct out *o, const char *key, bool has, unsigned v, bool hex)
{
	char b[64];

	if (!has)
		return;
	snprintf(b, sizeof(b), hex ? "%s = 0x%x;\n" : "%s = %u;\n", key, v);
	put(o, b);
}

static void put_allow(struct out *o, const struct gd_profile *p)
{
	char b[32];
	unsigned i;

	if (!p->has_allow)
		return;
	put(o, "allow = {\n");
	if (p->has_allow_dev) {
		put(o, "  devices = [");
		for (i = 0; i < p->n_allow_dev; i++) {
			const struct gd_allow_dev *d = &p->allow_dev[i];

			if (d->any_pid)
				snprintf(b, sizeof(b), "%s\"%04x:*\"", i ? ", " : " ", d->vid);
			else
				snprintf(b, sizeof(b), "%s\"%04X:%04x\"", i ? ", " : " ", d->vid,
					 d->pid);
			put(o, b);
		}
		put(o, " ];\n");
	}
	if (p->has_allow_class) {
		put(o, "  classes = (");
		for (i = 0; i < p->n_allow_class; i++) {
			/* both spellings, alternately */
			snprintf(b, sizeof(b), i % 2 ? "%s\"0x%02x\"" : "%s%u", i ? ", " : " ",
				 p->allow_class[i]);
			put(o, b);
		}
		put(o, " );\n");
	}
	if (p->n_allow_req) {
		put(o, "  requests = [");
		for (i = 0; i < p->n_allow_req; i++) {
			snprintf(b, sizeof(b), "%s\"", i ? ", " : " ");
			put(o, b);
			put(o, ctrl_rule_format(&p->allow_req[i], b, sizeof(b)));
			put(o, "\"");
		}
		put(o, " ];\n");
	}
	put(o, "};\n");
}

static char *write_profile(const struct gd_profile *p)
{
	struct out o = { 0 };

	put(&o, "# written back by fuzz_profile\n");
	put_str(&o, "remote", p->remote);
	put_str(&o, "busid", p->busid);
	put_str(&o, "udc", p->udc);
	put(&o, "device = {\n");
	put_uint(&o, "idVendor", p->has_idVendor, p->idVendor, true);
	put_uint(&o, "idProduct", p->has_idProduct, p->idProduct, false);
	put_uint(&o, "bcdDevice", p->has_bcdDevice, p->bcdDevice, true);
	put_str(&o, "serial", p->serial);
	put_str(&o, "manufacturer", p->manufacturer);
	put_str(&o, "product", p->product);
	put_uint(&o, "MaxPower", p->has_MaxPower, p->MaxPower, false);
	if (p->has_self_powered)
		put(&o, p->self_powered ? "self_powered = true;\n" : "self_powered = false;\n");
	put(&o, "};\n");
	put_uint(&o, "dead_peer_timeout", p->has_dead_peer_timeout, p->dead_peer_timeout, false);
	if (p->has_retry_min || p->has_retry_max) {
		put(&o, "retry = {\n");
		put_uint(&o, "max", p->has_retry_max, p->retry_max, false);
		put_uint(&o, "min", p->has_retry_min, p->retry_min, true);
		put(&o, "};\n");
	}
	put_str(&o, "user", p->user);
	put_allow(&o, p);
	return o.buf;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_same(const struct gd_profile *a, const struct gd_profile *b)
{
	FUZZ_CHECK(same_str(a->remote, b->remote));
	FUZZ_CHECK(same_str(a->busid, b->busid));
	FUZZ_CHECK(same_str(a->udc, b->udc));
	FUZZ_CHECK(same_str(a->serial, b->serial));
	FUZZ_CHECK(same_str(a->manufacturer, b->manufacturer));
	FUZZ_CHECK(same_str(a->product, b->product));
	FUZZ_CHECK(a->has_idVendor == b->has_idVendor && a->idVendor == b->idVendor);
	FUZZ_CHECK(a->has_idProduct == b->has_idProduct && a->idProduct == b->idProduct);
	FUZZ_CHECK(a->has_bcdDevice == b->has_bcdDevice && a->bcdDevice == b->bcdDevice);
	FUZZ_CHECK(a->has_MaxPower == b->has_MaxPower && a->MaxPower == b->MaxPower);
	FUZZ_CHECK(a->has_self_powered == b->has_self_powered &&
		   a->self_powered == b->self_powered);
	FUZZ_CHECK(a->has_dead_peer_timeout == b->has_dead_peer_timeout &&
		   a->dead_peer_timeout == b->dead_peer_timeout);
	FUZZ_CHECK(a->has_retry_min == b->has_retry_min && a->retry_min == b->retry_min);
	FUZZ_CHECK(a->has_retry_max == b->has_retry_max && a->retry_max == b->retry_max);
	FUZZ_CHECK(same_str(a->user, b->user));
	FUZZ_CHECK(a->has_allow == b->has_allow);
	FUZZ_CHECK(a->has_allow_dev == b->has_allow_dev && a->n_allow_dev == b->n_allow_dev);
	FUZZ_CHECK(!memcmp(a->allow_dev, b->allow_dev, sizeof(a->allow_dev)));
	FUZZ_CHECK(a->has_allow_class == b->has_allow_class &&
		   a->n_allow_class == b->n_allow_class);
	FUZZ_CHECK(!memcmp(a->allow_class, b->allow_class, sizeof(a->allow_class)));
	FUZZ_CHECK(a->n_allow_req == b->n_allow_req);
	FUZZ_CHECK(!memcmp(a->allow_req, b->allow_req, sizeof(a->allow_req)));
}

static void check_new_keys(const struct gd_profile *p)
{
	unsigned i;

	FUZZ_CHECK(p->has_dead_peer_timeout ? p->dead_peer_timeout >= 1 &&
		   p->dead_peer_timeout <= 3600 : !p->dead_peer_timeout);
	FUZZ_CHECK(p->has_retry_min ? p->retry_min >= 1 && p->retry_min <= 3600 : !p->retry_min);
	FUZZ_CHECK(p->has_retry_max ? p->retry_max >= 1 && p->retry_max <= 3600 : !p->retry_max);
	FUZZ_CHECK(!(p->has_retry_min && p->has_retry_max) || p->retry_min <= p->retry_max);
	if (p->user) {
		const char *u = p->user;

		FUZZ_CHECK(strlen(u) >= 1 && strlen(u) <= 32);
		FUZZ_CHECK((*u >= 'a' && *u <= 'z') || *u == '_');
		for (u++; *u; u++)
			FUZZ_CHECKF((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
				    *u == '_' || *u == '-', "user \"%s\"", p->user);
	}
	FUZZ_CHECK(p->n_allow_dev <= GD_PROFILE_MAX_ALLOW);
	FUZZ_CHECK(p->n_allow_class <= GD_PROFILE_MAX_ALLOW);
	if (!p->has_allow)
		FUZZ_CHECK(!p->has_allow_dev && !p->has_allow_class && !p->n_allow_dev &&
			   !p->n_allow_class);
	FUZZ_CHECK(p->has_allow_dev || !p->n_allow_dev);
	FUZZ_CHECK(p->has_allow_class || !p->n_allow_class);
	for (i = 0; i < p->n_allow_dev; i++)
		FUZZ_CHECK(!p->allow_dev[i].any_pid || !p->allow_dev[i].pid);
	for (i = p->n_allow_dev; i < GD_PROFILE_MAX_ALLOW; i++)
		FUZZ_CHECK(is_zero(&p->allow_dev[i], sizeof(p->allow_dev[i])));
	for (i = p->n_allow_class; i < GD_PROFILE_MAX_ALLOW; i++)
		FUZZ_CHECK(!p->allow_class[i]);
}

/* gadgetd.profile(5): the rule profile_allows() implements, written out again */
static int allowed(const struct gd_profile *p, uint16_t vid, uint16_t pid, const uint8_t *cls,
		   unsigned n)
{
	unsigned i, j;
	bool ok;

	if (!p->has_allow)
		return 1;
	if (p->has_allow_dev || p->n_allow_dev) {
		ok = false;
		for (i = 0; i < p->n_allow_dev; i++)
			if (p->allow_dev[i].vid == vid &&
			    (p->allow_dev[i].any_pid || p->allow_dev[i].pid == pid))
				ok = true;
		if (!ok)
			return 0;
	}
	if (p->has_allow_class || p->n_allow_class) {
		for (i = 0; i < n; i++) {
			ok = false;
			for (j = 0; j < p->n_allow_class; j++)
				if (p->allow_class[j] == cls[i])
					ok = true;
			if (!ok)
				return 0;
		}
	}
	return 1;
}

static void ask(const struct gd_profile *p, uint16_t vid, uint16_t pid, const uint8_t *cls,
		unsigned n)
{
	uint8_t *copy = fuzz_dup(cls, n); /* exactly n readable bytes */
	char why[256], *small;
	size_t small_len = 1 + (vid + pid + n) % 24;
	int want = allowed(p, vid, pid, cls, n), got;

	memset(why, 0x5a, sizeof(why));
	got = profile_allows(p, vid, pid, n ? copy : NULL, n, why, sizeof(why));
	FUZZ_CHECKF(got == want, "%04x:%04x, %u classes: %d, the rule says %d", vid, pid, n, got,
		    want);
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)));
	FUZZ_CHECK(got ? why[0] == '\0' : why[0] != '\0');
	small = malloc(small_len);
	if (!small)
		abort();
	FUZZ_CHECK(profile_allows(p, vid, pid, n ? copy : NULL, n, small, small_len) == got);
	FUZZ_CHECK(memchr(small, '\0', small_len) && !strncmp(small, why, strlen(small)));
	free(small);
	FUZZ_CHECK(profile_allows(p, vid, pid, n ? copy : NULL, n, NULL, 0) == got);
	free(copy);
}

static void check_allows(const struct gd_profile *p, const uint8_t *q, size_t qlen)
{
	unsigned i;

	if (!qlen) {
		for (i = 0; i < p->n_allow_dev; i++)
			ask(p, p->allow_dev[i].vid, p->allow_dev[i].pid, p->allow_class,
			    p->n_allow_class);
		ask(p, 0x1d6b, 0x0104, NULL, 0);
		return;
	}
	while (qlen >= 5) {
		unsigned n = q[4];

		if (n > qlen - 5)
			n = (unsigned)(qlen - 5);
		ask(p, (uint16_t)(q[0] << 8 | q[1]), (uint16_t)(q[2] << 8 | q[3]), q + 5, n);
		q += 5 + n;
		qlen -= 5 + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gd_profile p, back;
	struct gd_profile_err err, err2;
	char *text = malloc(size + 1), *again;
	int rc;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&p, 0xa5, sizeof(p)); /* profile_load_string() zeroes it first */
	memset(&err, 0xa5, sizeof(err));
	rc = profile_load_string(text, NAME, &p, &err);
	FUZZ_CHECKF(rc == 0 || rc == -EINVAL || rc == -EFBIG || rc == -ENOMEM, "rc %d", rc);
	FUZZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	if (rc) {
		FUZZ_CHECK(is_zero(&p, sizeof(p)));
		FUZZ_CHECKF(!strncmp(err.msg, NAME ":", strlen(NAME ":")), "message \"%s\"",
			    err.msg);
		FUZZ_CHECK(rc != -EFBIG || strlen(text) > GD_PROFILE_MAX_SIZE);
		profile_free(&p); /* harmless on a zeroed profile */
		free(text);
		return 0;
	}
	FUZZ_CHECKF(err.msg[0] == '\0', "success with message \"%s\"", err.msg);
	FUZZ_CHECK(strlen(text) <= GD_PROFILE_MAX_SIZE);
	check_str(p.remote, 0);
	check_str(p.busid, 31);
	check_str(p.udc, 0);
	check_str(p.serial, 126);
	check_str(p.manufacturer, 126);
	check_str(p.product, 126);
	FUZZ_CHECK(!p.has_MaxPower || p.MaxPower <= 500);
	FUZZ_CHECK(p.has_idVendor || !p.idVendor);
	FUZZ_CHECK(p.has_idProduct || !p.idProduct);
	FUZZ_CHECK(p.has_bcdDevice || !p.bcdDevice);
	FUZZ_CHECK(p.has_MaxPower || !p.MaxPower);
	FUZZ_CHECK(p.has_self_powered || !p.self_powered);
	check_new_keys(&p);
	{
		size_t tl = strlen(text);

		check_allows(&p, data + tl + 1, tl < size ? size - tl - 1 : 0);
	}

	/* written back, it reads the same */
	again = write_profile(&p);
	rc = profile_load_string(again, "again.cfg", &back, &err2);
	FUZZ_CHECKF(rc == 0, "written back (%s):\n%s", err2.msg, again);
	check_same(&p, &back);
	profile_free(&back);
	free(again);

	profile_free(&p);
	FUZZ_CHECK(is_zero(&p, sizeof(p)));
	profile_free(&p);
	free(text);
	return 0;
}

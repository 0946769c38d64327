// SPDX-License-Identifier: GPL-2.0-or-later
/* ctrl_policy.c - see ctrl_policy.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gadgetd/ctrl_policy.h"
#include "gadgetd/log.h"

#define RECIP_OTHER 3
#define DENIALS_AT_INFO 16

static const char *const type_names[] = { "standard", "class", "vendor", "reserved" };
static const char *const recip_names[] = { "device", "interface", "endpoint", "other" };

static struct ctrl_rule policy[CTRL_RULES_MAX];
static unsigned n_policy, n_denied;

/* "*" -> -1, a name of @names[0..n_names), or (@max > 0) a number 0..@max */
static int field(const char *s, size_t len, const char *const *names, unsigned n_names,
		 long max)
{
	char buf[16], *end;
	unsigned i;
	long v;

	if (len == 1 && *s == '*')
		return -1;
	for (i = 0; i < n_names; i++)
		if (strlen(names[i]) == len && !strncasecmp(s, names[i], len))
			return (int)i;
	if (!max || !len || len >= sizeof(buf))
		return -2;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtol(buf, &end, 0);
	if (*end || errno || v < 0 || v > max || buf[0] == '-' || buf[0] == '+')
		return -2;
	return (int)v;
}

int ctrl_rule_parse(const char *s, struct ctrl_rule *r, char *why, size_t whylen)
{
	const char *slash, *colon;
	int v;

	memset(r, 0, sizeof(*r));
	r->deny = *s == '!';
	s += r->deny;
	slash = strchr(s, '/');
	if (!slash) {
		snprintf(why, whylen, "expected TYPE/RECIPIENT[:REQUEST]");
		return -EINVAL;
	}
	colon = strchr(slash, ':');
	v = field(s, (size_t)(slash - s), type_names, 4, 0);
	if (v < -1) {
		snprintf(why, whylen, "type '%.*s' is not standard, class, vendor, reserved or *",
			 (int)(slash - s) > 16 ? 16 : (int)(slash - s), s);
		return -EINVAL;
	}
	r->type = (int8_t)v;
	slash++;
	v = field(slash, colon ? (size_t)(colon - slash) : strlen(slash), recip_names, 4, 31);
	if (v < -1) {
		snprintf(why, whylen, "recipient is not device, interface, endpoint, other, * or 0..31");
		return -EINVAL;
	}
	r->recip = (int8_t)v;
	r->req = -1;
	if (colon) {
		v = field(colon + 1, strlen(colon + 1), NULL, 0, 255);
		if (v < 0) {
			snprintf(why, whylen, "request is not a number 0..255 (bRequest)");
			return -EINVAL;
		}
		r->req = (int16_t)v;
	}
	return 0;
}

char *ctrl_rule_format(const struct ctrl_rule *r, char *out, size_t outlen)
{
	char recip[12], req[8] = "";

	if (r->recip < 0)
		snprintf(recip, sizeof(recip), "*");
	else if (r->recip < 4)
		snprintf(recip, sizeof(recip), "%s", recip_names[r->recip]);
	else
		snprintf(recip, sizeof(recip), "%d", r->recip);
	if (r->req >= 0)
		snprintf(req, sizeof(req), ":0x%02x", r->req);
	snprintf(out, outlen, "%s%s/%s%s", r->deny ? "!" : "",
		 r->type < 0 ? "*" : type_names[r->type & 3], recip, req);
	return out;
}

static bool matches(const struct ctrl_rule *r, uint8_t type, uint8_t recip, uint8_t req)
{
	return (r->type < 0 || r->type == type) && (r->recip < 0 || r->recip == recip) &&
	       (r->req < 0 || r->req == req);
}

bool ctrl_policy_judge(const struct ctrl_rule *rules, unsigned n, uint8_t bmRequestType,
		       uint8_t bRequest, int *which)
{
	uint8_t type = (bmRequestType >> 5) & 3, recip = bmRequestType & 0x1f;
	unsigned i;

	if (which)
		*which = -1;
	for (i = 0; rules && i < n; i++) {
		if (matches(&rules[i], type, recip, bRequest)) {
			if (which)
				*which = (int)i;
			return !rules[i].deny;
		}
	}
	return recip < RECIP_OTHER; /* the built-in rule: no "other", no reserved recipient */
}

void ctrl_policy_use(const struct ctrl_rule *rules, unsigned n)
{
	n_policy = rules ? (n < CTRL_RULES_MAX ? n : CTRL_RULES_MAX) : 0;
	if (n_policy)
		memcpy(policy, rules, n_policy * sizeof(*rules));
	n_denied = 0;
}

bool ctrl_policy_denied(const void *setup)
{
	const uint8_t *s = setup;
	char rule[64];
	int which;

	if (ctrl_policy_judge(policy, n_policy, s[0], s[1], &which))
		return false;
	if (which >= 0)
		snprintf(rule, sizeof(rule), "allow.requests[%d] \"%s\"", which,
			 ctrl_rule_format(&policy[which], (char[24]){ 0 }, 24));
	else
		snprintf(rule, sizeof(rule), "the built-in rule");
	(n_denied++ < DENIALS_AT_INFO ? log_info : log_debug)(
		"ep0: host request %02x %02x (wValue %02x%02x, wIndex %02x%02x) to recipient %s is "
		"denied by %s: stalled, not forwarded", s[0], s[1], s[3], s[2], s[5], s[4],
		(s[0] & 0x1f) < 4 ? recip_names[s[0] & 0x1f] : "reserved", rule);
	return true;
}

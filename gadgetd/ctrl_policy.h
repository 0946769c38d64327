/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctrl_policy.h - which control requests of the USB host may reach the device:
 * the profile's allow.requests rules (gadgetd.profile(5)) and a built-in rule
 * after them.
 *
 * With FUNCTIONFS_ALL_CTRL_RECIP (and on GadgetFS always) the gadget passes
 * gadgetd every request the UDC and composite do not answer themselves, device-
 * and other-recipient ones included. gadgetd forwards them to the device, except:
 * a request to recipient "other" (bmRequestType bits 4..0 = 3: a hub's ports,
 * SET_FEATURE(PORT_RESET) among them) or to a reserved recipient (4..31) is
 * stalled unless a rule allows it. A USB/IP server exports no hub (usbip-host
 * refuses them), so no device the host sees through gadgetd has ports, and such
 * a request is either meaningless to the device or an attempt to drive its
 * hardware in a way its own class does not. Everything else is forwarded unless
 * a rule denies it.
 *
 * A rule is a string "[!]TYPE/RECIPIENT[:bRequest]" (USB 2.0 §9.3, Table 9-2):
 * TYPE standard|class|vendor|reserved|*, RECIPIENT device|interface|endpoint|
 * other|*|0..31, bRequest 0..255 (decimal or 0xNN, absent: any); "!" denies.
 * Rules are tried in order, the first that matches decides.
 */
#ifndef GADGETD_CTRL_POLICY_H
#define GADGETD_CTRL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTRL_RULES_MAX 32

struct ctrl_rule {
	bool deny;
	int8_t type;    /* bmRequestType bits 6..5 (0..3), -1 any */
	int8_t recip;   /* bmRequestType bits 4..0 (0..31), -1 any */
	int16_t req;    /* bRequest 0..255, -1 any */
};

/**
 * ctrl_rule_parse() - one rule "[!]TYPE/RECIPIENT[:bRequest]" into @r.
 * Return: 0, or -EINVAL with @why ("unknown type 'x'", ...) filled.
 */
int ctrl_rule_parse(const char *s, struct ctrl_rule *r, char *why, size_t whylen);

/**
 * ctrl_rule_format() - @r as the text ctrl_rule_parse() reads back ("!class/other:0x03").
 * Return: @out.
 */
char *ctrl_rule_format(const struct ctrl_rule *r, char *out, size_t outlen);

/**
 * ctrl_policy_judge() - may the request with @bmRequestType and @bRequest reach
 * the device, after @rules[0..n) and then the built-in rule?
 * Return: true when it may. @which (may be NULL) gets the index of the rule that
 * decided, or -1 for the built-in rule or the default. Pure.
 */
bool ctrl_policy_judge(const struct ctrl_rule *rules, unsigned n, uint8_t bmRequestType,
		       uint8_t bRequest, int *which);

/**
 * ctrl_policy_use() - the rules the relay applies from now on (copied; @n is
 * clamped to CTRL_RULES_MAX). NULL/0: the built-in rule alone.
 */
void ctrl_policy_use(const struct ctrl_rule *rules, unsigned n);

/**
 * ctrl_policy_denied() - the relay's check of a host's SETUP (bmRequestType and
 * bRequest of the setup packet @setup, 8 bytes, USB byte order) against the
 * rules of ctrl_policy_use(): true when it must be stalled instead of forwarded;
 * a denial is logged (at most 16 times at info level, then at debug level).
 */
bool ctrl_policy_denied(const void *setup);

#endif

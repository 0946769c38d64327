// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile_match.c - the profile group `match = { vid; pid; serial; }` (profile.h,
 * match.h), kept out of profile.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "gadgetd/profile.h"
#include "gadgetd/text.h"

static int get_id(const config_setting_t *s, const char *name, uint16_t *v,
		  struct gd_profile_err *err)
{
	int x;

	if (config_setting_type(s) != CONFIG_TYPE_INT)
		return profile_err_at(err, name, s, "match.%s: expected an integer 0..0xffff (such as 0x1209)",
			      config_setting_name(s));
	x = config_setting_get_int(s);
	if (x < 0 || x > 0xffff)
		return profile_err_at(err, name, s, "match.%s: %d is not in 0..0xffff",
			      config_setting_name(s), x);
	*v = (uint16_t)x;
	return 0;
}

int profile_parse_match(const struct config_setting_t *g, const char *name,
			struct gd_profile *p, struct gd_profile_err *err)
{
	bool vid = false, pid = false;
	int i, n;

	if (!config_setting_is_group(g))
		return profile_err_at(err, name, g, "match: expected a group { vid = ...; pid = ...; }");
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *k = config_setting_name(s), *v;
		char shown[64];
		int r;

		if (!strcmp(k, "vid")) {
			r = get_id(s, name, &p->match.vid, err);
			vid = true;
		} else if (!strcmp(k, "pid")) {
			r = get_id(s, name, &p->match.pid, err);
			pid = true;
		} else if (!strcmp(k, "serial")) {
			v = config_setting_get_string(s);
			if (!v)
				return profile_err_at(err, name, s, "match.serial: expected a string");
			r = match_set_serial(&p->match, v);
			if (r == -ERANGE)
				return profile_err_at(err, name, s, "match.serial: 1 to %d bytes",
						      MATCH_SERIAL_MAX);
			if (r)
				return profile_err_at(err, name, s, "match.serial: \"%.40s\" has a "
						      "control byte",
						      text_escape(shown, sizeof(shown), v));
		} else {
			return profile_err_at(err, name, s, "match.%s: unknown key (known: vid, pid, serial)",
				      k);
		}
		if (r)
			return r;
	}
	if (!vid || !pid)
		return profile_err_at(err, name, g, "match: needs both vid and pid");
	p->match.set = true;
	return 0;
}

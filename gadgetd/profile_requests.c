// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile_requests.c - the profile key allow.requests (profile.h), kept out of
 * profile.c: its rules are ctrl_policy.h's; and profile_err_at(), the message of
 * the parsers of profile_*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <libconfig.h>

#include "gadgetd/profile.h"
#include "gadgetd/text.h"

int profile_err_at(struct gd_profile_err *err, const char *name, const config_setting_t *s,
		  const char *fmt, ...)
{
	char what[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err->msg, sizeof(err->msg), "%s:%u: %s", name, config_setting_source_line(s),
		 what);
	return -EINVAL;
}

int profile_parse_requests(const struct config_setting_t *l, const char *name,
			   struct gd_profile *p, struct gd_profile_err *err)
{
	int i, n;

	if (!config_setting_is_array(l) && !config_setting_is_list(l))
		return profile_err_at(err, name, l, "allow.requests: expected an array [ ... ] or a list ( ... )");
	n = config_setting_length(l);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *v = config_setting_get_string(e);
		char why[96], shown[64];

		if (i >= CTRL_RULES_MAX)
			return profile_err_at(err, name, e, "allow.requests: more than %d entries",
				      CTRL_RULES_MAX);
		if (!v)
			return profile_err_at(err, name, e, "allow.requests[%d]: expected a string "
				      "\"[!]TYPE/RECIPIENT[:REQUEST]\"", i);
		if (ctrl_rule_parse(v, &p->allow_req[i], why, sizeof(why)))
			return profile_err_at(err, name, e, "allow.requests[%d]: \"%.40s\": %s", i,
				      text_escape(shown, sizeof(shown), v), why);
		p->n_allow_req = (unsigned int)i + 1;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * allow.c - the profile's allow policy, judged against a device: its VID:PID
 * and the bInterfaceClass of every interface (profile.h, profile_allows()).
 * The policy is read by profile.c; this file only applies it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/profile.h"

static bool dev_listed(const struct gd_profile *p, uint16_t vid, uint16_t pid)
{
	unsigned int i, n = p->n_allow_dev < GD_PROFILE_MAX_ALLOW ? p->n_allow_dev
								   : GD_PROFILE_MAX_ALLOW;

	for (i = 0; i < n; i++)
		if (p->allow_dev[i].vid == vid &&
		    (p->allow_dev[i].any_pid || p->allow_dev[i].pid == pid))
			return true;
	return false;
}

static bool class_listed(const struct gd_profile *p, uint8_t cls)
{
	unsigned int i, n = p->n_allow_class < GD_PROFILE_MAX_ALLOW ? p->n_allow_class
								     : GD_PROFILE_MAX_ALLOW;

	for (i = 0; i < n; i++)
		if (p->allow_class[i] == cls)
			return true;
	return false;
}

int profile_allows(const struct gd_profile *p, uint16_t vid, uint16_t pid,
		   const uint8_t *classes, unsigned n, char *why, size_t whylen)
{
	unsigned int i;

	if (why && whylen)
		why[0] = '\0';
	if (!p || !p->has_allow)
		return 1;
	if ((p->has_allow_dev || p->n_allow_dev) && !dev_listed(p, vid, pid)) {
		if (why && whylen)
			snprintf(why, whylen, "%04x:%04x is not in allow.devices", vid, pid);
		return 0;
	}
	if (!(p->has_allow_class || p->n_allow_class))
		return 1;
	if (!classes && n) {	/* a caller's bug: the classes cannot be checked */
		if (why && whylen)
			snprintf(why, whylen, "the interface classes of %04x:%04x are unknown",
				 vid, pid);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *name;

		if (class_listed(p, classes[i]))
			continue;
		if (why && whylen) {
			name = usb_desc_class_str(classes[i]);
			if (!strncmp(name, "class 0x", 8))	/* no name: just the code */
				snprintf(why, whylen, "interface class 0x%02x is not in allow.classes",
					 classes[i]);
			else if (name[0] == '(')		/* "(defined at interface level)" */
				snprintf(why, whylen, "interface class 0x%02x %s is not in allow.classes",
					 classes[i], name);
			else
				snprintf(why, whylen,
					 "interface class 0x%02x (%s) is not in allow.classes",
					 classes[i], name);
		}
		return 0;
	}
	return 1;
}

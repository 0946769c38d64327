// SPDX-License-Identifier: GPL-2.0-or-later
/* usbids.c - see usbids.h. The file's format: "vvvv  Vendor", then "\tpppp  Product". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/usbids.h"

static const char *const paths[] = { "/usr/share/misc/usb.ids", "/usr/share/hwdata/usb.ids",
				     "/var/lib/usbutils/usb.ids" };

static void trim(char *s)
{
	s[strcspn(s, "\r\n")] = 0;
}

void usbids_name(uint16_t vid, uint16_t pid, char *out, size_t outlen)
{
	char line[512], vendor[256] = "", product[256] = "";
	unsigned id, i;
	FILE *f = NULL;
	int in_vendor = 0;

	for (i = 0; !f && i < sizeof(paths) / sizeof(paths[0]); i++)
		f = fopen(paths[i], "r");
	while (f && fgets(line, sizeof(line), f)) {
		trim(line);
		if (line[0] == '#' || !line[0])
			continue;
		if (line[0] != '\t') {
			if (in_vendor)
				break; /* past our vendor's products */
			if (sscanf(line, "%4x", &id) == 1 && id == vid && strlen(line) > 6) {
				snprintf(vendor, sizeof(vendor), "%s", line + 6);
				in_vendor = 1;
			}
			continue;
		}
		if (in_vendor && line[1] != '\t' && sscanf(line + 1, "%4x", &id) == 1 && id == pid &&
		    strlen(line) > 7) {
			snprintf(product, sizeof(product), "%s", line + 7);
			break;
		}
	}
	if (f)
		fclose(f);
	snprintf(out, outlen, "%s : %s", vendor[0] ? vendor : "unknown vendor",
		 product[0] ? product : "unknown product");
}

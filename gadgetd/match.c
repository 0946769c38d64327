// SPDX-License-Identifier: GPL-2.0-or-later
/* match.c - see match.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gadgetd/match.h"
#include "gadgetd/text.h"

/* 1..4 hex digits ending at @end (':' or NUL) -> *@v; the end pointer in *@next */
static bool hex16(const char *s, uint16_t *v, const char **next)
{
	unsigned n = 0, x = 0;

	for (; *s && *s != ':'; s++, n++) {
		char c = *s;

		if (n == 4)
			return false;
		if (c >= '0' && c <= '9')
			x = x * 16 + (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			x = x * 16 + (unsigned)((c | 0x20) - 'a' + 10);
		else
			return false;
	}
	*v = (uint16_t)x;
	*next = s;
	return n > 0;
}

int match_set_serial(struct dev_match *m, const char *serial)
{
	size_t i, len = strlen(serial);

	if (!len || len > MATCH_SERIAL_MAX)
		return -ERANGE;
	for (i = 0; i < len; i++)
		if ((unsigned char)serial[i] < 0x20 || serial[i] == 0x7f)
			return -EILSEQ;
	memcpy(m->serial, serial, len + 1);
	m->has_serial = true;
	return 0;
}

int match_parse(const char *s, struct dev_match *m, char *err, size_t errlen)
{
	const char *p = s;
	int r;

	memset(m, 0, sizeof(*m));
	if (!s || !hex16(p, &m->vid, &p) || *p != ':' || !hex16(p + 1, &m->pid, &p)) {
		snprintf(err, errlen, "device '%.40s': expected VID:PID or VID:PID:SERIAL, with VID "
			 "and PID of 1 to 4 hex digits (as lsusb shows them: 1209:4854)",
			 s ? TEXT_ESC(s) : "");
		return -EINVAL;
	}
	if (*p == ':' && (r = match_set_serial(m, p + 1))) {
		if (r == -ERANGE)
			snprintf(err, errlen, "device '%.40s': the serial after VID:PID must be 1 to %d "
				 "bytes", TEXT_ESC(s), MATCH_SERIAL_MAX);
		else
			snprintf(err, errlen, "device '%.60s': the serial has a control byte",
				 TEXT_ESC(s));
		return -EINVAL;
	}
	m->set = true;
	return 0;
}

unsigned match_candidates(const struct dev_match *m, const struct devlist_entry *l, unsigned n,
			  unsigned *idx, unsigned max)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (l[i].udev.idVendor != m->vid || l[i].udev.idProduct != m->pid)
			continue;
		if (k < max)
			idx[k] = i;
		k++;
	}
	return k;
}

bool match_serial_ok(const struct dev_match *m, const char *serial)
{
	if (!m->has_serial)
		return true;
	return serial && !strcmp(serial, m->serial);
}

const char *match_str(const struct dev_match *m, char *buf, size_t len)
{
	char esc[4 * MATCH_SERIAL_MAX + 1];

	if (m->has_serial)
		snprintf(buf, len, "%04x:%04x serial \"%s\"", m->vid, m->pid,
			 text_escape(esc, sizeof(esc), m->serial));
	else
		snprintf(buf, len, "%04x:%04x", m->vid, m->pid);
	return buf;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* text.c - see text.h. */
#include <stdio.h>
#include <string.h>

#include "gadgetd/text.h"

size_t text_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp, min;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, cp = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0fu, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, cp = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *text_escape(char *out, size_t outlen, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), i = 0, o = 0, l, rl;
	char rep[9];

	if (!outlen)
		return out;
	for (; i < n; i += l) {
		l = text_utf8_len(s + i, n - i);
		if (l == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			rl = (size_t)snprintf(rep, sizeof(rep), "\\x%02x", s[i]);
		else if (l == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f)	/* C1 */
			rl = (size_t)snprintf(rep, sizeof(rep), "\\x%02x\\x%02x", s[i], s[i + 1]);
		else if (!l)
			rl = (size_t)snprintf(rep, sizeof(rep), "\\x%02x", s[i]), l = 1;
		else
			memcpy(rep, s + i, l), rl = l;
		if (o + rl + 1 > outlen)
			break;
		memcpy(out + o, rep, rl);
		o += rl;
	}
	out[o] = '\0';
	return out;
}

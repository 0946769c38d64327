// SPDX-License-Identifier: GPL-2.0-or-later
/* profile_int.c - see profile_int.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/profile_int.h"

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '*';
}

static bool is_number_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '+' || ch == '-';
}

static bool int_literal_overflows(const char *tok, size_t len)
{
	char buf[64];
	unsigned long long u;
	long long v;
	bool hex;
	size_t i;

	if (len >= sizeof(buf))
		return true;	/* no valid 32-bit literal is this long */
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if (buf[len - 1] == 'L' || buf[len - 1] == 'l')
		return false;	/* int64: libconfig checks nothing, neither do we */
	hex = strchr(buf, 'x') || strchr(buf, 'X');
	if (!hex)
		for (i = 0; i < len; i++)
			if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')
				return false;	/* a float */
	errno = 0;
	if (hex) {
		u = strtoull(buf, NULL, 16);
		return errno == ERANGE || u > INT_MAX;
	}
	v = strtoll(buf, NULL, 10);
	return errno == ERANGE || v > INT_MAX || v < INT_MIN;
}

unsigned int profile_int_overflow(const char *t, const char **tok, size_t *len)
{
	unsigned int line = 1;

	while (*t) {
		if (*t == '\n') {
			line++;
			t++;
		} else if (*t == '"') {
			for (t++; *t && *t != '"'; t++) {
				if (*t == '\n')
					line++;
				else if (*t == '\\' && t[1])
					t++;
			}
			if (*t)
				t++;
		} else if (*t == '#' || (*t == '/' && t[1] == '/')) {
			while (*t && *t != '\n')
				t++;
		} else if (*t == '/' && t[1] == '*') {
			for (t += 2; *t && !(*t == '*' && t[1] == '/'); t++)
				if (*t == '\n')
					line++;
			if (*t)
				t += 2;
		} else if ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '*') {
			while (is_name_char(*t))
				t++;
		} else if ((*t >= '0' && *t <= '9') || *t == '+' || *t == '-' || *t == '.') {
			const char *start = t;

			while (is_number_char(*t))
				t++;
			if (int_literal_overflows(start, (size_t)(t - start))) {
				*tok = start;
				*len = (size_t)(t - start);
				return line;
			}
		} else {
			t++;
		}
	}
	return 0;
}

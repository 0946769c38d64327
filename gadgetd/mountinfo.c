// SPDX-License-Identifier: GPL-2.0-or-later
/* mountinfo.c - see mountinfo.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gadgetd/mountinfo.h"

/* Copy the space-delimited field at *@p into @out (@n bytes), unescaping \ooo.
 * Return: 0, or -EINVAL (no field, or too long). */
static int field(const char **p, char *out, size_t n)
{
	const char *s = *p;
	size_t k = 0;

	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return -EINVAL;
	while (*s && *s != ' ' && *s != '\n') {
		char c = *s++;

		if (c == '\\' && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0'));
			s += 3;
		}
		if (k + 1 >= n)
			return -EINVAL;
		out[k++] = c;
	}
	out[k] = 0;
	*p = s;
	return 0;
}

int mountinfo_parse(const char *line, struct mount_entry *e)
{
	char skip[PATH_MAX];
	const char *sep, *p = line;
	int i;

	memset(e, 0, sizeof(*e));
	/* mount ID, parent ID, major:minor, root, mount point */
	for (i = 0; i < 4; i++)
		if (field(&p, skip, sizeof(skip)))
			return -EINVAL;
	if (field(&p, e->mnt, sizeof(e->mnt)))
		return -EINVAL;
	/* options and optional fields up to the separator " - " */
	sep = strstr(p, " - ");
	if (!sep)
		return -EINVAL;
	p = sep + 3;
	if (field(&p, e->fstype, sizeof(e->fstype)) || field(&p, e->source, sizeof(e->source)))
		return -EINVAL;
	return 0;
}

enum mount_kind mountinfo_kind(const struct mount_entry *e, const char *run_dir, const char *udc)
{
	size_t lr = strlen(run_dir), lu = strlen(udc);
	const char *p;

	if (strncmp(e->mnt, run_dir, lr) || e->mnt[lr] != '/')
		return MOUNT_OTHER;
	p = e->mnt + lr + 1;
	if (!strcmp(e->fstype, "gadgetfs"))
		return !strcmp(p, "gadgetfs") ? MOUNT_GADGETFS : MOUNT_OTHER;
	if (strcmp(e->fstype, "functionfs") || strncmp(p, "gadgetd.", 8) ||
	    strncmp(p + 8, udc, lu) || p[8 + lu] != '.')
		return MOUNT_OTHER;
	/* the bConfigurationValue: 1..255 (present.c build_configs()) */
	p += 8 + lu + 1;
	if (!isdigit((unsigned char)p[0]) || p[0] == '0' || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p))
		return MOUNT_OTHER;
	return MOUNT_FUNCTIONFS;
}

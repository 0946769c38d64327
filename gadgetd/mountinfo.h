/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mountinfo.h - lines of /proc/self/mountinfo (Documentation/filesystems/
 * proc.rst, "/proc/<pid>/mountinfo"), and which of them are the mounts a
 * gadgetd that is gone left behind. Pure: no I/O.
 */
#ifndef GADGETD_MOUNTINFO_H
#define GADGETD_MOUNTINFO_H

#include <limits.h>

/* One mount: fields 5 (mount point), and after " - " the type and the source. */
struct mount_entry {
	char mnt[PATH_MAX];
	char fstype[64];
	char source[256];
};

/* What a mount is to gadgetd. */
enum mount_kind {
	MOUNT_OTHER,      /* not gadgetd's */
	MOUNT_FUNCTIONFS, /* RUN_DIR/gadgetd.UDC.N, functionfs: present.c's, for this UDC */
	MOUNT_GADGETFS,   /* RUN_DIR/gadgetfs, gadgetfs: backend_gfs.c's (any UDC) */
};

/**
 * mountinfo_parse() - split one mountinfo @line into @e, with the kernel's
 * octal escapes (\040 for a space, \011, \012, \134) undone.
 * Return: 0, or -EINVAL when the line has not the fields of a mountinfo line
 * or a field does not fit @e.
 */
int mountinfo_parse(const char *line, struct mount_entry *e);

/**
 * mountinfo_kind() - is @e a mount gadgetd makes under @run_dir for @udc (a
 * /sys/class/udc name)? Only gadgetd's own names count: a FunctionFS instance
 * named after another UDC, or mounted elsewhere, is another's.
 */
enum mount_kind mountinfo_kind(const struct mount_entry *e, const char *run_dir, const char *udc);

#endif

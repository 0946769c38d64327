// SPDX-License-Identifier: GPL-2.0-or-later
/* udc_claim.c - see udc_claim.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gadgetd/gadget.h"
#include "gadgetd/log.h"
#include "gadgetd/mountinfo.h"
#include "gadgetd/session.h"
#include "gadgetd/udc_claim.h"

#define STALE_MAX 16

static int lock_fd = -1;
static char lock_udc[128];

/* Unmount the stale mounts of @udc. Return: 0 or -EBUSY with @err filled. */
static int sweep_mounts(const char *udc, char *err, size_t errlen)
{
	static struct mount_entry e[STALE_MAX];
	enum mount_kind kind[STALE_MAX];
	struct mount_entry cur;
	char line[PATH_MAX + 512];
	unsigned n = 0, i;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	while (n < STALE_MAX && fgets(line, sizeof(line), f)) {
		if (mountinfo_parse(line, &cur))
			continue;
		kind[n] = mountinfo_kind(&cur, RUN_DIR, udc);
		if (kind[n] != MOUNT_OTHER)
			e[n++] = cur;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		const char *what = kind[i] == MOUNT_GADGETFS ? "GadgetFS" : "FunctionFS";

		if (umount2(e[i].mnt, 0)) {
			if (kind[i] == MOUNT_GADGETFS) {
				/* GadgetFS is one for all UDCs: in use for another one */
				log_debug("GadgetFS at %s is in use: left as it is", e[i].mnt);
				continue;
			}
			snprintf(err, errlen, "the FunctionFS mount %s (%s) of a gadgetd that is gone "
				 "is still in use by a process: %s", e[i].mnt, e[i].source,
				 strerror(errno));
			return -EBUSY;
		}
		rmdir(e[i].mnt);
		log_info("removed what a gadgetd that is gone left behind: the %s mount %s (%s)",
			 what, e[i].mnt, e[i].source);
	}
	return 0;
}

/* What a dead gadgetd left for @udc: its mounts, then its ConfigFS gadget. */
static int sweep(const char *udc, char *err, size_t errlen)
{
	char name[160];
	int r;

	r = sweep_mounts(udc, err, errlen);
	if (r)
		return r;
	snprintf(name, sizeof(name), "gadgetd.%s", udc);
	r = gadget_remove_stale(name, err, errlen);
	if (r > 0)
		log_info("removed what a gadgetd that is gone left behind: the ConfigFS gadget %s "
			 "(configurations, functions, strings)", name);
	return r < 0 ? r : 0;
}

/* The pid written by the lock's holder, for the message ("?" if none). */
static void holder(int fd, char *pid, size_t n)
{
	ssize_t k = pread(fd, pid, n - 1, 0);

	pid[k > 0 ? k : 0] = 0;
	pid[strcspn(pid, "\n")] = 0;
	if (!pid[0])
		snprintf(pid, n, "?");
}

int udc_claim(const char *udc, char *err, size_t errlen)
{
	char path[256], pid[32];
	int fd, r;

	if (lock_fd >= 0 && !strcmp(lock_udc, udc))
		return 0;
	if (lock_fd >= 0) {
		close(lock_fd);
		lock_fd = -1;
	}
	if (mkdir(RUN_DIR, 0755) && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot create %s: %s", RUN_DIR, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), RUN_DIR "/%s.lock", udc);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open the lock of UDC %s, %s: %s", udc, path,
			 strerror(-r));
		return r;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		holder(fd, pid, sizeof(pid));
		if (r == -EBUSY)
			snprintf(err, errlen, "UDC %s is in use by another gadgetd (pid %s, lock %s): "
				 "stop it first, or choose another UDC with --udc", udc, pid, path);
		else
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%ld\n", (long)getpid());
	r = sweep(udc, err, errlen);
	if (r) {
		close(fd);
		return r;
	}
	lock_fd = fd;
	snprintf(lock_udc, sizeof(lock_udc), "%s", udc);
	return 0;
}

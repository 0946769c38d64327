// SPDX-License-Identifier: GPL-2.0-or-later
/* gfs_io.c - see gfs_io.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gadgetd/gfs_io.h"
#include "gadgetd/mountinfo.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static unsigned le16(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

/* One configuration descriptor header at @p with @room bytes left after it for
 * the rest (the device descriptor must still fit). Returns wTotalLength or 0. */
static unsigned check_config(const uint8_t *p, size_t room, uint8_t cfg_value, const char *speed,
			     char *err, size_t errlen, int *rc)
{
	unsigned total;

	*rc = -EINVAL;
	if (room < 9 || p[0] != 9 || p[1] != 2) {
		snprintf(err, errlen, "the %s configuration does not start with a 9-byte "
			 "configuration descriptor", speed);
		return 0;
	}
	total = le16(p + 2);
	if (total < 9 || total > room) {
		snprintf(err, errlen, "the %s configuration's wTotalLength %u does not fit the "
			 "%zu bytes before the device descriptor", speed, total, room);
		return 0;
	}
	if (p[5] != cfg_value || !cfg_value) {
		snprintf(err, errlen, "the %s configuration's bConfigurationValue is %u, expected "
			 "%u (non-zero)", speed, p[5], cfg_value);
		return 0;
	}
	if (!(p[7] & 0x80) || (p[7] & 0x20)) {
		snprintf(err, errlen, "the %s configuration's bmAttributes 0x%02x must have bit 7 "
			 "set and remote wakeup (0x20) clear for GadgetFS", speed, p[7]);
		return 0;
	}
	if (total > GFS_EP0_MAX) {
		*rc = -EMSGSIZE;
		snprintf(err, errlen, "the %s configuration is %u bytes: GadgetFS sends at most %u "
			 "bytes of a control reply (RBUF_SIZE), so the host could not read it",
			 speed, total, GFS_EP0_MAX);
		return 0;
	}
	*rc = 0;
	return total;
}

int gfs_blob_check(const uint8_t *blob, size_t len, uint8_t cfg_value, bool *has_hs, char *err,
		   size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t off = 4, max = (size_t)(page > 0 ? page : 4096) * 4;
	uint32_t tag;
	unsigned total;
	int rc;

	if (has_hs)
		*has_hs = false;
	if (len < 4 + 9 + 18 || len > max) {
		snprintf(err, errlen, "the configuration write is %zu bytes; GadgetFS takes %d to %zu",
			 len, 4 + 9 + 18, max);
		return len > max ? -EMSGSIZE : -EINVAL;
	}
	memcpy(&tag, blob, 4);
	if (tag != 0) {
		snprintf(err, errlen, "the configuration write starts with tag %u, not 0", tag);
		return -EINVAL;
	}
	total = check_config(blob + off, len - off - 18, cfg_value, "full-speed", err, errlen, &rc);
	if (!total)
		return rc;
	off += total;
	if (len - off > 18 && blob[off + 1] == 2) {
		total = check_config(blob + off, len - off - 18, cfg_value, "high-speed", err,
				     errlen, &rc);
		if (!total)
			return rc;
		off += total;
		if (has_hs)
			*has_hs = true;
	}
	if (len - off != 18 || blob[off] != 18 || blob[off + 1] != 1 || blob[off + 17] != 1) {
		snprintf(err, errlen, "the configuration write must end with an 18-byte device "
			 "descriptor with bNumConfigurations 1 (%zu bytes are left)", len - off);
		return -EINVAL;
	}
	return 0;
}

/* The first line of a small file, without its newline. */
static int read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int gfs_udc_state(const char *udc, char *gadget, size_t gadgetlen, char *function,
		  size_t functionlen)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	int r;

	if (gadget) {
		snprintf(path, sizeof(path), "/sys/class/udc/%s/uevent", udc);
		f = fopen(path, "re");
		if (!f)
			return -errno;
		gadget[0] = 0;
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (!strncmp(line, "USB_UDC_NAME=", 13))
				snprintf(gadget, gadgetlen, "%s", line + 13);
		}
		fclose(f);
	}
	if (function) {
		snprintf(path, sizeof(path), "/sys/class/udc/%s/function", udc);
		r = read_line(path, function, functionlen);
		if (r)
			return r;
	}
	return 0;
}

int gfs_udc_disconnect(const char *udc)
{
	char path[PATH_MAX];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "/sys/class/udc/%s/soft_connect", udc);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fputs("disconnect", f) < 0)
		r = -EIO;
	if (fclose(f) && !r)
		r = -errno;
	return r;
}

/* GadgetFS mounted at @dir, by /proc/self/mountinfo (mountinfo.h). */
static bool mounted_at(const char *dir)
{
	static struct mount_entry e;
	char line[PATH_MAX + 512];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !mountinfo_parse(line, &e) && !strcmp(e.mnt, dir) &&
			!strcmp(e.fstype, "gadgetfs");
	fclose(f);
	return found;
}

static bool fs_available(void)
{
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "nodev\tgadgetfs\n");
	fclose(f);
	return found;
}

int gfs_mount(const char *dir, bool *reused, char *err, size_t errlen)
{
	char parent[PATH_MAX], *slash;
	int r;

	*reused = false;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir(parent, 0755) && errno != EEXIST)
			goto fail;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		goto fail;
	if (mounted_at(dir)) {
		*reused = true;
		return 0;
	}
	if (!mount("gadgetfs", dir, "gadgetfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return 0;
fail:
	r = -errno;
	rmdir(dir);
	if (r == -ENODEV && !fs_available())
		snprintf(err, errlen, "GadgetFS is not available: load gadgetfs.ko (modprobe "
			 "gadgetfs)");
	else if (r == -ENODEV)
		snprintf(err, errlen, "GadgetFS found no UDC without a driver to take");
	else
		snprintf(err, errlen, "cannot mount GadgetFS at %s: %s", dir, strerror(-r));
	return r;
}

void gfs_umount(const char *dir)
{
	if (mounted_at(dir) && umount2(dir, 0))
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}

int gfs_list(const char *dir, char (*names)[GFS_NAME_MAX], unsigned max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return -errno;
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= GFS_NAME_MAX)
			continue;
		memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return (int)n;
}

int gfs_find_ep0(const char *dir, const char *gadget, const char *udc, char *ep0name, size_t n,
		 char *err, size_t errlen)
{
	char names[GFS_MAX_FILES][GFS_NAME_MAX];
	int k = gfs_list(dir, names, GFS_MAX_FILES), i;

	if (k < 0) {
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(-k));
		return k;
	}
	for (i = 0; i < k; i++)
		if (gadget[0] ? !strcmp(names[i], gadget) : k == 1) {
			snprintf(ep0name, n, "%s", names[i]);
			return 0;
		}
	if (gadget[0] && k == 1)
		snprintf(err, errlen, "GadgetFS took the UDC named %s, not %s (gadget %s): it takes "
			 "the first UDC without a driver", names[0], udc, gadget);
	else
		snprintf(err, errlen, "GadgetFS at %s has %d files and no ep0 file %s", dir, k,
			 gadget[0] ? gadget : "(no UDC named)");
	return -ENODEV;
}

int gfs_ep_files(const char *dir, const char *udc, const char *ep0name,
		 char (*files)[GFS_NAME_MAX], unsigned max, char *err, size_t errlen)
{
	char names[GFS_MAX_FILES][GFS_NAME_MAX], fn[128] = "";
	int k, i, n = 0;

	if (udc[0] && (gfs_udc_state(udc, NULL, 0, fn, sizeof(fn)) ||
		       strcmp(fn, GFS_DRIVER_FUNCTION))) {
		snprintf(err, errlen, "GadgetFS accepted the configuration but UDC %s is bound to "
			 "'%s', not to GadgetFS", udc, fn);
		return -ENODEV;
	}
	k = gfs_list(dir, names, GFS_MAX_FILES);
	for (i = 0; i < k && (unsigned)n < max; i++)
		if (strcmp(names[i], ep0name))
			memcpy(files[n++], names[i], GFS_NAME_MAX);
	if (!n) {
		snprintf(err, errlen, "GadgetFS accepted the configuration but bound no UDC (no "
			 "endpoint files appeared in %s)", dir);
		return -ENODEV;
	}
	return n;
}

/* One write() of all @len bytes to @fd, else @fd is closed. Returns @fd or -errno. */
static int write_or_close(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);
	int r;

	if (n == (ssize_t)len)
		return fd;
	r = n < 0 ? -errno : -EIO;
	close(fd);
	return r;
}

int gfs_ep0_open(const char *path, const void *blob, size_t len, bool *rejected)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	*rejected = false;
	if (fd < 0)
		return -errno;
	fd = write_or_close(fd, blob, len);
	*rejected = fd < 0;
	return fd;
}

int gfs_ep0_events(int ep0, struct usb_gadgetfs_event *ev, unsigned max)
{
	ssize_t n = read(ep0, ev, max * sizeof(*ev));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return (int)((size_t)n / sizeof(*ev));
}

int gfs_ep0_ack(int ep0)
{
	return read(ep0, NULL, 0) < 0 ? -errno : 0;
}

ssize_t gfs_ep0_in(int ep0, const void *data, size_t len)
{
	ssize_t n = write(ep0, data, len);

	return n < 0 ? -errno : n;
}

int gfs_ep0_stall(int ep0, bool in)
{
	uint8_t b = 0;
	ssize_t n = in ? read(ep0, &b, 0) : write(ep0, &b, 0);

	/* the wrong-direction call stalls ep0 and fails EL2HLT */
	if (n < 0)
		return errno == EL2HLT ? 0 : -errno;
	return -EPROTO;
}

ssize_t gfs_ep0_out_data(int ep0, void *buf, size_t len, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	ssize_t n;

	for (;;) {
		n = read(ep0, buf, len);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(1);
	}
}

int gfs_ep0_refuse(int ep0)
{
	uint8_t b[GFS_EP0_MAX];
	ssize_t n;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		/* IN: stalls (EL2HLT). OUT with data: the data once it arrived. OUT
		 * without data, SET_CONFIGURATION: -EAGAIN. Not in SETUP state: the
		 * event path refuses a read under 12 bytes with -EINVAL. */
		n = read(ep0, b, 1);
		if (n >= 0 || errno == EL2HLT)
			return 1;
		if (errno == EINVAL || errno == ESRCH)
			return 0;
		if (errno == EIDRM || errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		n = write(ep0, b, 0);
		if (n < 0 && errno == EL2HLT)
			return 1;
		if (n < 0 && errno == EIDRM)
			continue;
		/* not stallable: OUT data still on its way (take it), or SET_CONFIGURATION */
		n = gfs_ep0_out_data(ep0, b, sizeof(b), 50);
		if (n >= 0 || n == -EIO || n == -ECANCELED)
			return 1;
		if (n == -EIDRM)
			continue;
		n = gfs_ep0_ack(ep0);
		return n == -EIDRM ? 1 : n ? (int)n : 1;
	}
	return -EIDRM;
}

/* A file name: "ep<N><in|out>[-<type>]", "ep<N>" or dummy_hcd's generic
 * "ep-<letter><in|out>". @num -1: generic; @dir -1: either, 0 OUT, 1 IN. */
static bool parse_file(const char *name, int *num, int *dir, const char **type)
{
	const char *p = name + 2;
	char *end;

	if (strncmp(name, "ep", 2))
		return false;
	*num = -1;
	if (isdigit((unsigned char)*p)) {
		*num = (int)strtoul(p, &end, 10);
		p = end;
	} else if (p[0] == '-' && isalpha((unsigned char)p[1])) {
		p += 2;
	} else {
		return false;
	}
	*dir = -1;
	if (!strncmp(p, "in", 2)) {
		*dir = 1;
		p += 2;
	} else if (!strncmp(p, "out", 3)) {
		*dir = 0;
		p += 3;
	}
	if (*p && *p != '-')
		return false;
	*type = *p ? p + 1 : p;
	return true;
}

/* Can a file of type suffix @t carry transfer type @type? dummy_enable()
 * (dummy_hcd.c:565-640) puts interrupt endpoints on "-bulk" files too. */
static bool type_ok(const char *t, unsigned type)
{
	if (!*t)
		return true;
	if (!strcmp(t, "bulk"))
		return type == USB_ENDPOINT_XFER_BULK || type == USB_ENDPOINT_XFER_INT;
	return !strcmp(t, type == USB_ENDPOINT_XFER_INT ? "int" :
			  type == USB_ENDPOINT_XFER_ISOC ? "iso" : "-");
}

int gfs_ep_file_fits(const char *name, uint8_t addr, uint8_t type, bool any_number)
{
	const char *t;
	int num, dir;

	if (!parse_file(name, &num, &dir, &t) || !type_ok(t, type))
		return 0;
	if (dir >= 0 && dir != !!(addr & 0x80))
		return 0;
	if (num == (addr & 0x0f))
		return dir >= 0 ? 4 : 3;
	if (!any_number || dir < 0)
		return 0;
	return num < 0 ? 2 : 1; /* dummy_hcd: a generic file before another number's */
}

static const char *type_name(unsigned t)
{
	static const char *const n[4] = { "control", "isochronous", "bulk", "interrupt" };

	return n[t & 3];
}

static void list_files(const char (*files)[GFS_NAME_MAX], unsigned n, char *out, size_t outlen)
{
	size_t off = 0;
	unsigned f;

	out[0] = 0;
	for (f = 0; f < n && off < outlen; f++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%s", f ? " " : "", files[f]);
}

/* The best file for @e not taken by another endpoint (-1: none). */
static int pick_one(const char (*files)[GFS_NAME_MAX], unsigned n_files,
		    const struct gfs_ep_spec *e, bool any_number, const bool *taken)
{
	int best = -1, score = 0, sc;
	unsigned f;

	for (f = 0; f < n_files; f++) {
		sc = taken[f] ? 0 : gfs_ep_file_fits(files[f], e->addr, e->type, any_number);
		if (sc > score) {
			score = sc;
			best = (int)f;
		}
	}
	return best;
}

int gfs_ep_pick(const char (*files)[GFS_NAME_MAX], unsigned n_files,
		const struct gfs_ep_spec *eps, unsigned n_ep, bool any_number, int *file_of,
		char *err, size_t errlen)
{
	const struct gfs_ep_spec *a, *b;
	bool taken[GFS_MAX_FILES] = { false };
	char list[512];
	unsigned i, j, pass;

	/* exact numbers first, so that no other endpoint takes an exact file */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n_ep; i++) {
			a = &eps[i];
			if (pass == 0)
				file_of[i] = -1;
			for (j = 0; j < i && file_of[i] < 0; j++)
				if (eps[j].addr == a->addr && file_of[j] >= 0)
					file_of[i] = file_of[j]; /* another alt setting of it */
			if (file_of[i] < 0)
				file_of[i] = pick_one(files, n_files, a, pass && any_number, taken);
			if (file_of[i] >= 0)
				taken[file_of[i]] = true;
		}
	for (i = 0; i < n_ep; i++) {
		a = &eps[i];
		if (file_of[i] < 0) {
			list_files(files, n_files, list, sizeof(list));
			snprintf(err, errlen, "endpoint 0x%02x (%s %s, interface %u alt %u) has no "
				 "GadgetFS file ep%u%s on this UDC, which offers: %s", a->addr,
				 type_name(a->type), a->addr & 0x80 ? "IN" : "OUT", a->intf, a->alt,
				 a->addr & 0x0f, a->addr & 0x80 ? "in" : "out", list);
			return -ENOENT;
		}
		for (j = i + 1; j < n_ep; j++) {
			b = &eps[j];
			if (file_of[i] == file_of[j] && (a->intf != b->intf || a->alt == b->alt)) {
				snprintf(err, errlen, "endpoints 0x%02x (interface %u alt %u) and 0x%02x "
					 "(interface %u alt %u) would both need the file %s", a->addr,
					 a->intf, a->alt, b->addr, b->intf, b->alt, files[file_of[i]]);
				return -EBUSY;
			}
		}
	}
	return 0;
}

int gfs_ep_open(const char *dir, const char *name, const void *cfg, size_t len, int busy_ms,
		unsigned *busy_tries)
{
	char path[PATH_MAX];
	long t0 = now_ms();
	unsigned tries = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	while ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		if (errno != EBUSY || now_ms() - t0 >= busy_ms)
			break;
		tries++;
		sleep_ms(1);
	}
	if (busy_tries)
		*busy_tries = tries;
	return fd < 0 ? -errno : write_or_close(fd, cfg, len);
}

int gfs_ep_clear_halt(int fd)
{
	return ioctl(fd, GADGETFS_CLEAR_HALT) < 0 ? -errno : 0;
}

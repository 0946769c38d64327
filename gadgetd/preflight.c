// SPDX-License-Identifier: GPL-2.0-or-later
/* preflight.c - see preflight.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gadgetd/gadget.h"
#include "gadgetd/log.h"
#include "gadgetd/preflight.h"
#include "gadgetd/udc_claim.h"

#define CONFIGFS_DIR "/sys/kernel/config"
#define UDC_DIR "/sys/class/udc"
#ifndef CONFIGFS_MAGIC
#define CONFIGFS_MAGIC 0x62656570 /* fs/configfs/mount.c */
#endif

/* ---- pure ---- */

static bool same_modname(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (alen != strlen(b))
		return false;
	for (i = 0; i < alen; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return true;
}

bool kmod_listed(const char *text, size_t len, const char *name)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p)), *pe = colon ? colon : le;
		const char *base = p, *ko, *q;

		for (q = p; q < pe; q++)
			if (*q == '/')
				base = q + 1;
		/* "name.ko", "name.ko.xz", "name.ko.zst", ... */
		for (ko = base; ko + 3 <= pe && strncmp(ko, ".ko", 3); ko++)
			;
		if (ko + 3 <= pe && same_modname(base, (size_t)(ko - base), name))
			return true;
		p = le + 1;
	}
	return false;
}

void preflight_udc_busy_msg(char *buf, size_t len, const char *udc, const char *who,
			    enum udc_holder kind)
{
	switch (kind) {
	case HOLDER_GADGETD:
		snprintf(buf, len, "UDC %s is in use by gadget %s of another gadgetd "
			 "(`gadgetd --status` shows it): stop that one, or choose another UDC with "
			 "--udc", udc, who);
		break;
	case HOLDER_CONFIGFS:
		snprintf(buf, len, "UDC %s is in use by the ConfigFS gadget %s: free it with "
			 "`echo > " CONFIGFS_DIR "/usb_gadget/%s/UDC` (or remove that gadget), or "
			 "choose another UDC with --udc", udc, who, who);
		break;
	case HOLDER_MODULE:
		snprintf(buf, len, "UDC %s is in use by the gadget module %s: unload it with "
			 "`modprobe -r %s` (a BeagleBone's stock image loads g_multi), or choose "
			 "another UDC with --udc", udc, who, who);
		break;
	case HOLDER_GADGETFS:
		snprintf(buf, len, "UDC %s is in use by a GadgetFS program (%s), perhaps another "
			 "gadgetd (`gadgetd --status`): stop it, or choose another UDC with --udc",
			 udc, who);
		break;
	default:
		snprintf(buf, len, "UDC %s is in use by gadget %s: stop it first, or choose "
			 "another UDC with --udc", udc, who);
		break;
	}
}

void preflight_no_udc_msg(char *buf, size_t len, const char *model)
{
	const char *what;

	if (model && strstr(model, "Raspberry Pi"))
		what = "this Raspberry Pi's dwc2 is not enabled: put dtoverlay=dwc2 in "
		       "/boot/firmware/config.txt (/boot/config.txt on older images), reboot, and "
		       "cable the host to the USB port that is not only for power";
	else if (model && strstr(model, "BeagleBone"))
		what = "the BeagleBone's musb driver is not loaded: modprobe musb_dsps (or use an "
		       "image whose device tree enables the USB0 port as peripheral)";
	else
		what = "this machine has no USB device controller, or its driver is not loaded "
		       "(dwc2, musb, dwc3, chipidea; dummy_hcd for tests): load it with modprobe; "
		       "on a Raspberry Pi put dtoverlay=dwc2 in config.txt";
	snprintf(buf, len, "no UDC in " UDC_DIR ": %s", what);
}

/* ---- what the machine says ---- */

/* The whole of a small file, NUL-terminated; NULL when unreadable. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap && cap < (64u << 20)) {
			nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

static bool listed_in(const char *path, const char *name, bool *readable)
{
	size_t len;
	char *t = slurp(path, &len);
	bool r;

	*readable = t != NULL;
	r = t && kmod_listed(t, len, name);
	free(t);
	return r;
}

enum kmod { KMOD_LOADED, KMOD_INSTALLED, KMOD_MISSING };

/* Is module @name loaded or built in (its @fs in /proc/filesystems counts), or installed? */
static enum kmod kmod_state(const char *name, const char *fs, char *where, size_t wlen)
{
	char path[300];
	struct utsname u;
	bool dep_ok, builtin_ok;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return KMOD_LOADED;
	if (fs) {
		size_t len;
		char *t = slurp("/proc/filesystems", &len), *hit = t ? strstr(t, fs) : NULL;
		bool found = hit && hit > t && hit[-1] == '\t' && (hit[strlen(fs)] == '\n' || !hit[strlen(fs)]);

		free(t);
		if (found)
			return KMOD_LOADED;
	}
	uname(&u);
	snprintf(where, wlen, "/lib/modules/%s", u.release);
	snprintf(path, sizeof(path), "%s/modules.builtin", where);
	if (listed_in(path, name, &builtin_ok))
		return KMOD_LOADED;
	snprintf(path, sizeof(path), "%s/modules.dep", where);
	if (listed_in(path, name, &dep_ok))
		return KMOD_INSTALLED;
	return KMOD_MISSING;
}

static enum udc_holder holder_kind(const char *who)
{
	char path[400];

	if (!strncmp(who, "gadgetd.", 8))
		return HOLDER_GADGETD;
	if (strcasestr(who, "gadgetfs") || strcasestr(who, "gadget filesystem"))
		return HOLDER_GADGETFS;
	snprintf(path, sizeof(path), CONFIGFS_DIR "/usb_gadget/%s", who);
	if (!strchr(who, '/') && !access(path, F_OK))
		return HOLDER_CONFIGFS;
	snprintf(path, sizeof(path), "/sys/module/%s", who);
	if (!strchr(who, '/') && !access(path, F_OK))
		return HOLDER_MODULE;
	return HOLDER_OTHER;
}

static unsigned count_udcs(void)
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(UDC_DIR);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- the checks: each 0, or -errno with @msg ---- */

static int check_udc_present(const struct gd_opts *o, char *udc, size_t udclen, char *msg,
			     size_t len)
{
	char model[256] = "";
	FILE *f;

	if (count_udcs())
		return gadget_pick_udc(o->udc, udc, udclen, msg, len);
	f = fopen("/proc/device-tree/model", "re");
	if (f) {
		if (!fgets(model, sizeof(model), f))
			model[0] = 0;
		fclose(f);
	}
	preflight_no_udc_msg(msg, len, model);
	return -ENODEV;
}

static bool has_cap(const struct __user_cap_data_struct d[2], unsigned cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static int check_privileges(const struct gd_opts *o, char *msg, size_t len)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	static const struct {
		unsigned cap;
		const char *name;
		int when; /* 0 always, 1 not uid 0, 2 --user */
	} need[] = {
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN", 0 },
		{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE", 1 },
		{ CAP_SETUID, "CAP_SETUID", 2 },
		{ CAP_SETGID, "CAP_SETGID", 2 },
		{ CAP_SETPCAP, "CAP_SETPCAP", 2 }, /* the bounding set emptied (sandbox.h) */
	};
	char missing[128] = "";
	unsigned i;

	if (syscall(SYS_capget, &h, d)) {
		if (geteuid() == 0)
			return 0;
		memset(d, 0, sizeof(d));
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if ((need[i].when == 1 && geteuid() == 0) || (need[i].when == 2 && !o->user))
			continue;
		if (!has_cap(d, need[i].cap))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", need[i].name);
	}
	if (!missing[0])
		return 0;
	snprintf(msg, len, "gadgetd needs root to build the gadget (it writes ConfigFS and mounts "
		 "FunctionFS or GadgetFS): run it as root (sudo gadgetd ..., or its systemd unit "
		 "gadgetd@.service); it lacks %s", missing);
	return -EPERM;
}

static int check_configfs(char *msg, size_t len)
{
	struct statfs sf;

	if (!statfs(CONFIGFS_DIR, &sf) && sf.f_type == CONFIGFS_MAGIC)
		return 0;
	snprintf(msg, len, "ConfigFS is not mounted at " CONFIGFS_DIR ": mount it with `mount -t "
		 "configfs none " CONFIGFS_DIR "` (systemd's sys-kernel-config.mount does at boot), "
		 "or use --backend gadgetfs");
	return -ENOENT;
}

static int check_libcomposite(bool configfs_ok, char *msg, size_t len)
{
	char where[300] = "/lib/modules";

	if (configfs_ok && !access(CONFIGFS_DIR "/usb_gadget", F_OK))
		return 0;
	switch (kmod_state("libcomposite", NULL, where, sizeof(where))) {
	case KMOD_LOADED:
		if (!configfs_ok)
			return 0; /* reported as ConfigFS's */
		snprintf(msg, len, "libcomposite is loaded but " CONFIGFS_DIR "/usb_gadget is "
			 "missing: is ConfigFS mounted there?");
		return -ENOENT;
	case KMOD_INSTALLED:
		snprintf(msg, len, "libcomposite is not loaded (no " CONFIGFS_DIR "/usb_gadget): "
			 "run `modprobe libcomposite`; to load it at boot, name it in "
			 "/etc/modules-load.d/ (gadgetd's package does)");
		return -ENOPKG;
	default:
		snprintf(msg, len, "libcomposite is not loaded and not installed in %s: this kernel "
			 "has no USB gadget support (CONFIG_USB_LIBCOMPOSITE), or its modules are "
			 "missing", where);
		return -ENOPKG;
	}
}

static int check_backend_module(const char *backend, char *msg, size_t len)
{
	bool want_ffs = !backend || strcmp(backend, "gadgetfs");
	bool want_gfs = !backend || strcmp(backend, "functionfs");
	bool auto_ = want_ffs && want_gfs;
	char w1[300] = "/lib/modules", w2[300] = "/lib/modules";
	bool ffs = want_ffs && kmod_state("usb_f_fs", "functionfs", w1, sizeof(w1)) != KMOD_MISSING;
	bool gfs = want_gfs && kmod_state("gadgetfs", "gadgetfs", w2, sizeof(w2)) != KMOD_MISSING;

	if (ffs || gfs) {
		if (auto_ && !ffs)
			log_info("usb_f_fs (FunctionFS) is not installed in %s: only devices "
				 "GadgetFS carries can be presented", w1);
		return 0;
	}
	if (auto_)
		snprintf(msg, len, "neither usb_f_fs (FunctionFS) nor gadgetfs is loaded or "
			 "installed in %s: this kernel cannot present a device "
			 "(CONFIG_USB_CONFIGFS_F_FS, CONFIG_USB_GADGETFS)", w1);
	else if (want_ffs)
		snprintf(msg, len, "usb_f_fs (FunctionFS) is not loaded and not installed in %s: "
			 "`modprobe usb_f_fs` cannot work; install this kernel's modules "
			 "(CONFIG_USB_CONFIGFS_F_FS), or use --backend gadgetfs", w1);
	else
		snprintf(msg, len, "gadgetfs is not loaded and not installed in %s: `modprobe "
			 "gadgetfs` cannot work; install this kernel's modules (CONFIG_USB_GADGETFS), "
			 "or use --backend functionfs", w2);
	return -ENOPKG;
}

static int check_udc_free(const char *udc, char *msg, size_t len)
{
	char who[256];

	if (gadget_udc_busy(udc, who, sizeof(who)) <= 0)
		return 0;
	preflight_udc_busy_msg(msg, len, udc, who, holder_kind(who));
	return -EBUSY;
}

int preflight(const struct gd_opts *o, const char *backend, bool all, char *udc, size_t udclen,
	      char *err, size_t errlen)
{
	bool ffs_side, configfs_ok = true, have_udc;
	char msg[1024];
	int first = 0, r = 0;

	if (backend && !strcmp(backend, "auto"))
		backend = NULL;
	ffs_side = !backend || !strcmp(backend, "functionfs");
	err[0] = 0;
	udc[0] = 0;
	/* in this order, each on its own: a failure names only what it checks */
#define CHECK(call)                                                     \
	do {                                                            \
		if (first && !all)                                      \
			break;                                          \
		r = (call);                                             \
		if (!r)                                                 \
			break;                                          \
		log_warnx("%s", msg);                                   \
		if (!first) {                                           \
			first = r;                                      \
			snprintf(err, errlen, "%s", msg);               \
		}                                                       \
	} while (0)
	CHECK(check_udc_present(o, udc, udclen, msg, sizeof(msg)));
	have_udc = !first;
	CHECK(check_privileges(o, msg, sizeof(msg)));
	if (ffs_side) {
		CHECK(check_configfs(msg, sizeof(msg)));
		configfs_ok = r == 0;
		CHECK(check_libcomposite(configfs_ok, msg, sizeof(msg)));
	}
	CHECK(check_backend_module(backend, msg, sizeof(msg)));
	/* one gadgetd per UDC, and a dead one's leftovers go (not for -n: it changes nothing) */
	if (have_udc && !all)
		CHECK(udc_claim(udc, msg, sizeof(msg)));
	if (have_udc)
		CHECK(check_udc_free(udc, msg, sizeof(msg)));
#undef CHECK
	return first;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - command line and the session's set-up ladder:
 *   UDC chosen -> OP_REQ_IMPORT -> descriptors read -> refused if FunctionFS cannot
 *   carry them -> gadget created in ConfigFS, FunctionFS mounted, descriptors written
 *   -> bound to the UDC -> relay -> torn down in reverse order.
 * Nothing half-built survives an error: every step's undo runs.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/usb/functionfs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/ffs_io.h"
#include "gadgetd/client.h"
#include "gadgetd/describe.h"
#include "gadgetd/gadget.h"
#include "gadgetd/log.h"
#include "gadgetd/profile.h"
#include "gadgetd/relay.h"
#include "gadgetd/usbids.h"

#define RUN_DIR "/run/gadgetd"

/* SIGINT/SIGTERM are blocked from the start and only ever read from a signalfd:
 * every wait (connect, import, backoff, the relay) also watches it. */
static bool signal_pending(int sigfd)
{
	struct pollfd p = { .fd = sigfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Wait @seconds or until a signal. Return: true if a signal came. */
static bool wait_or_signal(int sigfd, unsigned seconds)
{
	struct pollfd p = { .fd = sigfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, (int)(seconds * 1000));
	while (r < 0 && errno == EINTR);
	return r > 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gadgetd --remote HOST[:PORT] --busid BUSID [--udc UDC] [--profile FILE]\n"
		"               [--user USER] [--once] [--syslog] [-v...]\n"
		"       gadgetd --remote HOST[:PORT] --list\n"
		"       gadgetd --profile FILE -n\n"
		"\n"
		"Import the USB device BUSID from the usbipd at HOST (port 3240) and present it\n"
		"on this board's USB device controller, to the host its USB port is cabled to.\n"
		"\n"
		"  -r, --remote HOST[:PORT]  the USB/IP server\n"
		"  -b, --busid BUSID         the exported device (see --list)\n"
		"  -u, --udc UDC             device controller in /sys/class/udc (default: the only one)\n"
		"  -p, --profile FILE        libconfig profile: overrides and defaults (gadgetd.profile(5))\n"
		"  -U, --user USER           run the relay as USER, without privileges\n"
		"  -1, --once                exit when the connection or device is lost, or the\n"
		"                            device is not exported (default: wait and retry)\n"
		"  -l, --list                list the devices HOST exports, then exit\n"
		"  -n, --check               check the profile and options, then exit\n"
		"  -S, --syslog              log to syslog instead of stderr\n"
		"      --log-time WHEN       time stamps on stderr: auto (wall clock, none\n"
		"                            under journald), wall, mono (the clock of dmesg), none\n"
		"  -v, --verbose             more log output (-v detail, -vv debug,\n"
		"                            -vvv hexdump of the USB/IP traffic)\n"
		"  -h, --help                this text\n"
		"  -V, --version             print the version\n");
}

static const char *class_name(uint8_t c)
{
	return c == 0 ? "(per interface)" : usb_desc_class_str(c);
}

static int do_list(const struct remote *rem)
{
	struct devlist_entry *l;
	char err[512], names[520];
	unsigned n, i, j;
	int r;

	r = client_devlist(rem, &l, &n, err, sizeof(err));
	if (r) {
		log_warnx("%s", err);
		return 1;
	}
	printf("Exportable USB devices on %s\n", rem->name);
	if (!n)
		printf("  (none)\n");
	for (i = 0; i < n; i++) {
		struct usbip_usb_device *u = &l[i].udev;
		uint8_t cls = u->bDeviceClass;

		if (!cls && l[i].n_intf)
			cls = l[i].intf[0].bInterfaceClass;
		usbids_name(u->idVendor, u->idProduct, names, sizeof(names));
		printf("  %-10s %04x:%04x  %-16s %-6s speed  %s\n", u->busid, u->idVendor,
		       u->idProduct, class_name(cls), usbip_speed_str(u->speed), names);
		printf("             %s\n", u->path);
		for (j = 0; j < l[i].n_intf; j++)
			printf("             interface %u: %02x/%02x/%02x %s\n", j,
			       l[i].intf[j].bInterfaceClass, l[i].intf[j].bInterfaceSubClass,
			       l[i].intf[j].bInterfaceProtocol,
			       usb_desc_class_str(l[i].intf[j].bInterfaceClass));
	}
	free(l);
	return 0;
}

struct opts {
	const char *remote, *busid, *udc, *profile, *user;
	int list, check, verbose, use_syslog, once;
	enum log_time log_time;
	uid_t uid;
	gid_t gid;
};

/* How a session ended. */
struct outcome {
	bool permanent; /* retrying cannot help: bad configuration, refused device */
	bool ran;       /* the gadget was up: start the backoff afresh */
};

static const char *str_or(const char *a, const char *b)
{
	return a ? a : b;
}

/* Device-level attributes: the remote's, then the profile's overrides. */
static void fill_spec(struct gadget_spec *s, const struct remote_desc *d,
		      const struct gd_profile *p, const char *name)
{
	unsigned l;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->idVendor = p->has_idVendor ? p->idVendor : d->dev.idVendor;
	s->idProduct = p->has_idProduct ? p->idProduct : d->dev.idProduct;
	s->bcdDevice = p->has_bcdDevice ? p->bcdDevice : d->dev.bcdDevice;
	s->bDeviceClass = d->dev.bDeviceClass;
	s->bDeviceSubClass = d->dev.bDeviceSubClass;
	s->bDeviceProtocol = d->dev.bDeviceProtocol;
	s->n_lang = d->str.n_lang;
	if (s->n_lang > GADGET_MAX_LANGS)
		s->n_lang = GADGET_MAX_LANGS;
	if (!s->n_lang && (p->manufacturer || p->product || p->serial)) {
		s->n_lang = 1;
		s->langid[0] = 0x0409;
	}
	for (l = 0; l < s->n_lang; l++) {
		if (d->str.n_lang)
			s->langid[l] = d->str.langid[l];
		s->manufacturer[l] = str_or(p->manufacturer, d->dev.iManufacturer ?
					    d->str.text[l][d->dev.iManufacturer] : NULL);
		s->product[l] = str_or(p->product, d->dev.iProduct ? d->str.text[l][d->dev.iProduct] :
				       NULL);
		s->serial[l] = str_or(p->serial, d->dev.iSerialNumber ?
				      d->str.text[l][d->dev.iSerialNumber] : NULL);
	}
}

/* Configuration-level attributes of one configuration. */
static void fill_config(struct gadget_config *gc, const struct gadget_spec *s,
			const struct remote_desc *d, const struct usb_desc_config *cfg,
			const struct gd_profile *p)
{
	unsigned l;

	gc->bConfigurationValue = cfg->bConfigurationValue ? cfg->bConfigurationValue : 1;
	gc->bmAttributes = cfg->bmAttributes & 0x60;
	if (p->has_self_powered)
		gc->bmAttributes = (uint8_t)((gc->bmAttributes & ~0x40) | (p->self_powered ? 0x40 : 0));
	gc->MaxPower_mA = p->has_MaxPower ? p->MaxPower :
			  cfg->bMaxPower * (d->speed >= USB_DESC_SPEED_SUPER ? 8u : 2u);
	for (l = 0; l < s->n_lang; l++)
		gc->configuration[l] = cfg->iConfiguration ? d->str.text[l][cfg->iConfiguration] :
				       NULL;
}

/* What is built for one presented configuration. */
struct pcfg {
	unsigned index; /* in remote_desc.cfg[] */
	uint8_t descs[16384], strs[16384];
	ssize_t dlen, slen;
	struct ffs_map map;
	char ffs_name[96], ffs_dir[160];
	int ep0;
	int ep_fd[FFS_MAX_EPS];
};

/*
 * The configurations to present: every one FunctionFS can carry. The active one
 * must be among them, or the device is refused.
 * Return: the number built (>= 1), or -errno after logging why.
 */
static int build_configs(const struct opts *o, const struct remote_desc *d, const char *name,
			 struct pcfg *pc)
{
	struct ffs_desc_opts fo = { .udc_has_iso = false, .extra_flags = FUNCTIONFS_ALL_CTRL_RECIP };
	uint8_t str_map[FFS_MAX_STRINGS];
	char err[1024];
	unsigned k, n = 0, n_str;

	for (k = 0; k < d->n_cfg; k++) {
		const struct usb_desc_config *cfg = d->cfg[k];
		struct pcfg *c = &pc[n];

		if (ffs_desc_check(cfg, &fo, err, sizeof(err))) {
			if (k == d->active) {
				log_warnx("busid %s (%04x:%04x) cannot be presented through FunctionFS: %s",
					  o->busid, d->dev.idVendor, d->dev.idProduct, err);
				return -EOPNOTSUPP;
			}
			log_info("configuration %u is left out: %s", cfg->bConfigurationValue, err);
			continue;
		}
		c->index = k;
		c->dlen = ffs_desc_build(cfg, d->speed, k == d->active ? d->other : NULL, &fo,
					 c->descs, sizeof(c->descs), &c->map, str_map, &n_str);
		if (c->dlen < 0)
			return log_warn_errno((int)c->dlen, "building the FunctionFS descriptors of "
					      "configuration %u", cfg->bConfigurationValue);
		c->slen = ffs_strings_build(&d->str, str_map, n_str, c->strs, sizeof(c->strs));
		if (c->slen < 0)
			return log_warn_errno((int)c->slen, "building the FunctionFS strings");
		snprintf(c->ffs_name, sizeof(c->ffs_name), "%s.%u", name, cfg->bConfigurationValue);
		snprintf(c->ffs_dir, sizeof(c->ffs_dir), RUN_DIR "/%s", c->ffs_name);
		n++;
	}
	return (int)n;
}

static int open_functionfs(struct pcfg *c)
{
	bool rejected;
	unsigned i;

	c->ep0 = ffs_ep0_open(c->ffs_dir, c->descs, (size_t)c->dlen, c->strs, (size_t)c->slen,
			      &rejected);
	if (c->ep0 < 0)
		return log_warn_errno(c->ep0, "FunctionFS %s the %s", rejected ? "rejected" :
				      "did not take", rejected ? "descriptors" : "strings");
	for (i = 0; i < c->map.n_ep; i++) {
		c->ep_fd[i] = ffs_ep_open(c->ffs_dir, i + 1);
		if (c->ep_fd[i] < 0)
			return log_warn_errno(c->ep_fd[i], "opening %s/ep%u", c->ffs_dir, i + 1);
		log_info("%s/ep%u: remote endpoint 0x%02x %s, wMaxPacketSize %u", c->ffs_name, i + 1,
			 c->map.ep[i].remote_addr, usb_desc_xfer_str(c->map.ep[i].type),
			 c->map.ep[i].remote_mps);
	}
	return 0;
}

/* Child exit codes of a privilege-separated relay, and back. */
static const int relay_codes[] = { -ECONNRESET, -ENODEV, -EPROTO, -ETIMEDOUT };

static int relay_exit_code(int r)
{
	unsigned i;

	if (!r)
		return 0;
	for (i = 0; i < sizeof(relay_codes) / sizeof(relay_codes[0]); i++)
		if (r == relay_codes[i])
			return 10 + (int)i;
	return 19;
}

static int relay_from_exit_code(int code)
{
	if (code == 0)
		return 0;
	if (code >= 10 && code < 10 + (int)(sizeof(relay_codes) / sizeof(relay_codes[0])))
		return relay_codes[code - 10];
	return -EIO;
}

/*
 * --user: the relay runs in a child that has given up root (no capabilities, no
 * way back: PR_SET_NO_NEW_PRIVS). It inherits the open socket and FunctionFS files,
 * which is all it needs. The parent stays root only to tear the gadget down, and
 * passes SIGINT/SIGTERM on.
 */
static int relay_unprivileged(const struct relay_params *rp, const struct opts *o, int sigfd)
{
	struct pollfd p[2];
	int pidfd, status, stopping = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return log_warn_errno(-errno, "fork");
	if (pid == 0) {
		if (setgroups(1, &o->gid) || setgid(o->gid) || setuid(o->uid)) {
			log_warn("dropping privileges to %s", o->user);
			_exit(19);
		}
		if (setuid(0) == 0) {
			log_warnx("could regain root after dropping privileges: refusing to run");
			_exit(19);
		}
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		log_info("relay running as %s (uid %u, gid %u)", o->user, (unsigned)o->uid,
			 (unsigned)o->gid);
		_exit(relay_exit_code(relay_run(rp)));
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	for (;;) {
		if (poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 200) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				log_info("signal %u: stopping the relay", si.ssi_signo);
				kill(pid, SIGTERM);
				stopping = 1;
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (stopping)
		return 0;
	if (WIFEXITED(status))
		return relay_from_exit_code(WEXITSTATUS(status));
	log_warnx("the relay process died (signal %d)", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -EIO;
}

/* For the allow policy: bInterfaceClass of every interface of every configuration. */
static unsigned device_classes(const struct remote_desc *d, uint8_t *cls, unsigned max)
{
	unsigned n = 0, i, k;

	for (k = 0; k < d->n_cfg; k++)
		for (i = 0; i < d->cfg[k]->n_intf && n < max; i++)
			cls[n++] = d->cfg[k]->intf[i].bInterfaceClass;
	return n;
}

/*
 * One session: import, describe, present, relay, tear down.
 * Return: 0 when stopped by a signal, else -errno with @oc saying whether a retry
 * can help. Everything it built is undone before it returns.
 */
static int run(const struct opts *o, const struct gd_profile *prof, int sigfd, struct outcome *oc)
{
	char err[1024], udc[128], name[160], who[256];
	struct remote rem;
	struct client c = { .fd = -1 };
	struct remote_desc d;
	struct gadget_spec spec;
	struct gadget *g = NULL;
	struct pcfg *pc = NULL;
	int n_pc = 0, r, present_speed, k;
	unsigned i;

	memset(oc, 0, sizeof(*oc));
	oc->permanent = true; /* until the network is involved */
	if (remote_parse(o->remote, &rem, err, sizeof(err)))
		goto fail_msg;
	if (gadget_pick_udc(o->udc, udc, sizeof(udc), err, sizeof(err)))
		goto fail_msg;
	if (gadget_udc_busy(udc, who, sizeof(who)) > 0) {
		log_warnx("UDC %s is in use by gadget %s: stop it first, or choose another UDC "
			  "with --udc", udc, who);
		return -EBUSY;
	}
	oc->permanent = false;
	r = client_import(&rem, o->busid, &c, err, sizeof(err));
	if (r == -EINTR || signal_pending(sigfd))
		return 0;
	if (r) {
		if (r == -ENODEV && !o->once)
			log_info("%s: waiting for it", err);
		else
			log_warnx("%s", err);
		/* a port that does not speak USB/IP will not start to */
		oc->permanent = r == -EPROTO || r == -EINVAL;
		return r;
	}
	if (c.version != USBIP_VERSION)
		log_info("%s answered with USB/IP version 0x%04x (older than 0x%04x); carrying on",
			 rem.name, c.version, USBIP_VERSION);
	log_info("imported %s from %s: %04x:%04x, %s speed, devid 0x%08x", o->busid, rem.name,
		 c.udev.idVendor, c.udev.idProduct, usbip_speed_str(c.udev.speed), c.devid);
	r = describe_device(&c, &d, err, sizeof(err));
	if (r == -EINTR || signal_pending(sigfd)) {
		r = 0;
		goto out_desc;
	}
	if (r) {
		log_warnx("reading the descriptors of %s: %s", o->busid, err);
		goto out_client;
	}
	oc->permanent = true;
	{
		uint8_t cls[64];
		unsigned n = device_classes(&d, cls, 64);

		if (!profile_allows(prof, d.dev.idVendor, d.dev.idProduct, cls, n, err, sizeof(err))) {
			log_warnx("busid %s (%04x:%04x) is refused by the profile's allow policy: %s",
				  o->busid, d.dev.idVendor, d.dev.idProduct, err);
			r = -EPERM;
			goto out_desc;
		}
	}
	{
		/* show the device at its own speed when the UDC allows it (relay-framing
		 * rule 6): only a device faster than the UDC changes packet sizes */
		int umax = gadget_udc_max_speed(udc), dspeed = d.speed < USB_DESC_SPEED_FULL ?
			   USB_DESC_SPEED_FULL : d.speed;

		present_speed = umax > 0 && umax < dspeed ? umax : dspeed;
		if (umax > 0 && umax < dspeed)
			log_info("the device is %s speed but UDC %s only reaches %s speed: packet "
				 "sizes are translated", usbip_speed_str((uint32_t)dspeed), udc,
				 usbip_speed_str((uint32_t)umax));
	}
	snprintf(name, sizeof(name), "gadgetd.%s", udc);
	r = -ENOMEM;
	pc = calloc(DESCRIBE_MAX_CONFIGS, sizeof(*pc));
	if (!pc)
		goto out_desc;
	for (k = 0; k < DESCRIBE_MAX_CONFIGS; k++) {
		pc[k].ep0 = -1;
		for (i = 0; i < FFS_MAX_EPS; i++)
			pc[k].ep_fd[i] = -1;
	}
	n_pc = build_configs(o, &d, name, pc);
	if (n_pc <= 0) {
		r = n_pc ? n_pc : -EOPNOTSUPP;
		goto out_desc;
	}
	fill_spec(&spec, &d, prof, name);
	spec.max_speed = present_speed;
	spec.n_cfg = (unsigned)n_pc;
	if (o->user) {
		spec.set_owner = true;
		spec.uid = o->uid;
		spec.gid = o->gid;
	}
	for (k = 0; k < n_pc; k++) {
		fill_config(&spec.cfg[k], &spec, &d, d.cfg[pc[k].index], prof);
		spec.cfg[k].ffs_name = pc[k].ffs_name;
		spec.cfg[k].ffs_dir = pc[k].ffs_dir;
	}
	if (n_pc > 1)
		log_info("presenting %d configurations", n_pc);
	mkdir(RUN_DIR, 0755);
	if (signal_pending(sigfd)) {
		r = 0;
		goto out_desc;
	}
	r = gadget_create(&spec, &g, err, sizeof(err));
	if (r) {
		log_warnx("%s", err);
		goto out_desc;
	}
	for (k = 0; k < n_pc; k++) {
		r = open_functionfs(&pc[k]);
		if (r)
			goto out_gadget;
	}
	if (signal_pending(sigfd)) {
		r = 0;
		goto out_gadget;
	}
	r = gadget_bind(g, udc, err, sizeof(err));
	if (r) {
		log_warnx("%s", err);
		goto out_gadget;
	}
	log_info("gadget %s bound to UDC %s: %04x:%04x is plugged into the host", name, udc,
		 spec.idVendor, spec.idProduct);
	oc->permanent = false;
	oc->ran = true;
	{
		struct relay_params rp = {
			.client = &c,
			.n_inst = (unsigned)n_pc,
			.sigfd = sigfd,
		};

		for (k = 0; k < n_pc; k++) {
			rp.inst[k].ep0 = pc[k].ep0;
			rp.inst[k].ep_fd = pc[k].ep_fd;
			rp.inst[k].map = &pc[k].map;
			rp.inst[k].bConfigurationValue = spec.cfg[k].bConfigurationValue;
		}
		r = o->user ? relay_unprivileged(&rp, o, sigfd) : relay_run(&rp);
	}
	if (r == -ECONNRESET)
		log_warnx("the server %s closed the connection: unplugging the gadget", rem.name);
	else if (r == -ENODEV)
		log_warnx("the device %s went away: unplugging the gadget", o->busid);
	else if (r == -EPROTO)
		log_warnx("the server %s broke the USB/IP protocol: unplugging the gadget", rem.name);
	else if (r == -ETIMEDOUT)
		log_warnx("the server %s stopped answering (dead-peer timeout): unplugging the "
			  "gadget", rem.name);
out_gadget:
	gadget_unbind(g);
	for (k = 0; k < n_pc; k++) {
		for (i = 0; i < FFS_MAX_EPS; i++)
			if (pc[k].ep_fd[i] >= 0)
				close(pc[k].ep_fd[i]);
		if (pc[k].ep0 >= 0)
			close(pc[k].ep0);
	}
	gadget_destroy(g);
out_desc:
	free(pc);
	describe_free(&d);
out_client:
	client_close(&c);
	log_info("gadget removed, connection closed");
	return r;
fail_msg:
	log_warnx("%s", err);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "busid", required_argument, NULL, 'b' },
		{ "udc", required_argument, NULL, 'u' },
		{ "profile", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'U' },
		{ "once", no_argument, NULL, '1' },
		{ "list", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'n' },
		{ "foreground-log", no_argument, NULL, 'f' }, /* the default now; kept for old scripts */
		{ "syslog", no_argument, NULL, 'S' },
		{ "log-time", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct opts o = { .log_time = LOG_TIME_AUTO };
	struct gd_profile prof = { 0 };
	struct gd_profile_err perr;
	struct remote rem;
	struct outcome oc;
	char err[512];
	sigset_t set;
	unsigned rmin, rmax, delay;
	int ch, sigfd, r;

	while ((ch = getopt_long(argc, argv, "r:b:u:p:U:1lnfSvhV", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': o.remote = optarg; break;
		case 'b': o.busid = optarg; break;
		case 'u': o.udc = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'U': o.user = optarg; break;
		case '1': o.once = 1; break;
		case 'l': o.list = 1; break;
		case 'n': o.check = 1; break;
		case 'f': break;
		case 'S': o.use_syslog = 1; break;
		case 'T':
			if (log_time_parse(optarg, &o.log_time)) {
				fprintf(stderr, "gadgetd: --log-time %s: want auto, wall, mono or none\n", optarg);
				return 2;
			}
			break;
		case 'v': o.verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("gadgetd %s\n", GADGETD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gadgetd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init(o.use_syslog, o.verbose, o.log_time, "gadgetd");
	if (o.profile && profile_load_file(o.profile, &prof, &perr)) {
		log_warnx("%s", perr.msg);
		return 1;
	}
	/* the command line wins over the profile */
	o.remote = o.remote ? o.remote : prof.remote;
	o.busid = o.busid ? o.busid : prof.busid;
	o.udc = o.udc ? o.udc : prof.udc;
	o.user = o.user ? o.user : prof.user;
	rmin = prof.has_retry_min ? prof.retry_min : 1;
	rmax = prof.has_retry_max ? prof.retry_max : 30;
	if (rmax < rmin)
		rmax = rmin;
	client_set_dead_peer_timeout(prof.has_dead_peer_timeout ? prof.dead_peer_timeout : 10);
	if (!o.remote) {
		fprintf(stderr, "gadgetd: --remote HOST[:PORT] is required (or remote in the profile)\n");
		usage(stderr);
		return 2;
	}
	if (remote_parse(o.remote, &rem, err, sizeof(err))) {
		fprintf(stderr, "gadgetd: %s\n", err);
		return 2;
	}
	if (o.user) {
		struct passwd *pw = getpwnam(o.user);

		if (!pw) {
			fprintf(stderr, "gadgetd: --user %s: no such user\n", o.user);
			return 2;
		}
		if (pw->pw_uid == 0) {
			fprintf(stderr, "gadgetd: --user %s is root: that drops nothing\n", o.user);
			return 2;
		}
		o.uid = pw->pw_uid;
		o.gid = pw->pw_gid;
	}
	if (o.list) {
		r = do_list(&rem);
		profile_free(&prof);
		return r;
	}
	if (!o.busid) {
		fprintf(stderr, "gadgetd: --busid BUSID is required (see --list)\n");
		return 2;
	}
	if (o.check) {
		printf("remote %s, busid %s, udc %s%s%s: configuration OK\n", rem.name, o.busid,
		       o.udc ? o.udc : "(the only one)", o.user ? ", relay as " : "",
		       o.user ? o.user : "");
		profile_free(&prof);
		return 0;
	}
	log_info("gadgetd %s starting: remote %s, busid %s, UDC %s%s%s%s", GADGETD_VERSION, rem.name,
		 o.busid, o.udc ? o.udc : "(the only one)", o.profile ? ", profile " : "",
		 o.profile ? o.profile : "", o.user ? ", relay as unprivileged user" : "");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd");
	client_set_cancel_fd(sigfd);
	delay = rmin;
	for (;;) {
		r = run(&o, &prof, sigfd, &oc);
		if (r == 0 || signal_pending(sigfd)) {
			if (signal_pending(sigfd))
				log_info("stopping on a signal");
			r = 0;
			break;
		}
		if (o.once || oc.permanent) {
			r = 1;
			break;
		}
		if (oc.ran)
			delay = rmin; /* it worked until now: start the backoff afresh */
		log_info("retrying in %u s", delay);
		if (wait_or_signal(sigfd, delay)) {
			log_info("stopping on a signal");
			r = 0;
			break;
		}
		delay = delay * 2 > rmax ? rmax : delay * 2;
	}
	close(sigfd);
	profile_free(&prof);
	return r;
}

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

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gadgetd --remote HOST[:PORT] --busid BUSID [--udc UDC] [--profile FILE] [-v]\n"
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
		"  -l, --list                list the devices HOST exports, then exit\n"
		"  -n, --check               check the profile and options, then exit\n"
		"  -f, --foreground-log      log to stderr even when it is not a terminal\n"
		"  -v, --verbose             more log output (twice: debug)\n"
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
	const char *remote, *busid, *udc, *profile;
	int list, check, verbose, to_stderr;
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

static int run(const struct opts *o, const struct gd_profile *prof, int sigfd,
	       const sigset_t *sigs)
{
	char err[1024], udc[128], name[160];
	struct remote rem;
	struct client c = { .fd = -1 };
	struct remote_desc d;
	struct gadget_spec spec;
	struct gadget *g = NULL;
	struct pcfg *pc = NULL;
	int n_pc = 0, r, rc = 1, present_speed, k;
	unsigned i;

	if (remote_parse(o->remote, &rem, err, sizeof(err)))
		goto fail_msg;
	if (gadget_pick_udc(o->udc, udc, sizeof(udc), err, sizeof(err)))
		goto fail_msg;
	if (client_import(&rem, o->busid, &c, err, sizeof(err)))
		goto fail_msg;
	if (c.version != USBIP_VERSION)
		log_info("%s answered with USB/IP version 0x%04x (older than 0x%04x); carrying on",
			 rem.name, c.version, USBIP_VERSION);
	log_info("imported %s from %s: %04x:%04x, %s speed, devid 0x%08x", o->busid, rem.name,
		 c.udev.idVendor, c.udev.idProduct, usbip_speed_str(c.udev.speed), c.devid);
	if (got_signal)
		goto stopped;
	if (describe_device(&c, &d, err, sizeof(err))) {
		log_warnx("reading the descriptors of %s: %s", o->busid, err);
		goto out_client;
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
	pc = calloc(DESCRIBE_MAX_CONFIGS, sizeof(*pc));
	if (!pc)
		goto out_desc;
	for (k = 0; k < DESCRIBE_MAX_CONFIGS; k++) {
		pc[k].ep0 = -1;
		for (i = 0; i < FFS_MAX_EPS; i++)
			pc[k].ep_fd[i] = -1;
	}
	n_pc = build_configs(o, &d, name, pc);
	if (n_pc <= 0)
		goto out_desc;
	fill_spec(&spec, &d, prof, name);
	spec.max_speed = present_speed;
	spec.n_cfg = (unsigned)n_pc;
	for (k = 0; k < n_pc; k++) {
		fill_config(&spec.cfg[k], &spec, &d, d.cfg[pc[k].index], prof);
		spec.cfg[k].ffs_name = pc[k].ffs_name;
		spec.cfg[k].ffs_dir = pc[k].ffs_dir;
	}
	if (n_pc > 1)
		log_info("presenting %d configurations", n_pc);
	mkdir(RUN_DIR, 0755);
	if (got_signal)
		goto stopped_desc;
	if (gadget_create(&spec, &g, err, sizeof(err))) {
		log_warnx("%s", err);
		goto out_desc;
	}
	for (k = 0; k < n_pc; k++)
		if (open_functionfs(&pc[k]))
			goto out_gadget;
	if (got_signal)
		goto stopped_gadget;
	if (gadget_bind(g, udc, err, sizeof(err))) {
		log_warnx("%s", err);
		goto out_gadget;
	}
	log_info("gadget %s bound to UDC %s: %04x:%04x is plugged into the host", name, udc,
		 spec.idVendor, spec.idProduct);
	{
		struct relay_params rp = {
			.client = &c,
			.n_inst = (unsigned)n_pc,
			.remote_speed = d.speed,
			.sigfd = sigfd,
		};

		for (k = 0; k < n_pc; k++) {
			rp.inst[k].ep0 = pc[k].ep0;
			rp.inst[k].ep_fd = pc[k].ep_fd;
			rp.inst[k].map = &pc[k].map;
			rp.inst[k].bConfigurationValue = spec.cfg[k].bConfigurationValue;
		}
		/* from here on signals are read from the signalfd in the loop */
		sigprocmask(SIG_BLOCK, sigs, NULL);
		r = got_signal ? 0 : relay_run(&rp);
	}
	rc = r ? 1 : 0;
	if (r == -ECONNRESET)
		log_warnx("the server %s closed the connection: unplugging the gadget", rem.name);
	else if (r == -ENODEV)
		log_warnx("the device %s went away: unplugging the gadget", o->busid);
	else if (r == -EPROTO)
		log_warnx("the server %s broke the USB/IP protocol: unplugging the gadget", rem.name);
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
	return rc;
fail_msg:
	log_warnx("%s", err);
	return 1;
stopped_gadget:
	rc = 0;
	goto out_gadget;
stopped_desc:
	rc = 0;
	goto out_desc;
stopped:
	client_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "busid", required_argument, NULL, 'b' },
		{ "udc", required_argument, NULL, 'u' },
		{ "profile", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'n' },
		{ "foreground-log", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct opts o = { .to_stderr = -1 };
	struct gd_profile prof = { 0 };
	struct gd_profile_err perr;
	struct remote rem;
	char err[512];
	struct sigaction sa;
	sigset_t set;
	int ch, sigfd, rc;

	while ((ch = getopt_long(argc, argv, "r:b:u:p:lnfvhV", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': o.remote = optarg; break;
		case 'b': o.busid = optarg; break;
		case 'u': o.udc = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'l': o.list = 1; break;
		case 'n': o.check = 1; break;
		case 'f': o.to_stderr = 1; break;
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
	log_init(o.to_stderr, o.verbose > 1 ? 1 : 0, "gadgetd");
	if (o.profile) {
		if (profile_load_file(o.profile, &prof, &perr)) {
			log_warnx("%s", perr.msg);
			return 1;
		}
	}
	/* the command line wins over the profile */
	o.remote = o.remote ? o.remote : prof.remote;
	o.busid = o.busid ? o.busid : prof.busid;
	o.udc = o.udc ? o.udc : prof.udc;
	if (!o.remote) {
		fprintf(stderr, "gadgetd: --remote HOST[:PORT] is required (or remote in the profile)\n");
		usage(stderr);
		return 2;
	}
	if (remote_parse(o.remote, &rem, err, sizeof(err))) {
		fprintf(stderr, "gadgetd: %s\n", err);
		return 2;
	}
	if (o.list) {
		rc = do_list(&rem);
		profile_free(&prof);
		return rc;
	}
	if (!o.busid) {
		fprintf(stderr, "gadgetd: --busid BUSID is required (see --list)\n");
		return 2;
	}
	if (o.check) {
		printf("remote %s, busid %s, udc %s: configuration OK\n", rem.name, o.busid,
		       o.udc ? o.udc : "(the only one)");
		profile_free(&prof);
		return 0;
	}
	/* Until the relay runs, a signal only sets a flag that each step checks;
	 * then the signals are read from a signalfd in the loop. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd");
	rc = run(&o, &prof, sigfd, &set);
	close(sigfd);
	profile_free(&prof);
	return rc;
}

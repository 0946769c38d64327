// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - one session as explicit stages (session.h). Nothing half-built
 * survives an error: every stage's undo runs in teardown.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/notify.h"
#include "gadgetd/client.h"
#include "gadgetd/describe.h"
#include "gadgetd/gadget.h"
#include "gadgetd/preflight.h"
#include "gadgetd/present.h"
#include "gadgetd/present_root.h"
#include "gadgetd/privsep.h"
#include "gadgetd/relay.h"
#include "gadgetd/sandbox.h"
#include "gadgetd/session.h"
#include "gadgetd/status.h"
#include "gadgetd/text.h"
#include "gadgetd/transport.h"

enum session_stage {
	STAGE_START,
	STAGE_IMPORT,
	STAGE_DESCRIBE,
	STAGE_PRESENT,
	STAGE_RELAY,
	STAGE_TEARDOWN,
};

struct session {
	const struct gd_opts *o;  /* &opts */
	struct gd_opts opts;      /* the caller's, with busid the one found (--device) */
	char busid[USBIP_BUSID_SIZE];
	const struct gd_profile *prof;
	int sigfd;
	enum session_stage stage;
	char udc[128];
	struct remote rem;
	struct client c;
	bool described;
	struct remote_desc d;
	struct presented p;
	struct psep_link *link; /* the root half of presenting (privsep.h) */
};

static const char *stage_name(enum session_stage s)
{
	static const char *const n[] = { "start", "import", "describe", "present", "relay",
					 "teardown" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void enter(struct session *s, enum session_stage next)
{
	/* what `gadgetd --status` calls each stage (status.h) */
	static const char *const st[] = { "checking", "importing", "describing", "presenting",
					  "relaying", "tearing down" };

	log_info("session: %s -> %s", stage_name(s->stage), stage_name(next));
	s->stage = next;
	status_state(st[next], NULL);
}

bool signal_pending(int sigfd)
{
	struct pollfd p = { .fd = sigfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
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

/* Local checks (preflight.h): no network yet. Return: 0 or -errno, logged. */
static int stage_start(struct session *s)
{
	const char *backend = s->o->backend ? s->o->backend : s->prof->backend;
	char err[1024];
	int r;

	status_state("checking", NULL);
	if (remote_parse(s->o->remote, &s->rem, err, sizeof(err))) {
		log_warnx("%s", err);
		notify_status("%s", err);
		return -EINVAL;
	}
	r = preflight(s->o, backend, false, s->udc, sizeof(s->udc), err, sizeof(err));
	if (s->udc[0])
		status_udc(s->udc);
	if (r)
		notify_status("%s", err);
	return r;
}

/*
 * --device with a serial: the exported devices whose serial was read and differs,
 * kept across sessions so that a reconnect does not import them again. A device
 * is known by busid, busnum and devnum: replugged, it has a new devnum and is read
 * again.
 */
static struct wrong_serial {
	char busid[USBIP_BUSID_SIZE];
	uint32_t busnum, devnum;
} wrong[8];
static unsigned n_wrong;

static bool same_device(const struct wrong_serial *w, const struct usbip_usb_device *u)
{
	return !strcmp(w->busid, u->busid) && w->busnum == u->busnum && w->devnum == u->devnum;
}

static bool is_wrong(const struct usbip_usb_device *u)
{
	unsigned i;

	for (i = 0; i < n_wrong; i++)
		if (same_device(&wrong[i], u))
			return true;
	return false;
}

/* The server's list no longer has it as it was: forget it. */
static void wrong_prune(const struct devlist_entry *l, unsigned n)
{
	unsigned i, k, kept = 0;

	for (i = 0; i < n_wrong; i++) {
		for (k = 0; k < n && !same_device(&wrong[i], &l[k].udev); k++)
			;
		if (k < n)
			wrong[kept++] = wrong[i];
	}
	n_wrong = kept;
}

/*
 * --device / match (match.h): the busid of the exported device that is the one
 * asked for, from the server's device list, into s->busid. Return: 0; -ENODEV
 * when none is (waiting for it: not permanent); -ENOTUNIQ when several are and no
 * serial tells them apart (permanent); the device list's errors.
 */
static int find_device(struct session *s, struct outcome *oc)
{
	struct devlist_entry *l = NULL;
	char err[1024], want[512], names[1024];
	unsigned idx[16], n, k, i, left = 0;
	size_t o = 0;
	int r;

	match_str(&s->o->match, want, sizeof(want));
	notify_status("looking for %s on %s", want, s->rem.name);
	r = client_devlist(&s->rem, &l, &n, err, sizeof(err));
	if (r) {
		log_warnx("%s", err);
		oc->permanent = r == -EPROTO || r == -EINVAL;
		return r;
	}
	wrong_prune(l, n);
	k = match_candidates(&s->o->match, l, n, idx, 16);
	if (k > 16)
		k = 16;
	names[0] = 0;
	for (i = 0; i < k; i++) {
		const char *b = l[idx[i]].udev.busid;

		if (is_wrong(&l[idx[i]].udev))
			continue;
		if (!left++)
			snprintf(s->busid, sizeof(s->busid), "%s", b);
		if (o < sizeof(names))
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
					      left > 1 ? ", " : "", TEXT_ESC(b));
	}
	free(l);
	if (!left) {
		log_info("%s exports no device %s%s: waiting for it", s->rem.name, want,
			 k ? " (the ones with its VID:PID have another serial)" : "");
		notify_status("waiting for %s on %s", want, s->rem.name);
		return -ENODEV;
	}
	if (left > 1 && !s->o->match.has_serial) {
		log_warnx("%s exports %u devices %s (busids %s): refusing to choose; name one with "
			  "VID:PID:SERIAL (--device) or serial in the profile's match, or use --busid",
			  s->rem.name, left, want, names);
		oc->permanent = true;
		return -ENOTUNIQ;
	}
	log_info("%s is busid %s on %s%s", want, TEXT_ESC(s->busid), s->rem.name,
		 left > 1 ? " (one of several with its VID:PID: the serial decides)" : "");
	return 0;
}

static int stage_import(struct session *s, struct outcome *oc)
{
	char err[1024];
	int r;

	enter(s, STAGE_IMPORT);
	if (s->o->match.set) {
		r = find_device(s, oc);
		if (r == -EINTR || signal_pending(s->sigfd))
			return -EINTR;
		if (r)
			return r;
		s->opts.busid = s->busid;
		status_busid(s->busid);
	}
	notify_status("importing %s from %s", s->o->busid, s->rem.name);
	r = client_import(&s->rem, s->o->busid, &s->c, err, sizeof(err));
	if (r == -EINTR || signal_pending(s->sigfd))
		return -EINTR;
	if (r) {
		if (r == -ENODEV && !s->o->once) {
			log_info("%s: waiting for it", err);
			notify_status("waiting for %s on %s", s->o->busid, s->rem.name);
		}
		else
			log_warnx("%s", err);
		/* a port that does not speak USB/IP will not start to */
		oc->permanent = r == -EPROTO || r == -EINVAL;
		return r;
	}
	if (s->c.version != USBIP_VERSION)
		log_info("%s answered with USB/IP version 0x%04x (older than 0x%04x); carrying on",
			 s->rem.name, s->c.version, USBIP_VERSION);
	status_device(s->c.udev.idVendor, s->c.udev.idProduct, usbip_speed_str(s->c.udev.speed),
		      NULL, NULL);
	log_info("imported %s from %s: %04x:%04x, %s speed, devid 0x%08x", s->o->busid,
		 s->rem.name, s->c.udev.idVendor, s->c.udev.idProduct,
		 usbip_speed_str(s->c.udev.speed), s->c.devid);
	return 0;
}

/* String @i of the device in its first language, or NULL. */
static const char *dev_string(const struct remote_desc *d, unsigned i)
{
	return i && d->str.n_lang && i < USB_DESC_MAX_STRINGS ? d->str.text[0][i] : NULL;
}

static int stage_describe(struct session *s, struct outcome *oc)
{
	char err[1024];
	uint8_t cls[64];
	unsigned n;
	int r;

	enter(s, STAGE_DESCRIBE);
	r = describe_device(&s->c, &s->d, err, sizeof(err));
	s->described = true;
	if (r == -EINTR || signal_pending(s->sigfd))
		return -EINTR;
	if (r) {
		log_warnx("reading the descriptors of %s: %s", s->o->busid, err);
		return r;
	}
	if (!match_serial_ok(&s->o->match, dev_string(&s->d, s->d.dev.iSerialNumber))) {
		const char *ser = dev_string(&s->d, s->d.dev.iSerialNumber);

		log_info("busid %s has serial \"%s\", not the one asked for: releasing it",
			 s->o->busid, ser ? TEXT_ESC(ser) : "(none)");
		if (n_wrong < sizeof(wrong) / sizeof(wrong[0])) {
			snprintf(wrong[n_wrong].busid, sizeof(wrong[0].busid), "%s", s->o->busid);
			wrong[n_wrong].busnum = s->c.udev.busnum;
			wrong[n_wrong++].devnum = s->c.udev.devnum;
		}
		return -ESRCH;
	}
	oc->permanent = true;
	status_device(s->d.dev.idVendor, s->d.dev.idProduct, usbip_speed_str(s->c.udev.speed),
		      dev_string(&s->d, s->d.dev.iManufacturer), dev_string(&s->d, s->d.dev.iProduct));
	n = device_classes(&s->d, cls, 64);
	if (!profile_allows(s->prof, s->d.dev.idVendor, s->d.dev.idProduct, cls, n, err,
			    sizeof(err))) {
		log_warnx("busid %s (%04x:%04x) is refused by the profile's allow policy: %s",
			  s->o->busid, s->d.dev.idVendor, s->d.dev.idProduct, err);
		return -EPERM;
	}
	return 0;
}

/* Show the device at its own speed when the UDC allows it (framing rule 6, pump.h):
 * only a device faster than the UDC changes packet sizes. */
static int present_speed(const struct session *s)
{
	int umax = gadget_udc_max_speed(s->udc);
	int dspeed = s->d.speed < USB_DESC_SPEED_FULL ? USB_DESC_SPEED_FULL : s->d.speed;

	if (umax > 0 && umax < dspeed) {
		log_info("the device is %s speed but UDC %s only reaches %s speed: packet sizes "
			 "are translated", usbip_speed_str((uint32_t)dspeed), s->udc,
			 usbip_speed_str((uint32_t)umax));
		return umax;
	}
	return dspeed;
}

static int stage_present(struct session *s)
{
	const char *want = s->o->backend ? s->o->backend : s->prof->backend;
	struct present_choice c;
	int speed, r;

	enter(s, STAGE_PRESENT);
	speed = present_speed(s);
	if (want && !strcmp(want, "auto"))
		want = NULL;
	r = present_choose(&s->d, want, speed, &c);
	if (r) {
		log_warnx("busid %s (%04x:%04x) cannot be presented: %s", s->o->busid,
			  s->d.dev.idVendor, s->d.dev.idProduct, c.why);
		return r;
	}
	log_info("backend %s: %s", c.kind == PRESENT_GADGETFS ? "GadgetFS" : "FunctionFS", c.why);
	status_backend(c.kind == PRESENT_GADGETFS ? "gadgetfs" : "functionfs");
	notify_status("presenting %04x:%04x (%s from %s) to the host through %s", s->d.dev.idVendor,
		      s->d.dev.idProduct, s->o->busid, s->rem.name,
		      c.kind == PRESENT_GADGETFS ? "GadgetFS" : "FunctionFS");
	if (c.kind == PRESENT_GADGETFS)
		return present_gfs(&s->p, s->o, s->prof, &s->d, c.cfg_index, s->udc, s->sigfd);
	return present_ffs(&s->p, s->o, s->prof, &s->d, s->udc, speed, s->sigfd);
}

static int stage_relay(struct session *s)
{
	struct relay_params rp = { .client = &s->c, .gb = &s->p.gb, .sigfd = s->sigfd };
	int r;

	rp.no_readahead = s->prof->has_readahead && !s->prof->readahead;

	enter(s, STAGE_RELAY);
	/* --user: the network process gives up every system call the relay does not make */
	if (s->link->fd >= 0 && sandbox_seccomp(s->o->capture != NULL, s->o->use_syslog,
						 transport_wanted(&s->rem)))
		return -EPERM;
	ctrl_policy_use(s->prof->allow_req, s->prof->n_allow_req); /* ep0_proxy.c applies it */
	notify_status("%04x:%04x (%s from %s) is plugged in: waiting for the host to configure it",
		      s->d.dev.idVendor, s->d.dev.idProduct, s->o->busid, s->rem.name);
	status_relay_begin();
	r = relay_run(&rp);
	status_relay_end();
	if (r == -ECONNRESET)
		log_warnx("the server %s closed the connection: unplugging the gadget", s->rem.name);
	else if (r == -ENODEV)
		log_warnx("the device %s went away: unplugging the gadget", s->o->busid);
	else if (r == -EPROTO)
		log_warnx("the server %s broke the USB/IP protocol: unplugging the gadget",
			  s->rem.name);
	else if (r == -ETIMEDOUT)
		log_warnx("the server %s stopped answering (dead-peer timeout): unplugging the "
			  "gadget", s->rem.name);
	return r;
}

static void stage_teardown(struct session *s)
{
	bool had_gadget = s->p.made, had_conn = s->c.fd >= 0;

	enter(s, STAGE_TEARDOWN);
	present_undo(&s->p);
	if (s->link->fd < 0)
		present_root_undo(s->link->root); /* in this process: no --user */
	if (s->described)
		describe_free(&s->d);
	client_close(&s->c);
	if (had_gadget)
		log_info("gadget removed, connection closed");
	else if (had_conn)
		log_info("connection closed");
}

/* import, describe, present, relay, teardown: everything that touches the network. */
static int run_network(struct session *s, struct outcome *oc)
{
	int r;

	s->p.link = s->link;
	oc->permanent = false;
	for (;;) {
		r = stage_import(s, oc);
		if (!r)
			r = stage_describe(s, oc);
		if (r != -ESRCH)
			break;
		/* --device with a serial: not this one; the server frees it, try the next */
		describe_free(&s->d);
		s->described = false;
		client_close(&s->c);
	}
	if (!r)
		r = stage_present(s); /* its failures are permanent (describe said so) */
	if (!r) {
		oc->permanent = false;
		oc->ran = true;
		r = stage_relay(s);
	}
	if (r == -EINTR)
		r = 0;
	if (s->stage > STAGE_IMPORT || s->c.fd >= 0)
		stage_teardown(s);
	return r;
}

static struct session *session_new(const struct gd_opts *o, const struct gd_profile *prof,
				   int sigfd)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *o;
	s->o = &s->opts;
	s->prof = prof;
	s->sigfd = sigfd;
	s->c.fd = -1;
	return s;
}

int session_network(const struct gd_opts *o, const struct gd_profile *prof, int sigfd,
		    const char *udc, struct psep_link *link, struct outcome *oc)
{
	struct session *s = session_new(o, prof, sigfd);
	char err[1024];
	int r;

	memset(oc, 0, sizeof(*oc));
	if (!s)
		return -ENOMEM;
	snprintf(s->udc, sizeof(s->udc), "%s", udc);
	s->link = link;
	if (remote_parse(o->remote, &s->rem, err, sizeof(err))) { /* checked by the root */
		free(s);
		return -EINVAL;
	}
	r = run_network(s, oc);
	free(s);
	return r;
}

int session_run(const struct gd_opts *o, const struct gd_profile *prof, int sigfd,
		struct outcome *oc)
{
	struct psep_link link = { .fd = -1 };
	struct session *s;
	int r;

	memset(oc, 0, sizeof(*oc));
	oc->permanent = true; /* until the network is involved */
	s = session_new(o, prof, sigfd);
	if (!s)
		return -ENOMEM;
	r = stage_start(s);
	if (r) {
		free(s);
		return r;
	}
	if (o->user) {
		/* the network in an unprivileged process; the root half here (privsep.h) */
		r = privsep_session(s->udc, o, prof, sigfd, oc);
		free(s);
		return r;
	}
	link.root = malloc(sizeof(*link.root));
	if (!link.root) {
		free(s);
		return -ENOMEM;
	}
	present_root_init(link.root, s->udc);
	s->link = &link;
	r = run_network(s, oc);
	free(link.root);
	free(s);
	return r;
}

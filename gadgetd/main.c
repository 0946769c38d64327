// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - the command line, --list and --check, the signals, and the loop that
 * runs one session after another (session.h) with a capped backoff.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/capture.h"
#include "gadgetd/client.h"
#include "gadgetd/log.h"
#include "gadgetd/notify.h"
#include "gadgetd/preflight.h"
#include "gadgetd/profile.h"
#include "gadgetd/session.h"
#include "gadgetd/status.h"
#include "gadgetd/text.h"
#include "gadgetd/transport.h"
#include "gadgetd/usbids.h"
#include "gadgetd/usbip.h"

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
		"usage: gadgetd --remote HOST[:PORT] --busid BUSID|--device VID:PID[:SERIAL]\n"
		"               [--udc UDC] [--profile FILE] [--user USER] [--capture FILE]\n"
		"               [--proxy-command CMD] [--once] [--syslog] [-v...]\n"
		"       gadgetd --remote unix:PATH --busid BUSID ...\n"
		"       gadgetd --remote HOST[:PORT] --list\n"
		"       gadgetd --profile FILE -n [--profile-only]\n"
		"       gadgetd --status [--raw] [NAME]\n"
		"\n"
		"Import the USB device BUSID from the usbipd at HOST (port 3240) and present it\n"
		"on this board's USB device controller, to the host its USB port is cabled to.\n"
		"\n"
		"  -r, --remote HOST[:PORT]  the USB/IP server (TCP), or unix:PATH, a unix\n"
		"                            socket that leads to one\n"
		"  -P, --proxy-command CMD   reach the server through CMD's standard input and\n"
		"                            output, as ssh's ProxyCommand: sh -c \"exec CMD\"\n"
		"                            on every connect (as USER with --user), %%h and %%p\n"
		"                            the remote's host and port, %%%% a percent sign;\n"
		"                            e.g. \"ssh -W %%h:%%p jumphost\"\n"
		"  -b, --busid BUSID         the exported device (see --list)\n"
		"  -d, --device VID:PID[:SERIAL]  or the device by what it is, wherever it is\n"
		"                            plugged on the server (looked up on every connect)\n"
		"  -u, --udc UDC             device controller in /sys/class/udc (default: the only one)\n"
		"  -p, --profile FILE        libconfig profile: overrides and defaults (gadgetd.profile(5))\n"
		"  -U, --user USER           everything that touches the network (import,\n"
		"                            descriptors, relay) runs as USER, confined; root\n"
		"                            keeps only the gadget (recommended: gadgetd)\n"
		"  -w, --capture FILE        write every relayed URB to FILE, a pcap file\n"
		"                            (usbmon format) that Wireshark reads\n"
		"  -B, --backend NAME        auto (default), functionfs or gadgetfs: the kernel\n"
		"                            interface that presents the device\n"
		"  -1, --once                exit when the connection or device is lost, or the\n"
		"                            device is not exported (default: wait and retry)\n"
		"  -l, --list                list the devices HOST exports, then exit\n"
		"  -n, --check               check the profile, the options and this machine\n"
		"                            (UDC, root, ConfigFS, modules), then exit\n"
		"      --profile-only        with -n: the profile and the options only, not\n"
		"                            this machine (a build or CI machine)\n"
		"  -s, --status [NAME]       what each running gadgetd (or the one whose pid,\n"
		"                            UDC, busid or profile is NAME) is doing\n"
		"      --raw                 --status as \"key value\" lines, for scripts\n"
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
	struct dev_match m = { .set = true };
	char err[512], names[520];
	unsigned n, i, j, same;
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
		printf("  %-10s %04x:%04x  %-16s %-6s speed  %s\n", TEXT_ESC(u->busid), u->idVendor,
		       u->idProduct, class_name(cls), usbip_speed_str(u->speed), names);
		printf("             %s\n", TEXT_ESC(u->path)); /* the server's text, escaped (text.h) */
		/* the identity --device matches it under (match.h); the serial is not listed */
		m.vid = u->idVendor;
		m.pid = u->idProduct;
		same = match_candidates(&m, l, n, NULL, 0);
		printf("             --device %04x:%04x%s\n", u->idVendor, u->idProduct,
		       same > 1 ? "  (shared by several: add :SERIAL, its iSerialNumber)" : "");
		for (j = 0; j < l[i].n_intf; j++)
			printf("             interface %u: %02x/%02x/%02x %s\n", j,
			       l[i].intf[j].bInterfaceClass, l[i].intf[j].bInterfaceSubClass,
			       l[i].intf[j].bInterfaceProtocol,
			       usb_desc_class_str(l[i].intf[j].bInterfaceClass));
	}
	free(l);
	return 0;
}

/* What the import will send: the same check as the real run's. Says why not. */
static bool busid_ok(const char *busid)
{
	uint8_t req[USBIP_REQ_IMPORT_LEN];

	if (usbip_req_import_encode(busid, req) < 0 || strcspn(busid, " \t\n/") != strlen(busid)) {
		fprintf(stderr, "gadgetd: busid '%.40s%s' is not a valid busid (1..31 characters, "
			"such as 1-1.2)\n", busid, strlen(busid) > 40 ? "..." : "");
		return false;
	}
	return true;
}

/*
 * -n --profile-only: the profile (already read) and the options, not this
 * machine: no UDC, privilege, ConfigFS or module check and no user look-up,
 * so that a build machine can check profiles meant for a board. Remote and
 * busid are checked when given, and may be left to the command line of the
 * real run. Return: the exit status, 0 or 2 (a bad option or setting).
 */
static int check_profile_only(const struct gd_opts *o, const struct gd_profile *prof)
{
	const char *backend = o->backend ? o->backend : prof->backend;
	struct remote rem;
	char err[512], dev[512];

	if (o->remote && remote_parse(o->remote, &rem, err, sizeof(err))) {
		fprintf(stderr, "gadgetd: %s\n", err);
		return 2;
	}
	if (o->busid && !busid_ok(o->busid))
		return 2;
	printf("%s: profile OK: remote %s, %s %s, udc %s, backend %s%s%s; this machine not "
	       "checked\n", o->profile ? o->profile : "(no profile)",
	       o->remote ? rem.name : "(not set)", o->match.set ? "device" : "busid",
	       o->busid ? o->busid : o->match.set ? match_str(&o->match, dev, sizeof(dev)) : "(not set)",
	       o->udc ? o->udc : "(the only one)", backend ? backend : "auto",
	       o->user ? ", relay as " : "", o->user ? o->user : "");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "busid", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "udc", required_argument, NULL, 'u' },
		{ "profile", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'U' },
		{ "once", no_argument, NULL, '1' },
		{ "list", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'n' },
		{ "foreground-log", no_argument, NULL, 'f' }, /* the default now; kept for old scripts */
		{ "syslog", no_argument, NULL, 'S' },
		{ "backend", required_argument, NULL, 'B' },
		{ "capture", required_argument, NULL, 'w' },
		{ "proxy-command", required_argument, NULL, 'P' },
		{ "log-time", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "status", no_argument, NULL, 's' },
		{ "raw", no_argument, NULL, 'R' },
		{ "profile-only", no_argument, NULL, 'O' }, /* long only */
		{ 0 }
	};
	struct gd_opts o = { .log_time = LOG_TIME_AUTO };
	struct gd_profile prof = { 0 };
	struct gd_profile_err perr;
	struct remote rem;
	struct outcome oc;
	char err[512], what[512];
	sigset_t set;
	unsigned rmin, rmax, delay;
	int ch, sigfd, r, status = 0, raw = 0, profile_only = 0;
	const char *proxy = NULL;

	while ((ch = getopt_long(argc, argv, "r:b:d:u:p:U:B:w:P:1lnfSvhVs", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': o.remote = optarg; break;
		case 'b': o.busid = optarg; break;
		case 'd':
			if (match_parse(optarg, &o.match, err, sizeof(err))) {
				fprintf(stderr, "gadgetd: --%s\n", err);
				return 2;
			}
			break;
		case 'u': o.udc = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'U': o.user = optarg; break;
		case '1': o.once = 1; break;
		case 'l': o.list = 1; break;
		case 'n': o.check = 1; break;
		case 'f': break;
		case 'S': o.use_syslog = 1; break;
		case 'w': o.capture = optarg; break;
		case 'P': proxy = optarg; break;
		case 'B':
			if (strcmp(optarg, "auto") && strcmp(optarg, "functionfs") &&
			    strcmp(optarg, "gadgetfs")) {
				fprintf(stderr, "gadgetd: --backend %s: want auto, functionfs or gadgetfs\n",
					optarg);
				return 2;
			}
			o.backend = optarg;
			break;
		case 'T':
			if (log_time_parse(optarg, &o.log_time)) {
				fprintf(stderr, "gadgetd: --log-time %s: want auto, wall, mono or none\n", optarg);
				return 2;
			}
			break;
		case 'v': o.verbose++; break;
		case 's': status = 1; break;
		case 'R': raw = 1; break;
		case 'O': profile_only = o.check = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("gadgetd %s\n", GADGETD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (status && optind + 1 >= argc)
		return status_show(optind < argc ? argv[optind] : NULL, raw);
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
	if (o.busid && o.match.set) {
		fprintf(stderr, "gadgetd: --busid and --device name the device twice: give one\n");
		return 2;
	}
	if (!o.busid && !o.match.set) { /* neither on the command line: the profile's */
		if (prof.busid && prof.match.set) {
			fprintf(stderr, "gadgetd: %s sets both busid and match: keep one\n", o.profile);
			profile_free(&prof);
			return 2;
		}
		o.busid = prof.busid;
		o.match = prof.match;
	}
	o.udc = o.udc ? o.udc : prof.udc;
	o.user = o.user ? o.user : prof.user;
	rmin = prof.has_retry_min ? prof.retry_min : 1;
	rmax = prof.has_retry_max ? prof.retry_max : 30;
	if (rmax < rmin)
		rmax = rmin;
	client_set_dead_peer_timeout(prof.has_dead_peer_timeout ? prof.dead_peer_timeout : 10);
	if (profile_only) {
		r = check_profile_only(&o, &prof);
		profile_free(&prof);
		return r;
	}
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
		if (pw->pw_gid == 0) {
			fprintf(stderr, "gadgetd: --user %s has group 0 (root) as its primary group: "
				"give it a group of its own (as the gadgetd account has)\n", o.user);
			return 2;
		}
		o.uid = pw->pw_uid;
		o.gid = pw->pw_gid;
	}
	proxy = proxy ? proxy : prof.proxy_command;
	if (proxy && rem.path[0]) {
		fprintf(stderr, "gadgetd: --proxy-command needs a HOST[:PORT] remote for %%h and "
			"%%p, not %s\n", rem.name);
		return 2;
	}
	if (transport_set_proxy(proxy, o.user, o.uid, o.gid, err, sizeof(err))) {
		fprintf(stderr, "gadgetd: %s\n", err);
		return 2;
	}
	if (o.list) {
		r = do_list(&rem);
		profile_free(&prof);
		return r;
	}
	if (!o.busid && !o.match.set) {
		fprintf(stderr, "gadgetd: --busid BUSID or --device VID:PID[:SERIAL] is required "
			"(see --list)\n");
		return 2;
	}
	match_str(&o.match, what, sizeof(what));
	if (o.busid && !busid_ok(o.busid))
		return 2;
	if (o.check) {
		const char *backend = o.backend ? o.backend : prof.backend;
		char udc[128], perr2[1024];

		/* everything the real run checks before the network (preflight.h) */
		if (preflight(&o, backend, true, udc, sizeof(udc), perr2, sizeof(perr2))) {
			profile_free(&prof);
			return 1;
		}
		o.udc = udc;
		printf("remote %s, %s %s, udc %s%s%s: configuration OK\n", rem.name,
		       o.busid ? "busid" : "device", o.busid ? o.busid : what,
		       o.udc ? o.udc : "(the only one)", o.user ? ", relay as " : "",
		       o.user ? o.user : "");
		profile_free(&prof);
		return 0;
	}
	log_info("gadgetd %s starting: remote %s%s, %s %s, UDC %s%s%s%s", GADGETD_VERSION,
		 rem.name, proxy ? " through a proxy command" : "", o.busid ? "busid" : "device",
		 o.busid ? o.busid : what, o.udc ? o.udc : "(the only one)", o.profile ? ", profile " : "",
		 o.profile ? o.profile : "", o.user ? ", relay as unprivileged user" : "");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP); /* stops as SIGTERM does (gadgetd(8) SIGNALS) */
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd");
	client_set_cancel_fd(sigfd);
	o.capture = o.capture ? o.capture : prof.capture;
	if (o.capture && capture_open(o.capture, prof.capture_snaplen,
				      (uint64_t)prof.capture_max_mb << 20)) {
		close(sigfd);
		profile_free(&prof);
		return 1;
	}
	{
		char server[sizeof(rem.name) + 32];

		snprintf(server, sizeof(server), "%s%s", rem.name, proxy ? " (proxy command)" : "");
		status_start(&o, server); /* it copies the name */
	}
	delay = rmin;
	for (;;) {
		r = session_run(&o, &prof, sigfd, &oc);
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
		status_reconnect();
		status_state("reconnecting", "next attempt in %u s", delay);
		notify_status("waiting for %s on %s: reconnecting in %u s", o.busid ? o.busid : what,
			      rem.name, delay);
		if (wait_or_signal(sigfd, delay)) {
			log_info("stopping on a signal");
			r = 0;
			break;
		}
		delay = delay * 2 > rmax ? rmax : delay * 2;
	}
	status_state("stopping", NULL);
	notify_stopping();
	status_stop();
	capture_close();
	close(sigfd);
	profile_free(&prof);
	return r;
}

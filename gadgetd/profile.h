/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile.h - per-device profiles (libconfig files, see gadgetd.profile(5)).
 *
 * A profile may name the remote, busid and UDC, and override what the host sees of
 * the device. Parsing does no other I/O than reading the file (or a string, for
 * tests and fuzzing). Unknown keys and bad values are errors with file:line.
 */
#ifndef GADGETD_PROFILE_H
#define GADGETD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gadgetd/ctrl_policy.h"
#include "gadgetd/match.h"

/*
 * Keys (all optional):
 *   remote = "host[:port]";            string; or "unix:/path" (transport.h)
 *   proxy_command = "ssh -W %h:%p jh";  string: reach the remote through it (transport.h)
 *   busid = "1-1.2";                   string, at most 31 characters
 *   match = { vid = 0x1209; pid = 0x4854; serial = "ABC"; };   instead of busid:
 *                                      the device by identity (match.h); serial optional
 *   udc = "dummy_udc.0";               string
 *   backend = "auto";                  "auto", "functionfs" or "gadgetfs"
 *   device = {                          group: overrides of what the host sees
 *     idVendor = 0x1234;  idProduct = 0x5678;  bcdDevice = 0x0100;   0..0xffff
 *     serial = "...";  manufacturer = "...";  product = "...";        <= 126 bytes
 *     MaxPower = 100;     mA, 0..500 (900 at SuperSpeed is not asked for)
 *     self_powered = true;
 *   };
 *   dead_peer_timeout = 10;            seconds, 1..3600
 *   retry = { min = 1; max = 30; };    seconds, 1..3600 each; min <= max
 *   user = "gadgetd";                  1..32 characters, [a-z_][a-z0-9_-]*
 *   readahead = true;                  Bulk-Only read-ahead (scsi_ra.h); default true
 *   capture = "/tmp/usb.pcap";         pcap file of the relayed URBs (capture.h)
 *   capture_max_mb = 10;               MiB, 1..65535: rotate the capture file
 *   capture_snaplen = 256;             bytes, 64..65535: data kept per record
 *   allow = {                           group: what may be presented at all
 *     devices = [ "1d6b:0104", "046d:*" ];   "VVVV:PPPP" or "VVVV:*", 4 hex digits each
 *     classes = [ 3, 8, 0xff ];               integers 0..255, or strings "0xNN"
 *     requests = [ "!vendor/device:0x05", "class/other" ];  host control requests
 *                                        (ctrl_policy.h); first match decides
 *   };                                  (an array [ ] or a list ( ); at most 32 each)
 */

/* Most entries in allow.devices, and in allow.classes. */
#define GD_PROFILE_MAX_ALLOW	32

struct gd_profile {
	char *remote;
	char *proxy_command;           /* key proxy_command: ssh's ProxyCommand (transport.h); NULL = none */
	char *busid;
	char *udc;
	char *backend;                 /* "auto", "functionfs", "gadgetfs"; NULL = not given */
	/* device overrides: has_* says whether the key was given */
	bool has_idVendor, has_idProduct, has_bcdDevice;
	uint16_t idVendor, idProduct, bcdDevice;
	char *serial, *manufacturer, *product; /* NULL = not overridden */
	bool has_MaxPower;
	unsigned MaxPower; /* mA */
	bool has_self_powered;
	bool self_powered;

	bool has_dead_peer_timeout;
	unsigned dead_peer_timeout;   /* seconds, 1..3600: key dead_peer_timeout; how soon a silent server is declared dead (TCP keepalive + TCP_USER_TIMEOUT); default 10 applied by the daemon, not here */
	bool has_retry_min, has_retry_max;
	unsigned retry_min, retry_max; /* seconds, 1..3600: group retry = { min = 1; max = 30; }; min <= max when both given (error names the line of max) */
	bool has_readahead;
	bool readahead;                /* key readahead = false: no Bulk-Only read-ahead (scsi_ra.h); default on */
	char *capture;                 /* key capture: pcap file (capture.h); NULL = none */
	unsigned capture_max_mb;       /* MiB, 1..65535; 0 = not given (no rotation) */
	unsigned capture_snaplen;      /* bytes, 64..65535; 0 = not given (65535) */
	char *user;                    /* key user = "gadgetd": run the relay as this user (1..32 chars, [a-z_][a-z0-9_-]*) — do not resolve it here (pure) */
	bool has_allow;                /* group allow = { devices = [ "1d6b:0104", "046d:*" ]; classes = ( 3, 8, "0xff" ); }; */
	unsigned n_allow_dev;
	struct gd_allow_dev { uint16_t vid, pid; bool any_pid; } allow_dev[GD_PROFILE_MAX_ALLOW];
	unsigned n_allow_class;
	uint8_t allow_class[GD_PROFILE_MAX_ALLOW];  /* interface (or device) class codes 0..255 */
	/*
	 * Whether allow.devices / allow.classes was given at all, so that an empty
	 * list ("nothing of that kind") differs from a missing one ("no restriction").
	 * A list restricts when has_allow and (its has_* flag or its n_* > 0), so a
	 * profile built by hand with entries but without these flags still works.
	 */
	bool has_allow_dev, has_allow_class;
	unsigned n_allow_req;          /* allow.requests (ctrl_policy.h), parsed by profile_requests.c */
	struct ctrl_rule allow_req[CTRL_RULES_MAX];
	struct dev_match match;        /* match = { }, parsed by profile_match.c; .set when given */
};

/* Largest profile accepted, in bytes (profiles are a few hundred bytes). */
#define GD_PROFILE_MAX_SIZE	(32 * 1024)

/* A message such as "configs/kbd.cfg:12: device.idVendor: 70000 is out of range 0..0xffff" */
struct gd_profile_err {
	char msg[256];
};

/**
 * profile_load_file() - parse and validate @path into @p (zeroed first).
 * Return: 0, -ENOENT/-EACCES/... if the file cannot be read, -EFBIG if it is larger
 * than GD_PROFILE_MAX_SIZE, -EINVAL for a syntax error, an @include, an unknown key
 * or a bad value; @err holds "file:line: what" (or "file: what"). @err may be NULL.
 * On failure @p is left zeroed.
 */
int profile_load_file(const char *path, struct gd_profile *p, struct gd_profile_err *err);

/**
 * profile_load_string() - the same for text in memory; @name stands for the file
 * name in messages.
 */
int profile_load_string(const char *text, const char *name, struct gd_profile *p,
			struct gd_profile_err *err);

/**
 * profile_allows() - does the allow policy of @p admit a device @vid:@pid whose
 * interface classes are @classes[0..n)?
 * Return: 1 if allowed (no allow group, or the device matches allow.devices when
 * given and every interface class is in allow.classes when given), 0 if not; when
 * 0, @why gets a sentence such as "1234:5678 is not in allow.devices" or
 * "interface class 0x08 (Mass Storage) is not in allow.classes" (and "" when 1).
 * @classes may be NULL when @n is 0; NULL with @n > 0 is refused (0) when
 * allow.classes applies. @why may be NULL or @whylen 0. Pure: no I/O, no allocation.
 */
int profile_allows(const struct gd_profile *p, uint16_t vid, uint16_t pid,
		   const uint8_t *classes, unsigned n, char *why, size_t whylen);

struct config_setting_t;
/**
 * profile_parse_requests() - the list allow.requests @l (libconfig, an array or a
 * list of rule strings, ctrl_policy.h) into @p->allow_req, for profile.c; @name is
 * the file name in messages. Return: 0, or -EINVAL with @err (may be NULL) holding
 * "FILE:LINE: allow.requests[N]: what".
 */
int profile_parse_requests(const struct config_setting_t *l, const char *name,
			   struct gd_profile *p, struct gd_profile_err *err);

/**
 * profile_parse_match() - the group match @g (libconfig) into @p->match, for
 * profile.c; @name is the file name in messages. Return: 0, or -EINVAL with @err
 * (may be NULL) holding "FILE:LINE: match...: what".
 */
int profile_parse_match(const struct config_setting_t *g, const char *name,
			struct gd_profile *p, struct gd_profile_err *err);

/**
 * profile_err_at() - "NAME:LINE: what" into @err->msg (@err may be NULL), LINE
 * being the line of setting @s, for the parsers in profile_*.c. Return: -EINVAL.
 */
int profile_err_at(struct gd_profile_err *err, const char *name, const struct config_setting_t *s,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** profile_free() - free the strings of @p and zero it. */
void profile_free(struct gd_profile *p);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * psep_msg.h - the messages between gadgetd's two processes with --user
 * (privsep.h): the unprivileged network process asks, the root process does
 * what needs root (ConfigFS, the FunctionFS and GadgetFS mounts, the UDC) and
 * answers, passing file descriptors with SCM_RIGHTS beside the reply.
 *
 * The format is gadgetd's own, in the manner of OpenBSD's imsg: a header of
 *   u16 type, u16 version (PSEP_VERSION), u32 length (header included)
 * then the payload; every integer little-endian, every string a u16 length
 * (0: none; else the bytes and their NUL, counted) and the bytes. The codec
 * does no I/O. The decoder trusts nothing: a wrong version, a length that
 * is not the datagram's, a field past the end, bytes left over, a string
 * without its NUL or with another, a status text or file name with control
 * bytes, counts over the limits, or blobs
 * that are not what FunctionFS or GadgetFS take, are all -EBADMSG; decoded
 * strings and blobs point into the caller's buffer.
 */
#ifndef GADGETD_PSEP_MSG_H
#define GADGETD_PSEP_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "functionfs/ffs_desc.h"
#include "gadgetd/gadget.h"
#include "gadgetd/gfs_io.h"

#define PSEP_VERSION 1
#define PSEP_HDR_LEN 8
#define PSEP_MSG_MAX (128 * 1024) /* a datagram on the socketpair, header included */
#define PSEP_STR_MAX 126          /* a USB string descriptor's UTF-8 (usb_gstrings) */
#define PSEP_TEXT_MAX 1024        /* a status detail or an error line */
/* the most descriptors one reply carries: every FunctionFS instance's ep0 and
 * endpoint files (below SCM_MAX_FD, 253) */
#define PSEP_MAX_FDS (GADGET_MAX_CONFIGS * (1 + FFS_MAX_EPS))

enum psep_type {
	PSEP_PRESENT_FFS = 1, /* network -> root: build the ConfigFS gadget, bind it */
	PSEP_PRESENT_GFS,     /* network -> root: mount GadgetFS, write the configuration */
	PSEP_OPEN_EP,         /* network -> root: open a GadgetFS endpoint file */
	PSEP_STATUS,          /* network -> root: for `gadgetd --status` (status.h) */
	PSEP_REPLY,           /* root -> network: the answer to one of the first three */
};

/* PSEP_PRESENT_FFS: what the host sees, and one FunctionFS instance per configuration.
 * spec.name, ffs_name, ffs_dir, set_owner, uid, gid are not carried: the root
 * process names and owns what it makes. */
struct psep_present_ffs {
	struct gadget_spec spec;
	const uint8_t *descs[GADGET_MAX_CONFIGS]; /* FunctionFS v2 descriptors (ep0 write) */
	const uint8_t *strs[GADGET_MAX_CONFIGS];  /* FunctionFS strings (ep0 write) */
	uint32_t dlen[GADGET_MAX_CONFIGS], slen[GADGET_MAX_CONFIGS];
	uint8_t n_ep[GADGET_MAX_CONFIGS];         /* endpoint files to open: ep1..epN */
};

/* PSEP_PRESENT_GFS: the ep0 configuration write (gfs_blob_check()). */
struct psep_present_gfs {
	uint8_t bConfigurationValue;
	const uint8_t *blob;
	uint32_t len;
};

/* PSEP_OPEN_EP: GadgetFS endpoint file @name (one the root named in its reply
 * to PSEP_PRESENT_GFS) with its configuration write @cfg (u32 tag 1, host byte
 * order, then one or two 7-byte endpoint descriptors: gfs_ep_open()). */
struct psep_open_ep {
	const char *name;
	const uint8_t *cfg;
	uint32_t cfg_len;  /* 11 or 18 */
	uint32_t busy_ms;  /* how long an -EBUSY file is retried */
};

enum psep_status_what {
	PSEP_ST_STATE = 1, /* s1 state, s2 detail (or none) */
	PSEP_ST_DEVICE,    /* vid, pid, s1 speed, s2 manufacturer, s3 product */
	PSEP_ST_BACKEND,   /* s1 "functionfs" or "gadgetfs" */
	PSEP_ST_ERROR,     /* s1 the error line */
};

struct psep_status {
	uint8_t what;
	uint16_t vid, pid;
	const char *s1, *s2, *s3; /* NULL: none */
};

/* PSEP_REPLY: @status 0 or -errno; @value: PSEP_OPEN_EP's busy tries; @names:
 * PSEP_PRESENT_GFS's ep0 file, then the endpoint files. The descriptors travel
 * beside it (SCM_RIGHTS), in the order the request implies. */
struct psep_reply {
	int32_t status;
	uint32_t value;
	uint8_t n_names;
	const char *names[1 + GFS_MAX_FILES];
};

struct psep_msg {
	uint16_t type; /* enum psep_type */
	union {
		struct psep_present_ffs ffs;
		struct psep_present_gfs gfs;
		struct psep_open_ep open_ep;
		struct psep_status status;
		struct psep_reply reply;
	} u;
};

/**
 * psep_encode() - @m as one message (header and payload) in @out.
 * Return: its length in bytes, -EMSGSIZE when it does not fit @cap (or
 * PSEP_MSG_MAX), -EINVAL when @m breaks a limit the decoder enforces (the
 * decoder's own checks are run on the result).
 */
ssize_t psep_encode(const struct psep_msg *m, uint8_t *out, size_t cap);

/**
 * psep_decode() - parse and check one message of @len bytes (a whole datagram).
 * Return: 0 with @m filled (pointers into @buf), or -EBADMSG: short header,
 * length field other than @len, version other than PSEP_VERSION, unknown type,
 * truncated field, trailing bytes, a string without its NUL, with an inner
 * NUL or longer than its limit (USB strings PSEP_STR_MAX bytes), a status
 * text or file name with a control byte, too many languages,
 * configurations, endpoints or names, a FunctionFS blob whose header (magic,
 * length) is not FunctionFS's (include/uapi/linux/usb/functionfs.h), an
 * endpoint configuration that is not a tag 1 and 7-byte endpoint descriptors,
 * a file name with '/' or "..", a status that is not 0 or -1..-4095.
 */
int psep_decode(const uint8_t *buf, size_t len, struct psep_msg *m);

/** psep_type_str() - the name of message type @type, for the log. */
const char *psep_type_str(unsigned type);

#endif

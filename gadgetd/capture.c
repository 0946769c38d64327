// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - see capture.h. The file is written by libpcap. */
#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_LIBPCAP
#include <pcap/pcap.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "gadgetd/capture.h"
#include "gadgetd/log.h"

#define DLT_USBMON_MMAPPED 220 /* LINKTYPE_USB_LINUX_MMAPPED */
#define URBS 4096              /* URBs remembered between submit and completion */

struct urb_seen {
	uint32_t seqnum;
	uint32_t target;   /* for a CMD_UNLINK: the URB it cancels */
	bool used, unlink;
	uint8_t epnum, devnum;
	uint16_t busnum;
	enum capture_xfer xfer;
	int32_t interval;
};

#ifndef HAVE_LIBPCAP
typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;
#endif

static struct {
	pcap_t *dead;
	pcap_dumper_t *d; /* the open file, or NULL: no capture */
	char *path;
	unsigned snaplen;
	uint64_t max_bytes;
	struct urb_seen urbs[URBS];
	/* an OUT submit whose payload comes in pieces */
	uint8_t *pend;     /* header + up to snaplen data bytes */
	size_t pend_want;  /* payload bytes still to come */
	size_t pend_have;  /* payload bytes seen */
	size_t pend_cap;   /* payload bytes kept (<= snaplen) */
} cap;

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

void capture_hdr_build(const struct capture_event *e, uint8_t out[CAPTURE_HDR_LEN])
{
	memset(out, 0, CAPTURE_HDR_LEN);
	put64(out + 0, e->id);
	out[8] = (uint8_t)e->type;
	out[9] = (uint8_t)e->xfer;
	out[10] = e->epnum;
	out[11] = e->devnum;
	put16(out + 12, e->busnum);
	out[14] = e->setup ? 0 : '-';
	out[15] = e->len_cap ? 0 : (e->epnum & 0x80) ? '<' : '>';
	put64(out + 16, (uint64_t)e->ts_sec);
	put32(out + 24, (uint32_t)e->ts_usec);
	put32(out + 28, (uint32_t)e->status);
	put32(out + 32, e->length);
	put32(out + 36, e->len_cap);
	if (e->setup)
		memcpy(out + 40, e->setup, 8);
	put32(out + 48, (uint32_t)e->interval);
	/* start_frame, xfer_flags, ndesc: 0 (no isochronous URBs are relayed) */
}

bool capture_active(void)
{
	return cap.d != NULL;
}

#ifdef HAVE_LIBPCAP
static int start_file(void)
{
	int fd = open(cap.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	FILE *f;

	if (fd < 0)
		return log_warn_errno(-errno, "capture %s", cap.path);
	f = fdopen(fd, "wb");
	if (!f) {
		int e = -errno;

		close(fd);
		return log_warn_errno(e, "capture %s", cap.path);
	}
	cap.d = pcap_dump_fopen(cap.dead, f);
	if (!cap.d) {
		log_warnx("capture %s: %s", cap.path, pcap_geterr(cap.dead));
		fclose(f);
		return -EIO;
	}
	return 0;
}

int capture_open(const char *path, unsigned snaplen, uint64_t max_bytes)
{
	int r;

	if (cap.dead)
		return -EALREADY;
	cap.snaplen = snaplen ? snaplen : CAPTURE_SNAPLEN_DEFAULT;
	cap.max_bytes = max_bytes;
	cap.path = strdup(path);
	cap.dead = pcap_open_dead(DLT_USBMON_MMAPPED, (int)(CAPTURE_HDR_LEN + cap.snaplen));
	if (!cap.path || !cap.dead) {
		capture_close();
		return log_warn_errno(-ENOMEM, "capture %s", path);
	}
	r = start_file();
	if (r)
		capture_close();
	return r;
}

void capture_close(void)
{
	if (cap.d)
		pcap_dump_close(cap.d);
	if (cap.dead)
		pcap_close(cap.dead);
	free(cap.path);
	free(cap.pend);
	memset(&cap, 0, sizeof(cap));
}

void capture_flush(void)
{
	if (cap.d)
		pcap_dump_flush(cap.d);
}

void capture_reopen(void)
{
	if (!cap.d)
		return;
	pcap_dump_close(cap.d);
	cap.d = pcap_dump_open_append(cap.dead, cap.path);
	if (!cap.d) {
		log_warnx("capture %s: %s: capture ends", cap.path, pcap_geterr(cap.dead));
		capture_close();
	}
}
#else
/* A build without libpcap (the static ARMv6 one): --capture is refused. */
int capture_open(const char *path, unsigned snaplen, uint64_t max_bytes)
{
	log_warnx("capture %s: this gadgetd was built without libpcap", path);
	return -ENOTSUP;
}

void capture_close(void)
{
	memset(&cap, 0, sizeof(cap));
}

void capture_flush(void)
{
}

void capture_reopen(void)
{
}
#endif

#ifdef HAVE_LIBPCAP
/* FILE -> FILE.1, a new FILE; on failure the capture ends (logged). */
static void rotate(void)
{
	char old[4096];

	pcap_dump_close(cap.d);
	cap.d = NULL;
	snprintf(old, sizeof(old), "%s.1", cap.path);
	if (rename(cap.path, old) < 0 || start_file() < 0) {
		log_warn("capture %s: cannot rotate, capture ends", cap.path);
		capture_close();
	}
}

static void write_record(struct capture_event *e, uint8_t *rec, size_t data_len)
{
	struct pcap_pkthdr ph;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	e->ts_sec = tv.tv_sec;
	e->ts_usec = (int32_t)tv.tv_usec;
	capture_hdr_build(e, rec);
	ph.ts = tv;
	ph.caplen = CAPTURE_HDR_LEN + e->len_cap;
	ph.len = CAPTURE_HDR_LEN + (uint32_t)data_len;
	pcap_dump((u_char *)cap.d, &ph, rec);
	if (cap.max_bytes && (uint64_t)pcap_dump_ftell64(cap.d) >= cap.max_bytes)
		rotate();
}

#else
static void write_record(struct capture_event *e, uint8_t *rec, size_t data_len)
{
}
#endif

/* header + @len data bytes (at most snaplen of them) in one record */
static void emit(struct capture_event *e, const uint8_t *data, size_t len)
{
	uint8_t stackbuf[CAPTURE_HDR_LEN + 512];
	size_t keep = len < cap.snaplen ? len : cap.snaplen;
	uint8_t *rec = keep <= 512 ? stackbuf : malloc(CAPTURE_HDR_LEN + keep);

	if (!rec)
		return;
	if (keep)
		memcpy(rec + CAPTURE_HDR_LEN, data, keep);
	e->len_cap = (uint32_t)keep;
	write_record(e, rec, len);
	if (rec != stackbuf)
		free(rec);
}

static struct urb_seen *slot(uint32_t seqnum)
{
	return &cap.urbs[seqnum & (URBS - 1)];
}

static void event_for(struct capture_event *e, const struct urb_seen *u, char type)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->busnum = u->busnum;
	e->devnum = u->devnum;
	e->id = u->seqnum;
	e->epnum = u->epnum;
	e->xfer = u->xfer;
	e->interval = u->interval;
}

void capture_submit(uint32_t devid, uint32_t seqnum, unsigned ep, bool in, unsigned interval, const uint8_t *setup,
		    const uint8_t *data, size_t len)
{
	struct urb_seen *u = slot(seqnum);
	struct capture_event e;

	if (!cap.d)
		return;
	*u = (struct urb_seen){ .seqnum = seqnum, .used = true, .busnum = (uint16_t)(devid >> 16),
				.devnum = (uint8_t)devid,
				.epnum = (uint8_t)((ep & 0x0f) | (in ? 0x80 : 0)),
				.xfer = !ep ? CAPTURE_CONTROL : interval ? CAPTURE_INTR : CAPTURE_BULK,
				.interval = (int32_t)interval };
	event_for(&e, u, 'S');
	e.setup = ep ? NULL : setup;
	e.status = -EINPROGRESS;
	e.length = (uint32_t)len;
	if (in || !len || data) {
		emit(&e, in ? NULL : data, in ? 0 : len);
		return;
	}
	/* the payload follows in pieces: keep the record until it is whole */
	free(cap.pend);
	cap.pend_cap = len < cap.snaplen ? len : cap.snaplen;
	cap.pend = malloc(CAPTURE_HDR_LEN + cap.pend_cap);
	if (!cap.pend)
		return;
	capture_hdr_build(&e, cap.pend); /* the event, until the data is in */
	cap.pend_want = len;
	cap.pend_have = 0;
}

void capture_data(const void *data, size_t len)
{
	struct capture_event e;
	const uint8_t *h = cap.pend;
	uint32_t v;

	if (!cap.d || !cap.pend || !len)
		return;
	if (cap.pend_have < cap.pend_cap) {
		size_t n = cap.pend_cap - cap.pend_have;

		memcpy(cap.pend + CAPTURE_HDR_LEN + cap.pend_have, data, len < n ? len : n);
	}
	cap.pend_have += len;
	if (cap.pend_have < cap.pend_want)
		return;
	/* whole: rebuild the event from the header kept */
	memset(&e, 0, sizeof(e));
	memcpy(&e.id, h, 8);
	e.type = (char)h[8];
	e.xfer = (enum capture_xfer)h[9];
	e.epnum = h[10];
	e.devnum = h[11];
	memcpy(&e.busnum, h + 12, 2);
	memcpy(&v, h + 28, 4);
	e.status = (int32_t)v;
	memcpy(&e.length, h + 32, 4);
	memcpy(&v, h + 48, 4);
	e.interval = (int32_t)v;
	e.len_cap = (uint32_t)cap.pend_cap;
	write_record(&e, cap.pend, cap.pend_want);
	free(cap.pend);
	cap.pend = NULL;
}

void capture_complete(uint32_t seqnum, int status, const uint8_t *data, size_t len)
{
	struct urb_seen *u = slot(seqnum);
	struct urb_seen unknown = { .seqnum = seqnum, .xfer = CAPTURE_CONTROL };
	struct capture_event e;

	if (!cap.d)
		return;
	if (!u->used || u->seqnum != seqnum || u->unlink)
		u = &unknown;
	event_for(&e, u, 'C');
	e.status = status;
	e.length = (uint32_t)len;
	emit(&e, data, data ? len : 0);
	u->used = false;
}

void capture_unlink(uint32_t seqnum, uint32_t target)
{
	if (cap.d)
		*slot(seqnum) = (struct urb_seen){ .seqnum = seqnum, .target = target, .used = true,
						   .unlink = true };
}

void capture_unlinked(uint32_t seqnum, int status)
{
	struct urb_seen *u = slot(seqnum);
	uint32_t target;

	if (!cap.d || !u->used || !u->unlink || u->seqnum != seqnum)
		return;
	target = u->target;
	u->used = false;
	if (status == -ECONNRESET)
		capture_complete(target, status, NULL, 0);
}

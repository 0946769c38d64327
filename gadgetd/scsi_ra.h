/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scsi_ra.h - sequential read-ahead for a Bulk-Only disk: what to read ahead,
 * and whether the host's next command can be answered from it. No I/O (the
 * relay's side is readahead.c).
 *
 * A host that reads a disk in order (a copy, a checksum, a boot loader) sends
 * READ(10)/READ(16) commands one after the other, each only after the CSW of
 * the one before. Through a relay every command costs at least two round trips
 * to the server (the CBW, then the data and CSW). While the host reads in
 * order, gadgetd asks the device for the blocks that come next, in one larger
 * READ of its own, and answers the host's next READ from them at once.
 *
 * What the device sees: only commands a host could have sent, one at a time
 * (never while a command of the host is at the device), READs within the
 * capacity the device itself reported (READ CAPACITY(10)/(16), snooped from
 * the host's own commands), never with FUA.
 * What the host sees: for a READ that matches the blocks read ahead (same LUN,
 * first LBA, whole blocks, dCBWDataTransferLength = blocks x block length, no
 * FUA), those blocks and a CSW with its own dCSWTag, status 0, residue 0 -
 * only after the device's own CSW of the read-ahead said status 0, residue 0.
 * Anything else the host sends (a WRITE, any other command, another LBA, a
 * reset) drops what was read ahead before it reaches the device; a command
 * that arrives while a read-ahead is at the device waits for it to end.
 * Write data is never acknowledged by gadgetd: WRITEs go to the device as
 * ever, and their CSW is the device's.
 *
 * Limits: read-ahead starts after two READs in a row that continue each other
 * (so random access costs nothing extra); a read-ahead that fails (an error
 * CSW, a short or stalled data phase) is dropped, and after RA_MAX_FAILURES
 * read-ahead stays off for the session.
 */
#ifndef GADGETD_SCSI_RA_H
#define GADGETD_SCSI_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_BUF_BYTES (1u << 20)      /* blocks read ahead, not yet taken by the host */
#define RA_FETCH_BYTES (512u << 10)  /* the most one read-ahead READ asks for */
#define RA_FETCH_MIN RA_FETCH_BYTES  /* less free space waits for the host: few, large read-aheads */
#define RA_TAG_BASE 0x67640000u      /* dCBWTag of read-ahead commands ("gd" + count) */
#define RA_MAX_FAILURES 3
#define RA_LUNS 16                   /* bCBWLUN is 4 bits (BOT 5.1) */

/* What to do with a CBW of the host (ra_host_cbw()). */
enum ra_verdict {
	RA_FORWARD, /* send it to the device (what was read ahead is dropped) */
	RA_SERVE,   /* answer it from what was read ahead: ra_take(), then the CSW */
	RA_WAIT,    /* a read-ahead is at the device: ask again when it has ended */
};

struct ra_lun {
	uint64_t blocks;    /* last LBA + 1; 0: capacity not known */
	uint32_t block_len; /* bytes */
};

struct scsi_ra {
	struct ra_lun lun[RA_LUNS];
	/* the host's command at the device (forwarded, CSW not seen yet) */
	bool cmd;
	uint8_t cmd_lun, cmd_op;
	bool cmd_read;
	uint64_t cmd_lba;
	uint32_t cmd_blocks;
	uint8_t cmd_data[32]; /* the start of its data-in phase (READ CAPACITY) */
	size_t cmd_data_len;
	/* the host's sequential stream */
	bool seq;
	uint8_t seq_lun;
	uint64_t seq_next;    /* the LBA after the last READ */
	unsigned seq_run;     /* READs in a row that continued each other */
	/* blocks read ahead: a ring of @cap bytes, @have from @head */
	uint8_t *buf;
	size_t cap, head, have;
	size_t reserved;      /* at the head: promised to the host's READ being served */
	uint8_t buf_lun;
	uint64_t buf_lba;     /* LBA of the first block after the reserved bytes */
	uint32_t buf_bl;
	/* the read-ahead command at the device */
	bool busy;
	uint64_t f_lba;
	uint32_t f_blocks;
	size_t f_len, f_got;
	uint32_t tag;
	/* how it went */
	unsigned failures;
	bool off;
	unsigned long n_fetch, n_served, n_dropped;
};

/** ra_init() - no capacity known, nothing read ahead; the buffer comes with the first read-ahead. */
void ra_init(struct scsi_ra *ra);
/** ra_free() - release the buffer. */
void ra_free(struct scsi_ra *ra);
/**
 * ra_reset() - the host reset the device (Bulk-Only Mass Storage Reset, port
 * reset, a new configuration): nothing is at the device any more, nothing read
 * ahead is kept. @forget_capacity: also forget the capacities (a new session).
 */
void ra_reset(struct scsi_ra *ra, bool forget_capacity);

/**
 * ra_host_cbw() - the host sent @cbw (31 bytes, BOT 5.1; multi-byte fields
 * little-endian, the CDB's big-endian). For RA_SERVE, *@serve_len is the
 * data-in length and @csw (13 bytes) the CSW to give after it; the blocks are
 * reserved and taken with ra_take(). For RA_FORWARD the command is remembered
 * so that its answer can be snooped (ra_host_data(), ra_host_csw()).
 * Idempotent while it returns RA_WAIT.
 */
enum ra_verdict ra_host_cbw(struct scsi_ra *ra, const uint8_t *cbw, size_t *serve_len,
			    uint8_t *csw);
/** ra_host_data() - @len bytes of the data-in phase of the host's command came from the device. */
void ra_host_data(struct scsi_ra *ra, const uint8_t *data, size_t len);
/** ra_host_csw() - the device's CSW (@csw, @len bytes) for the host's command. */
void ra_host_csw(struct scsi_ra *ra, const uint8_t *csw, size_t len);
/** ra_host_gone() - the host's command ended without a CSW the relay saw (stall, reset). */
void ra_host_gone(struct scsi_ra *ra);

/**
 * ra_plan() - the device is idle: whether to read ahead now. When true, @cbw
 * (31 bytes) is the READ(10) or READ(16) to send and *@len its data-in length.
 * Return: 0 (nothing to do), 1 (@cbw filled) or -ENOMEM (no buffer).
 */
int ra_plan(struct scsi_ra *ra, uint8_t *cbw, size_t *len);
/** ra_fetch_data() - the next @len bytes of the read-ahead's data-in phase. Return: false when too many. */
bool ra_fetch_data(struct scsi_ra *ra, const uint8_t *data, size_t len);
/**
 * ra_fetch_end() - the read-ahead ended: @csw (@len bytes) is its CSW, or
 * NULL when it failed before one came. Return: true when the blocks are kept
 * (status 0, residue 0, every byte there, our dCSWTag); false when dropped.
 */
bool ra_fetch_end(struct scsi_ra *ra, const uint8_t *csw, size_t len);
/** ra_take() - copy the next @n reserved bytes to @dst (the READ being served). */
void ra_take(struct scsi_ra *ra, uint8_t *dst, size_t n);
/** ra_drop() - forget what was read ahead and not reserved. */
void ra_drop(struct scsi_ra *ra);

#endif

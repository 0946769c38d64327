// SPDX-License-Identifier: GPL-2.0-or-later
/* scsi_ra.c - see scsi_ra.h. SCSI opcodes and fields: SBC-3 5.15-5.16 (READ),
 * 5.16-5.17 (READ CAPACITY); the wrappers: USB MSC BOT 1.0 5.1-5.2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/scsi_ra.h"
#include "gadgetd/usb_wire.h"

#define OP_READ_CAPACITY10 0x25
#define OP_READ10 0x28
#define OP_READ16 0x88
#define OP_SERVICE_IN16 0x9e
#define SA_READ_CAPACITY16 0x10

void ra_init(struct scsi_ra *ra)
{
	memset(ra, 0, sizeof(*ra));
}

void ra_free(struct scsi_ra *ra)
{
	free(ra->buf);
	ra->buf = NULL;
}

void ra_reset(struct scsi_ra *ra, bool forget_capacity)
{
	ra->cmd = false;
	ra->seq = false;
	ra->seq_run = 0;
	ra->head = ra->have = ra->reserved = 0;
	ra->busy = false;
	if (forget_capacity)
		memset(ra->lun, 0, sizeof(ra->lun));
}

/* A READ(10)/READ(16) the relay may answer or continue: *lba, *blocks. */
static bool parse_read(const uint8_t *cbw, uint64_t *lba, uint32_t *blocks)
{
	const uint8_t *cb = cbw + 15;
	unsigned cblen = cbw[14] & 0x1f;

	if (cb[0] == OP_READ10 && cblen >= 10) {
		/* byte 1: RDPROTECT (7-5), DPO, FUA (3), RARC; byte 9: CONTROL */
		if ((cb[1] & 0xe8) || cb[9])
			return false;
		*lba = get_be32(cb + 2);
		*blocks = (uint32_t)cb[7] << 8 | cb[8];
		return true;
	}
	if (cb[0] == OP_READ16 && cblen >= 16) {
		if ((cb[1] & 0xe8) || cb[15])
			return false;
		*lba = get_be64(cb + 2);
		*blocks = get_be32(cb + 10);
		return true;
	}
	return false;
}

void ra_drop(struct scsi_ra *ra)
{
	if (ra->have > ra->reserved)
		ra->n_dropped++;
	ra->have = ra->reserved;
}

enum ra_verdict ra_host_cbw(struct scsi_ra *ra, const uint8_t *cbw, size_t *serve_len,
			    uint8_t *csw)
{
	uint8_t lun = cbw[13] & 0x0f;
	bool in = cbw[12] & 0x80;
	uint32_t len = get_le32(cbw + 8);
	uint64_t lba = 0;
	uint32_t blocks = 0;
	bool read = parse_read(cbw, &lba, &blocks);
	size_t avail = ra->have - ra->reserved;

	if (read && in && ra->have && lun == ra->buf_lun && lba == ra->buf_lba && blocks &&
	    (uint64_t)blocks * ra->buf_bl == len) {
		if (len <= avail) {
			ra->reserved += len;
			ra->buf_lba += blocks;
			*serve_len = len;
			memcpy(csw, "USBS", 4);
			memcpy(csw + 4, cbw + 4, 4); /* dCSWTag = dCBWTag */
			memset(csw + 8, 0, 5);       /* residue 0, status 0 (passed) */
			ra->seq_next = lba + blocks;
			ra->seq_run++;
			ra->n_served++;
			return RA_SERVE;
		}
	}
	if (ra->busy)
		return RA_WAIT;
	ra_drop(ra);
	ra->cmd = true;
	ra->cmd_lun = lun;
	ra->cmd_op = cbw[15];
	ra->cmd_read = read && in && blocks && len;
	if (!ra->cmd_read) {
		/* anything but a READ ends the stream: no read-ahead after it */
		ra->seq = false;
		ra->seq_run = 0;
	}
	ra->cmd_lba = lba;
	ra->cmd_blocks = blocks;
	ra->cmd_data_len = 0;
	if (ra->cmd_op == OP_SERVICE_IN16 && (cbw[16] & 0x1f) != SA_READ_CAPACITY16)
		ra->cmd_op = 0;
	return RA_FORWARD;
}

void ra_host_data(struct scsi_ra *ra, const uint8_t *data, size_t len)
{
	size_t n;

	if (!ra->cmd || (ra->cmd_op != OP_READ_CAPACITY10 && ra->cmd_op != OP_SERVICE_IN16))
		return;
	n = sizeof(ra->cmd_data) - ra->cmd_data_len;
	n = len < n ? len : n;
	memcpy(ra->cmd_data + ra->cmd_data_len, data, n);
	ra->cmd_data_len += n;
}

static bool good_block_len(uint32_t bl)
{
	return bl >= 512 && bl <= 65536 && bl % 512 == 0;
}

void ra_host_csw(struct scsi_ra *ra, const uint8_t *csw, size_t len)
{
	struct ra_lun *l = &ra->lun[ra->cmd_lun];
	bool ok = len == 13 && !memcmp(csw, "USBS", 4) && !csw[12];
	uint32_t residue = len == 13 ? get_le32(csw + 8) : 0;
	uint64_t last;

	if (!ra->cmd)
		return;
	ra->cmd = false;
	if (!ok) {
		ra->seq = false;
		ra->seq_run = 0;
		return;
	}
	if (ra->cmd_op == OP_READ_CAPACITY10 && ra->cmd_data_len >= 8 && !residue) {
		last = get_be32(ra->cmd_data);
		if (last != 0xffffffffu && good_block_len(get_be32(ra->cmd_data + 4))) {
			l->blocks = last + 1;
			l->block_len = get_be32(ra->cmd_data + 4);
		}
	} else if (ra->cmd_op == OP_SERVICE_IN16 && ra->cmd_data_len >= 12) {
		last = get_be64(ra->cmd_data);
		if (last < UINT64_MAX && good_block_len(get_be32(ra->cmd_data + 8))) {
			l->blocks = last + 1;
			l->block_len = get_be32(ra->cmd_data + 8);
		}
	} else if (ra->cmd_read && !residue) {
		if (ra->seq && ra->seq_lun == ra->cmd_lun && ra->seq_next == ra->cmd_lba)
			ra->seq_run++;
		else
			ra->seq_run = 1;
		ra->seq = true;
		ra->seq_lun = ra->cmd_lun;
		ra->seq_next = ra->cmd_lba + ra->cmd_blocks;
	}
}

void ra_host_gone(struct scsi_ra *ra)
{
	ra->cmd = false;
	ra->seq = false;
	ra->seq_run = 0;
}

int ra_plan(struct scsi_ra *ra, uint8_t *cbw, size_t *len)
{
	const struct ra_lun *l = &ra->lun[ra->seq_lun];
	uint64_t next, n;
	size_t space;

	if (ra->off || ra->busy || ra->cmd || !ra->seq || ra->seq_run < 2 || !l->blocks)
		return 0;
	if (ra->have && (ra->buf_lun != ra->seq_lun || ra->buf_bl != l->block_len))
		return 0;
	if (!ra->buf) {
		ra->buf = malloc(RA_BUF_BYTES);
		if (!ra->buf)
			return -ENOMEM;
		ra->cap = RA_BUF_BYTES;
	}
	if (!ra->have) {
		ra->head = 0;
		ra->buf_lun = ra->seq_lun;
		ra->buf_lba = ra->seq_next;
		ra->buf_bl = l->block_len;
	}
	next = ra->buf_lba + (ra->have - ra->reserved) / ra->buf_bl;
	space = ra->cap - ra->have;
	if (next >= l->blocks || space < RA_FETCH_MIN)
		return 0;
	n = (space < RA_FETCH_BYTES ? space : RA_FETCH_BYTES) / ra->buf_bl;
	if (n > l->blocks - next)
		n = l->blocks - next;
	if (!n)
		return 0;
	ra->tag = RA_TAG_BASE + (uint32_t)(ra->n_fetch++ & 0xffff);
	memset(cbw, 0, 31);
	memcpy(cbw, "USBC", 4);
	put_le32(cbw + 4, ra->tag);
	put_le32(cbw + 8, (uint32_t)(n * ra->buf_bl));
	cbw[12] = 0x80; /* data in */
	cbw[13] = ra->buf_lun;
	if (next + n <= 0x100000000ull) {
		cbw[14] = 10;
		cbw[15] = OP_READ10;
		put_be32(cbw + 17, (uint32_t)next);
		cbw[22] = (uint8_t)(n >> 8);
		cbw[23] = (uint8_t)n;
	} else {
		cbw[14] = 16;
		cbw[15] = OP_READ16;
		put_be64(cbw + 17, next);
		put_be32(cbw + 25, (uint32_t)n);
	}
	ra->busy = true;
	ra->f_lba = next;
	ra->f_blocks = (uint32_t)n;
	ra->f_len = n * ra->buf_bl;
	ra->f_got = 0;
	*len = ra->f_len;
	return 1;
}

bool ra_fetch_data(struct scsi_ra *ra, const uint8_t *data, size_t len)
{
	size_t pos, first;

	if (!ra->busy || len > ra->f_len - ra->f_got)
		return false;
	pos = (ra->head + ra->have + ra->f_got) % ra->cap;
	first = ra->cap - pos < len ? ra->cap - pos : len;
	memcpy(ra->buf + pos, data, first);
	memcpy(ra->buf, data + first, len - first);
	ra->f_got += len;
	return true;
}

bool ra_fetch_end(struct scsi_ra *ra, const uint8_t *csw, size_t len)
{
	bool ok = csw && len == 13 && !memcmp(csw, "USBS", 4) && get_le32(csw + 4) == ra->tag &&
		  !get_le32(csw + 8) && !csw[12] && ra->f_got == ra->f_len;

	if (!ra->busy)
		return false;
	ra->busy = false;
	if (!ok) {
		ra_drop(ra);
		ra->seq = false;
		ra->seq_run = 0;
		if (++ra->failures >= RA_MAX_FAILURES)
			ra->off = true;
		return false;
	}
	ra->have += ra->f_len;
	return true;
}

void ra_take(struct scsi_ra *ra, uint8_t *dst, size_t n)
{
	size_t first;

	if (n > ra->reserved)
		n = ra->reserved;
	if (!n)
		return;
	first = ra->cap - ra->head < n ? ra->cap - ra->head : n;
	memcpy(dst, ra->buf + ra->head, first);
	memcpy(dst + first, ra->buf, n - first);
	ra->head = (ra->head + n) % ra->cap;
	ra->have -= n;
	ra->reserved -= n;
}

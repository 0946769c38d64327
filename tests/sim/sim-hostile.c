// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim-hostile.c - usbip-sim's hostile modes (--hostile, --hostile-file; see
 * tests/sim/README.md "Hostile modes"): the parser of the SPECs, the lies told in
 * descriptors, the shaped RET_SUBMIT and the floods.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/sim/pattern.h"
#include "tests/sim/sim-srv.h"

/* --hostile: the armed RET_SUBMIT, shaped as the action says. */
void hostile_ret_submit(struct usbip_header *h, uint32_t req_len, const uint8_t *data)
{
	struct conn *c = sim.imp;
	uint8_t hb[USBIP_HDR_LEN], *d = NULL;
	uint32_t actual = (uint32_t)h->u.ret_submit.actual_length, n = data ? actual : 0;
	long long a;

	sim.h.armed = false;
	switch (sim.h.act) {
	case HA_TRUNC_HDR:
		usbip_header_encode(h, hb);
		conn_send(c, hb, (size_t)sim.h.arg, NULL, 0);
		c->sealed = c->close_after_flush = true;
		rec("HOSTILE %s seq=%u: %lld of the %d header bytes, then close", sim.h.spec, h->seqnum,
		    sim.h.arg, USBIP_HDR_LEN);
		return;
	case HA_TRUNC_DATA:
		usbip_header_encode(h, hb);
		conn_send(c, hb, sizeof(hb), data, n / 2);
		c->sealed = c->close_after_flush = true;
		rec("HOSTILE %s seq=%u: header (actual_length %u) and %u data bytes, then close",
		    sim.h.spec, h->seqnum, actual, n / 2);
		return;
	case HA_COMMAND:
		usbip_header_encode(h, hb);
		put_be32(hb, (uint32_t)sim.h.arg);
		conn_send(c, hb, sizeof(hb), data, n);
		rec("HOSTILE %s seq=%u: the answer's command is %lld", sim.h.spec, h->seqnum, sim.h.arg);
		return;
	case HA_SEQNUM:
		rec("HOSTILE %s seq=%u: answered as seqnum %u", sim.h.spec, h->seqnum,
		    h->seqnum + (uint32_t)sim.h.arg);
		h->seqnum += (uint32_t)sim.h.arg;
		usbip_header_encode(h, hb);
		conn_send(c, hb, sizeof(hb), data, n);
		return;
	case HA_ACTUAL:
		a = sim.h.arg_rel ? (long long)req_len + sim.h.arg : sim.h.arg;
		h->u.ret_submit.actual_length = (int32_t)a;
		usbip_header_encode(h, hb);
		/* an IN answer carries as many bytes as it claims, while that is sane */
		if (data && a >= 0 && a <= (long long)req_len + 65536) {
			d = calloc(1, (size_t)a + 1);
			if (!d)
				abort();
			memcpy(d, data, n < a ? n : (size_t)a);
			if (a > n)
				sim_pattern_fill(d + n, (size_t)a - n, 0xbad);
			n = (uint32_t)a;
		}
		conn_send(c, hb, sizeof(hb), d ? d : data, n);
		free(d);
		rec("HOSTILE %s seq=%u: actual_length %d for a %u-byte request, %u data bytes",
		    sim.h.spec, h->seqnum, (int32_t)a, req_len, n);
		return;
	default:
		return;
	}
}
void flood_fill(struct conn *c)
{
	static uint8_t blk[65536];
	struct usbip_header h = { 0 };
	size_t n = 0;

	if (c->out_len >= sizeof(blk))
		return;
	if (now_ms() - sim.h.flood_t0 > FLOOD_MAX_MS || sim.h.flood_sent > FLOOD_MAX_BYTES) {
		rec("HOSTILE flood ended by its limit after %llu bytes: closing", sim.h.flood_sent);
		c->flood = 0;
		c->sealed = c->close_after_flush = true;
		return;
	}
	if (c->flood == 1) {
		memset(blk, (int)sim.h.arg, sizeof(blk));
		n = sizeof(blk);
	} else {
		h.command = USBIP_RET_UNLINK;
		for (; n + USBIP_HDR_LEN <= sizeof(blk); n += USBIP_HDR_LEN) {
			h.seqnum = 0x7f000000u + sim.h.flood_seq++;
			usbip_header_encode(&h, blk + n);
		}
	}
	if (c->out_len + n > c->out_cap) {
		c->out_cap = c->out_len + n;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, blk, n);
	c->out_len += n;
}

/* --hostile flood, flood-unlink, silent: from now on the connection answers nothing. */
void hostile_stream(struct conn *c, const char *at)
{
	sim.h.fired = true;
	sim.h.silent = true;
	c->sealed = true;
	if (sim.h.act == HA_FLOOD || sim.h.act == HA_FLOOD_UNLINK) {
		c->flood = sim.h.act == HA_FLOOD ? 1 : 2;
		sim.h.flood_t0 = now_ms();
		sim.h.flood_sent = 0;
	}
	rec("HOSTILE %s starts %s", sim.h.spec, at);
}

void hostile_reset(void)
{
	free((char *)sim.h.spec);
	free((char *)sim.h.import_busid);
	memset(&sim.h, 0, sizeof(sim.h));
	sim.h.version = sim.h.import_trunc = sim.h.devlist_trunc = -1;
	sim.h.wtotal = sim.h.devdesc_len = -1;
	sim.h.devlist_ndev = -1;
}

/* --hostile-file FILE: the specs in FILE replace the current ones, afresh for every
 * connection (one usbip-sim for many cases). A word case=NAME only names the case. */
void hostile_load(void)
{
	char buf[1024], *tok, *save = NULL;
	size_t n;
	FILE *f;

	if (!sim.hostile_file)
		return;
	hostile_reset();
	f = fopen(sim.hostile_file, "r");
	if (!f) {
		rec("CASE - (%s: %s)", sim.hostile_file, strerror(errno));
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (tok = buf; *tok; tok++)
		if (*tok == '\n' || *tok == '\t')
			*tok = ' ';
	while (n && buf[n - 1] == ' ')
		buf[--n] = 0;
	rec("CASE %s", buf);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "case=", 5))
			continue;
		if (hostile_parse(tok))
			rec("ERROR --hostile-file %s: '%s' is not a hostile mode", sim.hostile_file, tok);
	}
}
void hostile_descriptor(unsigned value, uint8_t *in, uint32_t *inlen)
{
	unsigned idx = value & 0xff;
	uint32_t o, n = *inlen;

	switch (value >> 8) {
	case 1:
		if (sim.h.blength0 == HB_DEVICE) {
			in[0] = 0;
			rec("HOSTILE blength0=device: device descriptor with bLength 0");
		}
		if (sim.h.devdesc_len >= 0) {
			*inlen = (uint32_t)sim.h.devdesc_len;
			rec("HOSTILE devdesc-len=%ld: %ld of the 18 bytes", sim.h.devdesc_len,
			    sim.h.devdesc_len);
		}
		return;
	case 2:
		if (sim.h.wtotal >= 0) {
			in[2] = (uint8_t)sim.h.wtotal;
			in[3] = (uint8_t)(sim.h.wtotal >> 8);
			rec("HOSTILE wtotal=%ld: configuration %u says wTotalLength %ld, has %u bytes",
			    sim.h.wtotal, idx, sim.h.wtotal, n);
		}
		if (sim.h.blength0 != HB_CONFIG)
			return;
		for (o = in[0]; o + 1 < n && in[o]; o += in[o])
			if (in[o + 1] == 5) {
				in[o] = 0;
				rec("HOSTILE blength0=config: the ENDPOINT descriptor at offset %u of "
				    "configuration %u has bLength 0", o, idx);
				break;
			}
		return;
	case 3:
		if (!idx)
			return;
		if (sim.h.string_odd && n < 255) {
			in[n] = 0x21; /* a torn code unit */
			in[0] = (uint8_t)(n + 1);
			*inlen = n + 1;
			rec("HOSTILE string-odd: string %u has bLength %u", idx, n + 1);
		}
		if (sim.h.blength0 == HB_STRING) {
			in[0] = 0;
			rec("HOSTILE blength0=string: string %u has bLength 0", idx);
		}
		return;
	}
}

static bool hnum(const char *v, long long lo, long long hi, long long *out)
{
	char *e;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtoll(v, &e, 0);
	return !errno && !*e && *out >= lo && *out <= hi;
}

bool hostile_unlink(const struct usbip_header *h)
{
	struct usbip_header r = { .command = USBIP_RET_UNLINK, .seqnum = h->seqnum };
	uint32_t target = h->u.cmd_unlink.seqnum;
	struct sim_cfg *cf = cur_cfg();
	struct sim_urb *u = NULL, *v;
	struct sim_ep *e = NULL;
	uint8_t hb[USBIP_HDR_LEN];
	unsigned i, k, pending = 0, zombies = 0, lost = 0;

	if (!sim.h.unlink_pipe)
		return false;
	for (i = 0; cf && i < cf->n_intf && !u; i++)
		for (k = 0; k < cf->intf[i].n_ep && !u; k++)
			for (v = cf->intf[i].ep[k].uq; v && !u; v = v->next)
				if (v->seqnum == target)
					e = &cf->intf[i].ep[k], u = v;
	if (!u)
		return false;
	r.u.ret_unlink.status = u->zombie ? 0 : -ECONNRESET;
	usbip_header_encode(&r, hb);
	conn_send(sim.imp, hb, sizeof(hb), NULL, 0);
	if (u->zombie) {
		rec("UNLINK seq=%u target=%u -> 0 (unlink=pipe: unlinked before)", h->seqnum, target);
		return true;
	}
	u->zombie = true;
	rec("UNLINK seq=%u target=%u -> -ECONNRESET %s ep=%u urb_len=%u got=%u unlink=pipe: it goes "
	    "on at the server", h->seqnum, target, u->in ? "IN" : "OUT", u->ep, u->len, u->actual);
	for (v = e->uq; v; v = v->next)
		pending++, zombies += v->zombie;
	if (zombies < pending) {
		rec("HOSTILE unlink=pipe ep=0x%02x: %u of %u pending URBs unlinked: no abort yet",
		    e->addr, zombies, pending);
		return true;
	}
	while ((v = e->uq)) {
		e->uq = v->next;
		lost += v->actual;
		urb_free(v);
	}
	e->uq_tail = NULL;
	rec("HOSTILE unlink=pipe ep=0x%02x: every pending URB unlinked: USB_ABORT_ENDPOINT, %u URBs "
	    "ended, %u bytes in them lost", e->addr, pending, lost);
	return true;
}

/* --hostile KEY[=VALUE][@WHEN] (tests/sim/README.md, "Hostile modes") */
int hostile_parse(const char *spec)
{
	static const char *const acts[] = { "", "trunc-hdr", "trunc-data", "command", "seqnum",
					    "actual", "flood", "flood-unlink", "silent" };
	char key[64], *val, *when;
	long long n;
	unsigned i;

	if (strlen(spec) >= sizeof(key))
		goto bad;
	snprintf(key, sizeof(key), "%s", spec);
	when = strchr(key, '@');
	if (when)
		*when++ = 0;
	val = strchr(key, '=');
	if (val)
		*val++ = 0;
	for (i = 1; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(key, acts[i]))
			break;
	if (i < sizeof(acts) / sizeof(acts[0])) {
		if (sim.h.act) {
			fprintf(stderr, "usbip-sim: --hostile %s: only one URB-stream action at a time\n",
				spec);
			return -1;
		}
		sim.h.act = (enum h_act)i;
		sim.h.spec = strdup(spec);
		switch (sim.h.act) {
		case HA_TRUNC_HDR:
			sim.h.arg = 20;
			if (val && !hnum(val, 0, USBIP_HDR_LEN - 1, &sim.h.arg))
				goto bad;
			break;
		case HA_COMMAND:
			if (!hnum(val, 0, 0xffffffffll, &sim.h.arg))
				goto bad;
			break;
		case HA_SEQNUM:
			sim.h.arg = 0x1000;
			if (val && !hnum(val, 1, 0xffffffffll, &sim.h.arg))
				goto bad;
			break;
		case HA_ACTUAL:
			if (!val)
				goto bad;
			sim.h.arg_rel = *val == '+';
			if (!hnum(val, -0x80000000ll, 0x7fffffffll, &sim.h.arg))
				goto bad;
			break;
		case HA_FLOOD:
			if (val && !hnum(val, 0, 255, &sim.h.arg))
				goto bad;
			break;
		default:
			if (val)
				goto bad;
			break;
		}
		sim.h.when = HW_CTRL;
		sim.h.when_n = 1;
		if (!when)
			return 0;
		if (!strcmp(when, "import") && sim.h.act >= HA_FLOOD)
			sim.h.when = HW_IMPORT;
		else if (!strcmp(when, "vendor"))
			sim.h.when = HW_VENDOR;
		else if (!strcmp(when, "in"))
			sim.h.when = HW_IN;
		else if (!strncmp(when, "ctrl:", 5) && hnum(when + 5, 1, 1000000, &n))
			sim.h.when_n = (unsigned)n;
		else
			goto bad;
		return 0;
	}
	if (when)
		goto bad;
	if (!strcmp(key, "version") && hnum(val, 0, 0xffff, &n))
		sim.h.version = (long)n;
	else if (!strcmp(key, "import-busid") && val && *val && strlen(val) < USBIP_BUSID_SIZE)
		sim.h.import_busid = strdup(val);
	else if (!strcmp(key, "import-trunc") && hnum(val, 0, USBIP_OP_COMMON_LEN +
						       USBIP_USB_DEVICE_LEN - 1, &n))
		sim.h.import_trunc = (long)n;
	else if (!strcmp(key, "devlist-ndev") && hnum(val, 0, 0xffffffffll, &n))
		sim.h.devlist_ndev = n;
	else if (!strcmp(key, "devlist-trunc") && hnum(val, 0, 100000, &n))
		sim.h.devlist_trunc = (long)n;
	else if (!strcmp(key, "wtotal") && hnum(val, 0, 0xffff, &n))
		sim.h.wtotal = (long)n;
	else if (!strcmp(key, "devdesc-len") && hnum(val, 0, 18, &n))
		sim.h.devdesc_len = (long)n;
	else if (!strcmp(key, "accept-close") && !val)
		sim.h.accept_close = true;
	else if (!strcmp(key, "unlink") && val && !strcmp(val, "pipe"))
		sim.h.unlink_pipe = true;
	else if (!strcmp(key, "trickle") && hnum(val, 1, 1 << 30, &n))
		sim.h.trickle = (long)n;
	else if (!strcmp(key, "string-odd") && !val)
		sim.h.string_odd = true;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "device"))
		sim.h.blength0 = HB_DEVICE;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "config"))
		sim.h.blength0 = HB_CONFIG;
	else if (!strcmp(key, "blength0") && val && !strcmp(val, "string"))
		sim.h.blength0 = HB_STRING;
	else
		goto bad;
	return 0;
bad:
	fprintf(stderr, "usbip-sim: --hostile %s: not a hostile mode (see tests/sim/README.md)\n",
		spec);
	return -1;
}

long long hostile_trickle_budget(struct conn *c)
{
	int64_t now = now_ms();
	long long add;

	if (!sim.h.trickle || !c->imported)
		return -1;
	/* refill at sim.h.trickle bytes/s, at most one second's worth banked */
	add = (now - c->tk_last) * sim.h.trickle / 1000;
	if (add > 0) {
		c->tk_tokens += add;
		c->tk_last = now;
	}
	if (c->tk_tokens > sim.h.trickle)
		c->tk_tokens = sim.h.trickle;
	return c->tk_tokens > 0 ? c->tk_tokens : 0;
}

void hostile_trickle_start(struct conn *c)
{
	int small = 4096;

	if (!sim.h.trickle)
		return;
	c->tk_t0 = c->tk_last = now_ms();
	c->tk_tokens = 0;
	c->tk_read = 0;
	/* the kernel's receive buffer as small as it goes: the client's bytes wait in
	 * the client, not in this socket */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	rec("HOSTILE trickle=%ld: from OP_REP_IMPORT on, %s is read at %ld bytes/s",
	    sim.h.trickle, c->peer, sim.h.trickle);
}

void hostile_trickle_took(struct conn *c, size_t n)
{
	c->tk_tokens -= (long long)n;
	c->tk_read += n;
}

void hostile_trickle_end(struct conn *c, const char *why)
{
	if (sim.h.trickle && c->imported)
		rec("HOSTILE trickle=%ld: %llu bytes read in %lld ms (%s)", sim.h.trickle, c->tk_read,
		    (long long)(now_ms() - c->tk_t0), why ? why : "closed");
}

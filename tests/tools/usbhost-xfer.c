// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usbhost-xfer - exact transfers from the host side (usbdevfs) for the lab tests.
 *
 *   usbhost-xfer [-d VID:PID] [--any] [-w SECS] [-t MS] OP...
 *
 * Finds the device by VID:PID (by default only behind dummy_hcd: the gadget as its
 * host sees it), opens /dev/bus/usb/BBB/DDD, claims every interface of the active
 * configuration and runs the OPs in order. Each OP is one word, "name,key=value,...";
 * each prints one line "RES name key=value ..." (status=0 or an errno name such as
 * EPIPE for a stall, ETIMEDOUT, EOVERFLOW). Endpoints are given as an address
 * (0x81) or as #N, the N-th endpoint descriptor (from 1) of the active configuration.
 *
 *   out,ep=E,len=N[,zlp][,seed=S][,hex]     bulk/interrupt OUT of N pattern bytes
 *                                           (zlp: USBDEVFS_URB_ZERO_PACKET)
 *   in,ep=E,len=N[,expect=S][,hex]          one IN URB of N bytes (match=1: the bytes
 *                                           received are pattern S)
 *   ctrl,type=T,req=R[,value=V][,index=I][,len=N][,seed=S][,expect=S][,hex]
 *                                           a control transfer; OUT data is pattern S;
 *                                           index may be #N (that endpoint's address)
 *   setconfig,value=V                       USBDEVFS_SETCONFIGURATION (interfaces are
 *                                           released first and claimed again after)
 *   setintf,intf=I,alt=A                    USBDEVFS_SETINTERFACE (SET_INTERFACE, and the
 *                                           host's endpoints of that alternate setting)
 *   getconfig                               GET_CONFIGURATION
 *   clearhalt,ep=E                          USBDEVFS_CLEAR_HALT (CLEAR_FEATURE(HALT))
 *   status,recip=device|interface|endpoint[,index=I]   GET_STATUS
 *   eps                                     the active configuration's endpoints
 *   sleep,ms=N
 *   sync,file=F,ep=N,bytes=B,packets=P      wait until usbip-sim's record F shows at
 *                                           least B bytes in P packets on OUT endpoint
 *                                           number N, counted from the file's start;
 *                                           prints the record's line count then
 * Common keys: timeout=MS (default -t, 3000).
 * The data pattern is tests/sim/pattern.h, the same as usbip-sim's.
 * Exit status: 0 when every OP ran (whatever its status), 1 when the device cannot
 * be found or opened, 2 for a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/pattern.h"

#define MAX_EP 32
#define MAX_INTF 32

struct ep {
	unsigned addr, type, mps, intf;
};

static struct {
	unsigned vid, pid;
	bool any;
	char sysname[64];
	int fd;
	unsigned cfg_value;
	unsigned n_ep, n_intf;
	struct ep ep[MAX_EP];
	unsigned intf[MAX_INTF];
	bool claimed[MAX_INTF];
	int timeout;
} H = { .fd = -1, .timeout = 3000 };

static const char *ename(int e)
{
	static char b[16];

	switch (e) {
	case 0: return "0";
	case EPIPE: return "EPIPE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOVERFLOW: return "EOVERFLOW";
	case EPROTO: return "EPROTO";
	case EILSEQ: return "EILSEQ";
	case ENOENT: return "ENOENT";
	case ECONNRESET: return "ECONNRESET";
	case ESHUTDOWN: return "ESHUTDOWN";
	case ENODEV: return "ENODEV";
	case EREMOTEIO: return "EREMOTEIO";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EAGAIN: return "EAGAIN";
	default:
		snprintf(b, sizeof(b), "E%d", e);
		return b;
	}
}

static int sysread(const char *dev, const char *attr, char *buf, size_t n)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "/sys/bus/usb/devices/%s/%s", dev, attr);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static bool find_dev(void)
{
	DIR *d = opendir("/sys/bus/usb/devices");
	struct dirent *e;
	char b[64], p[PATH_MAX], real[PATH_MAX];
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strchr(e->d_name, ':') || !strncmp(e->d_name, "usb", 3))
			continue;
		if (sysread(e->d_name, "idVendor", b, sizeof(b)) || strtoul(b, NULL, 16) != H.vid)
			continue;
		if (sysread(e->d_name, "idProduct", b, sizeof(b)) || strtoul(b, NULL, 16) != H.pid)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/usb/devices/%s", e->d_name);
		if (!H.any && (!realpath(p, real) || !strstr(real, "/dummy_hcd")))
			continue;
		snprintf(H.sysname, sizeof(H.sysname), "%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/* The active configuration's interfaces and endpoints, from usbdevfs's descriptors. */
static int load_desc(void)
{
	uint8_t buf[65536];
	char b[32];
	ssize_t n;
	size_t off, end;
	unsigned cur_intf = 0;

	if (sysread(H.sysname, "bConfigurationValue", b, sizeof(b)))
		return -1;
	H.cfg_value = (unsigned)atoi(b);
	H.n_ep = H.n_intf = 0;
	if (lseek(H.fd, 0, SEEK_SET) < 0)
		return -1;
	n = read(H.fd, buf, sizeof(buf));
	if (n < 18)
		return -1;
	off = buf[0];
	while (off + 9 <= (size_t)n) {
		if (buf[off + 1] != 2 || buf[off] < 9)
			return -1;
		end = off + (size_t)(buf[off + 2] | buf[off + 3] << 8);
		if (end > (size_t)n)
			end = (size_t)n;
		if (buf[off + 5] != H.cfg_value) {
			off = end;
			continue;
		}
		for (off += buf[off]; off + 2 <= end && buf[off] >= 2; off += buf[off]) {
			if (buf[off + 1] == 4 && buf[off] >= 9) {
				cur_intf = buf[off + 2];
				if (buf[off + 3] == 0 && H.n_intf < MAX_INTF)
					H.intf[H.n_intf++] = cur_intf;
			} else if (buf[off + 1] == 5 && buf[off] >= 7 && H.n_ep < MAX_EP) {
				H.ep[H.n_ep].addr = buf[off + 2];
				H.ep[H.n_ep].type = buf[off + 3] & 3;
				H.ep[H.n_ep].mps = (unsigned)(buf[off + 4] | buf[off + 5] << 8) & 0x7ff;
				H.ep[H.n_ep].intf = cur_intf;
				H.n_ep++;
			}
		}
		break;
	}
	return 0;
}

static void claim_all(void)
{
	unsigned i, k;

	for (i = 0; i < H.n_intf; i++) {
		k = H.intf[i];
		if (ioctl(H.fd, USBDEVFS_CLAIMINTERFACE, &k) < 0)
			printf("RES claim interface=%u status=%s\n", k, ename(errno));
		else
			H.claimed[i] = true;
	}
}

static void release_all(void)
{
	unsigned i, k;

	for (i = 0; i < H.n_intf; i++) {
		if (!H.claimed[i])
			continue;
		k = H.intf[i];
		ioctl(H.fd, USBDEVFS_RELEASEINTERFACE, &k);
		H.claimed[i] = false;
	}
}

static const struct ep *ep_ref(const char *s, unsigned *addr)
{
	unsigned i, a;

	if (s[0] == '#') {
		i = (unsigned)atoi(s + 1);
		if (i < 1 || i > H.n_ep)
			return NULL;
		*addr = H.ep[i - 1].addr;
		return &H.ep[i - 1];
	}
	a = (unsigned)strtoul(s, NULL, 0);
	*addr = a;
	for (i = 0; i < H.n_ep; i++)
		if (H.ep[i].addr == a)
			return &H.ep[i];
	return NULL;
}

static void print_hex(const uint8_t *p, size_t n)
{
	size_t i;

	printf(" data=");
	if (!n)
		putchar('-');
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static bool is_pattern(const uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != sim_pattern_byte(seed, i))
			return false;
	return true;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Submit @u and wait for it; returns 0 or a positive errno (ETIMEDOUT after discard). */
static int run_urb(struct usbdevfs_urb *u, int timeout)
{
	struct usbdevfs_urb *done = NULL;
	struct pollfd pf = { .fd = H.fd, .events = POLLOUT };
	long deadline = now_ms() + timeout;
	int left;

	if (ioctl(H.fd, USBDEVFS_SUBMITURB, u) < 0)
		return errno;
	for (;;) {
		if (ioctl(H.fd, USBDEVFS_REAPURBNDELAY, &done) == 0)
			break;
		if (errno != EAGAIN)
			return errno;
		left = (int)(deadline - now_ms());
		if (left <= 0) {
			ioctl(H.fd, USBDEVFS_DISCARDURB, u);
			if (ioctl(H.fd, USBDEVFS_REAPURB, &done) < 0)
				return errno;
			return ETIMEDOUT;
		}
		poll(&pf, 1, left);
	}
	return u->status < 0 ? -u->status : 0;
}

struct kv {
	const char *name;
	char *val; /* NULL if absent; "" for a bare flag */
};

static const char *get(struct kv *kv, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].name, name))
			return kv[i].val;
	return NULL;
}

static long num(struct kv *kv, unsigned n, const char *name, long def)
{
	const char *v = get(kv, n, name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static int op_data(const char *name, struct kv *kv, unsigned nkv, int timeout)
{
	bool in = !strcmp(name, "in");
	const char *eps = get(kv, nkv, "ep"), *exp = get(kv, nkv, "expect");
	long len = num(kv, nkv, "len", -1);
	bool zlp = get(kv, nkv, "zlp") != NULL, hx = get(kv, nkv, "hex") != NULL;
	struct usbdevfs_urb u;
	const struct ep *e;
	unsigned addr;
	uint8_t *buf;
	int st;

	if (!eps || len < 0 || len > (1 << 20)) {
		fprintf(stderr, "usbhost-xfer: %s needs ep= and len=0..1048576\n", name);
		return 2;
	}
	e = ep_ref(eps, &addr);
	if (!e || !!(addr & 0x80) != in) {
		printf("RES %s ep=%s len=%ld status=ENOENT actual=0 why=no_such_%s_endpoint\n", name,
		       eps, len, in ? "IN" : "OUT");
		return 0;
	}
	buf = calloc(1, (size_t)len + 1);
	if (!buf)
		return 2;
	if (!in)
		sim_pattern_fill(buf, (size_t)len, (uint32_t)num(kv, nkv, "seed", 0));
	memset(&u, 0, sizeof(u));
	u.type = e->type == 3 ? USBDEVFS_URB_TYPE_INTERRUPT : USBDEVFS_URB_TYPE_BULK;
	u.endpoint = (unsigned char)addr;
	u.buffer = buf;
	u.buffer_length = (int)len;
	if (!in && zlp)
		u.flags = USBDEVFS_URB_ZERO_PACKET;
	st = run_urb(&u, timeout);
	if (in)
		printf("RES in ep=0x%02x len=%ld status=%s actual=%d", addr, len, ename(st),
		       u.actual_length);
	else
		printf("RES out ep=0x%02x len=%ld zlp=%d status=%s actual=%d", addr, len, zlp,
		       ename(st), u.actual_length);
	if (in && exp)
		printf(" match=%d", is_pattern(buf, (size_t)u.actual_length,
					       (uint32_t)strtoul(exp, NULL, 0)));
	if (hx)
		print_hex(buf, in ? (size_t)u.actual_length : (size_t)len);
	putchar('\n');
	free(buf);
	return 0;
}

static int op_ctrl(struct kv *kv, unsigned nkv, int timeout, const char *name)
{
	long type = num(kv, nkv, "type", -1), req = num(kv, nkv, "req", -1);
	long value = num(kv, nkv, "value", 0), len = num(kv, nkv, "len", 0);
	const char *idx = get(kv, nkv, "index"), *exp = get(kv, nkv, "expect");
	bool hx = get(kv, nkv, "hex") != NULL, in;
	unsigned index = 0;
	struct usbdevfs_urb u;
	uint8_t *buf;
	int st;

	if (type < 0 || type > 255 || req < 0 || req > 255 || len < 0 || len > 65535) {
		fprintf(stderr, "usbhost-xfer: ctrl needs type=, req= and len=0..65535\n");
		return 2;
	}
	if (idx && idx[0] == '#') {
		if (!ep_ref(idx, &index)) {
			printf("RES %s type=0x%02lx req=0x%02lx index=%s status=ENOENT actual=0 "
			       "why=no_such_endpoint\n", name, type, req, idx);
			return 0;
		}
	} else if (idx) {
		index = (unsigned)strtoul(idx, NULL, 0);
	}
	in = type & 0x80;
	buf = calloc(1, 8 + (size_t)len);
	if (!buf)
		return 2;
	buf[0] = (uint8_t)type;
	buf[1] = (uint8_t)req;
	buf[2] = (uint8_t)value;
	buf[3] = (uint8_t)(value >> 8);
	buf[4] = (uint8_t)index;
	buf[5] = (uint8_t)(index >> 8);
	buf[6] = (uint8_t)len;
	buf[7] = (uint8_t)(len >> 8);
	if (!in)
		sim_pattern_fill(buf + 8, (size_t)len, (uint32_t)num(kv, nkv, "seed", 0));
	memset(&u, 0, sizeof(u));
	u.type = USBDEVFS_URB_TYPE_CONTROL;
	u.endpoint = 0;
	u.buffer = buf;
	u.buffer_length = 8 + (int)len;
	st = run_urb(&u, timeout);
	if (!strcmp(name, "getconfig")) {
		printf("RES getconfig status=%s value=%d\n", ename(st),
		       u.actual_length >= 1 ? buf[8] : -1);
	} else if (!strcmp(name, "status")) {
		printf("RES status recip=%s index=0x%04x status=%s actual=%d value=%d\n",
		       get(kv, nkv, "recip"), index, ename(st), u.actual_length,
		       u.actual_length >= 2 ? buf[8] | buf[9] << 8 : -1);
	} else {
		printf("RES ctrl type=0x%02lx req=0x%02lx value=0x%04lx index=0x%04x len=%ld status=%s "
		       "actual=%d", type, req, value, index, len, ename(st), u.actual_length);
		if (in && exp)
			printf(" match=%d", is_pattern(buf + 8, (size_t)u.actual_length,
						       (uint32_t)strtoul(exp, NULL, 0)));
		if (hx)
			print_hex(buf + 8, in ? (size_t)u.actual_length : (size_t)len);
		putchar('\n');
	}
	free(buf);
	return 0;
}

/* ---- following usbip-sim's record (sync) ---- */

static struct {
	char path[PATH_MAX];
	FILE *f;
	char *line;
	size_t len, cap;
	unsigned long lines;
	unsigned long long bytes[16];
	unsigned long packets[16];
} R;

static void rec_line(const char *l)
{
	const char *p;
	unsigned ep;

	R.lines++;
	if (strncmp(l, "OUT ep=", 7))
		return;
	ep = (unsigned)atoi(l + 7) & 15;
	p = strstr(l, " -> ");
	if (p)
		R.bytes[ep] += strtoull(p + 4, NULL, 10);
	p = strstr(l, " packets=");
	if (p && p[9] != '-') {
		R.packets[ep]++;
		for (p += 9; *p && *p != ' '; p++)
			R.packets[ep] += *p == ',';
	}
}

/* Read what the record has gained since the last call. */
static int rec_poll(const char *path)
{
	int c;

	if (!R.f || strcmp(path, R.path)) {
		if (R.f)
			fclose(R.f);
		memset(&R, 0, sizeof(R));
		snprintf(R.path, sizeof(R.path), "%s", path);
		R.f = fopen(path, "r");
		if (!R.f)
			return -errno;
	}
	clearerr(R.f);
	while ((c = getc(R.f)) != EOF) {
		if (R.len + 1 >= R.cap) {
			R.cap = R.cap ? 2 * R.cap : 4096;
			R.line = realloc(R.line, R.cap);
			if (!R.line)
				abort();
		}
		if (c == '\n') {
			R.line[R.len] = 0;
			rec_line(R.line);
			R.len = 0;
		} else {
			R.line[R.len++] = (char)c;
		}
	}
	return 0;
}

static int op_sync(struct kv *kv, unsigned nkv, int timeout)
{
	const char *file = get(kv, nkv, "file");
	unsigned ep = (unsigned)num(kv, nkv, "ep", 0) & 15;
	unsigned long long bytes = (unsigned long long)num(kv, nkv, "bytes", 0);
	unsigned long packets = (unsigned long)num(kv, nkv, "packets", 0);
	long deadline = now_ms() + timeout;
	int st = 0;

	if (!file) {
		fprintf(stderr, "usbhost-xfer: sync needs file=\n");
		return 2;
	}
	for (;;) {
		st = rec_poll(file);
		if (st)
			break;
		if (R.bytes[ep] >= bytes && R.packets[ep] >= packets)
			break;
		if (now_ms() >= deadline) {
			st = -ETIMEDOUT;
			break;
		}
		usleep(2000);
	}
	printf("RES sync ep=%u status=%s bytes=%llu packets=%lu line=%lu\n", ep, ename(-st),
	       R.bytes[ep], R.packets[ep], R.lines);
	return 0;
}

static const char *type_name(unsigned t)
{
	return t == 2 ? "bulk" : t == 3 ? "interrupt" : t == 1 ? "iso" : "control";
}

static int op(char *word)
{
	struct kv kv[16];
	unsigned nkv = 0, i;
	char *save = NULL, *t, *name;
	int timeout;

	name = strtok_r(word, ",", &save);
	if (!name)
		return 2;
	while ((t = strtok_r(NULL, ",", &save)) && nkv < 16) {
		char *eq = strchr(t, '=');

		kv[nkv].name = t;
		kv[nkv].val = eq ? eq + 1 : t + strlen(t);
		if (eq)
			*eq = 0;
		nkv++;
	}
	timeout = (int)num(kv, nkv, "timeout", H.timeout);
	if (!strcmp(name, "out") || !strcmp(name, "in"))
		return op_data(name, kv, nkv, timeout);
	if (!strcmp(name, "ctrl"))
		return op_ctrl(kv, nkv, timeout, name);
	if (!strcmp(name, "getconfig")) {
		struct kv k2[] = { { "type", "0x80" }, { "req", "8" }, { "len", "1" } };

		return op_ctrl(k2, 3, timeout, name);
	}
	if (!strcmp(name, "status")) {
		const char *r = get(kv, nkv, "recip");
		const char *ix = get(kv, nkv, "index");
		struct kv k2[] = { { "type", "0x80" }, { "req", "0" }, { "len", "2" },
				   { "index", (char *)(ix ? ix : "0") }, { "recip", (char *)r } };

		if (!r || (strcmp(r, "device") && strcmp(r, "interface") && strcmp(r, "endpoint"))) {
			fprintf(stderr, "usbhost-xfer: status needs recip=device|interface|endpoint\n");
			return 2;
		}
		k2[0].val = !strcmp(r, "device") ? "0x80" : !strcmp(r, "interface") ? "0x81" : "0x82";
		return op_ctrl(k2, 5, timeout, name);
	}
	if (!strcmp(name, "setconfig")) {
		int v = (int)num(kv, nkv, "value", -1), st = 0;

		release_all();
		if (ioctl(H.fd, USBDEVFS_SETCONFIGURATION, &v) < 0)
			st = errno;
		if (load_desc())
			st = st ? st : EIO;
		claim_all();
		printf("RES setconfig value=%d status=%s active=%u\n", v, ename(st), H.cfg_value);
		return 0;
	}
	if (!strcmp(name, "setintf")) {
		struct usbdevfs_setinterface si = {
			.interface = (unsigned)num(kv, nkv, "intf", 0),
			.altsetting = (unsigned)num(kv, nkv, "alt", 0),
		};
		int st = ioctl(H.fd, USBDEVFS_SETINTERFACE, &si) < 0 ? errno : 0;

		printf("RES setintf intf=%u alt=%u status=%s\n", si.interface, si.altsetting,
		       ename(st));
		return 0;
	}
	if (!strcmp(name, "clearhalt")) {
		const char *eps = get(kv, nkv, "ep");
		unsigned addr;
		int st = 0;

		if (!eps || !ep_ref(eps, &addr)) {
			printf("RES clearhalt ep=%s status=ENOENT\n", eps ? eps : "?");
			return 0;
		}
		if (ioctl(H.fd, USBDEVFS_CLEAR_HALT, &addr) < 0)
			st = errno;
		printf("RES clearhalt ep=0x%02x status=%s\n", addr, ename(st));
		return 0;
	}
	if (!strcmp(name, "eps")) {
		printf("RES eps cfg=%u interfaces=", H.cfg_value);
		for (i = 0; i < H.n_intf; i++)
			printf("%s%u", i ? "," : "", H.intf[i]);
		printf(" endpoints=");
		for (i = 0; i < H.n_ep; i++)
			printf("%s#%u:if%u:0x%02x:%s:%u", i ? "," : "", i + 1, H.ep[i].intf,
			       H.ep[i].addr, type_name(H.ep[i].type), H.ep[i].mps);
		printf(" speed=");
		{
			char b[32];

			printf("%s", sysread(H.sysname, "speed", b, sizeof(b)) ? "?" : b);
		}
		putchar('\n');
		return 0;
	}
	if (!strcmp(name, "sync"))
		return op_sync(kv, nkv, timeout);
	if (!strcmp(name, "sleep")) {
		usleep((useconds_t)num(kv, nkv, "ms", 0) * 1000);
		return 0;
	}
	fprintf(stderr, "usbhost-xfer: unknown op '%s'\n", name);
	return 2;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: usbhost-xfer [-d VID:PID] [--any] [-w SECS] [-t MS] OP...\n"
		   "  ops: out,ep=E,len=N[,zlp][,seed=S]  in,ep=E,len=N[,expect=S]\n"
		   "       ctrl,type=T,req=R[,value=V][,index=I][,len=N][,seed=S][,expect=S]\n"
		   "       setconfig,value=V  setintf,intf=I,alt=A  getconfig  clearhalt,ep=E\n"
		   "       status,recip=device|interface|endpoint[,index=I]  eps  sleep,ms=N\n"
		   "       sync,file=F,ep=N,bytes=B,packets=P\n"
		   "  (add hex to print data; timeout=MS per op; E: 0x81 or #N)\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' }, { "any", no_argument, NULL, 'a' },
		{ "wait", required_argument, NULL, 'w' },   { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	const char *id = NULL;
	char b[32], node[64];
	long deadline;
	int o, wait_s = 0, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "+d:aw:t:h", lo, NULL)) != -1) {
		switch (o) {
		case 'd': id = optarg; break;
		case 'a': H.any = true; break;
		case 'w': wait_s = atoi(optarg); break;
		case 't': H.timeout = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!id || sscanf(id, "%x:%x", &H.vid, &H.pid) != 2) {
		usage(stderr);
		return 2;
	}
	deadline = now_ms() + wait_s * 1000L;
	while (!find_dev()) {
		if (now_ms() >= deadline) {
			printf("RES error msg=no_device_%04x:%04x%s\n", H.vid, H.pid,
			       H.any ? "" : "_behind_dummy_hcd");
			return 1;
		}
		usleep(100000);
	}
	if (sysread(H.sysname, "busnum", b, sizeof(b)))
		return 1;
	snprintf(node, sizeof(node), "/dev/bus/usb/%03d/", atoi(b));
	if (sysread(H.sysname, "devnum", b, sizeof(b)))
		return 1;
	snprintf(node + strlen(node), sizeof(node) - strlen(node), "%03d", atoi(b));
	H.fd = open(node, O_RDWR | O_CLOEXEC);
	if (H.fd < 0) {
		printf("RES error msg=open_%s:_%s\n", node, strerror(errno));
		return 1;
	}
	if (load_desc()) {
		printf("RES error msg=cannot_read_the_descriptors_of_%s\n", node);
		return 1;
	}
	claim_all();
	for (; optind < argc; optind++) {
		r = op(argv[optind]);
		if (r)
			return r;
	}
	release_all();
	close(H.fd);
	return 0;
}

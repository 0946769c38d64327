// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dev-ccid - talk CCID (USB smart-card reader class, CCID 1.1) to a reader
 * through usbfs (lab helper).
 *
 *   dev-ccid /dev/bus/usb/BBB/DDD OP...
 *
 * Finds the reader's CCID interface (class 0x0B) and its bulk-out, bulk-in and
 * interrupt-in endpoints in the descriptors usbfs gives, claims the interface
 * and runs each OP in order, printing one line per exchange:
 *   status      PC_to_RDR_GetSlotStatus  -> RDR_to_PC_SlotStatus
 *   params      PC_to_RDR_GetParameters  -> RDR_to_PC_Parameters
 *   poweron     PC_to_RDR_IccPowerOn     -> RDR_to_PC_DataBlock (the ATR, if a card)
 *   poweroff    PC_to_RDR_IccPowerOff    -> RDR_to_PC_SlotStatus
 *   apdu:HEX    PC_to_RDR_XfrBlock       -> RDR_to_PC_DataBlock (the response APDU)
 *   notify:SECS waits on the interrupt-in endpoint for RDR_to_PC_NotifySlotChange
 *   desc        prints the CCID class descriptor (0x21) as hex
 * Exit 0 when every exchange got a well-formed answer (right message type, slot
 * and sequence number; a failed command status counts as an answer), 1 otherwise,
 * 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/usbdevice_fs.h>

static int fd;
static uint8_t ep_out, ep_in, ep_int, seq;
static uint8_t class_desc[64];
static unsigned class_desc_len;

static int find_ccid(const uint8_t *d, size_t n, int *intf)
{
	size_t i;
	int in_ccid = 0;

	*intf = -1;
	for (i = 0; i + 2 <= n && d[i] >= 2; i += d[i]) {
		uint8_t len = d[i], type = d[i + 1];

		if (i + len > n)
			break;
		if (type == 2 && *intf >= 0)
			break; /* the next configuration: only the first is looked at */
		if (type == 4 && len >= 9) {
			in_ccid = d[i + 5] == 0x0b;
			if (in_ccid && *intf < 0)
				*intf = d[i + 2];
			else if (*intf >= 0 && d[i + 2] != *intf)
				in_ccid = 0;
		} else if (type == 0x21 && in_ccid && len <= sizeof(class_desc)) {
			memcpy(class_desc, d + i, len);
			class_desc_len = len;
		} else if (type == 5 && len >= 7 && in_ccid) {
			uint8_t a = d[i + 2], t = d[i + 3] & 3;

			if (t == 2 && (a & 0x80))
				ep_in = a;
			else if (t == 2)
				ep_out = a;
			else if (t == 3 && (a & 0x80))
				ep_int = a;
		}
	}
	return *intf >= 0 && ep_in && ep_out ? 0 : -1;
}

static int bulk(uint8_t ep, void *buf, unsigned len, unsigned timeout_ms)
{
	struct usbdevfs_bulktransfer b = { .ep = ep, .len = len, .timeout = timeout_ms, .data = buf };

	return ioctl(fd, USBDEVFS_BULK, &b);
}

static const char *icc_str(uint8_t st)
{
	static const char *const s[4] = { "ICC present and active", "ICC present, inactive",
					  "no ICC present", "RFU" };
	return s[st & 3];
}

static const char *cmd_str(uint8_t st)
{
	static const char *const s[4] = { "ok", "failed", "time extension", "RFU" };
	return s[st >> 6 & 3];
}

static void hex(const char *label, const uint8_t *p, unsigned n)
{
	unsigned i;

	printf(" %s", label);
	for (i = 0; i < n; i++)
		printf(" %02x", p[i]);
}

/* one command/answer exchange; 0 when the answer is well formed */
static int xchg(const char *name, uint8_t type, const uint8_t *data, uint32_t dlen, uint8_t p1,
		uint8_t want)
{
	uint8_t msg[10 + 271], ans[10 + 1024];
	uint32_t alen;
	int r;

	seq++;
	memset(msg, 0, 10);
	msg[0] = type;
	msg[1] = dlen & 0xff;
	msg[2] = dlen >> 8 & 0xff;
	msg[5] = 0; /* bSlot */
	msg[6] = seq;
	msg[7] = p1;
	memcpy(msg + 10, data, dlen);
	r = bulk(ep_out, msg, 10 + dlen, 5000);
	if (r != (int)(10 + dlen)) {
		printf("%s: sending the %u-byte command failed: %s\n", name, 10 + dlen,
		       r < 0 ? strerror(errno) : "short write");
		return 1;
	}
	r = bulk(ep_in, ans, sizeof(ans), 5000);
	if (r < 0) {
		printf("%s: no answer: %s\n", name, strerror(errno));
		return 1;
	}
	if (r < 10) {
		printf("%s: a %d-byte answer, shorter than the 10-byte header\n", name, r);
		return 1;
	}
	alen = ans[1] | ans[2] << 8 | (uint32_t)ans[3] << 16 | (uint32_t)ans[4] << 24;
	printf("%s: answer 0x%02x seq %u slot %u, %s, command %s, error 0x%02x", name, ans[0], ans[6],
	       ans[5], icc_str(ans[7]), cmd_str(ans[7]), ans[8]);
	if (alen)
		hex(want == 0x80 ? "data" : "params", ans + 10, alen <= (uint32_t)r - 10 ? alen : (uint32_t)r - 10);
	if (ans[0] != want || ans[6] != seq || ans[5] != 0 || alen > (uint32_t)r - 10) {
		printf(" -- malformed: expected type 0x%02x seq %u slot 0 and %u data bytes (got %d)\n",
		       want, seq, alen, r - 10);
		return 1;
	}
	/* QEMU's usb-ccid sends RDR_to_PC_Parameters with dwLength 0 and the data after it */
	if (alen < (uint32_t)r - 10)
		hex("beyond dwLength:", ans + 10 + alen, (unsigned)r - 10 - alen);
	printf("\n");
	return 0;
}

static int notify(unsigned secs)
{
	uint8_t b[16];
	int r;

	if (!ep_int) {
		printf("notify: the reader has no interrupt-in endpoint\n");
		return 1;
	}
	r = bulk(ep_int, b, sizeof(b), secs * 1000);
	if (r < 0) {
		printf("notify: nothing on the interrupt endpoint 0x%02x in %u s: %s\n", ep_int, secs,
		       strerror(errno));
		return 1;
	}
	printf("notify: %d bytes on 0x%02x:", r, ep_int);
	hex("", b, (unsigned)r);
	if (r >= 2 && b[0] == 0x50) {
		printf(" (NotifySlotChange: slot 0 %s%s)\n", b[1] & 1 ? "card present" : "no card",
		       b[1] & 2 ? ", changed" : "");
		return 0;
	}
	printf(" -- not a RDR_to_PC_NotifySlotChange\n");
	return 1;
}

int main(int argc, char **argv)
{
	uint8_t d[4096];
	ssize_t n;
	int intf, i, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: dev-ccid /dev/bus/usb/BBB/DDD OP...\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "dev-ccid: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	n = read(fd, d, sizeof(d));
	if (n < 18 || find_ccid(d + 18, (size_t)n - 18, &intf) < 0) {
		fprintf(stderr, "dev-ccid: %s has no CCID interface with two bulk endpoints\n", argv[1]);
		return 2;
	}
	{
		struct usbdevfs_ioctl dis = { .ifno = intf, .ioctl_code = USBDEVFS_DISCONNECT };

		ioctl(fd, USBDEVFS_IOCTL, &dis); /* a kernel driver, if any, lets go */
	}
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &intf) < 0) {
		fprintf(stderr, "dev-ccid: claiming interface %d: %s\n", intf, strerror(errno));
		return 2;
	}
	printf("reader: interface %d, bulk-out 0x%02x, bulk-in 0x%02x, interrupt-in 0x%02x\n", intf,
	       ep_out, ep_in, ep_int);
	for (i = 2; i < argc; i++) {
		const char *op = argv[i];

		if (!strcmp(op, "status")) {
			rc |= xchg("GetSlotStatus", 0x65, NULL, 0, 0, 0x81);
		} else if (!strcmp(op, "params")) {
			rc |= xchg("GetParameters", 0x6c, NULL, 0, 0, 0x82);
		} else if (!strcmp(op, "poweron")) {
			rc |= xchg("IccPowerOn", 0x62, NULL, 0, 0 /* automatic voltage */, 0x80);
		} else if (!strcmp(op, "poweroff")) {
			rc |= xchg("IccPowerOff", 0x63, NULL, 0, 0, 0x81);
		} else if (!strncmp(op, "apdu:", 5)) {
			uint8_t apdu[261];
			unsigned k = 0;
			const char *p = op + 5;

			while (p[0] && p[1] && k < sizeof(apdu)) {
				unsigned v;

				if (sscanf(p, "%2x", &v) != 1)
					break;
				apdu[k++] = (uint8_t)v;
				p += 2;
			}
			rc |= xchg("XfrBlock", 0x6f, apdu, k, 0, 0x80);
		} else if (!strncmp(op, "notify:", 7)) {
			rc |= notify((unsigned)atoi(op + 7));
		} else if (!strcmp(op, "desc")) {
			printf("class descriptor:");
			hex("", class_desc, class_desc_len);
			printf("\n");
			if (!class_desc_len)
				rc = 1;
		} else {
			fprintf(stderr, "dev-ccid: unknown operation %s\n", op);
			return 2;
		}
	}
	ioctl(fd, USBDEVFS_RELEASEINTERFACE, &intf);
	close(fd);
	return rc;
}

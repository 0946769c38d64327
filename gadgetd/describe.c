// SPDX-License-Identifier: GPL-2.0-or-later
/* describe.c - see describe.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gadgetd/describe.h"
#include "gadgetd/log.h"
#include "gadgetd/text.h"
#include "gadgetd/usb_wire.h"

#define USB_REQ_GET_DESCRIPTOR 0x06
#define DT_DEVICE 0x01
#define DT_CONFIG 0x02
#define DT_STRING 0x03
#define DT_QUALIFIER 0x06
#define DT_OTHER_SPEED 0x07

static int get_descriptor(struct client *c, uint8_t type, uint8_t index, uint16_t langid,
			  uint8_t *buf, uint16_t len, char *err, size_t errlen)
{
	uint8_t setup[USB_SETUP_LEN];

	usb_setup_pack(setup, 0x80, USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), langid,
		       len);

	return client_control(c, setup, buf, err, errlen);
}

/* A whole configuration: 9 bytes for wTotalLength, then all of it. */
static int read_config(struct client *c, uint8_t type, uint8_t index,
		       struct usb_desc_config **out, char *err, size_t errlen)
{
	uint8_t hdr[9], *buf;
	struct usb_desc_err de;
	uint16_t total;
	int n;

	n = get_descriptor(c, type, index, 0, hdr, sizeof(hdr), err, errlen);
	if (n < 0)
		return n;
	if (n < 4) {
		snprintf(err, errlen, "configuration %u: reply of %d bytes to GET_DESCRIPTOR", index, n);
		return -EPROTO;
	}
	total = get_le16(hdr + 2);
	if (total < 9) {
		snprintf(err, errlen, "configuration %u: wTotalLength %u is less than 9", index, total);
		return -EPROTO;
	}
	buf = malloc(total);
	*out = calloc(1, sizeof(**out));
	if (!buf || !*out) {
		free(buf);
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	n = get_descriptor(c, type, index, 0, buf, total, err, errlen);
	if (n >= 0 && n != total) {
		snprintf(err, errlen,
			 "configuration %u: wTotalLength says %u bytes but the device sent %d", index,
			 total, n);
		n = -EPROTO;
	}
	if (n >= 0 && usb_desc_parse_config(buf, total, *out, &de)) {
		snprintf(err, errlen, "configuration %u: %s", index, de.msg);
		n = -EPROTO;
	}
	free(buf);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return n;
	}
	return 0;
}

/*
 * The strings the descriptors name, in every language of string 0, as Linux's
 * usbcore reads them (usb_cache_string()): string 0 only when some descriptor
 * names a string, so a device that names none is asked for no string at all
 * (drivers/usb/core/message.c usb_string(): "if (index <= 0) return -EINVAL";
 * some user-mode USB/IP servers do not survive GET_DESCRIPTOR(STRING 0)). A text
 * over USB_MAX_STRING_LEN bytes of UTF-8 is cut at a character boundary: the
 * gadget cannot carry more (ConfigFS refuses it, FunctionFS cuts it).
 */
static void read_strings(struct client *c, struct remote_desc *d)
{
	uint8_t used[USB_DESC_MAX_STRINGS / 8] = { 0 }, buf[255], any = 0;
	char text[USB_DESC_STRING_UTF8_MAX], e[160];
	struct usb_desc_err de;
	unsigned l, i, k;
	size_t cut;
	int n;

	for (k = 0; k < d->n_cfg; k++) {
		uint8_t u2[USB_DESC_MAX_STRINGS / 8];

		usb_desc_string_indices(&d->dev, d->cfg[k], u2);
		for (i = 0; i < sizeof(used); i++)
			used[i] |= u2[i];
	}
	for (i = 0; i < sizeof(used); i++)
		any |= used[i];
	if (!any) {
		log_debug("the descriptors name no string: none is asked for");
		return;
	}
	n = get_descriptor(c, DT_STRING, 0, 0, buf, sizeof(buf), e, sizeof(e));
	if (n <= 0)
		return; /* no strings: a device may have none */
	if (usb_desc_parse_langids(buf, (size_t)n, &d->str, &de)) {
		log_warnx("string descriptor 0 (the language list) is malformed: %s: the device's "
			  "strings are left out", de.msg);
		return;
	}
	for (l = 0; l < d->str.n_lang; l++) {
		for (i = 1; i < USB_DESC_MAX_STRINGS; i++) {
			if (!(used[i / 8] & (1u << (i % 8))))
				continue;
			n = get_descriptor(c, DT_STRING, (uint8_t)i, d->str.langid[l], buf,
					   sizeof(buf), e, sizeof(e));
			if (n < 0 && c->broken)
				return;
			if (n < 0) {
				log_info("string %u (language 0x%04x): %s: left out", i,
					 d->str.langid[l], e);
				continue;
			}
			if (usb_desc_parse_string(buf, (size_t)n, text, sizeof(text), &de) < 0) {
				log_warnx("string descriptor %u (language 0x%04x) is malformed: %s: "
					  "left out", i, d->str.langid[l], de.msg);
				continue;
			}
			cut = usb_desc_utf8_cut(text, USB_DESC_GADGET_STRING_MAX);
			if (text[cut]) {
				log_info("string %u (language 0x%04x) is %zu bytes of UTF-8, more than "
					 "a gadget carries (%d): cut to %zu", i, d->str.langid[l],
					 strlen(text), USB_DESC_GADGET_STRING_MAX, cut);
				text[cut] = '\0';
			}
			d->str.text[l][i] = strdup(text);
		}
	}
}

int describe_device(struct client *c, struct remote_desc *d, char *err, size_t errlen)
{
	uint8_t buf[18];
	struct usb_desc_err de;
	unsigned i;
	int n;

	memset(d, 0, sizeof(*d));
	d->speed = (int)c->udev.speed;
	n = get_descriptor(c, DT_DEVICE, 0, 0, buf, sizeof(buf), err, errlen);
	if (n < 0)
		return n;
	if (usb_desc_parse_device(buf, (size_t)n, &d->dev, &de)) {
		snprintf(err, errlen, "device descriptor: %s", de.msg);
		return -EPROTO;
	}
	if (d->dev.bNumConfigurations == 0) {
		snprintf(err, errlen, "the device has no configuration (bNumConfigurations 0)");
		return -EPROTO;
	}
	d->n_cfg = d->dev.bNumConfigurations;
	if (d->n_cfg > DESCRIBE_MAX_CONFIGS)
		d->n_cfg = DESCRIBE_MAX_CONFIGS;
	for (i = 0; i < d->n_cfg; i++) {
		n = read_config(c, DT_CONFIG, (uint8_t)i, &d->cfg[i], err, errlen);
		if (n < 0) {
			d->n_cfg = i;
			describe_free(d);
			return n;
		}
		if (d->cfg[i]->bConfigurationValue == c->udev.bConfigurationValue)
			d->active = i;
	}
	/* A high-speed device also says how it looks at full speed. */
	if (d->speed == USB_DESC_SPEED_HIGH) {
		char e2[160];

		n = get_descriptor(c, DT_QUALIFIER, 0, 0, buf, 10, e2, sizeof(e2));
		if (n == 10 &&
		    read_config(c, DT_OTHER_SPEED, (uint8_t)d->active, &d->other, e2, sizeof(e2)) &&
		    !c->broken)
			log_info("other-speed configuration: %s: full speed is derived instead", e2);
		if (c->broken) {
			snprintf(err, errlen, "%s", e2);
			describe_free(d);
			return -EPROTO;
		}
	}
	read_strings(c, d);
	if (c->broken) {
		snprintf(err, errlen, "the connection failed while the strings were read");
		describe_free(d);
		return -EPROTO;
	}
	return 0;
}

void describe_free(struct remote_desc *d)
{
	unsigned i;

	for (i = 0; i < d->n_cfg; i++)
		free(d->cfg[i]);
	free(d->other);
	usb_desc_strings_free(&d->str);
	memset(d, 0, sizeof(*d));
}

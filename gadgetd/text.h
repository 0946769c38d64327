/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text.h - text that comes from the server or the device (busid, path, string
 * descriptors) made safe for where it goes: a terminal or log line
 * (text_escape). Pure: no I/O, no allocation. (Strings cut to what a gadget
 * carries: usb_desc_utf8_cut(), functionfs/usb_desc.h.)
 */
#ifndef GADGETD_TEXT_H
#define GADGETD_TEXT_H

#include <stddef.h>

/**
 * text_escape() - @in (NUL-terminated) copied to @out (@outlen bytes, always
 * NUL-terminated when @outlen > 0) with what could steer a terminal or split a
 * log line written as "\xNN": C0 control bytes (0x00..0x1f), DEL (0x7f), the C1
 * controls U+0080..U+009F (in UTF-8, 0xc2 0x80..0x9f) and every byte that is not
 * part of a valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at
 * most U+10FFFF). Printable ASCII (a backslash too: usbipd-win's paths are
 * Windows instance IDs, USB\VID_1366&PID_0101\...) and valid UTF-8 characters
 * stay as they are. What does not fit
 * is cut at a character or escape boundary, never in the middle of one.
 * Return: @out.
 */
char *text_escape(char *out, size_t outlen, const char *in);

/* TEXT_ESC(s): text_escape() of @s (a busid, a path: at most 255 bytes) into a
 * buffer that lives until the end of the enclosing block, e.g. as a printf argument. */
#define TEXT_ESC_MAX (4 * 255 + 1)
#define TEXT_ESC(s) text_escape((char[TEXT_ESC_MAX]){ 0 }, TEXT_ESC_MAX, (s))

/**
 * text_utf8_len() - the bytes of the valid UTF-8 sequence at @s (1..4), or 0 if
 * @s does not start one (@n bytes are readable at @s). RFC 3629 section 4.
 */
size_t text_utf8_len(const unsigned char *s, size_t n);

#endif

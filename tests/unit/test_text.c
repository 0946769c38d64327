// SPDX-License-Identifier: GPL-2.0-or-later
/* test_text.c - text_escape(), text_utf8_len() (gadgetd/text.h), usb_desc_utf8_cut() (functionfs/usb_desc.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "functionfs/usb_desc.h"
#include "gadgetd/text.h"

static void esc(const char *in, const char *want)
{
	char out[256];

	assert_string_equal(text_escape(out, sizeof(out), in), want);
}

static void test_escape_controls(void **state)
{
	(void)state;
	esc("1-1", "1-1");
	esc("", "");
	/* a busid that would clear the screen and forge a log line */
	esc("1-1\x1b[2J\nfake: info: imported", "1-1\\x1b[2J\\x0afake: info: imported");
	esc("\t\r\x7f\x01", "\\x09\\x0d\\x7f\\x01");
	/* usbipd-win's paths keep their backslashes */
	esc("USB\\VID_1366&PID_0101\\000051007588", "USB\\VID_1366&PID_0101\\000051007588");
}

static void test_escape_utf8(void **state)
{
	(void)state;
	esc("Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x8c", "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x94\x8c");
	/* C1 controls: U+009B (CSI) and U+0085 (NEL) */
	esc("a\xc2\x9b" "1m", "a\\xc2\\x9b1m");
	esc("\xc2\x85", "\\xc2\\x85");
	esc("\xc2\xa0", "\xc2\xa0"); /* U+00A0 is printable */
	/* not UTF-8: a lone CSI byte, a lone continuation, overlong '/', a surrogate,
	 * past U+10FFFF, a sequence cut by the end */
	esc("\x9b" "31m", "\\x9b31m");
	esc("\x80", "\\x80");
	esc("\xc0\xaf", "\\xc0\\xaf");
	esc("\xed\xa0\x80", "\\xed\\xa0\\x80");
	esc("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	esc("x\xe2\x82", "x\\xe2\\x82");
}

static void test_escape_room(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'z', sizeof(out));
	/* "ab" + "\x1b" + NUL needs 7 bytes; with 6, "ab" and the NUL */
	assert_string_equal(text_escape(out, 5, "ab\x1b"), "ab");
	assert_string_equal(text_escape(out, 6, "ab\x1b"), "ab");
	assert_string_equal(text_escape(out, 7, "ab\x1b"), "ab\\x1b");
	/* a character is never split: the euro sign needs 3 bytes */
	assert_string_equal(text_escape(out, 4, "a\xe2\x82\xac"), "a");
	assert_string_equal(text_escape(out, 1, "abc"), "");
	out[0] = 'q';
	text_escape(out, 0, "abc");
	assert_int_equal(out[0], 'q');
	/* TEXT_ESC in an argument list */
	assert_string_equal(TEXT_ESC("\x1b"), "\\x1b");
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xc3\xbc", 2), 2);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xc3\xbc", 1), 0);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xf0\x9f\x94\x8c", 4), 4);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xf8\x88\x80\x80\x80", 5), 0);
	assert_int_equal(text_utf8_len((const unsigned char *)"\xe0\x80\x80", 3), 0); /* overlong */
	assert_int_equal(text_utf8_len((const unsigned char *)"", 0), 0);
}

static void test_utf8_cut(void **state)
{
	char s[260];

	(void)state;
	assert_int_equal(usb_desc_utf8_cut("short", USB_DESC_GADGET_STRING_MAX), 5);
	memset(s, 'a', 200);
	s[200] = '\0';
	assert_int_equal(usb_desc_utf8_cut(s, USB_DESC_GADGET_STRING_MAX), 126);
	s[126] = '\0';
	assert_int_equal(usb_desc_utf8_cut(s, USB_DESC_GADGET_STRING_MAX), 126); /* exactly 126: kept */
	/* 2-byte characters from byte 1: 'a' + 62 * "ü" = 125 bytes, then "ü" at 125..126 */
	s[0] = 'a';
	for (int i = 0; i < 100; i++)
		memcpy(s + 1 + 2 * i, "\xc3\xbc", 2);
	s[201] = '\0';
	assert_int_equal(usb_desc_utf8_cut(s, USB_DESC_GADGET_STRING_MAX), 125);
	/* a 4-byte character across the limit: all of it goes */
	memset(s, 'a', 124);
	memcpy(s + 124, "\xf0\x9f\x94\x8c!", 6);
	assert_int_equal(usb_desc_utf8_cut(s, USB_DESC_GADGET_STRING_MAX), 124);
	memset(s, 'a', 122);
	memcpy(s + 122, "\xf0\x9f\x94\x8c!", 6);
	assert_int_equal(usb_desc_utf8_cut(s, USB_DESC_GADGET_STRING_MAX), 126);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_room),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_utf8_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

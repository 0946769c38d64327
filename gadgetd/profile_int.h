/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile_int.h - integer literals libconfig would truncate.
 *
 * libconfig 1.5 keeps plain integers in an int and cuts bigger ones to 32 bits
 * without a word. This scanner finds such literals in profile text libconfig
 * has already accepted (so the token structure is valid): outside strings,
 * comments and names, '+', '-', '.' and digits only occur in numbers. Pure.
 */
#ifndef GADGETD_PROFILE_INT_H
#define GADGETD_PROFILE_INT_H

#include <stddef.h>

/**
 * profile_int_overflow() - the first integer literal of @text (NUL-terminated
 * libconfig source) that does not fit in 32 bits: a decimal outside
 * INT_MIN..INT_MAX or a hex value over INT_MAX, without the int64 'L' suffix.
 * Return: its line (1-based) with *@tok and *@len set to the literal, or 0.
 */
unsigned int profile_int_overflow(const char *text, const char **tok, size_t *len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pattern.h - the test data pattern shared by usbip-sim (tests/sim) and
 * usbhost-xfer (tests/tools): byte i of pattern SEED. Every byte depends on both
 * the seed and its offset (a hash, not a counter), so data that is shifted,
 * repeated, truncated or taken from another transfer does not compare equal.
 */
#ifndef GADGETD_SIM_PATTERN_H
#define GADGETD_SIM_PATTERN_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t sim_pattern_byte(uint32_t seed, size_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ ((uint32_t)i + 1) * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)x;
}

static inline void sim_pattern_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = sim_pattern_byte(seed, i);
}

#endif

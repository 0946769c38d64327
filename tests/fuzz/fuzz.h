/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what the fuzz harnesses share (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput(). It is linked either with
 * libFuzzer (clang, `make fuzz`) or with replay_main.c (any C compiler,
 * `make fuzz-replay`), so it uses nothing but C and libgadgetd.
 *
 * An invariant that does not hold is a finding: FUZZ_CHECK() prints what and
 * where, then abort()s, which both libFuzzer and the replay report as a crash.
 */
#ifndef GADGETD_FUZZ_H
#define GADGETD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant does not hold: %s\n", __FILE__, \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The same, with a printf-style explanation. */
#define FUZZ_CHECKF(cond, ...)                                                        \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant does not hold: %s: ", __FILE__, \
				__LINE__, #cond);                                     \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

/*
 * A check for a bug that is reported but not fixed yet: fatal like FUZZ_CHECKF()
 * unless the environment variable GADGETD_FUZZ_KNOWN (a comma-separated list)
 * names @id, so that a long run can look past it for other findings. The
 * harnesses' ids are listed in tests/fuzz/README.
 */
static inline int fuzz_known(const char *id)
{
	const char *k = getenv("GADGETD_FUZZ_KNOWN");
	size_t n = 0;

	while (id[n])
		n++;
	while (k && *k) {
		size_t m = 0;

		while (k[m] && k[m] != ',')
			m++;
		if (m == n) {
			size_t i = 0;

			while (i < n && k[i] == id[i])
				i++;
			if (i == n)
				return 1;
		}
		k += m + (k[m] == ',');
	}
	return 0;
}

/*
 * fuzz_quiet() - with @on, the log lines of the code under test (log.c writes
 * to stderr) go to /dev/null, unless GADGETD_FUZZ_LOG is set. Only the stdio
 * stream is swapped: the sanitizers and libFuzzer write to file descriptor 2
 * themselves, so their reports are not lost.
 */
static inline void fuzz_quiet(int on)
{
	static FILE *null_file, *real_stderr;
	static int ready;

	if (!ready) {
		ready = 1;
		if (getenv("GADGETD_FUZZ_LOG"))
			return;
		real_stderr = stderr;
		null_file = fopen("/dev/null", "we");
		if (!null_file)
			abort();
	}
	if (null_file)
		stderr = on ? null_file : real_stderr;
}

#define FUZZ_CHECK_KNOWN(id, cond, ...)                                               \
	do {                                                                          \
		if (!(cond) && !fuzz_known(id)) {                                     \
			fprintf(stderr, "%s:%d: invariant does not hold [%s]: %s: ",  \
				__FILE__, __LINE__, id, #cond);                       \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* A private, exactly sized heap copy: reading one byte past @n is an ASan report. */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	if (!q)
		abort();
	for (size_t i = 0; i < n; i++)
		q[i] = p[i];
	return q;
}

#endif

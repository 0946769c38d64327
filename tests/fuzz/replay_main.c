// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay_main.c - run a fuzz harness's LLVMFuzzerTestOneInput() once on each
 * input, without libFuzzer: the corpus as a regression test (`make fuzz-replay`,
 * built with gcc and ASan/UBSan).
 *
 *   replay_TARGET PATH...     PATH: a file, or a directory whose files are run
 *                             in name order (not recursive, dot files skipped)
 *
 * A finding names its input; -v names every input before it runs. Ends with a
 * one-line summary. Exit status: 0, 1 on an unreadable path, 2 when
 * no input was found at all (a mistyped corpus path must not pass).
 * A finding aborts the process, as under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* the sanitizers' runtime, when linked in: called before a report ends the process */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static int verbose;
static const char *current; /* the input being run, named when it is a finding */

static void name_current(void)
{
	if (current)
		fprintf(stderr, "replay: the input was %s\n", current);
}

static void on_abort(int sig)
{
	name_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static unsigned long n_inputs;
static unsigned long long n_bytes;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* an exactly sized copy, as libFuzzer passes it */
	{
		uint8_t *in = fuzz_dup(buf, len);

		free(buf);
		current = path;
		LLVMFuzzerTestOneInput(in, len);
		current = NULL;
		free(in);
	}
	n_inputs++;
	n_bytes += len;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			ret |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	signal(SIGABRT, on_abort); /* FUZZ_CHECK() */
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(name_current);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
			continue;
		}
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			ret = 1;
		} else if (S_ISDIR(st.st_mode)) {
			ret |= run_dir(argv[i]);
		} else {
			ret |= run_file(argv[i]);
		}
	}
	printf("%s: %lu inputs, %llu bytes, no finding\n", argv[0], n_inputs, n_bytes);
	if (!n_inputs) {
		fprintf(stderr, "replay: no input found\n");
		return 2;
	}
	return ret;
}

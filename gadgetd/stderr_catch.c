// SPDX-License-Identifier: GPL-2.0-or-later
/* stderr_catch.c - see stderr_catch.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gadgetd/stderr_catch.h"
#include "gadgetd/log.h"

void stderr_catch_begin(struct stderr_catch *c)
{
	c->saved = c->mfd = -1;
	fflush(stderr);
	c->mfd = memfd_create("gadgetd-stderr", MFD_CLOEXEC);
	if (c->mfd < 0)
		return;
	c->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->saved < 0 || dup2(c->mfd, STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		close(c->mfd);
		c->saved = c->mfd = -1;
	}
}

void stderr_catch_end(struct stderr_catch *c, const char *who)
{
	char buf[4096], *line, *save = NULL;
	ssize_t n;

	if (c->saved < 0)
		return;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	n = pread(c->mfd, buf, sizeof(buf) - 1, 0);
	close(c->mfd);
	c->saved = c->mfd = -1;
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);

		while (l && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r'))
			line[--l] = 0;
		if (l)
			log_debug("%s: %s", who, line);
	}
}

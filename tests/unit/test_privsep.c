// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_privsep.c - unit tests for the network process's side of the
 * socketpair (gadgetd/privsep.c psep_call(), psep_open_ep()) against a fake
 * root process played by the test on the other end of a SOCK_SEQPACKET
 * socketpair: a request arrives as a well-formed message, a descriptor comes
 * back through SCM_RIGHTS and works, and what a confused or hostile root sends
 * (the wrong number of descriptors, a malformed reply, another version,
 * nothing at all) is refused with the descriptors closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gadgetd/privsep.h"

static const uint8_t ep_cfg[11] = { 1, 0, 0, 0, 7, 5, 0x81, 2, 64, 0, 0 };
static uint8_t buf[PSEP_MSG_MAX], rbuf[PSEP_MSG_MAX];
static int sv[2];

static int setup(void **state)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	return 0;
}

static int teardown(void **state)
{
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}

/* The fake root: send @len bytes of @msg with @n descriptors. */
static void root_send(const void *msg, size_t len, const int *fds, unsigned n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)len);
}

static void root_reply(int status, uint32_t value, const int *fds, unsigned n)
{
	struct psep_msg m = { .type = PSEP_REPLY };
	ssize_t len;

	m.u.reply.status = status;
	m.u.reply.value = value;
	len = psep_encode(&m, buf, sizeof(buf));
	assert_true(len > 0);
	root_send(buf, (size_t)len, fds, n);
}

/* The request the network side sent is an OPEN_EP for @name. */
static void root_expect_open(const char *name)
{
	struct psep_msg m;
	ssize_t n = recv(sv[0], rbuf, sizeof(rbuf), MSG_DONTWAIT);

	assert_true(n > 0);
	assert_int_equal(psep_decode(rbuf, (size_t)n, &m), 0);
	assert_int_equal(m.type, PSEP_OPEN_EP);
	assert_string_equal(m.u.open_ep.name, name);
	assert_int_equal(m.u.open_ep.cfg_len, sizeof(ep_cfg));
	assert_memory_equal(m.u.open_ep.cfg, ep_cfg, sizeof(ep_cfg));
	assert_int_equal(m.u.open_ep.busy_ms, 500);
}

static struct psep_link link_to_root(void)
{
	struct psep_link l = { .fd = sv[1], .buf = malloc(PSEP_MSG_MAX) };

	assert_non_null(l.buf);
	return l;
}

/* Open descriptors of this process, to see that none is leaked. */
static unsigned open_fds(void)
{
	unsigned n = 0;
	int fd;

	for (fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void test_open_ep_fd(void **state)
{
	struct psep_link l = link_to_root();
	unsigned tries = 7;
	int p[2], fd;
	char c = 0;

	/* the reply is queued first: psep_call() sends, then reads it */
	assert_int_equal(pipe(p), 0);
	root_reply(0, 2, &p[1], 1);
	close(p[1]);
	fd = psep_open_ep(&l, "ep1in-bulk", ep_cfg, sizeof(ep_cfg), 500, &tries);
	assert_true(fd >= 0);
	root_expect_open("ep1in-bulk");
	assert_int_equal(tries, 2);
	assert_int_equal(write(fd, "x", 1), 1); /* the root's pipe end, now ours */
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(p[0]);
	free(l.buf);
}

static void test_root_errno(void **state)
{
	struct psep_link l = link_to_root();
	unsigned tries = 0;

	root_reply(-EBUSY, 5, NULL, 0);
	assert_int_equal(psep_open_ep(&l, "ep2out", ep_cfg, sizeof(ep_cfg), 500, &tries), -EBUSY);
	assert_int_equal(tries, 5);
	root_reply(-ENOENT, 0, NULL, 0);
	assert_int_equal(psep_open_ep(&l, "ep9in", ep_cfg, sizeof(ep_cfg), 500, NULL), -ENOENT);
	free(l.buf);
}

static void test_bad_replies(void **state)
{
	struct psep_link l = link_to_root();
	unsigned before = open_fds();
	int p[2], two[2];
	ssize_t len;

	assert_int_equal(pipe(p), 0);
	/* a success with two descriptors where one is due: both closed, -EPROTO */
	two[0] = p[0];
	two[1] = p[1];
	root_reply(0, 0, two, 2);
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL), -EPROTO);
	/* a success without its descriptor */
	root_reply(0, 0, NULL, 0);
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL), -EPROTO);
	/* an error that comes with a descriptor: closed, the error returned */
	root_reply(-EIO, 0, &p[0], 1);
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL), -EIO);
	/* another version */
	{
		struct psep_msg m = { .type = PSEP_REPLY };

		len = psep_encode(&m, buf, sizeof(buf));
		buf[2] = PSEP_VERSION + 1;
		root_send(buf, (size_t)len, &p[0], 1);
	}
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL), -EPROTO);
	/* a request where a reply is due */
	{
		struct psep_msg m = { .type = PSEP_OPEN_EP };

		m.u.open_ep = (struct psep_open_ep){ .name = "ep1in", .cfg = ep_cfg, .cfg_len = 11 };
		len = psep_encode(&m, buf, sizeof(buf));
		root_send(buf, (size_t)len, NULL, 0);
	}
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL), -EPROTO);
	close(p[0]);
	close(p[1]);
	/* every descriptor that came in was closed again */
	assert_int_equal(open_fds(), before);
	free(l.buf);
}

static void test_root_gone(void **state)
{
	struct psep_link l = link_to_root();

	shutdown(sv[0], SHUT_WR); /* the root process exited: EOF */
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL),
			 -ECONNRESET);
	close(sv[0]);
	sv[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0); /* for teardown */
	assert_int_equal(psep_open_ep(&l, "ep1in", ep_cfg, sizeof(ep_cfg), 500, NULL),
			 -ECONNRESET);
	free(l.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_ep_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_gone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* gfs_xfer.c - see gfs_xfer.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "functionfs/ffs_desc.h"
#include "gadgetd/gfs_xfer.h"

#define XFER_SIG (SIGRTMIN + 5)
#define KICK_MS 2       /* signal again this often until the worker left the syscall */
#define KICK_MAX 1000   /* ... at most this many times */

enum cur_state {
	CUR_RUN,     /* let it finish */
	CUR_CANCEL,  /* interrupted: complete it with -ECONNRESET */
	CUR_REQUEUE, /* interrupted: queue it again at the head */
};

struct worker {
	struct gfs_xfer *x;
	pthread_t th;
	bool running;
	pthread_cond_t cv;   /* work queued, unpaused, or stopping */
	int fd;
	unsigned pause;
	struct ffs_req **q;  /* ring of x->max */
	unsigned head, len;
	struct ffs_req *cur; /* in read()/write() */
	enum cur_state cur_st;
};

struct done {
	struct ffs_req *req;
	long res;
};

struct gfs_xfer {
	pthread_mutex_t lk;
	pthread_cond_t changed; /* a worker left a transfer */
	int efd;
	unsigned max, n_ep, inflight;
	bool stopping;
	struct done *done;      /* ring of max */
	unsigned d_head, d_len;
	struct worker w[FFS_MAX_EPS];
};

static void on_sig(int sig)
{
	(void)sig; /* only to interrupt the worker's read()/write() */
}

/* Caller holds x->lk. */
static void finish(struct gfs_xfer *x, struct ffs_req *req, long res)
{
	uint64_t one = 1;

	x->done[(x->d_head + x->d_len++) % x->max] = (struct done){ req, res };
	x->inflight--;
	if (write(x->efd, &one, sizeof(one)) < 0) {
		/* an eventfd counter does not overflow here */
	}
}

static void push(struct worker *w, struct ffs_req *req, bool front)
{
	unsigned max = w->x->max;

	if (front) {
		w->head = (w->head + max - 1) % max;
		w->q[w->head] = req;
		w->len++;
	} else {
		w->q[(w->head + w->len++) % max] = req;
	}
}

static struct ffs_req *pop(struct worker *w)
{
	struct ffs_req *r = w->q[w->head];

	w->head = (w->head + 1) % w->x->max;
	w->len--;
	return r;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct gfs_xfer *x = w->x;
	struct ffs_req *req;
	struct iocb *cb;
	sigset_t s;
	ssize_t n;
	long res;
	int fd;

	sigemptyset(&s);
	sigaddset(&s, XFER_SIG);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	pthread_mutex_lock(&x->lk);
	for (;;) {
		while (!x->stopping && (w->pause || !w->len))
			pthread_cond_wait(&w->cv, &x->lk);
		if (x->stopping)
			break;
		req = pop(w);
		w->cur = req;
		w->cur_st = CUR_RUN;
		fd = w->fd;
		pthread_mutex_unlock(&x->lk);
		cb = &req->iocb;
		if (cb->aio_lio_opcode == IO_CMD_PWRITE)
			n = write(fd, cb->u.c.buf, cb->u.c.nbytes);
		else
			n = read(fd, cb->u.c.buf, cb->u.c.nbytes);
		res = n < 0 ? -errno : n;
		pthread_mutex_lock(&x->lk);
		w->cur = NULL;
		if (res == -EINTR && w->cur_st != CUR_CANCEL)
			push(w, req, true); /* paused for a halt, or a stray signal: again */
		else
			finish(x, req, res == -EINTR ? -ECONNRESET : res);
		pthread_cond_broadcast(&x->changed);
	}
	pthread_mutex_unlock(&x->lk);
	return NULL;
}

/* Interrupt @w's transfer in progress; caller holds x->lk. Returns with the
 * worker out of that transfer (or after KICK_MAX tries). */
static void interrupt(struct gfs_xfer *x, struct worker *w, enum cur_state st)
{
	struct ffs_req *r = w->cur;
	struct timespec ts;
	int i;

	if (!r)
		return;
	w->cur_st = st;
	for (i = 0; i < KICK_MAX && w->cur == r; i++) {
		/* again and again: the signal may come before the worker is in the call */
		pthread_kill(w->th, XFER_SIG);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += KICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&x->changed, &x->lk, &ts);
	}
}

static void flush(struct gfs_xfer *x, struct worker *w)
{
	while (w->len)
		finish(x, pop(w), -ESHUTDOWN);
	interrupt(x, w, CUR_CANCEL);
}

int gfs_xfer_start(struct gfs_xfer **xp, unsigned n_ep, unsigned max)
{
	struct sigaction sa = { .sa_handler = on_sig }; /* no SA_RESTART */
	struct gfs_xfer *x;
	unsigned i;

	*xp = NULL;
	if (n_ep > FFS_MAX_EPS || !max)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->done = calloc(max, sizeof(*x->done));
	x->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	sigemptyset(&sa.sa_mask);
	if (!x->done || x->efd < 0 || sigaction(XFER_SIG, &sa, NULL)) {
		if (x->efd >= 0)
			close(x->efd);
		free(x->done);
		free(x);
		return -ENOMEM;
	}
	x->max = max;
	x->n_ep = n_ep;
	pthread_mutex_init(&x->lk, NULL);
	pthread_cond_init(&x->changed, NULL);
	for (i = 0; i < n_ep; i++) {
		x->w[i].x = x;
		x->w[i].fd = -1;
		pthread_cond_init(&x->w[i].cv, NULL);
	}
	*xp = x;
	return 0;
}

void gfs_xfer_stop(struct gfs_xfer *x)
{
	unsigned i;

	if (!x)
		return;
	pthread_mutex_lock(&x->lk);
	x->stopping = true;
	for (i = 0; i < x->n_ep; i++) {
		if (x->w[i].q)
			flush(x, &x->w[i]);
		pthread_cond_signal(&x->w[i].cv);
	}
	pthread_mutex_unlock(&x->lk);
	for (i = 0; i < x->n_ep; i++) {
		if (x->w[i].running)
			pthread_join(x->w[i].th, NULL);
		pthread_cond_destroy(&x->w[i].cv);
		free(x->w[i].q);
	}
	pthread_cond_destroy(&x->changed);
	pthread_mutex_destroy(&x->lk);
	close(x->efd);
	free(x->done);
	free(x);
}

void gfs_xfer_set_fd(struct gfs_xfer *x, unsigned ep, int fd)
{
	struct worker *w;

	if (ep >= x->n_ep)
		return;
	w = &x->w[ep];
	pthread_mutex_lock(&x->lk);
	w->fd = fd;
	if (fd < 0 && w->q)
		flush(x, w);
	pthread_mutex_unlock(&x->lk);
}

static int start_worker(struct worker *w)
{
	sigset_t all, old;
	int r;

	w->q = calloc(w->x->max, sizeof(*w->q));
	if (!w->q)
		return -ENOMEM;
	/* the worker starts with every signal blocked and unblocks only XFER_SIG */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->th, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		free(w->q);
		w->q = NULL;
		return -r;
	}
	w->running = true;
	return 0;
}

int gfs_xfer_submit(struct gfs_xfer *x, unsigned ep, bool in, struct ffs_req *req, void *buf,
		    size_t len)
{
	struct worker *w;
	int r = 0;

	if (ep >= x->n_ep)
		return -EINVAL;
	w = &x->w[ep];
	pthread_mutex_lock(&x->lk);
	if (x->stopping || w->fd < 0)
		r = -ESHUTDOWN;
	else if (x->inflight + x->d_len >= x->max) /* the completion ring must hold them */
		r = -EAGAIN;
	else if (!w->running)
		r = start_worker(w);
	if (!r) {
		if (in)
			io_prep_pwrite(&req->iocb, w->fd, buf, len, 0);
		else
			io_prep_pread(&req->iocb, w->fd, buf, len, 0);
		req->iocb.data = req;
		req->busy = true;
		x->inflight++;
		push(w, req, false);
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&x->lk);
	return r;
}

int gfs_xfer_cancel(struct gfs_xfer *x, struct ffs_req *req)
{
	struct worker *w;
	unsigned i, k, j;

	pthread_mutex_lock(&x->lk);
	for (i = 0; i < x->n_ep; i++) {
		w = &x->w[i];
		if (w->cur == req) {
			interrupt(x, w, CUR_CANCEL);
			break;
		}
		for (k = 0; k < w->len; k++) {
			if (w->q[(w->head + k) % x->max] != req)
				continue;
			for (j = k; j + 1 < w->len; j++) /* close the gap, order kept */
				w->q[(w->head + j) % x->max] = w->q[(w->head + j + 1) % x->max];
			w->len--;
			finish(x, req, -ECONNRESET);
			i = x->n_ep;
			break;
		}
	}
	pthread_mutex_unlock(&x->lk);
	return 0;
}

int gfs_xfer_reap(struct gfs_xfer *x, struct ffs_req **done, long *res, unsigned max)
{
	uint64_t cnt;
	unsigned n = 0;

	if (read(x->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&x->lk);
	while (n < max && x->d_len) {
		done[n] = x->done[x->d_head].req;
		res[n] = x->done[x->d_head].res;
		done[n++]->busy = false;
		x->d_head = (x->d_head + 1) % x->max;
		x->d_len--;
	}
	pthread_mutex_unlock(&x->lk);
	return (int)n;
}

int gfs_xfer_fd(const struct gfs_xfer *x)
{
	return x->efd;
}

void gfs_xfer_kick(struct gfs_xfer *x)
{
	uint64_t one = 1;

	if (write(x->efd, &one, sizeof(one)) < 0) {
		/* cannot overflow here */
	}
}

int gfs_xfer_exclusive(struct gfs_xfer *x, unsigned ep, int (*fn)(int fd, void *arg), void *arg)
{
	struct worker *w;
	int fd, r;

	if (ep >= x->n_ep)
		return -EINVAL;
	w = &x->w[ep];
	pthread_mutex_lock(&x->lk);
	w->pause++;
	interrupt(x, w, CUR_REQUEUE);
	fd = w->fd;
	pthread_mutex_unlock(&x->lk);
	r = fn(fd, arg);
	pthread_mutex_lock(&x->lk);
	w->pause--;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&x->lk);
	return r;
}

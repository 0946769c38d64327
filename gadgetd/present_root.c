// SPDX-License-Identifier: GPL-2.0-or-later
/* present_root.c - see present_root.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "functionfs/ffs_io.h"
#include "gadgetd/gfs_io.h"
#include "gadgetd/log.h"
#include "gadgetd/present_root.h"
#include "gadgetd/session.h"

void present_root_init(struct present_root *rs, const char *udc)
{
	unsigned k, i;

	memset(rs, 0, sizeof(*rs));
	snprintf(rs->udc, sizeof(rs->udc), "%s", udc);
	snprintf(rs->name, sizeof(rs->name), "gadgetd.%s", udc);
	for (k = 0; k < GADGET_MAX_CONFIGS; k++)
		for (i = 0; i < 1 + FFS_MAX_EPS; i++)
			rs->fd[k][i] = -1;
	rs->gfs.ep0 = -1;
}

bool present_root_made(const struct present_root *rs)
{
	return rs->g || rs->gfs_made;
}

/* A copy of @fd for the caller (the root keeps its own until the undo). */
static int give(int fd, int *fds, unsigned *n)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (d < 0)
		return -errno;
	fds[(*n)++] = d;
	return 0;
}

static int open_files(struct present_root *rs, const struct psep_present_ffs *f, unsigned k)
{
	bool rejected;
	int fd;
	unsigned i;

	fd = ffs_ep0_open(rs->ffs_dir[k], f->descs[k], f->dlen[k], f->strs[k], f->slen[k],
			  &rejected);
	if (fd < 0)
		return log_warn_errno(fd, "FunctionFS %s the %s", rejected ? "rejected" :
				      "did not take", rejected ? "descriptors" : "strings");
	rs->fd[k][0] = fd;
	for (i = 1; i <= f->n_ep[k]; i++) {
		fd = ffs_ep_open(rs->ffs_dir[k], i);
		if (fd < 0)
			return log_warn_errno(fd, "opening %s/ep%u", rs->ffs_dir[k], i);
		rs->fd[k][i] = fd;
	}
	return 0;
}

static int present_ffs_root(struct present_root *rs, const struct psep_present_ffs *f, int *fds,
			    unsigned *n_fds)
{
	struct gadget_spec spec = f->spec;
	char err[1024];
	unsigned k, i;
	int r;

	spec.name = rs->name;
	spec.set_owner = false; /* root's: only the descriptors handed over reach the files */
	for (k = 0; k < spec.n_cfg; k++) {
		char nm[sizeof(rs->ffs_name[k])];

		snprintf(nm, sizeof(nm), "gadgetd.%s.%u", rs->udc, spec.cfg[k].bConfigurationValue);
		memcpy(rs->ffs_name[k], nm, sizeof(nm));
		snprintf(rs->ffs_dir[k], sizeof(rs->ffs_dir[k]), RUN_DIR "/%s", nm);
		spec.cfg[k].ffs_name = rs->ffs_name[k];
		spec.cfg[k].ffs_dir = rs->ffs_dir[k];
	}
	mkdir(RUN_DIR, 0755);
	r = gadget_create(&spec, &rs->g, err, sizeof(err));
	if (r) {
		rs->g = NULL;
		log_warnx("%s", err);
		return r;
	}
	rs->n_cfg = spec.n_cfg;
	for (k = 0; k < spec.n_cfg; k++) {
		r = open_files(rs, f, k);
		if (r)
			return r;
		for (i = 0; i <= f->n_ep[k]; i++) {
			r = give(rs->fd[k][i], fds, n_fds);
			if (r)
				return r;
		}
	}
	r = gadget_bind(rs->g, rs->udc, err, sizeof(err));
	if (r) {
		log_warnx("%s", err);
		return r;
	}
	log_info("gadget %s bound to UDC %s: %04x:%04x is plugged into the host", rs->name, rs->udc,
		 spec.idVendor, spec.idProduct);
	return 0;
}

static int present_gfs_root(struct present_root *rs, const struct psep_present_gfs *m,
			    struct psep_reply *rp, int *fds, unsigned *n_fds)
{
	char err[1024];
	unsigned i;
	int r;

	mkdir(RUN_DIR, 0755);
	r = gfs_root_open(&rs->gfs, rs->udc, m->blob, m->len, m->bConfigurationValue, err,
			  sizeof(err));
	if (r) {
		log_warnx("GadgetFS: %s", err);
		return r;
	}
	rs->gfs_made = true;
	r = give(rs->gfs.ep0, fds, n_fds);
	if (r)
		return r;
	rp->n_names = (uint8_t)(1 + rs->gfs.n_files);
	rp->names[0] = rs->gfs.ep0name;
	for (i = 0; i < rs->gfs.n_files; i++)
		rp->names[1 + i] = rs->gfs.files[i];
	log_info("GadgetFS bound to UDC %s (%s)", rs->udc, rs->gfs.ep0name);
	return 0;
}

/* Only a file GadgetFS listed, never ep0; the fd is not kept: closing it
 * releases the endpoint for the next open (ep_release(), inode.c:375-395). */
static int open_ep_root(struct present_root *rs, const struct psep_open_ep *m,
			struct psep_reply *rp, int *fds, unsigned *n_fds)
{
	unsigned i, tries = 0;
	int fd;

	for (i = 0; rs->gfs_made && i < rs->gfs.n_files; i++)
		if (!strcmp(rs->gfs.files[i], m->name))
			break;
	if (!rs->gfs_made || i == rs->gfs.n_files) {
		log_warnx("the relay asked for GadgetFS file '%s', which is not an endpoint file "
			  "of this session: refused", m->name);
		return -ENOENT;
	}
	fd = gfs_ep_open(GFS_MOUNT_DIR, m->name, m->cfg, m->cfg_len, (int)m->busy_ms, &tries);
	rp->value = tries;
	if (fd < 0)
		return fd;
	fds[(*n_fds)++] = fd;
	return 0;
}

int present_root_handle(struct present_root *rs, const struct psep_msg *req,
			struct psep_msg *reply, int *fds, unsigned *n_fds)
{
	int r;

	memset(reply, 0, sizeof(*reply));
	reply->type = PSEP_REPLY;
	*n_fds = 0;
	if (req->type != PSEP_OPEN_EP && present_root_made(rs))
		r = -EALREADY;
	else if (req->type == PSEP_PRESENT_FFS)
		r = present_ffs_root(rs, &req->u.ffs, fds, n_fds);
	else if (req->type == PSEP_PRESENT_GFS)
		r = present_gfs_root(rs, &req->u.gfs, &reply->u.reply, fds, n_fds);
	else if (req->type == PSEP_OPEN_EP)
		r = open_ep_root(rs, &req->u.open_ep, &reply->u.reply, fds, n_fds);
	else
		r = -EINVAL;
	if (r) {
		while (*n_fds)
			close(fds[--*n_fds]);
		reply->u.reply.n_names = 0;
	}
	reply->u.reply.status = r;
	return r;
}

void present_root_undo(struct present_root *rs)
{
	unsigned k, i;

	if (rs->g)
		gadget_unbind(rs->g);
	for (k = 0; k < GADGET_MAX_CONFIGS; k++)
		for (i = 0; i < 1 + FFS_MAX_EPS; i++)
			if (rs->fd[k][i] >= 0) {
				close(rs->fd[k][i]);
				rs->fd[k][i] = -1;
			}
	if (rs->g)
		gadget_destroy(rs->g);
	rs->g = NULL;
	if (rs->gfs_made)
		gfs_root_close(&rs->gfs);
	rs->gfs_made = false;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_ffs.c - the FunctionFS gadget backend (drivers/usb/gadget/function/
 * f_fs.c). FunctionFS enables and disables the endpoints itself at
 * SET_CONFIGURATION, reset and disconnect (FUNCTIONFS_ENABLE/DISABLE), and
 * renumbers interfaces and endpoints: interface-recipient requests carry the
 * FunctionFS interface index, endpoint-recipient ones the endpoint file number
 * (f_fs.c ffs_func_revmap_intf(), ffs_func_revmap_ep(); FUNCTIONFS_ALL_CTRL_RECIP).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gadgetd/backend_ffs.h"
#include "gadgetd/io_bound.h"
#include "gadgetd/log.h"


struct ffs_backend {
	struct ffs_inst_files files[GB_MAX_INST];
};

static struct ffs_backend *fb(struct gadget_backend *b)
{
	return b->priv;
}

static int ffs_ep0_fd_op(struct gadget_backend *b, unsigned inst)
{
	return fb(b)->files[inst].ep0;
}

static int ffs_events_op(struct gadget_backend *b, unsigned inst, struct gb_event *ev, unsigned max)
{
	static const enum gb_event_type type[] = {
		[FUNCTIONFS_BIND] = GB_EV_BIND,       [FUNCTIONFS_UNBIND] = GB_EV_UNBIND,
		[FUNCTIONFS_ENABLE] = GB_EV_ENABLE,   [FUNCTIONFS_DISABLE] = GB_EV_DISABLE,
		[FUNCTIONFS_SETUP] = GB_EV_SETUP,     [FUNCTIONFS_SUSPEND] = GB_EV_SUSPEND,
		[FUNCTIONFS_RESUME] = GB_EV_RESUME,
	};
	struct usb_functionfs_event fe[4];
	int n, i, k = 0;

	n = ffs_ep0_events(fb(b)->files[inst].ep0, fe, max < 4 ? max : 4);
	/*
	 * -EIDRM: the control request being handled was cancelled (a newer event
	 * came while it was pending); the read that says so also clears it
	 * (f_fs.c ffs_ep0_read(), ffs_setup_state_clear_cancelled()), so the
	 * events behind it are read at once.
	 */
	if (n == -EIDRM) {
		log_debug("ep0: the host's control request was cancelled (EIDRM)");
		n = ffs_ep0_events(fb(b)->files[inst].ep0, fe, max < 4 ? max : 4);
	}
	for (i = 0; i < n; i++) {
		if (fe[i].type >= sizeof(type) / sizeof(type[0]))
			continue; /* a newer kernel's event: nothing to do with it */
		memset(&ev[k], 0, sizeof(ev[k]));
		ev[k].type = type[fe[i].type];
		if (fe[i].type == FUNCTIONFS_SETUP)
			ev[k].setup = fe[i].u.setup;
		k++;
	}
	return n < 0 ? n : k;
}

static void ffs_ep0_stall_op(struct gadget_backend *b, unsigned inst,
			     const struct usb_ctrlrequest *setup)
{
	int ep0 = fb(b)->files[inst].ep0;
	uint8_t c;
	ssize_t n;

	/* the direction opposite to the data stage stalls (f_fs.c ffs_ep0_read/write) */
	if (setup->bRequestType & USB_DIR_IN)
		n = read(ep0, &c, 0);
	else
		n = write(ep0, &c, 0);
	(void)n;
}

/*
 * One ep0 data or status stage, bounded by EP0_HOST_MS (io_bound.h): FunctionFS
 * waits in __ffs_ep0_queue_wait() until the host takes it, even with
 * O_NONBLOCK. A host still waiting for the request takes it within a few
 * frames; one that gave up on it (its timeout passed) never does, and the
 * request would sit on ep0 until its next SETUP with the relay blocked. Cut
 * short, the kernel dequeues the request (f_fs.c: usb_ep_dequeue, -EINTR) but
 * leaves the request pending (FFS_SETUP_PENDING): ep0 is stalled to end it, as
 * the host, which has moved on, expects nothing more.
 * Return: bytes moved, or -errno (-ETIMEDOUT: the host did not take it).
 */
static ssize_t ep0_stage(struct gadget_backend *b, unsigned inst,
			 const struct usb_ctrlrequest *setup, bool write_, void *buf, size_t len)
{
	int ep0 = fb(b)->files[inst].ep0, armed;
	ssize_t n;

	armed = io_bound_arm(EP0_HOST_MS);
	if (armed)
		log_debug("ep0: no time bound on the data stage: %s", strerror(-armed));
	n = write_ ? write(ep0, buf, len) : read(ep0, buf, len);
	if (n < 0)
		n = -errno;
	if (!armed)
		io_bound_disarm();
	if (n == -EINTR) {
		ffs_ep0_stall_op(b, inst, setup);
		return -ETIMEDOUT;
	}
	return n;
}

static int ffs_ep0_reply_op(struct gadget_backend *b, unsigned inst,
			    const struct usb_ctrlrequest *setup, const void *data, size_t len)
{
	ssize_t n;

	/* f_fs.c ffs_ep0_write(): the data stage; ffs_ep0_read() of 0: the status stage */
	if (setup->bRequestType & USB_DIR_IN)
		n = ep0_stage(b, inst, setup, true, (void *)data, len);
	else
		n = ep0_stage(b, inst, setup, false, NULL, 0);
	return n < 0 ? (int)n : 0;
}

static ssize_t ffs_ep0_read_op(struct gadget_backend *b, unsigned inst, void *buf, size_t len)
{
	const struct usb_ctrlrequest out = { .bRequestType = USB_DIR_OUT };

	return ep0_stage(b, inst, &out, false, buf, len);
}

static uint16_t ffs_remote_windex_op(struct gadget_backend *b, unsigned inst,
				     const struct usb_ctrlrequest *cr)
{
	const struct ffs_map *m = b->inst[inst].map;
	uint16_t windex = __le16_to_cpu(cr->wIndex);

	switch (cr->bRequestType & USB_RECIP_MASK) {
	case USB_RECIP_INTERFACE:
		if (windex < m->n_intf)
			windex = m->intf_remote[windex];
		break;
	case USB_RECIP_ENDPOINT:
		if (windex >= 1 && windex <= m->n_ep)
			windex = m->ep[windex - 1].remote_addr;
		break;
	}
	return windex;
}

static int ffs_ep_enable_op(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return 0; /* FunctionFS enabled it at FUNCTIONFS_ENABLE */
}

static void ffs_ep_disable_op(struct gadget_backend *b, unsigned inst, unsigned ep)
{
}

static int ffs_ep_fd_op(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return fb(b)->files[inst].ep_fd[ep];
}

static int ffs_ep_desc_op(struct gadget_backend *b, unsigned inst, unsigned ep, unsigned *addr,
			  unsigned *mps)
{
	return ffs_ep_desc(fb(b)->files[inst].ep_fd[ep], addr, mps);
}

static int ffs_ep_halt_op(struct gadget_backend *b, unsigned inst, unsigned ep, bool in)
{
	return ffs_ep_halt(fb(b)->files[inst].ep_fd[ep], in);
}

static int ffs_ep_clear_halt_op(struct gadget_backend *b, unsigned inst, unsigned ep)
{
	return ffs_ep_clear_halt(fb(b)->files[inst].ep_fd[ep]);
}

/* grouped as backend.h groups them: ep0, endpoints, transfers */
static const struct gadget_backend_ops ffs_ops = {
	.name = "FunctionFS",
	.ep0_fd = ffs_ep0_fd_op, .events = ffs_events_op, .ep0_reply = ffs_ep0_reply_op,
	.ep0_read = ffs_ep0_read_op, .remote_windex = ffs_remote_windex_op,
	.ep0_stall = ffs_ep0_stall_op,
	.ep_enable = ffs_ep_enable_op, .ep_disable = ffs_ep_disable_op, .ep_fd = ffs_ep_fd_op,
	.ep_desc = ffs_ep_desc_op, .ep_halt = ffs_ep_halt_op, .ep_clear_halt = ffs_ep_clear_halt_op,
	.submit = gb_aio_submit, .cancel = gb_aio_cancel, .reap = gb_aio_reap,
	.completion_fd = gb_aio_completion_fd, .kick = gb_aio_kick,
	.start_io = gb_aio_init, .stop_io = gb_aio_destroy,
};

int backend_ffs_init(struct gadget_backend *b, unsigned n_inst, const struct ffs_inst_files *files,
		     const struct gb_inst *inst)
{
	struct ffs_backend *f;
	unsigned k;

	memset(b, 0, sizeof(*b));
	b->aio.efd = -1;
	if (n_inst > GB_MAX_INST)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	b->ops = &ffs_ops;
	b->priv = f;
	b->n_inst = n_inst;
	for (k = 0; k < n_inst; k++) {
		f->files[k] = files[k];
		b->inst[k] = inst[k];
	}
	return 0;
}

void backend_ffs_free(struct gadget_backend *b)
{
	if (b->ops)
		gb_aio_destroy(b);
	free(b->priv);
	b->priv = NULL;
	b->ops = NULL;
}

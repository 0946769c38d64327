/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend.h - the gadget side of the relay, behind one interface.
 *
 * The relay core (relay.c and the modules it drives) never touches a kernel
 * gadget interface directly: it reads events from ep0, answers or stalls
 * control requests, enables and disables endpoints, and queues asynchronous
 * reads and writes on endpoint files through these operations. Two
 * implementations exist:
 *
 *   backend_ffs.c  FunctionFS (usb_f_fs, drivers/usb/gadget/function/f_fs.c):
 *                  one instance per presented configuration; the kernel
 *                  enables endpoints itself (FUNCTIONFS_ENABLE/DISABLE).
 *   backend_gfs.c  GadgetFS (gadgetfs.ko, drivers/usb/gadget/legacy/inode.c):
 *                  one instance; the configuration descriptor is an opaque
 *                  blob; SET_CONFIGURATION and SET_INTERFACE reach userspace,
 *                  which opens and configures the endpoint files itself.
 *
 * Both deliver the same events (enum gb_event_type). Data moves through
 * submit/cancel/reap: FunctionFS with Linux native AIO on its endpoint files
 * (backend_aio.c, functionfs/ffs_io.h ffs_aio_*); GadgetFS with one worker
 * thread per endpoint doing blocking reads and writes (gfs_xfer.c), because
 * cancelling GadgetFS's own AIO deadlocks the kernel (6.1 and 6.12). The unit
 * tests plug in a fake backend of their own.
 *
 * Endpoints are numbered by their index in the instance's struct ffs_map
 * (functionfs/ffs_desc.h); map->ep[i].alt says which alternate setting of
 * interface map->ep[i].intf_num an endpoint belongs to (0 on FunctionFS).
 */
#ifndef GADGETD_BACKEND_H
#define GADGETD_BACKEND_H

#include <linux/usb/ch9.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "functionfs/ffs_desc.h"
#include "functionfs/ffs_io.h"

#define GB_MAX_INST 8 /* FunctionFS: one instance per configuration presented */
/*
 * How long an ep0 data or status stage waits for the host (ep0_reply, ep0_read).
 * A host still waiting for the request takes it within a few frames; one whose
 * timeout passed while the device was answering never does. After this the
 * reply is dropped (FunctionFS: cut short by a timer signal, io_bound.h), so the
 * host cannot hold the relay, and a stop, on ep0.
 */
#define EP0_HOST_MS 300

enum gb_event_type {
	GB_EV_BIND,    /* the function is bound to the UDC */
	GB_EV_UNBIND,  /* unbound: the session ends */
	GB_EV_ENABLE,  /* the host selected this instance's configuration */
	GB_EV_DISABLE, /* bus reset, disconnect or deconfiguration */
	GB_EV_SETUP,   /* a control request for the device: @setup */
	GB_EV_SUSPEND,
	GB_EV_RESUME,
};

struct gb_event {
	enum gb_event_type type;
	struct usb_ctrlrequest setup; /* GB_EV_SETUP: as the host sent it (little-endian) */
};

/* What one instance presents: the relay's view of its endpoints. */
struct gb_inst {
	const struct ffs_map *map;    /* endpoint i <-> remote endpoint, interface numbers */
	uint8_t bConfigurationValue;  /* mirrored on the device at GB_EV_ENABLE */
};

struct gadget_backend;

struct gadget_backend_ops {
	const char *name; /* "functionfs" or "gadgetfs", for the log */

	/** ep0_fd() - the file to poll (EPOLLIN) for @inst's events. */
	int (*ep0_fd)(struct gadget_backend *b, unsigned inst);
	/**
	 * events() - read up to @max pending events of @inst, without blocking.
	 * Return: the number read (0: none), or -errno. After a GB_EV_SETUP the
	 * relay answers it (ep0_reply, ep0_read, ep0_stall) before reading more.
	 */
	int (*events)(struct gadget_backend *b, unsigned inst, struct gb_event *ev, unsigned max);
	/**
	 * ep0_reply() - complete the current control request successfully: for an
	 * IN request send @len bytes (@len <= wLength), for any other the status
	 * stage. Return: 0 or -errno (-EIDRM: the host abandoned the request for a
	 * newer one; -ETIMEDOUT: it did not take the reply within EP0_HOST_MS, which
	 * was dropped).
	 */
	int (*ep0_reply)(struct gadget_backend *b, unsigned inst, const struct usb_ctrlrequest *setup,
			 const void *data, size_t len);
	/**
	 * ep0_read() - the OUT data stage of the current request: up to @len bytes.
	 * Return: bytes read, or -errno (-ETIMEDOUT: no data within EP0_HOST_MS).
	 */
	ssize_t (*ep0_read)(struct gadget_backend *b, unsigned inst, void *buf, size_t len);
	/**
	 * remote_windex() - wIndex of @setup in the device's numbering (interface
	 * number, bEndpointAddress): FunctionFS renumbers interfaces and endpoints,
	 * GadgetFS presents the device's own numbers (or a logged map).
	 * Return: wIndex, host byte order.
	 */
	uint16_t (*remote_windex)(struct gadget_backend *b, unsigned inst,
				  const struct usb_ctrlrequest *setup);
	/** ep0_stall() - stall the current control request. */
	void (*ep0_stall)(struct gadget_backend *b, unsigned inst, const struct usb_ctrlrequest *setup);

	/**
	 * ep_enable() - make endpoint @ep usable at the current link speed (GadgetFS:
	 * open its file and write its descriptors; FunctionFS: nothing, the kernel
	 * did it at ENABLE). Return: 0 or -errno.
	 */
	int (*ep_enable)(struct gadget_backend *b, unsigned inst, unsigned ep);
	/**
	 * ep_disable() - the relay stopped using @ep and cancelled its AIO
	 * (GadgetFS: close the file; FunctionFS: nothing).
	 */
	void (*ep_disable)(struct gadget_backend *b, unsigned inst, unsigned ep);
	/** ep_fd() - the endpoint file for AIO, or -1 while it is not enabled. */
	int (*ep_fd)(struct gadget_backend *b, unsigned inst, unsigned ep);
	/**
	 * ep_desc() - the endpoint as the host sees it at the current speed:
	 * @addr bEndpointAddress, @mps wMaxPacketSize & 0x7ff in bytes.
	 * Return: 0 or -errno.
	 */
	int (*ep_desc)(struct gadget_backend *b, unsigned inst, unsigned ep, unsigned *addr,
		       unsigned *mps);
	/** ep_halt() - stall @ep towards the host. @in: it is an IN endpoint. Return: 0 or -errno. */
	int (*ep_halt)(struct gadget_backend *b, unsigned inst, unsigned ep, bool in);
	/** ep_clear_halt() - clear a halt and the data toggle of @ep. Return: 0 or -errno. */
	int (*ep_clear_halt)(struct gadget_backend *b, unsigned inst, unsigned ep);

	/**
	 * submit() - queue one asynchronous transfer on enabled endpoint @ep: a read
	 * of up to @len bytes from the host on an OUT endpoint, a write of @len
	 * bytes to the host on an IN endpoint (@len 0: a ZLP). @req->owner is the
	 * caller's. Return: 0 or -errno (-EAGAIN/-ESHUTDOWN while disabled).
	 */
	int (*submit)(struct gadget_backend *b, unsigned inst, unsigned ep, struct ffs_req *req,
		      void *buf, size_t len);
	/** cancel() - cancel @req; its completion is still reaped. Return: 0 or -errno. */
	int (*cancel)(struct gadget_backend *b, struct ffs_req *req);
	/**
	 * reap() - up to @max completions, without blocking: @done[i] the request,
	 * @res[i] bytes transferred or -errno. Return: the number, or -errno.
	 */
	int (*reap)(struct gadget_backend *b, struct ffs_req **done, long *res, unsigned max);
	/** completion_fd() - readable (EPOLLIN) while completions wait to be reaped. */
	int (*completion_fd)(struct gadget_backend *b);
	/** kick() - make completion_fd() readable again: completions were left unreaped. */
	void (*kick)(struct gadget_backend *b);
	/**
	 * start_io() - set up asynchronous I/O for up to @max requests in flight,
	 * in the process that will run the relay (an AIO context is not inherited
	 * across fork()). Return: 0 or -errno.
	 */
	int (*start_io)(struct gadget_backend *b, unsigned max);
	/**
	 * stop_io() - wait until no submitted transfer is in flight (the relay
	 * cancelled them first); after it the backend touches none of the relay's
	 * buffers and does no more endpoint I/O. AIO: io_destroy() waits so.
	 */
	void (*stop_io)(struct gadget_backend *b);
};

struct gadget_backend {
	const struct gadget_backend_ops *ops;
	void *priv;                    /* the implementation's state */
	struct ffs_aio aio;            /* backend_aio.c: the AIO context (FunctionFS) */
	unsigned n_inst;
	struct gb_inst inst[GB_MAX_INST];
};

/*
 * backend_aio.c: submit, cancel, reap, completion_fd and kick for a backend
 * whose endpoint files support Linux AIO (FunctionFS and GadgetFS). They use
 * b->aio and ops->ep_fd(); the map's direction of @ep picks read or write.
 */

/**
 * gb_aio_init() - set up b->aio for up to @max requests in flight.
 * Return: 0 or -errno (io_setup's -EAGAIN when /proc/sys/fs/aio-max-nr is used up).
 */
int gb_aio_init(struct gadget_backend *b, unsigned max);
/** gb_aio_destroy() - release b->aio (cancel what is in flight first). */
void gb_aio_destroy(struct gadget_backend *b);
/** gb_aio_submit() - ops->submit through b->aio. Return: 0 or -errno. */
int gb_aio_submit(struct gadget_backend *b, unsigned inst, unsigned ep, struct ffs_req *req,
		  void *buf, size_t len);
/** gb_aio_cancel() - ops->cancel through b->aio. Return: 0 or -errno. */
int gb_aio_cancel(struct gadget_backend *b, struct ffs_req *req);
/** gb_aio_reap() - ops->reap through b->aio. Return: the number reaped, or -errno. */
int gb_aio_reap(struct gadget_backend *b, struct ffs_req **done, long *res, unsigned max);
/** gb_aio_completion_fd() - b->aio's eventfd. */
int gb_aio_completion_fd(struct gadget_backend *b);
/** gb_aio_kick() - make b->aio's eventfd readable again. */
void gb_aio_kick(struct gadget_backend *b);
/* gb_aio_init() and gb_aio_destroy() serve as ops->start_io and ops->stop_io:
 * io_destroy() waits for every request. */

#endif

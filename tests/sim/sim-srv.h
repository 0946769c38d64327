/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim-srv.h - usbip-sim's run-time state and the functions its parts share:
 * usbip-sim.c (network, USB/IP, main loop), sim-hc.c (the emulated host
 * controller: endpoints, URBs, packets, configurations, alternate settings),
 * sim-ep0.c (control requests), sim-acm.c (CDC-ACM requests and notifications),
 * sim-ctl.c (the --control FIFO), sim-hostile.c (--hostile), sim-rec.c (the
 * record). One thread: everything runs from the poll() loop in main().
 */
#ifndef GADGETD_SIM_SRV_H
#define GADGETD_SIM_SRV_H

#include <stdio.h>

#include "gadgetd/usbip.h"
#include "tests/sim/sim.h"

#define MAX_CONN 8
#define RX_MAX (1u << 20)

struct conn {
	int fd;
	bool imported;
	uint8_t op[USBIP_REQ_IMPORT_LEN];
	size_t op_have;
	struct usbip_rx rx;
	uint8_t *out;
	size_t out_len, out_cap;
	bool close_after_flush;
	bool sealed; /* --hostile: nothing more is sent (but a flood) */
	int flood;   /* --hostile: 1 endless bytes, 2 endless RET_UNLINKs */
	/* --hostile trickle=N: a token bucket of N bytes/s, from OP_REP_IMPORT on */
	int64_t tk_t0, tk_last;
	long long tk_tokens;
	unsigned long long tk_read;
	char peer[64];
};

/*
 * --hostile (tests/sim/README.md, "Hostile modes"): a server that breaks the
 * protocol on purpose. Server-level lies (op replies, descriptors) apply to every
 * connection; one URB-stream action fires once, at its trigger.
 */
enum h_act { HA_NONE, HA_TRUNC_HDR, HA_TRUNC_DATA, HA_COMMAND, HA_SEQNUM, HA_ACTUAL,
	     HA_FLOOD, HA_FLOOD_UNLINK, HA_SILENT };
enum h_when { HW_CTRL, HW_IMPORT, HW_VENDOR, HW_IN };
enum h_blen0 { HB_NONE, HB_DEVICE, HB_CONFIG, HB_STRING };

#define FLOOD_MAX_MS 60000
#define FLOOD_MAX_BYTES (16ull << 30)

struct hostile {
	long version;          /* op replies' version field, -1: USBIP_VERSION */
	const char *import_busid;
	long import_trunc;     /* OP_REP_IMPORT cut after this many bytes, -1: no */
	long long devlist_ndev;/* OP_REP_DEVLIST's device count, -1: the truth */
	long devlist_trunc;
	long wtotal;           /* configuration descriptors' wTotalLength, -1: the truth */
	enum h_blen0 blength0;
	bool string_odd;
	long devdesc_len;      /* GET_DESCRIPTOR(DEVICE) answered with this many bytes */
	bool accept_close;     /* accept-close: a connection is closed at once, no reply */
	bool unlink_pipe;      /* unlink=pipe: usbipd-win's CMD_UNLINK (hostile_unlink()) */
	long trickle;          /* trickle=N: an imported connection is read at N bytes/s */
	/* the URB-stream action */
	enum h_act act;
	long long arg;
	bool arg_rel;          /* actual=+N: relative to the request */
	enum h_when when;
	unsigned when_n;       /* ctrl:N */
	bool fired, silent;
	uint32_t armed_seq;    /* the CMD_SUBMIT whose RET_SUBMIT is to be shaped */
	bool armed;
	unsigned nctrl;
	int64_t flood_t0;
	unsigned long long flood_sent;
	uint32_t flood_seq;
	const char *spec;      /* the action's --hostile text, for the record */
};

struct sim_srv {
	struct sim_dev d;
	FILE *rec;
	int lfd, sfd;
	int ctlfd;             /* --control FIFO, -1: none */
	char ctl[1024];        /* its unfinished line */
	size_t ctl_len;
	struct conn conn[MAX_CONN];
	struct conn *imp;
	struct sim_urb *lost; /* URBs for endpoints the configuration lacks: never answered */
	int64_t t0;
	uint32_t devid;
	const char *close_why; /* set inside usbip_rx_feed(): close once it returns */
	bool stop;
	struct hostile h;
	const char *hostile_file;
};

extern struct sim_srv sim;

/* sim-rec.c */
int64_t now_ms(void);
const char *errname(int status);
/** rec() - one record line: KIND key=value ... t=SECONDS, flushed. */
__attribute__((format(printf, 1, 2))) void rec(const char *fmt, ...);
/** hex() - @n bytes as hex ("-" for none), malloc'ed. */
char *hex(const uint8_t *p, size_t n);
void *xrealloc(void *p, size_t n);
void put_be32(uint8_t *p, uint32_t v);

/* usbip-sim.c */
void conn_send(struct conn *c, const void *a, size_t alen, const void *b, size_t blen);
void send_ret_submit(uint32_t seqnum, int status, uint32_t actual, const uint8_t *data,
		     uint32_t req_len);

/* sim-hc.c */
struct sim_cfg *cur_cfg(void);
/** find_ep() - endpoint @addr of the current configuration's current settings. */
struct sim_ep *find_ep(unsigned addr);
/** find_intf() - the current setting of interface @number. */
struct sim_intf *find_intf(unsigned number);
/** idle_ep() - the setting that has endpoint @addr while another setting is current. */
const struct sim_intf *idle_ep(unsigned addr);
void urb_free(struct sim_urb *u);
void urb_done(struct sim_ep *e, int status);
/** ep_send() - one device-side transfer on IN endpoint @e, then serve its URBs. */
void ep_send(struct sim_ep *e, const uint8_t *data, size_t len, bool zlp);
void service_in(struct sim_ep *e);
void service_out(struct sim_ep *e, int64_t now);
void halt(struct sim_ep *e, const char *why);
/** cfg_leave() - pending URBs end with @status (sent only when @send); @why: DROP lines. */
void cfg_leave(int status, bool send, const char *why);
void cfg_enter(int idx);
int cfg_index(unsigned value);
/** set_interface() - SET_INTERFACE(@number, @alt); -EPIPE when there is no such setting. */
int set_interface(unsigned number, unsigned alt);
/** run_timers() - due sequence entries and delayed OUT URBs; ms to the next, -1: none. */
int run_timers(void);

/* sim-ep0.c */
void on_ctrl(const struct usbip_header *h, const uint8_t *payload, size_t len);

/* sim-acm.c */
/** acm_request() - a line_coding or line_state handler's answer (status). */
int acm_request(const struct sim_ctrl *h, const uint8_t *s, const uint8_t *out, uint32_t outlen,
		uint8_t *in, uint32_t *inlen);
/** acm_reset() - line coding and control line state as at power-on. */
void acm_reset(struct sim_intf *f);
/**
 * acm_serial_state() - a SERIAL_STATE notification with @state on the notification
 * endpoint of interface @number (-1: every one of the current settings); @state -1: the
 * endpoint's serial_state value.
 * Return: how many were sent.
 */
int acm_serial_state(int number, int state, const char *why);

/* sim-ctl.c */
int ctl_open(const char *path);
void ctl_readable(void);
/** ctl_signal() - SIGUSR1: SERIAL_STATE with each endpoint's serial_state; SIGUSR2: 0. */
void ctl_signal(unsigned signo);

/* sim-hostile.c */
void hostile_reset(void);
void hostile_load(void);
int hostile_parse(const char *spec);
void hostile_ret_submit(struct usbip_header *h, uint32_t req_len, const uint8_t *data);
void flood_fill(struct conn *c);
void hostile_stream(struct conn *c, const char *at);
/**
 * hostile_unlink() - CMD_UNLINK @h under unlink=pipe, as usbipd-win answers it: a
 * pending target is answered RET_UNLINK -ECONNRESET at once but goes on (what it
 * receives is discarded, what it sends still reaches the device); once every URB
 * pending on its endpoint is unlinked, the pipe is aborted (USB_ABORT_ENDPOINT).
 * Return: true when handled here, false for the usual answer.
 */
bool hostile_unlink(const struct usbip_header *h);
/* trickle=N: how many bytes may be read from @c now (-1: no limit; 0: none, and
 * poll() must not wait for POLLIN but come back within TRICKLE_TICK_MS) */
long long hostile_trickle_budget(struct conn *c);
/* trickle=N: the bucket of @c starts (at OP_REP_IMPORT) */
void hostile_trickle_start(struct conn *c);
/* trickle=N: @n bytes were read from @c */
void hostile_trickle_took(struct conn *c, size_t n);
/* trickle=N: the record's last word on @c, when it closes */
void hostile_trickle_end(struct conn *c, const char *why);
#define TRICKLE_TICK_MS 50
/** hostile_descriptor() - the descriptor lies for GET_DESCRIPTOR(@value) (in @in, @inlen). */
void hostile_descriptor(unsigned value, uint8_t *in, uint32_t *inlen);

#endif

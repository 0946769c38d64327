/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io_bound.h - a time bound on one blocking system call of the calling thread.
 *
 * FunctionFS's ep0 data and status stages wait for the host in
 * __ffs_ep0_queue_wait() (drivers/usb/gadget/function/f_fs.c) whatever
 * O_NONBLOCK says, in wait_for_completion_interruptible(): only a signal ends
 * the wait (the request is then dequeued and the call fails EINTR). gadgetd
 * reads SIGINT/SIGTERM/SIGHUP from a signalfd, so they stay blocked and never
 * interrupt it. io_bound_arm() starts a POSIX timer whose signal
 * (IO_BOUND_SIGNAL, sent to the one thread that first armed it in the process:
 * the relay's) has a handler installed without SA_RESTART: once it
 * fires, the call in progress returns EINTR. The timer fires again every
 * IO_BOUND_REPEAT_MS until io_bound_disarm(), so a signal that lands just
 * before the call starts to wait cannot leave it waiting for good.
 */
#ifndef GADGETD_IO_BOUND_H
#define GADGETD_IO_BOUND_H

#include <signal.h>
#include <stdbool.h>

#define IO_BOUND_SIGNAL (SIGRTMIN + 3)
#define IO_BOUND_REPEAT_MS 50

/**
 * io_bound_arm() - let the next blocking call of the relay's thread last at most
 * @ms milliseconds (then it fails EINTR). The timer is made on first use in
 * each process (a privilege-separated child gets its own).
 * Return: 0 or -errno (timer_create, sigaction); then nothing is armed.
 */
int io_bound_arm(unsigned ms);

/**
 * io_bound_disarm() - stop the timer armed by io_bound_arm().
 * Return: true when it fired at least once since it was armed (the call was
 * cut short, or nearly so).
 */
bool io_bound_disarm(void);

#endif

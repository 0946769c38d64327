#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Lab guest, stage 2: PID 1 on the overlay root. Runs the job named by lab.job=
# (output to /lab/out/job.log, which the host streams) and powers off; without a
# job, an interactive shell on the serial console with tests/lab/lib.sh loaded.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
. /lab/out/env
export LAB_OUT=/lab/out
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
hostname lab
cd /tmp || cd /
echo "LAB_READY uptime=$(cut -d' ' -f1 /proc/uptime)s kernel=$(uname -r)" > /dev/console
# how the kernel calibrated its clock (lab.sh warns when guest time ran off)
dmesg | grep -E 'tsc:|clocksource:' > "$LAB_OUT/clock.log" 2>/dev/null
JOB=$(arg lab.job)
if [ -n "$JOB" ]; then
	echo "LAB_READY uptime=$(cut -d' ' -f1 /proc/uptime)s kernel=$(uname -r) job=$JOB" > "$LAB_OUT/job.log"
	bash "$JOB" >> "$LAB_OUT/job.log" 2>&1 < /dev/null
	rc=$?
	echo "LAB_DONE rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)s" >> "$LAB_OUT/job.log"
	echo "LAB_DONE rc=$rc" > /dev/console
else
	echo ". $LAB_REPO/tests/lab/lib.sh" > /root/.bashrc
	echo "lab: interactive shell; tests/lab/lib.sh is loaded; 'exit' powers off, Ctrl-A X kills QEMU" > /dev/console
	setsid /bin/busybox cttyhack /bin/bash -i
fi
sync
echo o > /proc/sysrq-trigger
while :; do sleep 1 2>/dev/null; done  # until the power goes (9p may vanish first)

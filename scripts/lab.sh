#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# gadgetd test lab: Debian's kernel in QEMU whose root file system is this
# machine's own / (read-only virtio-9p under a tmpfs overlay), so the guest runs
# the binaries built here unchanged. Inside the guest: QEMU-emulated USB devices,
# usbip-host + usbipd (the USB/IP server), dummy_hcd (a UDC whose host side plays
# the machine the gadget is plugged into), libcomposite and usb_f_fs.
#
#   scripts/lab.sh setup                 install packages, fetch + extract the kernel,
#                                        build vmlinux, initramfs and disk images
#   scripts/lab.sh run JOB [QEMU ARGS]   boot, run JOB (a guest shell script) and
#                                        power off; prints the job's output
#   scripts/lab.sh shell [QEMU ARGS]     interactive guest shell on the serial console
#   scripts/lab.sh monitor 'CMD' [NAME]  send a monitor command to a running lab
#
# A job may carry directives in comments:
#   #@qemu ARGS      QEMU device arguments (several lines add up; @DISK@ = the job's
#                    writable copy of disk.img, @OUT@ = its results directory)
#   #@timeout SECS   wall-clock limit of the whole run (default $LAB_TIMEOUT or 300)
#   #@kernels K...   the lab kernels the job runs on (tests/lab/run-e2e.sh; default all)
# Without #@qemu lines the guest gets a high-speed usb-storage stick on usb-ehci
# and a usb-kbd on qemu-xhci.
#
# Inside the guest, `qemu_monitor "sendkey a"` (tests/lab/lib.sh) asks this script
# to run a QEMU monitor command: the request is a file in the results directory,
# served by a loop here on the monitor socket, and the reply comes back as a file.
# After the VM exits, lines "NAME sha256 FILE HASH" that the job wrote to
# $LAB_OUT/host-checks are checked here (FILE relative to the results directory)
# and reported as RESULT lines.
#
# Environment:
#   LAB_KERNEL   6.1 (default: Debian 12's kernel, linux-image-amd64's dependency) or
#                6.12 (the newest linux-image-6.12.*-amd64-unsigned, the kernel of
#                Debian 13 and Raspberry Pi OS; zstd vmlinuz, .ko.xz modules)
#   LAB_CACHE    kernel, images and results (default: .cache/lab in the repository
#                for 6.1, .cache/lab-6.12 for 6.12, so both labs coexist)
#   LAB_ACCEL    tcg (default) or kvm
#   LAB_TIMEOUT  default per-run limit in seconds (300)
#   LAB_QUIET=1  do not stream the job's output while it runs (printed at the end)
#   GADGETD      the gadgetd binary the guest runs (default: build/gadgetd)
#   KPKG         kernel package to use instead of the one LAB_KERNEL names
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KERNEL=${LAB_KERNEL:-6.1}
case $KERNEL in
  6.1) CACHE=${LAB_CACHE:-$REPO/.cache/lab};;
  6.12) CACHE=${LAB_CACHE:-$REPO/.cache/lab-6.12};;
  *) echo "lab.sh: LAB_KERNEL=$KERNEL: not a lab kernel (6.1 or 6.12)" >&2; exit 2;;
esac
GUEST=$REPO/tests/lab/guest

die() { echo "lab.sh: $*" >&2; exit 1; }
kver() { ls "$CACHE/kroot/lib/modules" 2>/dev/null | head -1; }

# ---------------------------------------------------------------- setup
# The package of $KERNEL: 6.1 is what linux-image-amd64 depends on (its ABI name
# changes with security updates); 6.12 has no such meta package in Debian 12's
# registry, so the newest linux-image-6.12.N+debX-amd64-unsigned (not -rt, -cloud).
kernel_pkg() {
  case $KERNEL in
    6.1) apt-cache depends linux-image-amd64 2>/dev/null |
           awk '/Depends: linux-image-[0-9]/{print $2; exit}';;
    *) apt-cache search --names-only "^linux-image-$KERNEL\\.[0-9.]*[+]deb[0-9]*-amd64-unsigned\$" 2>/dev/null |
         awk '{print $1}' | sort -V | tail -1;;
  esac
}

setup() {
  mkdir -p "$CACHE"
  CACHE=$(cd "$CACHE" && pwd)
  case $CACHE$REPO in *[[:space:]]*) die "paths with spaces are not supported: $CACHE";; esac
  sh "$REPO/scripts/deps.sh" lab
  local pkg=${KPKG:-$(kernel_pkg)}
  if [ -z "$pkg" ]; then
    apt-get update -qq || true
    pkg=$(kernel_pkg)
  fi
  if [ -z "$pkg" ] && [ -n "$(kver)" ]; then
    pkg=$(cat "$CACHE/kpkg")
    echo "lab.sh: cannot resolve the $KERNEL kernel package, keeping $pkg"
  fi
  [ -n "$pkg" ] || die "cannot resolve the $KERNEL kernel package (apt-get update?)"
  if [ -z "$(kver)" ] || [ "$(cat "$CACHE/kpkg" 2>/dev/null)" != "$pkg" ]; then
    echo "lab.sh: fetching $pkg"
    rm -rf "$CACHE/debs" "$CACHE/kroot" "$CACHE/vmlinux" "$CACHE/initrd.img"
    mkdir -p "$CACHE/debs" "$CACHE/kroot"
    if ! (cd "$CACHE/debs" && apt-get download "$pkg" >/dev/null 2>&1); then
      apt-get update -qq
      (cd "$CACHE/debs" && apt-get download "$pkg" >/dev/null)
    fi
    dpkg-deb -x "$CACHE"/debs/"$pkg"_*.deb "$CACHE/kroot"
    rm -rf "$CACHE/debs"
    depmod -b "$CACHE/kroot" "$(kver)"
    echo "$pkg" > "$CACHE/kpkg"
  fi
  [ -s "$CACHE/vmlinux" ] || make_vmlinux
  if [ ! -s "$CACHE/initrd.img" ] || [ "$GUEST/init" -nt "$CACHE/initrd.img" ]; then
    make_initrd
  fi
  if [ ! -s "$CACHE/disk.img" ]; then
    head -c 16M /dev/urandom > "$CACHE/disk.img.tmp"
    mv "$CACHE/disk.img.tmp" "$CACHE/disk.img"
    rm -f "$CACHE/disk.img.sha256"
  fi
  [ -s "$CACHE/disk.img.sha256" ] || sha256sum < "$CACHE/disk.img" | cut -c1-64 > "$CACHE/disk.img.sha256"
  mkdir -p "$CACHE/out"
  echo "lab.sh: ready: kernel $(kver), cache $CACHE"
}

# An uncompressed ELF vmlinux boots through its PVH entry point: about twice as
# fast as a bzImage under TCG (no decompression in emulated code). 6.1's bzImage
# holds an xz stream, 6.12's a zstd frame (magic 28 b5 2f fd); both decompressors
# complain about the bzImage's trailing data after the whole ELF, hence the
# check of the result rather than of their exit status.
make_vmlinux() {
  local z off
  z="$CACHE/kroot/boot/vmlinuz-$(kver)"
  if off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$z" | head -1 | cut -d: -f1) && [ -n "$off" ]; then
    tail -c +$((off + 1)) "$z" | xz -dc > "$CACHE/vmlinux.tmp" 2>/dev/null || true
  elif off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$z" | head -1 | cut -d: -f1) && [ -n "$off" ]; then
    tail -c +$((off + 1)) "$z" | zstd -dcq > "$CACHE/vmlinux.tmp" 2>/dev/null || true
  else
    die "no xz or zstd stream in $z"
  fi
  [ "$(head -c4 "$CACHE/vmlinux.tmp" | tail -c3)" = ELF ] || die "could not extract vmlinux from $z"
  mv "$CACHE/vmlinux.tmp" "$CACHE/vmlinux"
}

# Stage 1 initramfs: static busybox and the few modules needed to mount / over 9p,
# decompressed (6.12's are .ko.xz; busybox's insmod wants plain ELF).
make_initrd() {
  local K R f rel
  K=$(kver); R="$CACHE/initramfs"
  rm -rf "$R"; mkdir -p "$R"/{bin,proc,sys,dev,newroot,lib/modules/"$K"}
  cp /bin/busybox "$R/bin/busybox"
  ln -s busybox "$R/bin/sh"
  cp "$GUEST/init" "$R/init"; chmod 755 "$R/init"
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -d "$CACHE/kroot" -S "$K" --show-depends "$m" | awk '$1=="insmod"{print $2}'
  done | sort -u | while read -r f; do
    rel=${f#"$CACHE"/kroot/lib/modules/$K/}
    mkdir -p "$R/lib/modules/$K/$(dirname "$rel")"
    case $rel in
      *.ko.xz) xz -dc "$f" > "$R/lib/modules/$K/${rel%.xz}";;
      *.ko.zst) zstd -dcq "$f" > "$R/lib/modules/$K/${rel%.zst}";;
      *) cp "$f" "$R/lib/modules/$K/$rel";;
    esac
  done
  cp "$CACHE"/kroot/lib/modules/"$K"/modules.{order,builtin,builtin.modinfo} "$R/lib/modules/$K/"
  depmod -b "$R" "$K"
  (cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initrd.img.tmp"
  mv "$CACHE/initrd.img.tmp" "$CACHE/initrd.img"
  rm -rf "$R"
}

# ---------------------------------------------------------------- running
need_setup() {
  [ -s "$CACHE/vmlinux" ] && [ -s "$CACHE/initrd.img" ] && [ -s "$CACHE/disk.img" ] ||
    die "lab not set up: run scripts/lab.sh setup"
  CACHE=$(cd "$CACHE" && pwd)
}

default_usb() {
  echo "-device qemu-xhci,id=xhci -device usb-ehci,id=ehci"
  echo "-drive if=none,id=stick,format=raw,file=@DISK@"
  echo "-device usb-storage,id=stickdev,bus=ehci.0,drive=stick,serial=LAB0001"
  echo "-device usb-kbd,id=kbd,bus=xhci.0"
}

# prepare NAME: results directory, sockets, writable disk, env file for the guest
prepare() {
  NAME=$1
  OUT=$CACHE/out/$NAME
  mkdir -p "$OUT"
  exec 9>"$CACHE/out/.$NAME.lock"
  flock -n 9 || die "another lab run named $NAME is in progress"
  find "$OUT" -mindepth 1 -delete
  mkdir -p "$OUT/cmd"
  cp --sparse=always "$CACHE/disk.img" "$OUT/disk.img"
  SOCKDIR=$(mktemp -d /tmp/lab-sock.XXXXXX)
  MON=$SOCKDIR/mon.sock
  local gd=${GADGETD:-$REPO/build/gadgetd}
  case $gd in /*) ;; *) gd=$PWD/$gd;; esac
  {
    printf 'export LAB_REPO=%q LAB_CACHE=%q LAB_KMOD=%q\n' "$REPO" "$CACHE" "$CACHE/kroot/lib/modules"
    printf 'export LAB_NAME=%q LAB_IMG=%q LAB_IMG_SHA256=%q\n' "$NAME" "$CACHE/disk.img" "$(cat "$CACHE/disk.img.sha256")"
    printf 'export GADGETD=%q\n' "$gd"
    if [ -n "${JOB:-}" ]; then printf 'export LAB_JOB=%q\n' "$JOB"; fi
  } > "$OUT/env"
}

qemu_cmd() {  # qemu_cmd USB-ARGS-TEXT: fills QEMU[]
  # shellcheck disable=SC2054
  local accel=(-accel tcg,thread=multi -cpu max) usb
  [ "${LAB_ACCEL:-tcg}" = kvm ] && accel=(-enable-kvm -cpu host)
  usb=${1//@DISK@/$OUT/disk.img}; usb=${usb//@OUT@/$OUT}
  # shellcheck disable=SC2054,SC2206
  QEMU=(qemu-system-x86_64 "${accel[@]}" -m 2048 -smp 2 -nic none -no-reboot
    -display none -vga none
    -kernel "$CACHE/vmlinux" -initrd "$CACHE/initrd.img"
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
    -virtfs "local,path=$OUT,mount_tag=hostout,security_model=none,multidevs=remap"
    -monitor "unix:$MON,server=on,wait=off"
    $usb)
}

APPEND_BASE="console=ttyS0 loglevel=4 panic=-1 mitigations=off tsc=reliable no_timer_check"

# One monitor command over the HMP socket; prints its output without the banner,
# the echoed command and the prompts.
monitor_cmd() {  # monitor_cmd SOCKET CMD
  { printf '%s\n' "$2"; sleep 0.5; } |
    timeout 15 socat -t 2 - "UNIX-CONNECT:$1" 2>&1 |
    sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r//g' |
    grep -v -e '^QEMU [0-9.]* monitor' -e '^(qemu)' || true
}

# The host half of the command channel: serve $OUT/cmd/*.req until QEMU exits.
serve_commands() {  # serve_commands QEMU-PID
  local qpid=$1 req id cmd
  while kill -0 "$qpid" 2>/dev/null; do
    for req in "$OUT"/cmd/*.req; do
      [ -e "$req" ] || continue
      id=${req%.req}
      cmd=$(head -1 "$req"); rm -f "$req"
      monitor_cmd "$MON" "$cmd" > "$id.tmp"
      echo "[lab.sh] monitor: $cmd" >> "$OUT/monitor.log"
      cat "$id.tmp" >> "$OUT/monitor.log"
      mv "$id.tmp" "$id.rep"
    done
    sleep 0.1
  done
}

host_checks() {
  local name kind file want got
  [ -f "$OUT/host-checks" ] || return 0
  while read -r name kind file want; do
    [ -n "$name" ] || continue
    case $kind in
      sha256)
        got=$(sha256sum < "$OUT/$file" 2>/dev/null | cut -c1-64)
        if [ "$got" = "$want" ]; then echo "RESULT $name: PASS host-side $file sha256 $got"
        else echo "RESULT $name: FAIL host-side $file sha256 ${got:-missing}, expected $want"; fi;;
      *) echo "RESULT $name: FAIL unknown host check '$kind'";;
    esac
  done < "$OUT/host-checks" | tee -a "$OUT/job.log"
}

# A guest whose TSC calibration went wrong (seen once on a heavily loaded host:
# 318 s of guest uptime in a 29 s run) sleeps and times out by a wrong clock:
# say so beside the results, with the kernel's calibration lines.
clock_check() {  # clock_check WALL-SECONDS
  local up
  up=$(sed -n 's/^LAB_DONE .*uptime=\([0-9]*\).*/\1/p' "$OUT/job.log" | tail -1)
  [ -n "$up" ] && [ "$1" -gt 0 ] || return 0
  if [ "$up" -gt $(($1 * 3 / 2 + 5)) ]; then
    echo "lab.sh: $NAME: warning: the guest clock ran fast (uptime ${up}s in a ${1}s run):" >&2
    sed 's/^/  /' "$OUT/clock.log" >&2 2>/dev/null || true
  fi
}

run() {  # run JOB [--] [QEMU ARGS]
  [ $# -ge 1 ] || die "usage: lab.sh run JOB [QEMU ARGS]"
  need_setup
  JOB=$(readlink -f "$1"); shift
  [ "${1:-}" = -- ] && shift
  [ -f "$JOB" ] || die "no such job: $JOB"
  case $JOB in *[[:space:]]*) die "paths with spaces are not supported: $JOB";; esac
  local name usb timeout
  name=$(basename "$JOB" .sh)
  usb=$(sed -n 's/^#@qemu[[:space:]]\{1,\}//p' "$JOB")
  [ -n "$usb" ] || usb=$(default_usb)
  timeout=$(sed -n 's/^#@timeout[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$JOB" | head -1)
  timeout=${timeout:-${LAB_TIMEOUT:-300}}
  prepare "$name"
  qemu_cmd "$usb"
  : > "$OUT/job.log"
  local t0=$SECONDS
  "${QEMU[@]}" "$@" -serial "file:$OUT/console.log" \
    -append "$APPEND_BASE lab.init=$GUEST/guest-init.sh lab.job=$JOB ${LAB_APPEND:-}" \
    </dev/null >"$OUT/qemu.log" 2>&1 &
  local qpid=$! spid tpid='' rc=0
  # an interrupted run leaves no QEMU behind
  trap 'kill $qpid $spid $tpid 2>/dev/null; rm -rf "$SOCKDIR"; exit 130' INT TERM
  serve_commands "$qpid" & spid=$!
  if [ "${LAB_QUIET:-0}" != 1 ]; then
    tail -n +1 -F --pid="$qpid" "$OUT/job.log" 2>/dev/null & tpid=$!
  fi
  while kill -0 "$qpid" 2>/dev/null; do
    if [ $((SECONDS - t0)) -ge "$timeout" ]; then
      echo "lab.sh: $name: timed out after ${timeout}s, killing QEMU" >&2
      kill "$qpid" 2>/dev/null || true
      # a QEMU stuck in a blocking chardev write ignores SIGTERM
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$qpid" 2>/dev/null || true
      rc=124
      break
    fi
    sleep 0.2
  done
  wait "$qpid" 2>/dev/null || true
  kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
  [ -n "$tpid" ] && { sleep 0.3; kill "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true; }
  trap - INT TERM
  rm -rf "$SOCKDIR"
  [ "${LAB_QUIET:-0}" = 1 ] && cat "$OUT/job.log"
  if [ $rc = 0 ]; then
    if ! grep -q '^LAB_DONE' "$OUT/job.log"; then
      echo "lab.sh: $name: the guest stopped before the job finished; console tail:" >&2
      tail -25 "$OUT/console.log" >&2
      tail -5 "$OUT/qemu.log" >&2
      rc=3
    fi
  fi
  host_checks
  clock_check $((SECONDS - t0))
  echo "lab.sh: $name: $((SECONDS - t0))s, results in $OUT" >&2
  return $rc
}

shell() {  # interactive guest shell on the serial console (Ctrl-A X quits QEMU)
  need_setup
  local usb=${LAB_USB:-$(default_usb)}
  JOB=
  prepare shell
  qemu_cmd "$usb"
  exec 3<&0  # a background command's stdin would be /dev/null
  "${QEMU[@]}" "$@" -serial mon:stdio \
    -append "$APPEND_BASE lab.init=$GUEST/guest-init.sh ${LAB_APPEND:-}" <&3 &
  local qpid=$!
  serve_commands "$qpid" & local spid=$!
  echo "lab.sh: monitor socket $MON (scripts/lab.sh monitor 'CMD' shell)" >&2
  wait "$qpid" || true
  kill "$spid" 2>/dev/null || true
  rm -rf "$SOCKDIR"
}

monitor() {  # monitor CMD [NAME]: through the command channel of a running lab
  need_setup
  local dir=$CACHE/out/${2:-shell} id
  [ -d "$dir/cmd" ] || die "no running lab named ${2:-shell}"
  id=$dir/cmd/host.$$.$RANDOM
  printf '%s\n' "$1" > "$id.tmp"; mv "$id.tmp" "$id.req"
  for _ in $(seq 200); do [ -e "$id.rep" ] && { cat "$id.rep"; rm -f "$id.rep"; return 0; }; sleep 0.1; done
  die "no reply"
}

case ${1:-} in
  setup|run|shell|monitor) cmd=$1; shift; "$cmd" "$@";;
  *) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 2;;
esac

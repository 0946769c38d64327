# SPDX-License-Identifier: GPL-2.0-or-later
# Transports other than TCP (issue 13 section 2), with a real OpenSSH server
# (Debian's sshd, on 127.0.0.1:22 in the guest, host key and client key made
# here) and the real usbipd behind it:
#   transport-ssh        --proxy-command "ssh -i KEY ... -W %h:%p root@127.0.0.1"
#                        with --user: the disk reads as the image; ssh runs as the
#                        relay user (never root), as gadgetd's own child (exec,
#                        as ssh runs a ProxyCommand: no shell between); its
#                        standard error is in gadgetd's log at warning level
#   transport-ssh-kill   ssh SIGKILLed during a read: a connection loss like any
#                        other (gadget unplugged, a new ssh, the gadget back, the
#                        disk identical), the killed one reaped (no zombie)
#   transport-ssh-fail   a proxy command that exits at once (status 7, a line on
#                        stderr): retried with backoff 1, 2, 2 s; its line and
#                        its exit status in the log; no zombie (ASan build)
#   transport-unix       --remote unix:/tmp/u.sock, socat relaying it to usbipd's
#                        TCP port: the disk reads as the image
#   transport-throughput the whole disk (16 MiB, O_DIRECT, median of 3 reads)
#                        through TCP, ssh -W and the unix socket: MB/s of each
#                        (reported, not judged)
#@qemu -device usb-ehci,id=ehci
#@qemu -drive if=none,id=stick,format=raw,file=@DISK@
#@qemu -device usb-storage,id=stickdev,bus=ehci.0,port=1,drive=stick,serial=LAB0001
#@kernels 6.1
#@timeout 420
. "$LAB_REPO/tests/lab/faultlib.sh"
J=transport
need_gadgetd $J
need_cmd $J ssh /usr/sbin/sshd ssh-keygen socat useradd pgrep "$GADGETD_SAN"
fault_setup $J
RUSER=gdrelay
id -u $RUSER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $RUSER ||
	{ result $J FAIL "useradd $RUSER failed"; job_end; exit 1; }
RUID=$(id -u $RUSER)

# ---------------------------------------------------------------- sshd on loopback
S=/tmp/ssh
mkdir -p $S /run/sshd && chmod 755 $S && chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -C lab-host -f $S/host_ed25519 &&
	ssh-keygen -q -t ed25519 -N '' -C lab-client -f $S/id ||
	{ result $J FAIL "ssh-keygen failed"; job_end; exit 1; }
cp $S/id.pub $S/authorized_keys
# the key of the relay user: ssh refuses a private key another user can read
cp $S/id $S/id_relay && chown $RUSER $S/id_relay && chmod 600 $S/id_relay
# with UsePAM no, sshd refuses an account whose password is locked ("!..."):
# the guest's overlay copy of /etc/shadow only
grep -q '^root:!' /etc/shadow && usermod -p '*' root
cat > $S/sshd_config <<EOF
ListenAddress 127.0.0.1:22
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
LogLevel VERBOSE
EOF
/usr/sbin/sshd -f $S/sshd_config -E $S/sshd.log ||
	{ result $J FAIL "sshd did not start: $(tail -3 $S/sshd.log | tr '\n' ' ')"; job_end; exit 1; }
wait_for 10 tcp_listening 22 || { result $J FAIL "sshd is not listening on 22: $(tail -3 $S/sshd.log | tr '\n' ' ')"; job_end; exit 1; }
SSH="ssh -i $S/id_relay -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -W %h:%p root@127.0.0.1"
cat > /tmp/transport.cfg <<EOF
dead_peer_timeout = 5;
retry = { min = 1; max = 2; };
EOF

alive_or_fail() {  # alive_or_fail NAME: FAIL and stop the job when gadgetd died
	pid_alive "$GPID" && return 0
	wait "$GPID"; result "$1" FAIL "gadgetd exited (status $?): $(tail -2 "$GLOG" | short | tr '\n' ' ')"
	GPID=; job_end; exit 1
}
# mbps MS: the disk's size read in MS milliseconds, in MB/s (10^6 bytes)
SIZE=$(stat -c %s "$LAB_IMG")
mbps() { awk -v b="$SIZE" -v ms="$1" 'BEGIN { if (ms > 0) printf "%.1f", b / ms / 1000; else print "?" }'; }
# timed_read: three more whole-disk reads of /dev/$DISK_SD; prints the median
# time in ms (0 when one failed); the three in $READS
timed_read() {
	local t0 i ms=
	for i in 1 2 3; do
		t0=$(now_ms)
		timeout 120 dd if="/dev/$DISK_SD" of=/dev/null bs=1M iflag=direct 2>/dev/null || { echo 0; return; }
		ms="$ms $(( $(now_ms) - t0 ))"
	done
	echo "$ms" | tr ' ' '\n' | grep . | sort -n | sed -n 2p
}
# ssh_pids: the ssh processes (the proxy commands: gadgetd runs "exec CMD")
ssh_pids() { pgrep -x ssh | tr '\n' ' ' | sed 's/ $//'; }
# zombies PID: zombie children of PID and of its children (with --user the proxy is a
# child of gadgetd's network process, itself a child of gadgetd)
zombies() {
	local p
	for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
		ps -o pid=,stat=,comm= --ppid "$p" 2>/dev/null | awk '$2 ~ /^Z/ { printf "%s(%s) ", $1, $3 }'
	done
}

# ---------------------------------------------------------------- plain TCP (for the throughput)
gadgetd_start tcp --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -p /tmp/transport.cfg
if disk_check 60; then TCP_MS=$(timed_read); result $J-tcp PASS "$DISK_MSG; median of 3 more reads $(secs "$TCP_MS") s"
else TCP_MS=0; result $J-tcp FAIL "$DISK_MSG"; fi
gadgetd_stop $J-tcp

# ---------------------------------------------------------------- ssh -W, as the relay user
N=$J-ssh
gadgetd_start ssh --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -p /tmp/transport.cfg \
	--user $RUSER --proxy-command "$SSH" -v
ok=0; disk_check 90 && ok=1
SSH_MS=0; [ $ok = 1 ] && SSH_MS=$(timed_read)
msg=$DISK_MSG
alive_or_fail $N
P1=$(ssh_pids)
puid=$(proc_status "${P1%% *}" Uid | head -1)
ppid=$(ps -o ppid= -p "${P1%% *}" 2>/dev/null | tr -d ' ')
pppid=$(ps -o ppid= -p "${ppid:-0}" 2>/dev/null | tr -d ' ')
warn=$(grep -a -m1 'warning: proxy command (pid [0-9]*): ' "$GLOG" | short)
conn=$(grep -a -m1 "Accepted publickey for root" $S/sshd.log | cut -c1-100)
bad=
[ $ok = 1 ] || bad="$msg"
[ -n "$P1" ] && [ "${P1#* }" = "$P1" ] || bad="${bad:+$bad; }ssh processes: '${P1}' (want exactly one)"
[ "$puid" = "$RUID" ] || bad="${bad:+$bad; }ssh runs as uid ${puid:-?}, not $RUSER ($RUID)"
# with --user, gadgetd's network process (privsep.h) starts it
[ "$pppid" = "$GPID" ] || bad="${bad:+$bad; }ssh's parent is ${ppid:-?}, not gadgetd's network process (a child of $GPID)"
[ -n "$warn" ] || bad="${bad:+$bad; }ssh's standard error is not in the log"
[ -n "$conn" ] || bad="${bad:+$bad; }sshd logged no accepted key"
if [ -z "$bad" ]; then
	result $N PASS "$msg; median of 3 more reads $(secs "$SSH_MS") s; ssh pid $P1 uid $puid ($RUSER), child of gadgetd's network process $ppid; sshd: $conn; log: $warn"
else
	result $N FAIL "$bad"
fi

# ---------------------------------------------------------------- ssh killed mid-read
N=$J-ssh-kill
M=$(log_mark)
if [ $ok = 1 ]; then
	bg_read "$DISK_SD"
	wait_for 20 read_started 1048576 || log "the read did not reach 1 MiB"
	T=$(now_ms)
	kill -KILL "$P1"
	wait_for 15 gadget_gone; gone=$?
	td=$(log_at "$T" "closed the connection|unplugging")
	disk_check 60; ok2=$?
	wait "$READ_PID" 2>/dev/null
	alive_or_fail $N
	P2=$(ssh_pids)
	reaped=$(log_since "$M" "proxy command \(pid $P1\) (was killed|exited|ended)" | short)
	z=$(zombies "$GPID")
	bad=
	[ $gone = 0 ] || bad="the gadget did not go away after ssh was killed"
	[ -n "$td" ] || bad="${bad:+$bad; }no connection loss logged"
	[ $ok2 = 0 ] || bad="${bad:+$bad; }$DISK_MSG"
	[ -n "$P2" ] && [ "$P2" != "$P1" ] || bad="${bad:+$bad; }no new ssh (before: $P1, now: '$P2')"
	[ -n "$reaped" ] || bad="${bad:+$bad; }the killed ssh ($P1) was not reaped (log)"
	[ -z "$z" ] || bad="${bad:+$bad; }zombies: $z"
	kill -0 "$P1" 2>/dev/null && bad="${bad:+$bad; }the killed ssh $P1 is still in the process table"
	if [ -z "$bad" ]; then
		result $N PASS "ssh $P1 SIGKILLed during a read (read status $(bg_read_rc)): loss logged after $(secs $(( td - T ))) s, back as ssh $P2: $DISK_MSG; $reaped"
	else
		result $N FAIL "$bad"
	fi
else
	result $N FAIL "not run: the ssh session did not work"
fi
gadgetd_stop $N
leftover=$(ssh_pids)
[ -z "$leftover" ] || { result $N-stop FAIL "ssh still runs after gadgetd stopped: $leftover"; pkill -x ssh; }

# ---------------------------------------------------------------- a proxy that exits at once
N=$J-ssh-fail
GADGETD_SAVE=$GADGETD GADGETD=$GADGETD_SAN
gadgetd_start fail --remote 127.0.0.1 --busid "$B" --udc dummy_udc.0 -p /tmp/transport.cfg \
	--proxy-command "sh -c \"echo 'lab-proxy: cannot reach %h:%p' >&2; exit 7\""
GADGETD=$GADGETD_SAVE
M=0
wait_for 20 eval '[ $(backoff_since $M | wc -w) -ge 3 ]'
back=$(backoff_since $M)
line=$(log_since $M "warning: proxy command \(pid [0-9]+\): lab-proxy: cannot reach 127.0.0.1:3240" | short)
st=$(log_since $M "proxy command \(pid [0-9]+\) exited with status 7" | short)
z=$(zombies "$GPID")
kids=$(children "$GPID" | wc -l)
bad=
pid_alive "$GPID" || bad="gadgetd exited: $(tail -2 "$GLOG" | short | tr '\n' ' ')"
case "$back" in "1 2 2"*) ;; *) bad="${bad:+$bad; }backoff '$back', want 1 2 2";; esac
[ -n "$line" ] || bad="${bad:+$bad; }the proxy's stderr line is not in the log at warning level"
[ -n "$st" ] || bad="${bad:+$bad; }its exit status is not in the log"
[ -z "$z" ] || bad="${bad:+$bad; }zombies: $z"
if [ -z "$bad" ]; then
	result $N PASS "retried in $back s; log: \"$line\", \"$st\"; no zombie ($kids children while waiting)"
else
	result $N FAIL "$bad"
fi
gadgetd_stop $N
san=$(sanitizer_report "$LAB_OUT/gadgetd-fail.log")
[ -z "$san" ] || result $N-asan FAIL "$san"

# ---------------------------------------------------------------- unix socket
N=$J-unix
socat UNIX-LISTEN:/tmp/u.sock,fork TCP:127.0.0.1:3240 2>/tmp/socat.err & SOCAT=$!
wait_for 5 test -S /tmp/u.sock || log "socat did not make /tmp/u.sock"
gadgetd_start unix --remote unix:/tmp/u.sock --busid "$B" --udc dummy_udc.0 -p /tmp/transport.cfg
UNIX_MS=0
if disk_check 60; then
	UNIX_MS=$(timed_read)
	if grep -aq "imported $B from unix:/tmp/u.sock" "$GLOG"; then
		result $N PASS "$DISK_MSG; median of 3 more reads $(secs "$UNIX_MS") s; log: $(grep -a -m1 "imported $B from" "$GLOG" | short)"
	else
		result $N FAIL "the disk reads, but the log names no import from unix:/tmp/u.sock"
	fi
else
	result $N FAIL "$DISK_MSG"
fi
gadgetd_stop $N
kill $SOCAT 2>/dev/null; wait $SOCAT 2>/dev/null

# ---------------------------------------------------------------- throughput
t="TCP $(mbps "$TCP_MS") MB/s, ssh -W $(mbps "$SSH_MS") MB/s, unix socket (socat) $(mbps "$UNIX_MS") MB/s"
t="$t (median of 3 whole-disk reads of 16 MiB, O_DIRECT, 1 MiB requests, read-ahead on, 0 ms link, QEMU TCG guest)"
if [ "$TCP_MS" -gt 0 ] && [ "$SSH_MS" -gt 0 ] && [ "$UNIX_MS" -gt 0 ]; then
	result $J-throughput PASS "$t"
else
	result $J-throughput FAIL "a read failed: $t"
fi
kill "$(cat $S/sshd.pid 2>/dev/null)" 2>/dev/null
job_end

# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for lab jobs that move network traffic through a USB network device,
# sourced after tests/lab/lib.sh inside the guest.
#
# Both ends live in the one guest kernel, each in its own network namespace, so
# that traffic between them cannot take a shortcut through the guest's own
# routing: the USB interface (cdc_ether on dummy_hcd's or vhci's host side) in
# one, a virtio NIC in the other. QEMU joins the virtio NIC and usb-net on one
# hub, with no host network on it, so nothing leaves the guest:
#   -netdev hubport,id=a,hubid=0 -device virtio-net-pci,netdev=a,mac=...
#   -netdev hubport,id=b,hubid=0 -device usb-net,netdev=b,mac=...
# (QEMU warns "hub 0 is not connected to host network": expected.)
# Only IPv6 link-local addresses are used: no address configuration, no routes.
# Tools: ip (iproute2), ping (iputils-ping), socat, sha256sum.

NET_PORT=${NET_PORT:-5001}
NET_NS=

# netdev_behind USBINTF: the network interface of a USB interface (sysfs name, 3-1:1.0)
netdev_behind() {
	local n
	for n in "/sys/bus/usb/devices/$1"/net/*; do
		[ -e "$n" ] || continue
		echo "${n##*/}"; return 0
	done
	return 1
}

# netdev_driver IFACE: the driver of a network interface in this namespace
netdev_driver() { basename "$(readlink -f "/sys/class/net/$1/device/driver")"; }

# virtio_nic: the interface of the virtio NIC (driver virtio_net) in this namespace
virtio_nic() {
	local n
	for n in /sys/class/net/*; do
		[ "$(netdev_driver "${n##*/}" 2>/dev/null)" = virtio_net ] || continue
		echo "${n##*/}"; return 0
	done
	return 1
}

# net_ns_add NS IFACE: a fresh network namespace NS holding IFACE (moved there from
# this namespace), with lo and IFACE up. Namespaces are removed by net_ns_cleanup,
# which moves the interfaces back here (they are not virtual devices).
net_ns_add() {
	local ns=$1 ifc=$2
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || return 1
	NET_NS="$NET_NS $ns"
	ip link set "$ifc" netns "$ns" || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" link set "$ifc" up
}

net_ns_cleanup() {
	local ns
	for ns in $NET_NS; do ip netns del "$ns" 2>/dev/null; done
	NET_NS=
}

# net_ll_addr NS IFACE: the IPv6 link-local address of IFACE once usable (not
# tentative: duplicate address detection is over)
net_ll_addr() {
	ip -n "$1" -6 addr show dev "$2" scope link 2>/dev/null |
		awk '$1 == "inet6" && !/tentative/ { sub(/\/.*/, "", $2); print $2; f = 1; exit } END { exit !f }'
}

# net_counts NS IFACE: "TX-PACKETS RX-PACKETS" of IFACE
net_counts() {
	local tx rx
	tx=$(ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets" 2>/dev/null)
	rx=$(ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null)
	echo "${tx:-0} ${rx:-0}"
}

# net_ping NAME NS IFACE ADDR [COUNT]: ping ADDR (link-local, scope IFACE) from NS;
# RESULT NAME: PASS only when every echo request is answered. The first echo
# request also waits for neighbour discovery (no separate warm-up). A FAIL names
# the unanswered sequence numbers and IFACE's packet counts during the ping.
net_ping() {
	local name=$1 ns=$2 ifc=$3 addr=$4 count=${5:-10} out sum rtt c0 c1 miss
	c0=$(net_counts "$ns" "$ifc")
	out=$(ip netns exec "$ns" timeout 60 ping -6 -n -c "$count" -i 0.2 -W 5 "$addr%$ifc" 2>&1)
	c1=$(net_counts "$ns" "$ifc")
	sum=$(echo "$out" | grep -m1 'packets transmitted')
	rtt=$(echo "$out" | sed -n 's/^rtt min\/avg\/max\/mdev = \([^ ]*\) ms.*/\1/p' | cut -d/ -f1-3)
	if echo "$sum" | grep -q "^$count packets transmitted, $count received, 0% packet loss"; then
		result "$name" PASS "$ns:$ifc -> $addr: $sum; rtt min/avg/max $rtt ms"
	else
		miss=$(echo "$out" | sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' | sort -n |
			awk -v n="$count" '{ got[$1] = 1 } END { for (i = 1; i <= n; i++) if (!got[i]) printf "%s%d", s++ ? "," : "", i }')
		result "$name" FAIL "$ns:$ifc -> $addr: ${sum:-no summary}; unanswered icmp_seq ${miss:-?}; $ifc sent $(( ${c1% *} - ${c0% *} )) and received $(( ${c1#* } - ${c0#* } )) packets meanwhile${rtt:+; rtt min/avg/max $rtt ms}"
	fi
}

# net_listening NS PORT: a TCP socket listens on PORT in NS
net_listening() {
	local hex; hex=$(printf '%04X' "$2")
	ip netns exec "$1" awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}' /proc/net/tcp6
}

# net_transfer NAME FROM-NS FROM-IFACE TO-NS TO-ADDR FILE: send FILE over TCP from
# FROM-NS (connecting to [TO-ADDR%FROM-IFACE]:NET_PORT) to a listener in TO-NS;
# RESULT NAME: PASS when what arrived is byte-identical (sha256), with the
# throughput measured from the connection to the listener's exit (the last byte
# is on disk by then).
net_transfer() {
	local name=$1 from=$2 fromif=$3 to=$4 toaddr=$5 file=$6 rx lpid t0 t1 rc want got size ms
	rx=/tmp/net-rx.$name
	rm -f "$rx"
	size=$(stat -c %s "$file")
	want=$(sha256sum < "$file" | cut -c1-64)
	ip netns exec "$to" timeout 150 socat -u "TCP6-LISTEN:$NET_PORT,reuseaddr" "CREATE:$rx" 2>"/tmp/net-l.$name" &
	lpid=$!
	if ! wait_for 5 net_listening "$to" "$NET_PORT"; then
		kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
		result "$name" FAIL "the listener in $to did not start: $(tail -1 "/tmp/net-l.$name")"
		return 1
	fi
	t0=$(date +%s%N)
	ip netns exec "$from" timeout 120 socat -u "OPEN:$file,rdonly" "TCP6:[$toaddr%$fromif]:$NET_PORT" 2>"/tmp/net-s.$name"
	rc=$?
	[ $rc = 0 ] || kill "$lpid" 2>/dev/null
	wait "$lpid"
	t1=$(date +%s%N)
	got=$(sha256sum < "$rx" 2>/dev/null | cut -c1-64)
	ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -gt 0 ] || ms=1
	if [ $rc != 0 ]; then
		result "$name" FAIL "sender in $from failed (status $rc): $(tail -1 "/tmp/net-s.$name"); received $(stat -c %s "$rx" 2>/dev/null || echo 0) of $size bytes"
	elif [ "$got" != "$want" ]; then
		result "$name" FAIL "received $(stat -c %s "$rx" 2>/dev/null || echo 0) bytes, sha256 ${got:-none} != sent $want"
	else
		result "$name" PASS "$size bytes $from -> $to:[$toaddr] in $ms ms, $(( size * 1000 / ms / 1024 )) KiB/s, sha256 identical $want"
	fi
	rm -f "$rx"
}

# ------------------------------------------------------------ CDC descriptors
# lsusb_config BUS:DEV VALUE: the configuration with bConfigurationValue VALUE as
# `lsusb -v` shows it (from "Configuration Descriptor:" to the next configuration
# or the device-level sections), trailing blanks removed
lsusb_config() {
	lsusb -v -s "$1" 2>/dev/null | sed 's/[[:space:]]*$//' | awk -v want="$2" '
	function flush() { if (n && val == want) for (k = 0; k < n; k++) print buf[k]; n = 0; val = "" }
	/^  Configuration Descriptor:$/ { flush(); inc = 1; buf[n++] = $0; next }
	/^[A-Za-z]/ || /^  [A-Za-z]/ { flush(); inc = 0; next }
	inc { buf[n++] = $0; if ($1 == "bConfigurationValue") val = $2 }
	END { flush() }'
}

# cdc_blocks: from lsusb_config's output on stdin, the class-specific CDC blocks
# ("CDC Header:", "CDC Union:", "CDC Ethernet:" and their fields), each line
# prefixed with the interface number and alternate setting, blanks squeezed
cdc_blocks() {
	awk '
	function ind(s) { match(s, /^ */); return RLENGTH }
	$1 == "bInterfaceNumber" { ifn = $2 }
	$1 == "bAlternateSetting" { alt = $2 }
	{ i = ind($0) }
	cdc && i > cdc { $1 = $1; print "if" ifn "." alt ":   " $0; next }
	{ cdc = 0 }
	/^ *(CDC|UNRECOGNIZED CDC)/ { cdc = i; $1 = $1; print "if" ifn "." alt ": " $0 }'
}

# raw_cfg_descs USBDEV VALUE TYPE: the descriptors of type TYPE (decimal, 36 =
# CS_INTERFACE) in the configuration with bConfigurationValue VALUE, from the raw
# descriptors in sysfs (every configuration, also while bound to usbip-host),
# one per line as hex bytes
raw_cfg_descs() {
	od -An -tu1 -v "/sys/bus/usb/devices/$1/descriptors" 2>/dev/null | tr -s ' \n' '\n\n' | grep -v '^$' |
	awk -v want="$2" -v t="$3" '{ b[n++] = $1 } END {
		for (i = 18; i + 1 < n && b[i] > 0; i += b[i]) {
			if (b[i + 1] == 2 && b[i] >= 9) cur = b[i + 5]
			if (b[i + 1] != t || cur != want) continue
			s = ""
			for (k = 0; k < b[i] && i + k < n; k++) s = s (k ? " " : "") sprintf("%02x", b[i + k])
			print s
		} }'
}

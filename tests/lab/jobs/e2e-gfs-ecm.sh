# SPDX-License-Identifier: GPL-2.0-or-later
# CDC Ethernet (ECM) through gadgetd's GadgetFS backend: QEMU's usb-net in its
# CDC Ethernet configuration (0525:a4a2, configuration 1; configuration 2 is
# RNDIS), exported by usbipd and imported by gadgetd onto dummy_udc.0. The
# GadgetFS backend is chosen by gadgetd itself (FunctionFS cannot carry
# CS_INTERFACE descriptors). On dummy_hcd's host side cdc_ether must bind, the
# configuration must look as the remote's does (lsusb -v, CDC Header/Union/
# Ethernet byte for byte), and the interface must carry IPv6 link-local pings
# and 1 MiB each way, byte-identical, to a virtio NIC on the same QEMU hub as
# usb-net. Each end is in its own network namespace; the hub has no host
# network, so no packet leaves the guest (QEMU warns "hub 0 is not connected to
# host network": expected).
#
# usbip bind unconfigures the device (usb_generic's unbind sets configuration
# -1) and usbipd then reports bConfigurationValue 0, which gadgetd reads as "the
# first configuration", RNDIS here: configuration 1 is selected on the server
# side *after* the bind, so that usbipd reports 1 at import time.
#
# With LAB_APPEND=lab.ecm=vhci the same checks run through the kernel's own
# USB/IP client (vhci_hcd) instead of gadgetd: that proves the lab's network
# plumbing on its own (results named gfs-ecm-vhci-*).
#@qemu -device qemu-xhci,id=xhci
#@qemu -netdev hubport,id=a,hubid=0 -device virtio-net-pci,netdev=a,mac=52:54:00:00:ec:02
#@qemu -netdev hubport,id=b,hubid=0 -device usb-net,id=net,netdev=b,bus=xhci.0,mac=52:54:00:00:ec:01
#@timeout 420
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
. "$LAB_REPO/tests/lab/netlib.sh"
ID=0525:a4a2
CFG=1
GFS_DIR=/run/gadgetd/gadgetfs
VIA=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^lab\.ecm=//p' | tail -1)
case ${VIA:=gadgetd} in
	gadgetd) J=gfs-ecm;;
	vhci) J=gfs-ecm-vhci;;
	*) result gfs-ecm FAIL "lab.ecm=$VIA: not gadgetd or vhci"; exit 1;;
esac
[ "$VIA" = gadgetd ] && need_gadgetd $J
need_tool $J ip ping socat lsusb sha256sum
vhci_detach() {  # every port vhci_hcd has in use
	local p
	for p in $(usbip port 2>/dev/null | sed -n 's/^Port \([0-9]*\): <Port in Use>.*/\1/p'); do
		usbip detach -p "$p" >/dev/null
	done
}
stop() {  # end the job early: namespaces gone, importer stopped
	net_ns_cleanup
	if [ "$VIA" = gadgetd ]; then gadgetd_stop $J
	else vhci_detach; fi
	job_end; exit 1
}

# ---- server side: usb-net exported in its CDC Ethernet configuration
server_up || { result $J FAIL "usbip server side did not come up"; job_end; exit 1; }
wait_for 20 server_dev $ID >/dev/null || { result $J FAIL "no QEMU usb-net ($ID) on the server side"; job_end; exit 1; }
B=$(server_dev $ID)
export_busid "$B" || { result $J FAIL "cannot bind $B to usbip-host"; job_end; exit 1; }
echo $CFG > "/sys/bus/usb/devices/$B/bConfigurationValue"
R=/sys/bus/usb/devices/$B
rcfg=$(cat "$R/bConfigurationValue")
rcls=$(cat "$R/$B:$CFG.0/bInterfaceClass" "$R/$B:$CFG.0/bInterfaceSubClass" 2>/dev/null | tr '\n' /)
rdrv=$(basename "$(readlink "$R/$B:$CFG.0/driver")")
if [ "$rcfg" = $CFG ] && [ "$rcls" = 02/06/ ] && [ -z "$rdrv" ]; then
	result $J-remote PASS "$B ($ID, $(cat "$R/speed") Mb/s) bound to usbip-host, configuration $rcfg of $(cat "$R/bNumConfigurations") (interface 0 class 02/06: CDC Ethernet), no driver on its interfaces"
else
	result $J-remote FAIL "$B in configuration '${rcfg}' (want $CFG), interface 0 class '${rcls%/}' (want 02/06), interface driver '${rdrv}' (want none)"
fi
# what the remote looks like, read before the import (through usbfs)
lsusb_config "$(busdev "$B")" $CFG > "$LAB_OUT/ecm-config.remote"
cdc_blocks < "$LAB_OUT/ecm-config.remote" > "$LAB_OUT/ecm-cdc.remote"
raw_cfg_descs "$B" $CFG 36 > "$LAB_OUT/ecm-cs.remote"
lsusb -v -s "$(busdev "$B")" > "$LAB_OUT/lsusb-v.remote" 2>&1

# ---- the importing side, and the host side's drivers
mods usbnet cdc_ether virtio_net || { result $J FAIL "cannot load usbnet, cdc_ether or virtio_net"; job_end; exit 1; }
wait_for 10 eval 'E=$(virtio_nic)' || { result $J FAIL "no virtio_net interface (the peer end)"; job_end; exit 1; }
if [ "$VIA" = gadgetd ]; then
	gadget_side_up || { result $J FAIL "gadget side (dummy_hcd) did not come up"; job_end; exit 1; }
	mods gadgetfs || { result $J FAIL "cannot load gadgetfs.ko"; job_end; exit 1; }
	dev_gadget_up $J "$B" $ID || { job_end; exit 1; }
	# the backend actually used: GadgetFS mounted by gadgetd and bound to the
	# UDC, no ConfigFS gadget
	fn=$(cat /sys/class/udc/dummy_udc.0/function 2>/dev/null)
	if awk -v d=$GFS_DIR '$2 == d && $3 == "gadgetfs" {f=1} END {exit !f}' /proc/mounts &&
	   [ "$fn" = "USB Gadget filesystem" ] && configfs_clean; then
		result $J-backend PASS "GadgetFS mounted at $GFS_DIR and bound to dummy_udc.0 (function '$fn'), ConfigFS empty; gadgetd: $(sed -n 's/^[^ ]* gadgetd: info: \(backend .*\)/\1/p' "$GLOG" | head -1)"
	else
		result $J-backend FAIL "GadgetFS at $GFS_DIR: $(awk -v d=$GFS_DIR '$2 == d' /proc/mounts | head -1 || true)${fn:+; dummy_udc.0 function '$fn'}; ConfigFS: $(ls /sys/kernel/config/usb_gadget 2>/dev/null | tr '\n' ' ')"
	fi
else
	mods vhci_hcd || { result $J FAIL "cannot load vhci_hcd"; job_end; exit 1; }
	usbip attach -r 127.0.0.1 -b "$B" || { result $J FAIL "usbip attach $B failed"; job_end; exit 1; }
	wait_for 20 eval 'G=$(vhci_dev $ID)' || { result $J FAIL "$ID did not appear on vhci_hcd"; stop; }
fi

# ---- cdc_ether on the host side
if wait_for 20 eval 'U=$(netdev_behind $G:$CFG.0)'; then
	d0=$(basename "$(readlink -f "/sys/bus/usb/devices/$G:$CFG.0/driver")")
	d1=$(basename "$(readlink -f "/sys/bus/usb/devices/$G:$CFG.1/driver")")
	if [ "$d0" = cdc_ether ] && [ "$d1" = cdc_ether ] && [ "$(netdev_driver "$U")" = cdc_ether ]; then
		result $J-bind PASS "cdc_ether bound $G:$CFG.0 and $G:$CFG.1 ($(cat "/sys/bus/usb/devices/$G/speed") Mb/s, configuration $(cat "/sys/bus/usb/devices/$G/bConfigurationValue") of $(cat "/sys/bus/usb/devices/$G/bNumConfigurations")): $U, MAC $(cat "/sys/class/net/$U/address")"
	else
		result $J-bind FAIL "$U behind $G: drivers $G:$CFG.0 '$d0', $G:$CFG.1 '$d1', $U '$(netdev_driver "$U")' (want cdc_ether)"
	fi
else
	result $J-bind FAIL "no network interface behind $G:$CFG.0 (driver '$(basename "$(readlink -f "/sys/bus/usb/devices/$G:$CFG.0/driver" 2>/dev/null)")'; configuration '$(cat "/sys/bus/usb/devices/$G/bConfigurationValue" 2>/dev/null)')"
	stop
fi

# ---- descriptors: the configuration as lsusb -v shows it, and its CDC blocks
lsusb -v -s "$(busdev "$G")" > "$LAB_OUT/lsusb-v.gadget" 2>&1
lsusb_config "$(busdev "$G")" $CFG > "$LAB_OUT/ecm-config.gadget"
cdc_blocks < "$LAB_OUT/ecm-config.gadget" > "$LAB_OUT/ecm-cdc.gadget"
raw_cfg_descs "$G" $CFG 36 > "$LAB_OUT/ecm-cs.gadget"
have=$(sed -n 's/^if[0-9]*\.[0-9]*: \(CDC [A-Za-z ]*\):$/\1/p' "$LAB_OUT/ecm-cdc.remote" | awk '!seen[$0]++' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
if ! grep -q ': CDC Header:$' "$LAB_OUT/ecm-cdc.remote" || ! grep -q ': CDC Union:$' "$LAB_OUT/ecm-cdc.remote" ||
   ! grep -q ': CDC Ethernet:$' "$LAB_OUT/ecm-cdc.remote"; then
	result $J-cdc-descriptors FAIL "the remote's configuration $CFG has no CDC Header, Union and Ethernet descriptors (lsusb -v shows: ${have:-none})"
elif ! diff -u "$LAB_OUT/ecm-cdc.remote" "$LAB_OUT/ecm-cdc.gadget" > "$LAB_OUT/ecm-cdc.diff"; then
	result $J-cdc-descriptors FAIL "lsusb -v CDC descriptors differ (- remote $B, + $G): $(grep '^[-+][^-+]' "$LAB_OUT/ecm-cdc.diff" | tr -s ' ' | tr '\n' ';')"
elif ! cmp -s "$LAB_OUT/ecm-cs.remote" "$LAB_OUT/ecm-cs.gadget"; then
	result $J-cdc-descriptors FAIL "CS_INTERFACE bytes differ: remote $(tr '\n' ';' < "$LAB_OUT/ecm-cs.remote") gadget $(tr '\n' ';' < "$LAB_OUT/ecm-cs.gadget")"
else
	result $J-cdc-descriptors PASS "$have identical in lsusb -v ($(wc -l < "$LAB_OUT/ecm-cdc.remote") lines, iMacAddress $(awk '$2 == "iMacAddress" {print $4}' "$LAB_OUT/ecm-cdc.remote")) and byte for byte ($(wc -l < "$LAB_OUT/ecm-cs.remote") CS_INTERFACE: $(tr '\n' ';' < "$LAB_OUT/ecm-cs.remote" | sed 's/;$//; s/;/; /g'))"
fi
# the whole configuration, interfaces, alternate settings and endpoints included
n=$(wc -l < "$LAB_OUT/ecm-config.remote")
if [ "$n" -lt 20 ]; then
	result $J-lsusb FAIL "could not read the remote's configuration $CFG with lsusb ($n lines)"
elif diff -u "$LAB_OUT/ecm-config.remote" "$LAB_OUT/ecm-config.gadget" > "$LAB_OUT/ecm-config.diff"; then
	result $J-lsusb PASS "configuration $CFG identical in lsusb -v ($n lines: $(grep -c 'Interface Descriptor:' "$LAB_OUT/ecm-config.remote") interface descriptors, $(grep -c 'Endpoint Descriptor:' "$LAB_OUT/ecm-config.remote") endpoints)"
else
	result $J-lsusb FAIL "configuration $CFG differs in lsusb -v (- remote $B, + $G): $(grep '^[-+][^-+]' "$LAB_OUT/ecm-config.diff" | tr -s ' ' | tr '\n' ';')"
fi

# ---- the network: host side (cdc_ether) in one namespace, the peer (virtio) in another
if net_ns_add ecmhost "$U" && net_ns_add ecmpeer "$E" &&
   wait_for 20 eval 'HA=$(net_ll_addr ecmhost $U)' && wait_for 20 eval 'PA=$(net_ll_addr ecmpeer $E)'; then
	log "host side ecmhost:$U $HA (carrier $(ip netns exec ecmhost cat "/sys/class/net/$U/carrier")); peer ecmpeer:$E $PA"
	net_ping $J-ping-host ecmhost "$U" "$PA"
	net_ping $J-ping-peer ecmpeer "$E" "$HA"
	head -c 1M /dev/urandom > /tmp/ecm-out
	net_transfer $J-xfer-out ecmhost "$U" ecmpeer "$PA" /tmp/ecm-out
	head -c 1M /dev/urandom > /tmp/ecm-in
	net_transfer $J-xfer-in ecmpeer "$E" ecmhost "$HA" /tmp/ecm-in
	ip -n ecmhost -s link show "$U"
else
	why="no usable IPv6 link-local address: host side $U '${HA:-}' ($(ip -n ecmhost -6 addr show dev "$U" 2>&1 | awk '$1 == "inet6"' | tr -s ' ' | tr '\n' ';')), peer $E '${PA:-}'"
	for r in ping-host ping-peer xfer-out xfer-in; do result $J-$r FAIL "$why"; done
fi
net_ns_cleanup

# ---- teardown
if [ "$VIA" = gadgetd ]; then
	dev_gadget_down $J "$B"
	if awk -v d=$GFS_DIR '$2 == d || $3 == "gadgetfs" {f=1} END {exit !f}' /proc/mounts; then
		result $J-teardown-gadgetfs FAIL "GadgetFS still mounted: $(awk '$3 == "gadgetfs"' /proc/mounts | tr '\n' ';')"
	elif [ -e $GFS_DIR ]; then
		result $J-teardown-gadgetfs FAIL "$GFS_DIR still exists"
	elif [ -n "$(cat /sys/class/udc/dummy_udc.0/function 2>/dev/null)" ]; then
		result $J-teardown-gadgetfs FAIL "dummy_udc.0 still has a driver: $(cat /sys/class/udc/dummy_udc.0/function)"
	elif ! usbip_available "$B"; then
		result $J-teardown-gadgetfs FAIL "$B usbip_status is $(cat "$R/usbip_status"), not 1 (available)"
	else
		result $J-teardown-gadgetfs PASS "GadgetFS unmounted, $GFS_DIR removed, dummy_udc.0 free, $B available for import again"
	fi
else
	vhci_detach
	wait_for 10 usbip_available "$B" && result $J-teardown PASS "usbip detach: $B available again" ||
		result $J-teardown FAIL "$B usbip_status $(cat "$R/usbip_status") after usbip detach"
fi
job_end

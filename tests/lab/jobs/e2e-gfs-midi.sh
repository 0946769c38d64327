# SPDX-License-Identifier: GPL-2.0-or-later
# USB-MIDI through gadgetd's GadgetFS backend: a simulated USB-MIDI 1.0 device
# (tests/sim/devices/usb-midi.cfg: AudioControl + MIDIStreaming interfaces with
# jack descriptors, 9-byte bulk endpoints with CS_ENDPOINT MS General, a loopback
# of event packets). On dummy_hcd's host side snd-usb-audio binds and lists a
# raw MIDI port; `amidi` sends note-on/note-off and a SysEx message and receives
# them back; the device saw the host's event packets.
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/lab/devlib.sh"
. "$LAB_REPO/tests/sim/lab-sim.sh"
J=gfs-midi
VIDPID=1209:5156
sim_need $J
need_tool $J amidi
sim_gfs_up $J midi "$LAB_REPO/tests/sim/devices/usb-midi.cfg" $VIDPID snd_usb_audio
drv=
wait_for 20 eval 'drv=$(basename "$(readlink -f /sys/bus/usb/devices/$G:1.1/driver)" 2>/dev/null); [ "$drv" = snd-usb-audio ]'
[ "$drv" = snd-usb-audio ] && result $J-driver PASS "snd-usb-audio bound the MIDIStreaming interface $G:1.1" ||
	result $J-driver FAIL "the MIDIStreaming interface's driver is '$drv'"
port=
wait_for 10 eval 'port=$(amidi -l 2>/dev/null | awk "/USB-MIDI loopback|loopback/ { print \$2; exit }"); [ -n "$port" ]'
if [ -n "$port" ]; then
	result $J-port PASS "amidi -l: $(amidi -l | grep "$port" | tr -s ' ')"
	# note on, note off, and a SysEx (identity request) spanning several packets
	send="90 3C 7F 80 3C 00 F0 7E 7F 06 01 F7"
	# amidi -d prints each message as one word of hex: compare the bytes
	got=$(timeout 10 amidi -p "$port" -S "$send" -d -t 2 2>/dev/null | tr -d ' \n')
	[ "$got" = "$(echo "$send" | tr -d ' ')" ] && result $J-loopback PASS "sent $send, received the same bytes ($got)" ||
		result $J-loopback FAIL "sent '$send', received '$got'"
	n=$(grep -c '^OUT ep=1 ' "$SIMREC")
	[ "$n" -ge 1 ] && result $J-device PASS "the device got $n bulk OUT transfer(s) of event packets: $(grep -m1 '^OUT ep=1 ' "$SIMREC" | grep -o 'data=[0-9a-f]*' | cut -c1-60)" ||
		result $J-device FAIL "no event packets reached the device"
else
	result $J-port FAIL "amidi -l lists no port of the gadget: $(amidi -l 2>&1 | tr '\n' ' ')"
fi
gadgetd_stop $J
sim_job_end

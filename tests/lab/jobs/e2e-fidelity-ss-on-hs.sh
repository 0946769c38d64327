# SPDX-License-Identifier: GPL-2.0-or-later
# Transfer fidelity (tests/sim/fidelity.sh) for a super-speed simulated device (bulk 1024) on a high-speed gadget (bulk 512):
# the packet sizes differ, so gadgetd must re-cut OUT data and mark IN ends.
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/fidelity.sh"
fidelity_run ss-on-hs super 480
sim_job_end

# SPDX-License-Identifier: GPL-2.0-or-later
# Transfer fidelity (tests/sim/fidelity.sh) for a super-speed simulated device on a super-speed gadget (dummy_hcd is_super_speed=1).
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/fidelity.sh"
fidelity_run ss super 5000 is_super_speed=1
sim_job_end

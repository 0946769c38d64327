# SPDX-License-Identifier: GPL-2.0-or-later
# Transfer fidelity (tests/sim/fidelity.sh) for a full-speed simulated device on a full-speed gadget (dummy_hcd is_high_speed=0).
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/fidelity.sh"
fidelity_run fs full 12 is_high_speed=0
sim_job_end

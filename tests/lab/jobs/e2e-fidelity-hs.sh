# SPDX-License-Identifier: GPL-2.0-or-later
# Transfer fidelity (tests/sim/fidelity.sh) for a high-speed simulated device on a high-speed gadget (dummy_hcd default).
#@timeout 240
. "$LAB_REPO/tests/lab/lib.sh"
. "$LAB_REPO/tests/sim/fidelity.sh"
fidelity_run hs high 480
sim_job_end

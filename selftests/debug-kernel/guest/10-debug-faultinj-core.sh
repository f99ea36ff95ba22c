#!/bin/sh
# Debug kernel only: the Nth allocation of the init of hypervive_common,
# the TLFS model, hypervive_core and the hypercall test client fails, for
# every N its init reaches; each load fails cleanly (an errno, no module,
# nothing left in sysfs/debugfs, the model's guest OS ID back to 0) or loads
# and works, and kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
hv_require_model
fi_setup || ktap_fail "fault injection set up"

common_works() { [ -r /sys/kernel/hypervive/version ]; }
common_gone() { [ ! -e /sys/kernel/hypervive ]; }
# The model's and the test client's controls are in debugfs, whose failures
# a module must ignore (kernel rule): loaded without them still counts.
sim_works() { [ ! -e "$SIM" ] || [ -r "$SIM/msr/guest_os_id" ] || [ ! -e "$SIM/msr" ]; }
sim_gone() { [ ! -e "$SIM" ]; }
core_works() { [ "$(cat $CORE/platform)" = sim ] && cat $CORE/hypervisor/vendor >/dev/null; }
core_gone() { [ ! -e "$CORE" ] && [ "$(sim_get msr/guest_os_id)" = "$(hex 0)" ]; }
testmod_works() { [ ! -e "$HC" ] || [ "$(hc_field ret "$(hc "flush 1")")" = 0 ]; }
testmod_gone() { [ ! -e /sys/kernel/debug/hypervive_test ]; }

ktap_plan 8
hv_unload_all
fi_sweep hypervive_common "" common_works common_gone
fi_leaks hypervive_common
hv-insmod "$HV_KO/hypervive_common.ko"
fi_sweep hypervive_sim "" sim_works sim_gone
fi_leaks hypervive_sim
hv-insmod "$HV_KO/hypervive_sim.ko"
fi_sweep hypervive_core "platform=sim mode=active" core_works core_gone
fi_leaks hypervive_core
hv_load_core mode=active
fi_sweep hypervive_testmod "" testmod_works testmod_gone
hv_unload_all
fi_leaks hypervive_testmod
ktap_done

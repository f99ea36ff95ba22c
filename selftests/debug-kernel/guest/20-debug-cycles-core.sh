#!/bin/sh
# Debug kernel only: 1,000 load/unload cycles (kernel option
# hypervive.cycles=N) of hypervive_common alone, then of hypervive_core on
# the model, each loaded instance checked to work, then kmemleak finds
# nothing of ours.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/cycles.sh"
hv_require_model
kml_available || ktap_skip_all "no kmemleak in this kernel"

ktap_plan 5
hv_unload_all
cycles_run hypervive_common -c /sys/kernel/hypervive/version
cycles_leaks hypervive_common
hv_load_sim
cycles_run hypervive_core -c "$CORE/platform=sim" -c "$CORE/hypervisor/vendor" \
	-- platform=sim mode=active
ktap_expect_eq "the model's guest OS ID is 0 after the last unload" \
	"$(sim_get msr/guest_os_id)" "$(hex 0)"
hv_unload_all
cycles_leaks hypervive_core
ktap_done

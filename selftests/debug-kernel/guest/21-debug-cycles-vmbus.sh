#!/bin/sh
# Debug kernel only: 1,000 load/unload cycles (kernel option
# hypervive.cycles=N) of hypervive_vmbus, each connecting to the model's
# VMBus host and getting its nine channels, each unload sending UNLOAD; then
# kmemleak finds nothing of ours.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/cycles.sh"
hv_require_model
kml_available || ktap_skip_all "no kmemleak in this kernel"

ktap_plan 3
hv_unload_all
hv_load_sim
hv_load_core mode=active
u0=$(cat $HOST/unloads)
cycles_run hypervive_vmbus -c "$VMB/channel_count=9" -c "$VMB/version=5.3"
ktap_expect_eq "the model's host saw an UNLOAD for every cycle" \
	"$(( $(cat $HOST/unloads) - u0 ))" "$CYCLES"
hv_unload_all
cycles_leaks hypervive_vmbus
ktap_done

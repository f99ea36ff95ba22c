#!/bin/sh
# 100 load/unload cycles leak nothing, judged from kernel memory counters:
# slab, vmalloc and per-CPU memory after the cycles vs before (after a warm-up
# so caches have settled).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/cycles.sh"
hv_require_model

ktap_plan 3
hv_unload_all
hv_load_sim

cycle() {
	i=0
	while [ $i -lt "$1" ]; do
		hv_load_core mode=active || return 1
		cat $CORE/hypervisor/vendor $CORE/features/privileges_names >/dev/null
		rmmod hypervive_core || return 1
		i=$((i + 1))
	done
}

cycle 10
before=$(cycles_mem_kb)
ktap_check "100 load/unload cycles" cycle 100
after=$(cycles_mem_kb)
# One leaked page per CPU per cycle would be 800 kB here.
cycles_expect_growth_below 256 "$before" "$after"
ktap_expect_eq "guest ID back to 0 after the cycles" "$(sim_get msr/guest_os_id)" "$(hex 0)"
hv_unload_all
ktap_done

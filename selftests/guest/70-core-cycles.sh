#!/bin/sh
# 100 load/unload cycles leak nothing, judged from kernel memory counters:
# slab, vmalloc and per-CPU memory after the cycles vs before (after a warm-up
# so caches have settled).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 3
hv_unload_all
hv_load_sim

mem() {
	awk '/^(Slab|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo
}

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
sync
echo 3 >/proc/sys/vm/drop_caches
before=$(mem)
ktap_check "100 load/unload cycles" cycle 100
sync
echo 3 >/proc/sys/vm/drop_caches
after=$(mem)
ktap_diag "slab+vmalloc+percpu: before ${before} kB, after ${after} kB"
# One leaked page per CPU per cycle would be 800 kB here.
if hv_debug_kernel; then
	ktap_skip "memory grew by less than 256 kB" "debug kernel: KASAN's quarantine holds freed objects; kmemleak judges leaks"
else
	ktap_check "memory grew by less than 256 kB" test $((after - before)) -lt 256
fi
ktap_expect_eq "guest ID back to 0 after the cycles" "$(sim_get msr/guest_os_id)" "$(hex 0)"
hv_unload_all
ktap_done

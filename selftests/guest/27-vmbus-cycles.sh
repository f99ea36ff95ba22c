#!/bin/sh
# 100 load/unload cycles of hypervive_vmbus (connect, 9 channels with their
# sysfs directories, traffic, UNLOAD) leak nothing, judged from kernel
# memory counters after a warm-up, and leave the model as they found it.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/cycles.sh"
hv_require_model

ktap_plan 5
hv_unload_all
hv_load_sim
hv_load_core

cycle() {
	i=0
	while [ $i -lt "$1" ]; do
		hv_load_vmbus || return 1
		[ "$(cat $VMB/channel_count)" = 9 ] || { echo "cycle $i: $(cat $VMB/channel_count) channels"; return 1; }
		cat $VMB/channels/7/port $VMB/cpus/cpu1/simp >/dev/null
		host_cmd storm 20 1 >/dev/null
		host_cmd event "0 3" >/dev/null
		rmmod hypervive_vmbus || return 1
		i=$((i + 1))
	done
}

cycle 10
before=$(cycles_mem_kb)
u0=$(cat $HOST/unloads)
c0=$(cat $HOST/contacts)
ktap_check "100 load/unload cycles" cycle 100
after=$(cycles_mem_kb)
# Two leaked pages per CPU per cycle would be 1600 kB here.
cycles_expect_growth_below 256 "$before" "$after"
ktap_expect_eq "100 INITIATE_CONTACTs, 100 UNLOADs" \
	"$(( $(cat $HOST/contacts) - c0 )) $(( $(cat $HOST/unloads) - u0 ))" "100 100"
ktap_expect_eq "SynIC of both CPUs back to reset" \
	"$(syn_get 0 scontrol) $(syn_get 0 simp) $(syn_get 1 siefp) $(syn_get 1 sint2)" \
	"$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)"
ktap_expect_eq "no host protocol error, nothing undeliverable" \
	"$(cat $HOST/protocol_errors) $(cat $HOST/undeliverable)" "0 0"
hv_unload_all
ktap_done

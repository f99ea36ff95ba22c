#!/bin/sh
# Debug kernel only: the Nth allocation made by hypervive_vmbus's code fails
# (in its init, its CPU hotplug callbacks, its message softirq, its offer
# work), for every N it reaches, against the model's SynIC and VMBus host;
# each load fails cleanly (an errno, no module, no sysfs, the model's SynIC
# off on every CPU) or connects with its nine channels, or with fewer and
# the lost message counted in drops_nomem; a last full load still works;
# kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
hv_require_model
fi_setup || ktap_fail "fault injection set up"

vmbus_works() {
	fi_is "$VMB/channel_count" 9 || ! fi_is "$VMB/counters/drops_nomem" 0
}
# syn_off CPU: the model's SCONTROL of CPU is 0 (SynIC off).
syn_off() {
	while read -r _k _v; do
		[ "$_k" = scontrol ] && { [ "$_v" = 0x0000000000000000 ]; return; }
	done <"$SYN/cpu$1"
	return 1
}
vmbus_gone() { [ ! -e "$VMB" ] && syn_off 0 && syn_off 1; }

ktap_plan 3
hv_unload_all
hv_load_sim
hv_load_core mode=active
# A lost VERSION_RESPONSE or ALLOFFERS_DELIVERED fails the load after these.
fi_sweep hypervive_vmbus "connect_timeout_ms=3000 offers_timeout_ms=5000" vmbus_works vmbus_gone
ktap_check "hypervive_vmbus loads and connects after the sweep" sh -c \
	"hv-insmod $HV_KO/hypervive_vmbus.ko && [ \"\$(cat $VMB/channel_count)\" = 9 ] && rmmod hypervive_vmbus"
hv_unload_all
fi_leaks hypervive_vmbus
ktap_done

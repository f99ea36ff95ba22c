#!/bin/sh
# Debug kernel only: the Nth allocation of hypervive_vmbus's init fails, for
# every N its init reaches, against the model's SynIC and VMBus host; each
# load fails cleanly (an errno, no module, no sysfs, the model's SynIC off
# on every CPU) or connects with its nine channels, and a last full load
# still works; kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
hv_require_model
fi_setup || ktap_fail "fault injection set up"

vmbus_works() { [ "$(cat $VMB/channel_count)" = 9 ]; }
vmbus_gone() {
	[ ! -e "$VMB" ] || return 1
	for c in 0 1; do
		[ "$(syn_get $c scontrol)" = "$(hex 0)" ] || return 1
	done
}

ktap_plan 3
hv_unload_all
hv_load_sim
hv_load_core mode=active
fi_sweep hypervive_vmbus "" vmbus_works vmbus_gone
ktap_check "hypervive_vmbus loads and connects after the sweep" sh -c \
	"hv-insmod $HV_KO/hypervive_vmbus.ko && [ \"\$(cat $VMB/version)\" = 5.3 ] && rmmod hypervive_vmbus"
hv_unload_all
fi_leaks hypervive_vmbus
ktap_done

#!/bin/sh
# Debug kernel only: the Nth allocation made by the TLFS model's code fails,
# for every N it reaches (most are its debugfs controls, whose failures it
# must ignore, as the kernel's rule for debugfs says); each load fails
# cleanly (an errno, no module, nothing left in debugfs) or loads with its
# controls usable or absent, and kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
hv_require_model
fi_setup || ktap_fail "fault injection set up"

# Loaded is working: a control whose debugfs file could not be made is
# simply absent (a directory may be there without some of its files); one
# that is there must read.
sim_works() {
	fi_is /sys/module/hypervive_sim/initstate live &&
		{ [ ! -e "$SIM/msr/guest_os_id" ] || read -r _ <"$SIM/msr/guest_os_id"; }
}
sim_gone() { [ ! -e "$SIM" ]; }

ktap_plan 2
hv_unload_all
hv-insmod "$HV_KO/hypervive_common.ko"
fi_sweep hypervive_sim "" sim_works sim_gone
hv_unload_all
fi_leaks hypervive_sim
ktap_done

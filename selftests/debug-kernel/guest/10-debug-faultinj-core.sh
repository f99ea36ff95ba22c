#!/bin/sh
# Debug kernel only: the Nth allocation made by the code of hypervive_common,
# hypervive_core and the hypercall test client fails (in their init or
# while they are used), for every N they reach; each load fails cleanly (an
# errno, no module, nothing left in sysfs/debugfs, the model's guest OS ID
# back to 0) or loads and works, and kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
hv_require_model
fi_setup || ktap_fail "fault injection set up"

common_works() { [ -r /sys/kernel/hypervive/version ]; }
common_gone() { [ ! -e /sys/kernel/hypervive ]; }
core_works() { fi_is "$CORE/platform" sim && read -r _ <"$CORE/hypervisor/vendor"; }
core_gone() { [ ! -e "$CORE" ] && fi_is "$SIM/msr/guest_os_id" 0x0000000000000000; }
# The test client's controls are in debugfs, whose failures a module must
# ignore (kernel rule): loaded without them still counts.  A hypercall whose
# own buffer could not be allocated reports -ENOMEM: that is working too.
testmod_works() {
	[ -e "$HC" ] || return 0
	echo "flush 1" >"$HC" && read -r _r <"$HC" &&
		case " $_r " in *" ret=0 "* | *" ret=-12 "*) ;; *) false ;; esac
}
testmod_gone() { [ ! -e /sys/kernel/debug/hypervive_test ]; }

ktap_plan 6
hv_unload_all
fi_sweep hypervive_common "" common_works common_gone
fi_leaks hypervive_common
hv_load_sim
fi_sweep hypervive_core "platform=sim mode=active" core_works core_gone
fi_leaks hypervive_core
hv_load_core mode=active
fi_sweep hypervive_testmod "" testmod_works testmod_gone
hv_unload_all
fi_leaks hypervive_testmod
ktap_done

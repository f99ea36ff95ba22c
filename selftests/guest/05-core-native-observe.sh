#!/bin/sh
# On a real Hyper-V guest: hypervive_core on the native platform in observe
# mode reads and reports without touching anything.  Skips elsewhere.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"

hv_on_hyperv || ktap_skip_all "not a Hyper-V guest (CPUID 0x40000001 is not Hv#1)"
ktap_plan 6
hv_unload_all
hv_loaded hypervive_common || hv-insmod "$HV_KO/hypervive_common.ko"
ktap_check "native observe loads" hv-insmod "$HV_KO/hypervive_core.ko" mode=observe
ktap_expect_eq "effective mode" "$(cat $CORE/effective_mode)" observe
ktap_expect_eq "vendor is what CPUID says" "$(cat $CORE/hypervisor/vendor)" \
	"$(hv-cpuid 0x40000000 | cut -d' ' -f6-)"
ktap_expect_eq "interface" "$(cat $CORE/hypervisor/interface)" "Hv#1 0x31237648"
ktap_check "privileges decode" test -n "$(cat $CORE/features/privileges_names)"
gid=$(cat $CORE/guest_id/value)
rmmod hypervive_core
ktap_check "the guest OS ID is non-zero (the kernel set it) and was left alone" \
	test "$gid" != "0x0000000000000000" -a "$gid" != "unavailable"
hv_unload_all
ktap_done

#!/bin/sh
# sysfs shows what the model was configured with; leaves beyond the max
# leaf have no files; configurations that are not Hyper-V are refused.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 23
hv_unload_all

hv_load_sim vendor=HyperViveSim build=12345 version_major=11 version_minor=2 \
	service_pack=3 service_branch_number=0x05000007 max_leaf=0x40000005 \
	priv_eax=0x221 priv_ebx=0x10 features_edx=0x10400 recommendations=0x200 \
	spin_retries=4095 phys_bits=52 max_vps=64 max_lps=32
hv_load_core
ktap_expect_eq "vendor" "$(cat $CORE/hypervisor/vendor)" HyperViveSim
ktap_expect_eq "interface" "$(cat $CORE/hypervisor/interface)" "Hv#1 0x31237648"
ktap_expect_eq "max leaf" "$(cat $CORE/hypervisor/max_leaf)" 0x40000005
ktap_expect_eq "version" "$(cat $CORE/hypervisor/version)" 11.2
ktap_expect_eq "build" "$(cat $CORE/hypervisor/build)" 12345
ktap_expect_eq "service pack, branch, number" \
	"$(cat $CORE/hypervisor/service_pack) $(cat $CORE/hypervisor/service_branch) $(cat $CORE/hypervisor/service_number)" \
	"3 5 7"
ktap_expect_eq "privileges raw" "$(cat $CORE/features/privileges)" 0x0000001000000221
ktap_expect_eq "privileges decoded" "$(cat $CORE/features/privileges_names)" \
	"AccessVpRunTimeReg AccessHypercallMsrs AccessPartitionReferenceTsc PostMessages"
ktap_expect_eq "features EDX decoded" "$(cat $CORE/features/features_edx_names)" \
	"GuestCrashMsrs bit16"
ktap_expect_eq "recommendations decoded" "$(cat $CORE/features/recommendations_names)" \
	DeprecateAutoEoi
ktap_expect_eq "spinlock retries, address bits" \
	"$(cat $CORE/features/spinlock_retries) $(cat $CORE/features/physical_address_bits)" "4095 52"
ktap_expect_eq "limits" \
	"$(cat $CORE/features/max_virtual_processors) $(cat $CORE/features/max_logical_processors)" "64 32"
ktap_expect_eq "raw leaf 0x40000003" "$(cat $CORE/cpuid/40000003)" \
	"0x00000221 0x00000010 0x00000000 0x00010400"
ktap_check "no file for leaf 0x40000006 (above max leaf)" test ! -e $CORE/cpuid/40000006
ktap_check "no hw_features file (above max leaf)" test ! -e $CORE/features/hw_features
ktap_check "no isolation file (above max leaf)" test ! -e $CORE/features/isolation_type
hv_unload_all

hv_load_sim
hv_load_core
ktap_check "default model: leaf 0x4000000c shown" test -e $CORE/cpuid/4000000c
ktap_expect_eq "isolation type none" "$(cat $CORE/features/isolation_type)" none
ktap_expect_eq "nesting level" "$(cat $CORE/features/nesting_level)" 0
ktap_check "summary line at load" dmesg_has "hypervive_core: Microsoft Hv (Hv#1) 10.0 build 20348, platform sim, mode auto -> active"
hv_unload_all

# refuse DESC SIM-PARAMS... : the model says it is no Hyper-V.
refuse() {
	desc=$1
	shift
	hv_load_sim "$@"
	dmesg_mark
	if hv_load_core 2>/dev/null; then
		ktap_fail "$desc"
		rmmod hypervive_core
	elif dmesg | grep -q "hypervive_core: no "; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "no explanation in dmesg"
	fi
	rmmod hypervive_sim
}
refuse "no hypervisor-present bit: refused" present=0
refuse "interface not Hv#1: refused" interface=0x12345678
refuse "max leaf below 0x40000005: refused" max_leaf=0x40000004

hv_unload_all
ktap_done

#!/bin/sh
# What the partition's privileges allow: without AccessPartitionReferenceTsc
# the MSR faults and hypervive_refcount (the MSR alone) is registered;
# without AccessPartitionReferenceCounter no clocksource at all (the page
# would have no fallback); with AccessTscInvariantControls the TSC invariant
# control is written and only then the auto rating lowered to 250, below the
# kernel's tsc, as Linux does (arch/x86/kernel/cpu/mshyperv.c writes
# HV_X64_MSR_TSC_INVARIANT_CONTROL, drivers/clocksource/hyperv_timer.c lowers
# the rating on the same privilege).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 21
PRIV=0x2e7f	# the model's default
hv_unload_all
cs_select ""

hv_load_sim priv_eax=$((PRIV & ~0x200))
ktap_check "loads without the reference TSC privilege" hv_load_core mode=active
hv_load_testmod
r=$(hc "rdmsr 40000021")
ktap_expect_eq "the reference TSC MSR faults" "$(hc_field ret "$r")" -5
rmmod hypervive_testmod
ktap_expect_eq "sysfs: owner unknown, MSR unavailable" \
	"$(cat $TSCP/owner) $(cat $TSCP/enabled) $(cat $TSCP/sequence)" "unknown unavailable unavailable"
ktap_expect_eq "hypervive_refcount registered" "$(cat $TSCP/clocksource)" hypervive_refcount
cs_select hypervive_refcount
ktap_expect_eq "and current" "$(cs_current)" hypervive_refcount
r0=$(sim_get tsc/refcount_reads)
ktap_check "time runs forward on the MSR" hv-clock mono 2 2
ktap_check "each read is an MSR read" test $(( $(sim_get tsc/refcount_reads) - r0 )) -gt 1000
ktap_expect_eq "no fallbacks: there is no page" "$(cat $TSCP/fallback_reads)" 0
rmmod hypervive_core
ktap_check "unloaded while current, switched away" test "$(cs_current)" != hypervive_refcount
cs_select ""
hv_unload_all

hv_load_sim priv_eax=$((PRIV & ~0x2))
ktap_check "loads without the reference counter privilege" hv_load_core mode=active
ktap_expect_eq "the page is still ours" "$(cat $TSCP/owner) $(cat $TSCP/enabled)" "hypervive 1"
ktap_expect_eq "no clocksource, and why" \
	"$(cat $TSCP/clocksource): $(cat $TSCP/clocksource_reason)" \
	"none: the partition lacks AccessPartitionReferenceCounter"
ktap_expect_eq "reference_time needs the page only" "$(cat $TSCP/reference_time | tr -d 0-9)" ""
hv_unload_all

hv_load_sim priv_eax=$((PRIV | 0x8000))
ktap_check "loads with AccessTscInvariantControls" hv_load_core mode=active
ktap_expect_eq "the TSC invariant control is set (MSR 0x40000118 bit 0)" \
	"$(sim_get msr/tsc_invariant_control)" 0x0000000000000001
ktap_check "and said so" dmesg_has "TSC invariant control set (MSR 0x40000118): the TSC is migration-safe"
ktap_expect_eq "then the auto rating is 250, below tsc (300)" "$(cat $TSCP/rating)" 250
# The model's rule (KVM's): bit 0 only, and a guest cannot clear it.
hv_load_testmod
ktap_expect_eq "the model refuses other bits" "$(hc_field ret "$(hc "wrmsr 40000118 3")")" -5
ktap_expect_eq "and refuses clearing it" "$(hc_field ret "$(hc "wrmsr 40000118 0")")" -5
rmmod hypervive_testmod
rmmod hypervive_core
ktap_expect_eq "unload leaves it set (the guest cannot clear it)" \
	"$(sim_get msr/tsc_invariant_control)" 0x0000000000000001
hv_unload_all

# Without the privilege the control is never touched and the rating stays
# 500 whatever the CPU says about its TSC: Linux lowers it on the privilege
# alone, the one promise that the hypervisor keeps the TSC migration-safe.
hv_load_sim
hv_load_core mode=active
ktap_expect_eq "without the privilege: rating 500, control untouched" \
	"$(cat $TSCP/rating) $(sim_get msr/tsc_invariant_control)" "500 0x0000000000000000"
hv_unload_all
ktap_done

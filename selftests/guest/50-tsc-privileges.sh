#!/bin/sh
# What the partition's privileges allow: without AccessPartitionReferenceTsc
# the MSR faults and hypervive_refcount (the MSR alone) is registered;
# without AccessPartitionReferenceCounter no clocksource at all (the page
# would have no fallback); AccessTscInvariantControls lowers the auto rating
# to 250, below the kernel's tsc.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 15
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
ktap_expect_eq "auto rating 250, below tsc (300)" "$(cat $TSCP/rating)" 250
hv_unload_all
ktap_done

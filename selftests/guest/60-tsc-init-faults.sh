#!/bin/sh
# Every MSR access of init fails in turn (the model's fail_msr_nth), now
# with the reference TSC page, the reference counter and CRASH_CTL in init:
# each failure fails the load and leaves the reference TSC MSR as found and
# no clocksource of ours behind, also where the clocksource had already
# become current (rating 500 beats every other clocksource here).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 6
hv_unload_all
cs_select ""
hv_load_sim tsc_rsvdp=0x3fe
msr0=$(sim_get tsc/msr)

n=1 points=0 bad=""
while [ $n -le 60 ]; do
	sim_set fail_msr_nth $n
	if hv_load_core mode=active clocksource_rating=500 2>/dev/null; then
		break
	fi
	points=$((points + 1))
	[ "$(sim_get tsc/msr)" = "$msr0" ] || bad="$bad tsc-msr@$n"
	[ "$(sim_get tsc/sequence)" = 0 ] || bad="$bad overlay@$n"
	cs_ours && bad="$bad clocksource@$n"
	case "$(cs_current)" in hypervive_*) bad="$bad current@$n" ;; esac
	n=$((n + 1))
done
sim_set fail_msr_nth 0
ktap_diag "init failure points reached: $points"
# guest ID and hypercall MSRs (6), reference TSC (3), reference counter, CRASH_CTL.
ktap_check "at least 11 failure points were reached" test "$points" -ge 11
ktap_expect_eq "every failure unwound cleanly" "${bad:-none}" none
ktap_check "with no failure injected the load succeeds" hv_loaded hypervive_core
ktap_expect_eq "and registers the clocksource" "$(cat $TSCP/clocksource)" hypervive_tsc_page
ktap_check "which the leftover check above would have seen" cs_ours
ktap_check "time runs forward" hv-clock mono 2 1
hv_unload_all
ktap_done

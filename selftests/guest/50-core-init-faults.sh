#!/bin/sh
# Every MSR access of init fails in turn (the model's fail_msr_nth): each
# failure fails the load with a message and leaves the MSRs as they were.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 4
hv_unload_all
hv_load_sim hypercall_rsvdp=0x154
gid0=$(sim_get msr/guest_os_id)
hc0=$(sim_get msr/hypercall)

n=1 points=0 bad=""
while [ $n -le 40 ]; do
	sim_set fail_msr_nth $n
	dmesg_mark
	if hv_load_core mode=active 2>/dev/null; then
		break
	fi
	points=$((points + 1))
	dmesg | grep -q "hypervive_core:" || bad="$bad no-message@$n"
	[ "$(sim_get msr/guest_os_id)" = "$gid0" ] || bad="$bad guest-id@$n"
	[ "$(sim_get msr/hypercall)" = "$hc0" ] || bad="$bad hypercall-msr@$n"
	hv_loaded hypervive_core && bad="$bad still-loaded@$n"
	n=$((n + 1))
done
ktap_diag "init failure points reached: $points"
# Init reads the guest ID and hypercall MSRs, writes and reads back each.
ktap_check "at least 6 distinct failure points were reached" test "$points" -ge 6
ktap_expect_eq "every failure unwound cleanly" "${bad:-none}" none
ktap_check "with no failure injected the load succeeds" hv_loaded hypervive_core
ktap_expect_eq "and the model saw no RsvdP violation" "$(sim_get rsvd_violations)" 0
hv_unload_all
ktap_done

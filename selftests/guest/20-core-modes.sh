#!/bin/sh
# Modes, ownership and the TLFS rules of the guest OS ID and hypercall MSRs.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 36
hv_unload_all

# --- mode=auto on a partition nobody set up: we take it. ---
hv_load_sim hypercall_rsvdp=0x3fc
hc_before=$(sim_get msr/hypercall)
ktap_check "auto loads on the model" hv_load_core mode=auto
ktap_expect_eq "auto -> active" "$(cat $CORE/effective_mode)" active
ktap_expect_eq "guest ID owner is us" "$(cat $CORE/guest_id/owner)" hypervive
gid=$(sim_get msr/guest_os_id)
ktap_expect_eq "guest ID is open source Linux (63:48 = 0x8100)" \
	"$(printf '0x%x' $(( (gid >> 48) & 0xffff )))" 0x8100
kv=$(uname -r)
maj=${kv%%.*}
rest=${kv#*.}
min=${rest%%.*}
ktap_expect_eq "guest ID carries the kernel version (47:24)" \
	$(( (gid >> 24) & 0xffffff )) $(( (maj << 8) | min ))
ktap_expect_eq "sysfs shows the model's guest ID" "$(cat $CORE/guest_id/value)" "$(hex $gid)"
hcm=$(sim_get msr/hypercall)
ktap_expect_eq "hypercall page enabled in the MSR" $(( hcm & 1 )) 1
ktap_expect_eq "the MSR holds our page's frame" \
	"$(printf '0x%x' $(( hcm >> 12 )))" "$(cat $CORE/hypercall/page_pfn)"
ktap_expect_eq "RsvdP bits preserved" "$(printf '0x%x' $(( hcm & 0xffc )))" 0x3fc
ktap_expect_eq "the model saw no RsvdP violation" "$(sim_get rsvd_violations)" 0
ktap_expect_eq "hypercalls ready" "$(cat $CORE/hypercall/ready)" 1
rmmod hypervive_core
ktap_expect_eq "unload restores the guest ID (0)" "$(sim_get msr/guest_os_id)" "$(hex 0)"
ktap_expect_eq "unload restores the hypercall MSR" "$(sim_get msr/hypercall)" "$hc_before"

# --- mode=observe writes no MSR at all. ---
w0=$(sim_get msr_writes)
ktap_check "observe loads" hv_load_core mode=observe
ktap_expect_eq "observe stays observe" "$(cat $CORE/effective_mode)" observe
cat $CORE/guest_id/value $CORE/hypercall/msr >/dev/null
rmmod hypervive_core
ktap_expect_eq "observe wrote no MSR (load, sysfs, unload)" "$(sim_get msr_writes)" "$w0"

# --- mode=active on a free partition behaves like auto. ---
ktap_check "active loads on a free partition" hv_load_core mode=active
ktap_expect_eq "active -> active" "$(cat $CORE/effective_mode)" active

# TLFS rules, driven through hypervive_core's MSR accessors.
hv_load_testmod
gid=$(sim_get msr/guest_os_id)
hc "wrmsr 40000000 0" >/dev/null
ktap_expect_eq "zeroing the guest ID disables the hypercall page" \
	$(( $(sim_get msr/hypercall) & 1 )) 0
r=$(hc "wrmsr 40000001 $(printf '%x' $(( $(sim_get msr/hypercall) | 1 )))")
ktap_expect_eq "the enable bit stays 0 without a guest ID" \
	$(( $(sim_get msr/hypercall) & 1 )) 0
hc "wrmsr 40000000 $(printf '%x' $gid)" >/dev/null
hc "wrmsr 40000001 $(printf '%x' $(( $(sim_get msr/hypercall) | 1 )))" >/dev/null
ktap_expect_eq "with the ID back, the page enables" $(( $(sim_get msr/hypercall) & 1 )) 1
r=$(hc "wrmsr 40000002 5")
ktap_expect_eq "VP_INDEX is read-only: the write faults" "$(hc_field ret "$r")" -5
r=$(hc "rdmsr 40000002")
ktap_expect_eq "VP_INDEX reads" "$(hc_field ret "$r")" 0
r=$(hc "rdmsr 400000ff")
ktap_expect_eq "an unknown synthetic MSR faults" "$(hc_field ret "$r")" -5
rmmod hypervive_testmod
rmmod hypervive_core
rmmod hypervive_sim

# --- an MSR whose privilege is absent faults; core then observes. ---
hv_load_sim priv_eax=0x1f
ktap_check "auto loads without AccessHypercallMsrs" hv_load_core
ktap_check "and observes, saying why" \
	grep -q "AccessHypercallMsrs" $CORE/observe_reason
ktap_expect_eq "the guest ID shows as unavailable" "$(cat $CORE/guest_id/value)" unavailable
rmmod hypervive_core
dmesg_mark
if hv_load_core mode=active 2>/dev/null; then
	ktap_fail "active without the privilege is refused"
	rmmod hypervive_core
else
	ktap_ok "active without the privilege is refused"
fi
rmmod hypervive_sim

# --- another owner set everything up (Debian's kernel on Hyper-V). ---
hv_load_sim preset=owned
gid=$(sim_get msr/guest_os_id)
hcm=$(sim_get msr/hypercall)
w0=$(sim_get msr_writes)
ktap_check "auto loads on an owned partition" hv_load_core
ktap_expect_eq "auto -> observe when owned" "$(cat $CORE/effective_mode)" observe
ktap_expect_eq "the hypercall page owner is 'other'" "$(cat $CORE/hypercall/owner)" other
rmmod hypervive_core
dmesg_mark
if hv_load_core mode=active 2>/dev/null; then
	ktap_fail "active on an owned partition is refused"
	rmmod hypervive_core
else
	ktap_ok "active on an owned partition is refused"
fi
ktap_check "the refusal says why in one line" \
	dmesg_has "mode=active refused: the hypercall page is already enabled by another owner"
ktap_expect_eq "the other owner's state is untouched" \
	"$(sim_get msr/guest_os_id) $(sim_get msr/hypercall) $(sim_get msr_writes)" "$gid $hcm $w0"
rmmod hypervive_sim

# --- a locked hypercall MSR with the page off: active fails and unwinds. ---
hv_load_sim preset=locked
dmesg_mark
if hv_load_core mode=active 2>/dev/null; then
	ktap_fail "a locked, disabled hypercall MSR fails the load"
	rmmod hypervive_core
else
	ktap_ok "a locked, disabled hypercall MSR fails the load"
fi
ktap_expect_eq "the guest ID we wrote is taken back" "$(sim_get msr/guest_os_id)" "$(hex 0)"

hv_unload_all
ktap_done

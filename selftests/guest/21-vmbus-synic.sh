#!/bin/sh
# hypervive_vmbus programs the SynIC of every CPU as the TLFS says, tears it
# down in reverse, follows CPU hotplug, and chooses AutoEOI from CPUID
# 0x40000004.  The register values are read from the model, not from us.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 29
hv_unload_all
hv_load_sim
hv_load_core
CPU1=/sys/devices/system/cpu/cpu1/online

ktap_check "hypervive_vmbus loads" hv_load_vmbus
ktap_expect_eq "active, interrupts" "$(vmb effective_mode) $(vmb delivery)" "active interrupt"
vec=$(vmb vector)
for c in 0 1; do
	sc=$(syn_get $c scontrol)
	simp=$(syn_get $c simp)
	siefp=$(syn_get $c siefp)
	sint=$(syn_get $c sint2)
	ktap_expect_eq "cpu$c: SCONTROL enabled" "$sc" "$(hex 1)"
	ktap_expect_eq "cpu$c: SIMP and SIEFP enabled, page-aligned" \
		"$(( simp & 0xfff )) $(( siefp & 0xfff ))" "1 1"
	ktap_expect_eq "cpu$c: sysfs shows what the model holds" \
		"$(vmb cpus/cpu$c/simp) $(vmb cpus/cpu$c/sint2) $(vmb cpus/cpu$c/state)" \
		"$simp $sint on"
	ktap_expect_eq "cpu$c: SINT2 = our vector, unmasked, no polling, no AutoEOI (deprecated by CPUID)" \
		"$(printf '0x%02x' $(( sint & 0xff ))) $(( (sint >> 16) & 7 ))" "$vec 0"
done
ktap_expect_eq "the two CPUs have different SIM pages" \
	"$( [ "$(syn_get 0 simp)" != "$(syn_get 1 simp)" ] && echo yes)" yes
ktap_expect_eq "the other SINTs are untouched" "$(syn_get 0 sint3) $(syn_get 1 sint0)" \
	"$(hex 0x10000) $(hex 0x10000)"

# --- CPU hotplug while connected ---
echo 0 >$CPU1
ktap_expect_eq "cpu1 offline: its SynIC is back to the reset values" \
	"$(syn_get 1 scontrol) $(syn_get 1 simp) $(syn_get 1 siefp) $(syn_get 1 sint2)" \
	"$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)"
ktap_expect_eq "sysfs: cpu1 off, its registers unreadable" \
	"$(vmb cpus/cpu1/state) $(vmb cpus/cpu1/scontrol)" "off offline"
ktap_expect_eq "the connection stays up" "$(vmb state)" connected
echo 1 >$CPU1
ktap_expect_eq "cpu1 online again: SynIC enabled" \
	"$(syn_get 1 scontrol) $(( $(syn_get 1 simp) & 1 )) $(vmb cpus/cpu1/state)" "$(hex 1) 1 on"
n=0
while [ $n -lt 5 ]; do
	echo 0 >$CPU1 && echo 1 >$CPU1 || break
	n=$((n + 1))
done
ktap_expect_eq "5 more offline/online rounds" "$n $(vmb cpus/cpu1/state)" "5 on"
ktap_expect_eq "host messages on cpu0 still arrive" \
	"$(field sent "$(host_cmd storm 100 0)")" 100

# --- unload: everything back as found ---
u0=$(cat $HOST/unloads)
ktap_check "unload" rmmod hypervive_vmbus
ktap_expect_eq "unload sent UNLOAD and the host saw it" "$(cat $HOST/unloads)" $((u0 + 1))
for c in 0 1; do
	ktap_expect_eq "cpu$c: SCONTROL, SIMP, SIEFP 0 and SINT2 masked after unload" \
		"$(syn_get $c scontrol) $(syn_get $c simp) $(syn_get $c siefp) $(syn_get $c sint2)" \
		"$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)"
done
ktap_expect_eq "no RsvdP bit was changed" "$(sim_get rsvd_violations)" 0

# --- an MSR fault at each point of the load, in turn ---
synic_reset() {
	for c in 0 1; do
		[ "$(syn_get $c scontrol) $(syn_get $c simp) $(syn_get $c siefp) $(syn_get $c sint2)" = \
		  "$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)" ] || return 1
	done
}
failed=0 loaded=0 dirty=""
n=1
while [ $n -le 30 ]; do
	sim_set fail_msr_nth $n
	if hv_load_vmbus 2>/dev/null; then
		loaded=$((loaded + 1))
		sim_set fail_msr_nth 0
		rmmod hypervive_vmbus
	else
		failed=$((failed + 1))
	fi
	sim_set fail_msr_nth 0
	synic_reset || dirty="$dirty $n"
	n=$((n + 1))
done
ktap_diag "MSR fault at access 1..30 of the load: $failed loads failed, $loaded loaded"
ktap_expect_eq "each fault leaves every SynIC as found" "$dirty" ""
ktap_expect_eq "some faults fail the load, later ones do not" \
	"$( [ $failed -gt 0 ] && [ $loaded -gt 0 ] && echo both)" both
ktap_check "a load without faults still works" hv_load_vmbus
rmmod hypervive_vmbus
rmmod hypervive_core
rmmod hypervive_sim

# --- without the recommendation to deprecate it, AutoEOI is used ---
hv_load_sim recommendations=0xa0c24
hv_load_core
ktap_check "loads with AutoEOI recommended" hv_load_vmbus
sint=$(syn_get 0 sint2)
ktap_expect_eq "SINT2 has AutoEOI, sysfs says so" \
	"$(( (sint >> 17) & 1 )) $(vmb auto_eoi)" "1 1"
ktap_expect_eq "offers came in; no interrupt was ever held" \
	"$(vmb channel_count) $(syn_get 0 blocked)" "9 0"
hv_unload_all
ktap_done

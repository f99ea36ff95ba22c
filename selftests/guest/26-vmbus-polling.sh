#!/bin/sh
# Polling mode, forced (delivery=poll) and chosen because the platform
# offers no SynIC interrupt: the SINT gets the TLFS polling bit, no
# interrupt is ever raised, messages and events still arrive, in order,
# also across CPU hotplug.  Parameter validation of poll_ms.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 28
hv_unload_all
hv_load_sim
hv_load_core
CPU1=/sys/devices/system/cpu/cpu1/online
ctr() { cat "$VMB/counters/$1"; }

ktap_check "delivery=poll loads" hv_load_vmbus delivery=poll poll_ms=2
ktap_expect_eq "polling, says why, no vector" \
	"$(vmb delivery)|$(vmb poll_reason)|$(vmb vector)" "polling|delivery=poll|none"
for c in 0 1; do
	sint=$(syn_get $c sint2)
	ktap_expect_eq "cpu$c: SINT2 has the polling bit, is not masked" \
		"$(( (sint >> 18) & 1 )) $(( (sint >> 16) & 1 ))" "1 0"
done
ktap_expect_eq "the offers came by polling" "$(vmb channel_count) $(vmb offers_complete)" "9 1"
i0=$(syn_get 0 interrupts)
io0=$(ctr probe_in_order)
r=$(host_cmd storm 3000 0)
ktap_diag "storm: $r"
ktap_expect_eq "3000 messages in order while polling" \
	"$(field sent "$r") $(( $(ctr probe_in_order) - io0 )) $(ctr probe_gaps) $(ctr probe_repeats)" \
	"3000 3000 0 0"
ktap_expect_eq "no interrupt raised, no interrupt taken; polls did the work" \
	"$(( $(syn_get 0 interrupts) - i0 )) $(ctr interrupts) $( [ "$(ctr polls)" -gt 0 ] && echo polled)" \
	"0 0 polled"
sim_set fail_msr_nth 1
io0=$(ctr probe_in_order)
r=$(host_cmd storm 1000 0)
ktap_expect_eq "an EOM that faults is retried: 1000 more in order" \
	"$(field sent "$r") $(( $(ctr probe_in_order) - io0 )) $(ctr probe_gaps) $(ctr probe_repeats)" \
	"1000 1000 0 0"
ktap_expect_eq "the fault hit an EOM and was counted" \
	"$(ctr eom_failures) $(sim_get fail_msr_nth)" "1 0"
host_cmd event "1 4" >/dev/null
wait_for 10 sh -c "[ \$(cat $VMB/channels/4/events) -ge 1 ]"
ktap_expect_eq "an event flag on cpu1 is polled too" "$(cat $VMB/channels/4/events)" 1
echo 0 >$CPU1
echo 1 >$CPU1
ktap_expect_eq "cpu1 offline/online: polling again" \
	"$(vmb cpus/cpu1/state) $(( ($(syn_get 1 sint2) >> 18) & 1 ))" "on 1"
io0=$(ctr probe_in_order)
p1=$(vmb cpus/cpu1/polls)
r=$(host_cmd storm 500 1)
ktap_expect_eq "500 to cpu1 after its return, in order" \
	"$(field sent "$r") $(( $(ctr probe_in_order) - io0 )) $(ctr probe_gaps) $(ctr probe_repeats)" \
	"500 500 0 0"
ktap_expect_eq "cpu1's own timer polls it" "$( [ "$(vmb cpus/cpu1/polls)" -gt "$p1" ] && echo yes)" yes
ktap_check "poll_ms can change at run time" sh -c "echo 20 >/sys/module/hypervive_vmbus/parameters/poll_ms"
ktap_expect_eq "but not to 0" \
	"$(echo 0 2>/dev/null >/sys/module/hypervive_vmbus/parameters/poll_ms || echo refused) $(cat /sys/module/hypervive_vmbus/parameters/poll_ms)" \
	"refused 20"
u0=$(cat $HOST/unloads)
ktap_check "unload in polling mode" rmmod hypervive_vmbus
ktap_expect_eq "UNLOAD answered (by polling), SynIC down" \
	"$(( $(cat $HOST/unloads) - u0 )) $(syn_get 0 sint2) $(syn_get 1 scontrol)" "1 $(hex 0x10000) $(hex 0)"
if hv_load_vmbus poll_ms=0 2>/dev/null; then
	ktap_fail "poll_ms=0 is refused at load"
	rmmod hypervive_vmbus
else
	ktap_ok "poll_ms=0 is refused at load"
fi
rmmod hypervive_core
rmmod hypervive_sim

# --- the platform has no interrupt path ---
hv_load_sim sint_irq=0
hv_load_core
ktap_check "no SynIC interrupt: auto falls back to polling" hv_load_vmbus
ktap_expect_eq "and says why" "$(vmb delivery)|$(vmb poll_reason)" \
	"polling|the platform offers no SynIC interrupt"
rmmod hypervive_vmbus
dmesg_mark
if hv_load_vmbus delivery=interrupt 2>/dev/null; then
	ktap_fail "delivery=interrupt without one: refused"
	rmmod hypervive_vmbus
else
	ktap_ok "delivery=interrupt without one: refused"
fi
ktap_check "with a line" dmesg_has "delivery=interrupt: no SynIC interrupt to be had here"
hv_unload_all

# --- no SintPollingModeAvailable (CPUID 0x40000003 EDX[17]), as on KVM ---
# The polling bit means nothing there: the interrupt comes on the SINT's
# vector anyway (KVM delivers 0xf3, its async-PF vector, regardless), and a
# masked SINT is no way out: the host's event flags then fail with
# HV_STATUS_INVALID_SYNIC_STATE (TLFS "SIEF Page").  So polling is refused.
EDX_NO_POLL=$((0xbed7b2 & ~0x20000))
for how in "delivery=poll|sint_irq=1|delivery=poll" "auto|sint_irq=0|"; do
	label=${how%%|*}
	rest=${how#*|}
	simarg=${rest%%|*}
	vmbarg=${rest#*|}
	hv_load_sim features_edx=$EDX_NO_POLL $simarg
	hv_load_core
	dmesg_mark
	if hv_load_vmbus $vmbarg 2>/dev/null; then
		ktap_fail "$label, no SintPollingModeAvailable: refused"
		rmmod hypervive_vmbus
	else
		ktap_ok "$label, no SintPollingModeAvailable: refused"
	fi
	ktap_check "$label: with a line naming the CPUID bit" \
		dmesg_has "the hypervisor does not offer SintPollingModeAvailable (CPUID 0x40000003 EDX bit 17)"
	ktap_expect_eq "$label: no interrupt raised, SINT2 masked on every CPU" \
		"$(syn_get 0 interrupts) $(syn_get 0 no_handler) $(syn_get 0 sint2) $(syn_get 1 sint2)" \
		"0 0 $(hex 0x10000) $(hex 0x10000)"
	hv_unload_all
done
ktap_done

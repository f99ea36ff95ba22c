#!/bin/sh
# Hibernation: the guest comes back in a partition that started afresh, so
# hypervive_core sets the guest OS ID, the hypercall page and the TSC page
# again and hypervive_vmbus connects again (hv_core/leave.c,
# hv_vmbus/leave.c).  /sys/power/pm_test "core" runs every suspend
# callback and back without writing an image; the model restarts the
# partition there as a real restore finds it (selftests/hv_sim/sim_power.c):
# each synthetic MSR at its reset value, the VMBus host disconnected.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model
if ! grep -qw disk /sys/power/state 2>/dev/null || [ ! -w /sys/power/pm_test ]; then
	ktap_skip_all "this kernel has no hibernation or no /sys/power/pm_test (CONFIG_PM_DEBUG)"
fi

host_ctr() { cat "$HOST/$1"; }
# Each CPU's SynIC in the model: SCONTROL, SIMP and SIEFP enable bits.
synic_on() {
	for d in /sys/devices/system/cpu/cpu[0-9]*; do
		c=${d##*cpu}
		printf '%s%s%s ' $(($(syn_get "$c" scontrol) & 1)) $(($(syn_get "$c" simp) & 1)) \
			$(($(syn_get "$c" siefp) & 1))
	done
}

ktap_plan 16
hv_unload_all
hv_load_sim
hv_load_core mode=active
hv_load_testmod
hv_load_vmbus
cs_select hypervive_tsc_page
pfn=$(cat "$CORE/hypercall/page_pfn")
resets=$(sim_get partition_resets) no_page=$(sim_get hypercalls_no_page)
contacts=$(host_ctr contacts) channels=$(vmb channel_count) synic=$(synic_on)
ktap_diag "before: hypercall MSR $(sim_get msr/hypercall), TSC MSR $(sim_get tsc/msr), SynIC $synic, $channels channels"

dmesg_mark
echo core >/sys/power/pm_test
rc=0
echo disk >/sys/power/state || rc=$?
echo none >/sys/power/pm_test
ktap_expect_eq "a hibernation cycle through every suspend callback (pm_test core)" "$rc" 0
ktap_expect_eq "the model restarted the partition once" "$(sim_get partition_resets)" $((resets + 1))

# hypervive_core: everything set again on the way back.
ktap_check "the guest OS ID is set again" test "$(sim_get msr/guest_os_id)" != "$(hex 0)"
ktap_expect_eq "the hypercall page is enabled again, at our page" \
	"$(($(sim_get msr/hypercall) & 1)) $(printf '0x%x' $(($(sim_get msr/hypercall) >> 12)))" "1 $pfn"
ktap_expect_eq "hypercalls are ready" "$(cat "$CORE/hypercall/ready")" 1
r=$(hc "flush 1")
ktap_expect_eq "a hypercall succeeds ($r)" "$(hc_field ret "$r")" 0
ktap_expect_eq "no hypercall met a disabled page" "$(sim_get hypercalls_no_page)" "$no_page"
ktap_expect_eq "the reference TSC page is enabled again" $(($(sim_get tsc/msr) & 1)) 1
ktap_check "and valid (sequence $(sim_get tsc/sequence))" test "$(sim_get tsc/sequence)" -ne 0
ktap_expect_eq "our clocksource is still the kernel's" "$(cs_current)" hypervive_tsc_page

# hypervive_vmbus: a new connection, the channels offered again.
ktap_expect_eq "the host saw one more INITIATE_CONTACT" "$(host_ctr contacts)" $((contacts + 1))
ktap_expect_eq "connected again" "$(vmb state)" connected
ktap_expect_eq "the host's offers again ($channels channels)" "$(vmb channel_count)" "$channels"
ktap_expect_eq "every CPU's SynIC on again in the model" "$(synic_on)" "$synic"
host_cmd offers "add 12 ba6163d9-04a1-4d29-b605-72e2ffb1dc7f 11111111-2222-3333-4444-555555555555 0x0400 7 0x99" >/dev/null
wait_for 5 test -d "$VMB/channels/12"
ktap_expect_eq "a channel the host offers after the resume arrives" "$(cat "$VMB/channels/12/name" 2>&1)" scsi
ktap_check "dmesg says where it went and that it came back" \
	sh -c 'dmesg | grep -q "hibernation: the host is unloaded" && dmesg | grep -q "back from sleep: VMBus"'
cs_select ""
hv_unload_all

#!/bin/sh
# Every sysfs file of the suite in its full configuration, listed for the
# host-side check selftests/boots/95-docs-check.sh, which compares the list
# with docs/ABI/ and the README's tables.  The full configuration: the TLFS
# model with its VMBus host and default offers (an hv_sock one among them,
# whose directory has three more files), hypervive_core in active mode,
# hypervive_vmbus connected, hypervive_agent connected to hypervive-hostd
# over vsock_loopback (cid=1).  Each file must also be readable: a show
# function that fails would leave a documented file nobody can read.
# Prints "# abi-file: MODE PATH", MODE in octal as stat shows it.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"
hv_require_model

ktap_plan 10
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback in this kernel"

ktap_check "the TLFS model loads" hv_load_sim
ktap_check "hypervive_core loads in active mode" hv_load_core mode=active
ktap_expect_eq "hypervive_core is active" "$(cat "$CORE/effective_mode")" active
ktap_check "hypervive_vmbus loads" hv_load_vmbus
ktap_check "the VMBus offers arrived" wait_for 20 \
	sh -c "[ \$(cat $VMB/offers_complete) = 1 ]"
ktap_check "an hv_sock channel is offered (service_guid, port, conn_from_host)" \
	sh -c "grep -qx hv_sock $VMB/channels/*/name"
hostd_start
ktap_check "hypervive_agent loads" ag_load
ktap_check "the agent connected to hypervive-hostd" wait_for 20 ag_open

# The list, sorted; parameters of every hypervive_* module (the check knows
# which are test-only).
files=$(find /sys/kernel/hypervive /sys/module/hypervive_*/parameters -type f 2>/dev/null | sort)
unreadable=""
for f in $files; do
	cat "$f" >/dev/null 2>&1 || unreadable="$unreadable $f"
	echo "# abi-file: $(stat -c %a "$f") $f"
done
ktap_expect_eq "every file reads without an error" "${unreadable:- none}" " none"
n=$(echo "$files" | grep -c .)
ktap_check "$n files listed (the check compares them with the docs)" test "$n" -ge 100

ag_unload
hostd_stop
hv_unload_all
ktap_done

#!/bin/sh
# guest-demo.sh - the guest's half of `make demo` (selftests/demo/run.sh).
# Runs in the QEMU guest as a test of guest-init.sh, under the two-boot
# runner selftests/agent-guest.sh --restore: loads the TLFS model and the
# three modules, starts hypervive-hostd on vsock_loopback (the guest is its
# own "host": this machine's vsock belongs to its own host and is never
# used), freezes and thaws an ext4 disk for a checkpoint, then asks the
# runner to save the VM and resume it in a new QEMU with a new VM generation
# ID.  It checks each step (KTAP) so that the demo fails when the suite
# does, and prints what a user wants to see on lines starting "#| "; lines
# starting "# demo: " are progress, shown by run.sh as they come.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

grep -q 'hypervive.restore=1' /proc/cmdline ||
	ktap_skip_all "needs the two-boot runner (selftests/agent-guest.sh --restore)"

progress() { echo "# demo: $*"; }
show() { printf '%s\n' "$@" | sed 's/^/#| /'; }
title() { show "" "=== $* ==="; }
# ctl_shown ARGS...: a hostd control command, shown with its reply; the
# reply is left in $OUT for the checks
ctl_shown() {
	show "\$ hypervive-hostd ctl --control $HOSTD_CTL $*"
	OUT=$(ctl "$@" 2>&1)
	printf '%s\n' "$OUT" | sed 's/^/#|   /'
}

ktap_plan 17
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback in this kernel"
disks_ready 1 && disk_mount 1
hostname demo-guest
rm -f "$HOSTD_LOG"
dmesg_mark

progress "loading the TLFS model, hypervive_core, hypervive_vmbus"
ktap_check "the TLFS model loads (stands in for Hyper-V)" hv_load_sim
ktap_check "hypervive_core loads on the model" hv_load_core mode=active
ktap_check "hypervive_vmbus connects to the model's VMBus host" hv_load_vmbus
ktap_check "the VMBus offers arrived" wait_for 20 \
	sh -c "[ \$(cat $VMB/offers_complete) = 1 ]"

progress "starting hypervive-hostd (listening on vsock port 2761) and hypervive_agent"
hostd_start
ktap_check "hypervive_agent loads" ag_load freeze_fs=ext4 heartbeat_ms=1000
ktap_check "the agent connected to hostd" wait_for 20 ag_open
G=$(me)

title "hostd: the guests it knows"
ctl_shown list

progress "checkpoint 7: asking the guest to freeze its filesystems"
title "a production checkpoint: freeze, query, thaw"
ctl_shown freeze "$G" --checkpoint 7 --timeout-ms 60000
ktap_check "FREEZE: /mnt/d1 frozen for checkpoint 7" \
	has_line "$OUT" "^fs mount=/mnt/d1 .*state=frozen$"
ktap_expect_eq "sysfs agent/frozen_checkpoint says 7" "$(ag_get frozen_checkpoint)" 7
ctl_shown query "$G"
ktap_check "QUERY: the agent holds /mnt/d1 frozen" has_line "$OUT" "/mnt/d1"
progress "checkpoint 7: thawing"
ctl_shown thaw "$G" --checkpoint 7
ktap_check "THAW: /mnt/d1 thawed" has_line "$OUT" "^fs mount=/mnt/d1 .*state=thawed$"

# The restore: freeze again (a checkpoint taken with the guest quiesced),
# let the host save the VM, then resume it elsewhere with a new generation ID.
# Before 5.19 the kernel tells nobody that the VM generation ID changed
# (register_random_vmfork_notifier() came in 5.19, fired by the vmgenid
# driver's add_vmfork_randomness()): there the agent cannot see the restore,
# the checkpoint comes back frozen, and the freeze's own timeout thaws it.
if kernel_at_least 5 19; then vmfork=1 tmo=600000; else vmfork=0 tmo=20000; fi
ctl freeze "$G" --checkpoint 8 --timeout-ms $tmo >/dev/null
writer_start 1
ktap_expect_eq "frozen for checkpoint 8 when the VM is saved" "$(ag_get frozen_checkpoint)" 8
wait_for 10 ag_queue_empty
progress "checkpoint 8: frozen; the host saves the VM (savevm) and resumes it with a new VM generation ID"
echo "# hypervive-savevm"
# The runner saves the VM here and quits; a second QEMU resumes it below.
if [ $vmfork = 1 ]; then
	while [ "$(ag_cnt restores)" = 0 ]; do sleep 0.2; done
	progress "resumed from checkpoint 8 in a new QEMU"
	ktap_check "the agent saw the new VM generation ID" \
		dmesg_has "the VM generation ID changed: restored from a checkpoint"
	ktap_check "it reconnected" wait_for 30 \
		sh -c "[ \$(cat $AG/counters/connects) -ge 2 ] && [ \$(cat $AG/state) = open ]"
	ktap_check "the restored guest is not left frozen: the blocked writer finished" \
		wait_for 30 writer_done 1
	ktap_check "hostd logged RestoredFromCheckpoint (4201)" wait_for 20 ev_has 4201 "guest=demo-guest"
	ktap_check "hostd logged ThawedOnDisconnect (4104) for checkpoint 8" \
		wait_for 20 ev_has 4104 "checkpoint_id=8 "
else
	while [ -n "$(cat "$AG/frozen")" ]; do sleep 0.2; done
	progress "resumed in a new QEMU; $(uname -r) gives no VM generation ID notifier: thawed by the freeze's timeout"
	ktap_expect_eq "restore detection is the clock check only" "$(ag_get restore_detection)" clock
	ktap_expect_eq "the agent did not see the restore" "$(ag_cnt restores)" 0
	ktap_check "the freeze's timeout thawed: the blocked writer finished" wait_for 30 writer_done 1
	ktap_check "hostd logged ThawedByTimeout (4102) for checkpoint 8" \
		wait_for 20 ev_has 4102 "checkpoint_id=8 "
	ktap_check "still connected (the peer, hostd, is in this guest)" ag_open
fi
wait_for 5 ag_queue_empty

title "dmesg: the suite's lines"
dmesg | grep -E '(hypervive_[a-z]+|hv_vmbus|hv_sock|vmgenid):' | sed 's/^/#|   /'

title "sysfs: /sys/kernel/hypervive (a summary)"
sysfs_line() { [ -r "$1" ] && show "  ${1#/sys/kernel/hypervive/} = $(head -n1 "$1" | cut -c1-90)"; }
for f in version core/platform core/effective_mode core/hypervisor/vendor \
	core/hypervisor/interface core/hypervisor/version core/hypervisor/build \
	core/features/privileges_names core/guest_id/decoded core/hypercall/ready \
	core/hypercall/calls core/tsc_page/owner core/tsc_page/sequence \
	core/tsc_page/clocksource core/tsc_page/reference_time core/crash/armed; do
	sysfs_line "/sys/kernel/hypervive/$f"
done
for f in "$VMB"/state "$VMB"/version "$VMB"/msg_conn_id "$VMB"/delivery "$VMB"/vector \
	"$VMB"/channel_count "$VMB"/counters/messages "$VMB"/counters/interrupts; do
	sysfs_line "$f"
done
for d in "$VMB"/channels/*; do
	[ -d "$d" ] || continue
	show "  vmbus/channels/${d##*/}: $(cat "$d/name") class $(cat "$d/class_guid")"
done
for f in state peer connected_since frozen_checkpoint restore_detection \
	counters/heartbeats counters/events_acked counters/freezes counters/thaws \
	counters/restores; do
	sysfs_line "$AG/$f"
done

title "hostd's event log"
sed 's/^/#|   /' "$HOSTD_LOG"

progress "unloading"
ag_unload
hostd_stop
umount /mnt/d1
hv_unload_all
ktap_check "every module unloaded" sh -c '! grep -q "^hypervive_" /proc/modules'
ktap_done

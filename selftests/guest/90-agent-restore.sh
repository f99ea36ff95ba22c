#!/bin/sh
# A real restore from a checkpoint (selftests/agent-guest.sh --restore): the
# guest is frozen by hostd for a checkpoint, QEMU saves the VM (savevm), and
# a second QEMU resumes it from the snapshot (-loadvm) with another VM
# generation ID.  The kernel's generation-ID notifier fires; the agent
# reports RestoredFromCheckpoint (4201), drops the stale connection (which
# thaws: the restored guest does not stay frozen) and reconnects with its
# events renumbered after what the host has seen.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

grep -q 'hypervive.restore=1' /proc/cmdline ||
	ktap_skip_all "needs the two-boot runner (selftests/agent-guest.sh --restore)"
ktap_plan 13
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
disks_ready 1 && disk_mount 1
hostname restored-guest
rm -f "$HOSTD_LOG"
hostd_start
ag_load freeze_fs=ext4 heartbeat_ms=500
ktap_check "connected" wait_for 20 ag_open
ktap_check "the VM generation ID device is there" sh -c 'ls /sys/bus/acpi/devices/ | grep -q "^QEMUVGID"'
ktap_expect_eq "the agent joined the generation-ID notifier" "$(ag_get restore_detection)" "vmgenid clock"
G=$(me)
ag_raise 3 before the checkpoint
ctl freeze "$G" --checkpoint 90 --timeout-ms 600000 >/dev/null
writer_start 1
ktap_expect_eq "frozen for checkpoint 90 when the snapshot is taken" \
	"$(ag_get frozen_checkpoint):$(ag_cnt restores)" "90:0"
wait_for 10 ag_queue_empty
seq_before=$(ag_get next_event_seq)
boot_id=$G

echo "# hypervive-savevm"
# The host saves the VM here and quits; a second QEMU resumes it below.
while [ "$(ag_cnt restores)" = 0 ]; do sleep 0.2; done

ktap_ok "resumed from the snapshot in a new QEMU; the notifier fired"
ktap_check "the kernel log says restored from a checkpoint" \
	dmesg_has "the VM generation ID changed: restored from a checkpoint"
ktap_expect_eq "the same boot (the boot ID came back with the memory)" "$(me)" "$boot_id"
ktap_check "the agent dropped the stale connection and thawed: the writer finishes" \
	wait_for 30 writer_done 1
ktap_check "reconnected" wait_for 30 sh -c "[ \$(cat $AG/counters/connects) -ge 2 ] && [ \$(cat $AG/state) = open ]"
ktap_check "RestoredFromCheckpoint (4201) logged by the host" wait_for 20 ev_has 4201 "guest=restored-guest"
ktap_check "ThawedOnDisconnect (4104) for checkpoint 90" wait_for 20 ev_has 4104 "checkpoint_id=90 "
ag_raise 2 after the restore
wait_for 20 ag_queue_empty
ktap_expect_eq "events after the restore logged once each, numbered after the earlier ones" \
	"$(ev_lines 4206 | grep -c 'text="after the restore"')" 2
ktap_expect_eq "no event of this boot was dropped as a duplicate" \
	"$(hypervive-hostd ctl --control $HOSTD_CTL list | sed -n 's/.* duplicates=\([0-9]*\) .*/\1/p')" 0
ktap_diag "next event seq: $seq_before before, $(ag_get next_event_seq) after"
ag_unload
hostd_stop
umount /mnt/d1
hv_unload_all
ktap_done

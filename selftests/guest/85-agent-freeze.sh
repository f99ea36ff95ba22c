#!/bin/sh
# FREEZE and THAW of real ext4 filesystems on virtio disks through hostd:
# reverse mount order (a loop-mounted filesystem on top of another freezes
# first), a writer blocks while frozen and finishes after the thaw, nothing
# reaches the disk while frozen, idempotence and refusals, read-only and
# unconfigured filesystems skipped.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

disks_ready 4 || ktap_skip_all "needs four virtio disks (selftests/agent-guest.sh --ext4 4)"
ktap_plan 25
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
modprobe loop 2>/dev/null
for i in 1 2 3 4; do disk_mount $i; done
mkdir -p /mnt/nested
if losetup /dev/loop0 /mnt/d1/nested.img 2>/dev/null &&
	mount -t ext4 /dev/loop0 /mnt/nested; then
	ALL="/mnt/nested /mnt/d4 /mnt/d3 /mnt/d2 /mnt/d1 " N=5 FIRST=/mnt/nested
else
	ktap_diag "no loop device in this kernel: the nested filesystem is left out"
	ALL="/mnt/d4 /mnt/d3 /mnt/d2 /mnt/d1 " N=4 FIRST=/mnt/d4
fi
rm -f "$HOSTD_LOG"
hostd_start
ag_load freeze_fs=ext4
wait_for 20 ag_open
G=$(me)

# Dirty data everywhere, so that every freeze has something to sync: the
# nested one would write into /mnt/d1 if d1 froze first, and hang.
for m in $ALL; do
	dd if=/dev/urandom of=$m/dirty bs=4k count=64 2>/dev/null
done
out=$(ctl freeze "$G" --checkpoint 42 --timeout-ms 120000)
ktap_diag "$(echo "$out" | head -n1)"
ktap_check "FREEZE succeeds for $N ext4 filesystems" \
	first_has "$out" "^ok freeze .*checkpoint_id=42 status=0 .*filesystems=$N\$"
ktap_expect_eq "frozen latest mount first (the loop mount before the disk under it)" \
	"$(echo "$out" | sed -n 's/^fs mount=\([^ ]*\) .*state=frozen$/\1/p' | tr '\n' ' ')" "$ALL"
ktap_expect_eq "sysfs lists them, with the checkpoint" \
	"$(cut -d' ' -f1 "$AG/frozen" | tr '\n' ' ')$(ag_get frozen_checkpoint)" "${ALL}42"
ktap_check "the records carry device and fstype" \
	has_line "$out" "^fs mount=/mnt/d2 dev=$(disk_dev 2) fstype=ext4 state=frozen$"
ktap_check "FilesystemsFrozen (4100) logged with the records" \
	wait_for 10 ev_has 4100 "checkpoint_id=42 .*fs=$FIRST:frozen,"

sum_frozen=$(disk_sum 2)
writer_start 2
sleep 3
ktap_expect_eq "a writer blocks while frozen" \
	"$(writer_done 2 && echo finished || echo blocked)" blocked
q=$(ctl query "$G")
ktap_check "QUERY: all frozen by the agent, with the time left" \
	first_has "$q" "^ok query .*checkpoint_id=42 status=0 remaining_ms=[1-9][0-9]* filesystems=$N\$"
ktap_expect_eq "... each of them" "$(count_lines "$q" 'state=frozen$')" $N
ktap_expect_eq "nothing reached the disk while frozen" "$(disk_sum 2)" "$sum_frozen"

# Idempotent for the same checkpoint; another one is refused.
ktap_check "FREEZE again for checkpoint 42: ok, the same filesystems" \
	first_has "$(ctl freeze "$G" --checkpoint 42)" "^ok freeze .*status=0 .*filesystems=$N\$"
ktap_check "FREEZE for checkpoint 43 meanwhile: -EBUSY" \
	first_has "$(ctl freeze "$G" --checkpoint 43)" '^error freeze .*checkpoint_id=42 status=-16 '
ktap_check "THAW of checkpoint 99: -ESRCH" \
	first_has "$(ctl thaw "$G" --checkpoint 99)" '^error thaw .*checkpoint_id=42 status=-3 '
ktap_expect_eq "... nothing thawed" "$(wc -l <"$AG/frozen")" $N

t=$(ctl thaw "$G" --checkpoint 42)
ktap_check "THAW succeeds" first_has "$t" "^ok thaw .*checkpoint_id=42 status=0 remaining_ms=0 filesystems=$N\$"
ktap_expect_eq "the THAW records are in freeze order" \
	"$(echo "$t" | sed -n 's/^fs mount=\([^ ]*\) .*state=thawed$/\1/p' | tr '\n' ' ')" "$ALL"
ktap_check "the writer finishes after the thaw" wait_for 20 writer_done 2
ktap_check "... and its data reaches the disk" [ "$(disk_sum 2)" != "$sum_frozen" ]
ktap_check "FilesystemsThawed (4101) logged" wait_for 10 ev_has 4101 "checkpoint_id=42 .*fs=$FIRST:thawed"
ktap_expect_eq "sysfs: nothing frozen; one freeze, one thaw" \
	"$(wc -l <"$AG/frozen") $(ag_get frozen_checkpoint) $(ag_cnt freezes) $(ag_cnt thaws)" "0 0 1 1"
n4101=$(ev_count 4101)
ktap_check "THAW when nothing is frozen: ok, no filesystem" \
	first_has "$(ctl thaw "$G")" '^ok thaw .*status=0 .*filesystems=0$'
sleep 1
ktap_expect_eq "... and no event" "$(ev_count 4101)" "$n4101"

# A read-only filesystem is skipped, and reported as such.
mount -o remount,ro /mnt/d3
out=$(ctl freeze "$G" --checkpoint 44)
ktap_expect_eq "a read-only filesystem is skipped, the others frozen" \
	"$(count_lines "$out" '^fs mount=/mnt/d3 .*state=skipped\(read-only\)$'):$(count_lines "$out" 'state=frozen$')" "1:$((N - 1))"
ctl thaw "$G" >/dev/null
mount -o remount,rw /mnt/d3

# freeze_fs decides the types, and can change at run time.
echo xfs >"$AG_PARAM/freeze_fs"
ktap_check "with freeze_fs=xfs the ext4 filesystems are left alone" \
	first_has "$(ctl freeze "$G" --checkpoint 45)" '^ok freeze .*status=0 .*filesystems=0$'
ctl thaw "$G" >/dev/null
echo ext4 >"$AG_PARAM/freeze_fs"

# One filesystem only.
if [ $N = 5 ]; then umount /mnt/nested; losetup -d /dev/loop0; fi
for i in 2 3 4; do umount /mnt/d$i; done
out=$(ctl freeze "$G" --checkpoint 46)
ktap_check "with one ext4 mounted, one is frozen" \
	has_line "$out" '^fs mount=/mnt/d1 .*state=frozen$'
ctl thaw "$G" >/dev/null
ktap_expect_eq "no thaw failed, nothing left frozen" "$(ag_cnt thaw_failures) $(wc -l <"$AG/frozen")" "0 0"
ag_unload
hostd_stop
umount /mnt/d1
hv_unload_all
ktap_done

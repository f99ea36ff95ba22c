#!/bin/sh
# Another freezer (fsfreeze, like Hyper-V's VSS daemon): a FREEZE and the
# consistency QUERY report its filesystem as frozen by another, the agent
# never thaws it (on THAW, on unload), and someone thawing the agent's own
# freeze behind its back does not make the agent fail.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

disks_ready 3 || ktap_skip_all "needs three virtio disks (selftests/agent-guest.sh --ext4 N)"
ktap_plan 12
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
for i in 1 2 3; do disk_mount $i; done
rm -f "$HOSTD_LOG"
hostd_start
ag_load freeze_fs=ext4
wait_for 20 ag_open
G=$(me)

fsfreeze --freeze /mnt/d2
out=$(ctl freeze "$G" --checkpoint 70)
ktap_diag "$(echo "$out" | tr '\n' '|')"
ktap_check "FREEZE with /mnt/d2 frozen by fsfreeze: ok" first_has "$out" '^ok freeze .*status=0 .*filesystems=3$'
ktap_expect_eq "... /mnt/d2 reported frozen by another, the others frozen by the agent" \
	"$(count_lines "$out" '^fs mount=/mnt/d2 .*state=frozen-by-other$'):$(count_lines "$out" 'state=frozen$')" "1:2"
ktap_check "FrozenByOther (4106) logged" wait_for 10 ev_has 4106 "checkpoint_id=70 .*fs=/mnt/d2:frozen-by-other"
q=$(ctl query "$G")
ktap_expect_eq "QUERY (start of a checkpoint job): the same picture" \
	"$(count_lines "$q" '^fs mount=/mnt/d2 .*state=frozen-by-other$'):$(count_lines "$q" 'state=frozen$')" "1:2"
ctl thaw "$G" >/dev/null
writer_start 2
sleep 2
ktap_expect_eq "THAW leaves /mnt/d2 frozen: its writer still waits" "$(writer_done 2 && echo "done")" ""
ktap_check "... fsfreeze --unfreeze still has something to unfreeze" fsfreeze --unfreeze /mnt/d2
ktap_check "... then the writer finishes" wait_for 20 writer_done 2

# Only the other freezer: QUERY tells a crash-consistent from a quiesced one.
fsfreeze --freeze /mnt/d3
q=$(ctl query "$G")
ktap_expect_eq "QUERY with only fsfreeze holding /mnt/d3: frozen-by-other, the rest thawed" \
	"$(count_lines "$q" '^fs mount=/mnt/d3 .*state=frozen-by-other$'):$(count_lines "$q" 'state=thawed$'):$(first_has "$q" 'checkpoint_id=0 status=0 remaining_ms=0' && echo ok)" "1:2:ok"
ktap_expect_eq "a new set frozen by another is logged again (4106)" "$(ev_count 4106)" 2
ag_unload
ktap_check "unloading the agent leaves /mnt/d3 frozen (fsfreeze can still unfreeze it)" \
	fsfreeze --unfreeze /mnt/d3

# Someone unfreezes the agent's freeze behind its back.
ag_load freeze_fs=ext4
wait_for 20 ag_open
ctl freeze "$G" --checkpoint 71 >/dev/null
ktap_check "fsfreeze cannot freeze what the agent froze (EBUSY)" sh -c '! fsfreeze --freeze /mnt/d1 2>/dev/null'
fsfreeze --unfreeze /mnt/d1
t=$(ctl thaw "$G" --checkpoint 71)
ktap_expect_eq "THAW after fsfreeze --unfreeze of /mnt/d1: ok, all thawed, no failure" \
	"$(first_has "$t" '^ok thaw .*status=0 .*filesystems=3$' && echo ok):$(count_lines "$t" 'state=thawed$'):$(ag_cnt thaw_failures)" "ok:3:0"
ag_unload
hostd_stop
for i in 1 2 3; do umount /mnt/d$i; done
hv_unload_all
ktap_done

#!/bin/sh
# Another freezer (fsfreeze, like Hyper-V's VSS daemon): a FREEZE and the
# consistency QUERY report its filesystem as frozen by another, the agent
# never thaws it (on THAW, on unload); another freeze meeting the agent's
# own (nested since 6.6, see below) is reported as it is and never released
# by the agent, and someone thawing the agent's freeze behind its back
# (before 6.6) does not make the agent fail.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

disks_ready 3 || ktap_skip_all "needs three virtio disks (selftests/agent-guest.sh --ext4 N)"
ktap_plan 25
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

# Another freezer meeting the agent's own freeze.  Until 6.5 a filesystem
# has one freeze at a time: fsfreeze cannot freeze what the agent froze
# (EBUSY), and its unfreeze thaws the agent's freeze behind its back.
# 6.6's freeze holders (commit "fs: add FREEZE_HOLDER_KERNEL/USERSPACE";
# fs/super.c freeze_super(), thaw_super()) differ: the agent holds as the
# kernel, fsfreeze as user space, each freeze nests on the other, each thaw
# releases only its own hold, and the filesystem thaws with the last hold.
ag_load freeze_fs=ext4
wait_for 20 ag_open
ctl freeze "$G" --checkpoint 71 >/dev/null
thaw_ok() {	# THAW reply $1: ok with 3 records; then "frozen-by-other:thawed:thaw_failures"
	echo "$(first_has "$1" '^ok thaw .*status=0 .*filesystems=3$' && echo ok):$(count_lines "$1" '^fs mount=/mnt/d1 .*state=frozen-by-other$'):$(count_lines "$1" 'state=thawed$'):$(ag_cnt thaw_failures)"
}
if ! kernel_at_least 6 6; then
	ktap_check "fsfreeze cannot freeze what the agent froze (EBUSY; one freeze at a time before 6.6)" \
		sh -c '! fsfreeze --freeze /mnt/d1 2>/dev/null'
	fsfreeze --unfreeze /mnt/d1	# thaws the agent's freeze behind its back
	t=$(ctl thaw "$G" --checkpoint 71)
	ktap_expect_eq "THAW after fsfreeze --unfreeze of /mnt/d1: ok, all thawed, no failure" \
		"$(thaw_ok "$t")" "ok:0:3:0"
	# The two above are the 6.6 branch's first and third; the rest:
	for d in "... /mnt/d1 stays frozen: its writer waits" \
		"QUERY: /mnt/d1 frozen by the agent under user space's hold" \
		"THAW: /mnt/d1 left frozen-by-other, the others thawed" \
		"... the writer still waits" \
		"QUERY after THAW: /mnt/d1 frozen-by-other" \
		"fsfreeze --unfreeze of the last hold" \
		"... then the writer finishes" \
		"FREEZE for checkpoint 72" \
		"fsfreeze --freeze over it again" \
		"fsfreeze --unfreeze releases only user space's hold" \
		"QUERY: /mnt/d1 still frozen by the agent" \
		"THAW 72: all thawed" \
		"... then the writer finishes (2)"; do
		ktap_skip "$d" "no freeze holders before 6.6"
	done
else
	# 6.6: user space holds nothing here, so its thaw has nothing to release.
	ktap_check "fsfreeze --unfreeze cannot release the agent's hold (6.6: holders)" \
		sh -c '! fsfreeze --unfreeze /mnt/d1 2>/dev/null'
	writer_start 1
	sleep 2
	ktap_expect_eq "... /mnt/d1 stays frozen: its writer waits" "$(writer_done 1 && echo "done")" ""

	# User space freezes on top of the agent; the agent thaws first.
	ktap_check "fsfreeze --freeze over the agent's freeze succeeds (6.6: holders nest)" \
		fsfreeze --freeze /mnt/d1
	q=$(ctl query "$G")
	ktap_expect_eq "QUERY: /mnt/d1 frozen by the agent under user space's hold, like the others" \
		"$(count_lines "$q" '^fs mount=/mnt/d1 .*state=frozen$'):$(count_lines "$q" 'state=frozen$')" "1:3"
	t=$(ctl thaw "$G" --checkpoint 71)
	ktap_diag "$(echo "$t" | tr '\n' '|')"
	ktap_expect_eq "THAW: ok, /mnt/d1 left frozen-by-other (user space's hold), the others thawed, no failure" \
		"$(thaw_ok "$t")" "ok:1:2:0"
	sleep 1
	ktap_expect_eq "... the writer still waits" "$(writer_done 1 && echo "done")" ""
	q=$(ctl query "$G")
	ktap_expect_eq "QUERY after THAW: /mnt/d1 frozen-by-other, the rest thawed, no checkpoint" \
		"$(count_lines "$q" '^fs mount=/mnt/d1 .*state=frozen-by-other$'):$(count_lines "$q" 'state=thawed$'):$(first_has "$q" 'checkpoint_id=0 status=0 remaining_ms=0' && echo ok)" "1:2:ok"
	ktap_check "fsfreeze --unfreeze of the last hold succeeds" fsfreeze --unfreeze /mnt/d1
	ktap_check "... then the writer finishes" wait_for 20 writer_done 1

	# User space freezes on top of the agent and thaws first.
	out=$(ctl freeze "$G" --checkpoint 72)
	ktap_expect_eq "FREEZE for checkpoint 72: ok, the three frozen by the agent" \
		"$(first_has "$out" '^ok freeze .*status=0 .*filesystems=3$' && echo ok):$(count_lines "$out" 'state=frozen$')" "ok:3"
	ktap_check "fsfreeze --freeze over it again succeeds" fsfreeze --freeze /mnt/d1
	# Its exit status is not the point: 6.12 answers EINVAL when holds are left.
	fsfreeze --unfreeze /mnt/d1 2>/dev/null
	ktap_diag "fsfreeze --unfreeze with the agent's hold left: exit $?"
	writer_start 1
	sleep 2
	ktap_expect_eq "fsfreeze --unfreeze releases only user space's hold: /mnt/d1 stays frozen, its writer waits" \
		"$(writer_done 1 && echo "done")" ""
	q=$(ctl query "$G")
	ktap_expect_eq "QUERY: /mnt/d1 still frozen by the agent, like the others" \
		"$(count_lines "$q" '^fs mount=/mnt/d1 .*state=frozen$'):$(count_lines "$q" 'state=frozen$')" "1:3"
	t=$(ctl thaw "$G" --checkpoint 72)
	ktap_expect_eq "THAW 72: ok, all thawed, no failure" "$(thaw_ok "$t")" "ok:0:3:0"
	ktap_check "... then the writer finishes" wait_for 20 writer_done 1
fi
ag_unload
hostd_stop
for i in 1 2 3; do umount /mnt/d$i; done
hv_unload_all
ktap_done

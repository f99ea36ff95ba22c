#!/bin/sh
# Thawing is guaranteed: on the freeze timeout, when hostd is killed, when a
# bad frame closes the connection, and on unload; each reported as its event
# (4102, 4104, 4105), the blocked writer finishing every time.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

disks_ready 2 || ktap_skip_all "needs virtio disks (selftests/agent-guest.sh --ext4 N)"
ktap_plan 13
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
disk_mount 2
rm -f "$HOSTD_LOG"
hostd_start
ag_load freeze_fs=ext4
wait_for 20 ag_open
G=$(me)

# 1. The host never says THAW: the timeout does.
ctl freeze "$G" --checkpoint 50 --timeout-ms 8000 >/dev/null
writer_start 2
ktap_expect_eq "frozen, the writer waits" "$(wc -l <"$AG/frozen"):$(writer_done 2 && echo "done")" "1:"
ktap_check "thawed by the timeout: the writer finishes" wait_for 30 writer_done 2
ktap_check "ThawedByTimeout (4102) with the timeout as value" \
	wait_for 10 ev_has 4102 "checkpoint_id=50 value=8000 .*fs=/mnt/d2:thawed"

# 2. hostd dies while the guest is frozen.
ctl freeze "$G" --checkpoint 51 >/dev/null
writer_start 2
sleep 1
hostd_stop KILL
ktap_check "hostd killed: the agent thaws, the writer finishes" wait_for 30 writer_done 2
ktap_expect_eq "nothing frozen, one more automatic thaw" "$(wc -l <"$AG/frozen") $(ag_cnt auto_thaws)" "0 2"
hostd_start
ktap_check "ThawedOnDisconnect (4104) reaches the next hostd" \
	wait_for 30 ev_has 4104 "checkpoint_id=51 .*fs=/mnt/d2:thawed"

# 3. A bad frame from the host while frozen closes the connection: thaw.
hostd_stop
out=$(hv-fakehost freeze-bad)
ktap_diag "$(echo "$out" | tail -n2 | tr '\n' ' ')"
ktap_expect_eq "a host froze us, then sent garbage: ERROR(BAD_FRAME) and close" \
	"$(count_lines "$out" '^freeze status=0 filesystems=1$'):$(count_lines "$out" '^closed=1 agent_error=2$')" "1:1"
ktap_check "... and the filesystem is thawed" wait_for 10 sh -c "[ -z \"\$(cat $AG/frozen)\" ]"
writer_start 2
ktap_check "... writable" wait_for 20 writer_done 2
hostd_start
ktap_check "... reported (4104) to the next host" \
	wait_for 30 ev_has 4104 "checkpoint_id=60 "

# 4. Unload while frozen.
wait_for 20 ag_open
ctl freeze "$G" --checkpoint 52 >/dev/null
writer_start 2
sleep 1
ag_unload
ktap_check "unload while frozen: thawed, the writer finishes" wait_for 20 writer_done 2
ktap_check "ThawedOnUnload (4105) went out before the BYE" \
	wait_for 10 ev_has 4105 "checkpoint_id=52 .*fs=/mnt/d2:thawed"
if ! ktap_check "... followed by AgentStopping and BYE" wait_for 10 ev_has 4301 "guest said BYE (reason 2)"; then
	ktap_diag "hostd: $(ev_lines 4301 | tail -n1)"
	ktap_diag "agent: $(dmesg | grep hypervive_agent | tail -n3 | tr '\n' ' ')"
fi
hostd_stop
umount /mnt/d2
hv_unload_all
ktap_done

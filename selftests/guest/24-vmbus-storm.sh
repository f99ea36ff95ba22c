#!/bin/sh
# A storm of 10,000 host messages arrives with none lost, none duplicated
# and in posting order (TLFS "Reliability and Sequencing"), judged by the
# model's sequence numbers and counters; then a storm to cpu1 while cpu1
# goes offline and online again and again.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 14
hv_unload_all
hv_load_sim
hv_load_core
hv_load_vmbus
CPU1=/sys/devices/system/cpu/cpu1/online
ctr() { cat "$VMB/counters/$1"; }

io0=$(ctr probe_in_order)
d0=$(syn_get 0 delivered)
m0=$(ctr messages)
r=$(host_cmd storm 10000 0)
ktap_diag "storm: $r"
ktap_expect_eq "the host posted 10000, all taken" \
	"$(field sent "$r") $(field failed "$r") $(field drained "$r")" "10000 0 1"
ktap_expect_eq "10000 arrived in order" "$(( $(ctr probe_in_order) - io0 ))" 10000
ktap_expect_eq "no gap, no repeat, no malformed probe" \
	"$(ctr probe_gaps) $(ctr probe_repeats) $(ctr probe_bad)" "0 0 0"
ktap_expect_eq "the last one is the host's last" "$(ctr probe_last)" "$(field last "$r")"
ktap_expect_eq "the model delivered 10000 to cpu0's slot, we took 10000" \
	"$(( $(syn_get 0 delivered) - d0 )) $(( $(ctr messages) - m0 ))" "10000 10000"
ktap_expect_eq "nothing dropped" \
	"$(cat $VMB/counters/drops_* | awk '{ s += $1 } END { print s }')" 0

# --- hotplug during traffic: the storm targets cpu1 ---
# A toggler takes cpu1 offline and online in a loop, counting rounds; the
# storm starts once it runs and waits whenever cpu1 is offline.  The count
# is renamed into place: a reader of a file being rewritten can see it
# empty (sid's 7.2 under single-threaded TCG did: "[ -gt ]").
io0=$(ctr probe_in_order)
echo 20000 >$HOST/send_timeout_ms
echo 0 >/tmp/toggles
(
	n=0
	while [ ! -e /tmp/stop ]; do
		echo 0 >$CPU1 && echo 1 >$CPU1 || break
		n=$((n + 1))
		echo $n >/tmp/toggles.new && mv /tmp/toggles.new /tmp/toggles
	done
) &
tpid=$!
wait_for 30 sh -c '[ $(cat /tmp/toggles) -ge 1 ]'
t0=$(cat /tmp/toggles)
r=$(host_cmd storm 10000 1)
t1=$(cat /tmp/toggles)
touch /tmp/stop
wait $tpid
rm -f /tmp/stop
ktap_diag "storm to cpu1: $r; cpu1 went offline and online $((t1 - t0)) times during it"
ktap_expect_eq "cpu1 went offline and online during the storm" "$( [ $t1 -gt $t0 ] && echo yes)" yes
ktap_expect_eq "all 10000 sent and taken" \
	"$(field sent "$r") $(field failed "$r") $(field drained "$r")" "10000 0 1"
ktap_expect_eq "10000 arrived in order, none lost or repeated" \
	"$(( $(ctr probe_in_order) - io0 )) $(ctr probe_gaps) $(ctr probe_repeats)" "10000 0 0"
ktap_expect_eq "cpu1 is back, its SynIC on" "$(vmb cpus/cpu1/state) $(syn_get 1 scontrol)" "on $(hex 1)"

# Offline with messages queued for it: they wait in the model and come
# with the EOM the online step writes.
echo 0 >$CPU1
ktap_expect_eq "offline cpu1 is no target" "$(field status "$(syn_cmd post 1 2 0x48560001 16 1)")" 0x0018
echo 1 >$CPU1
q0=$(ctr probe_in_order)
(host_cmd storm 40 1 >/tmp/storm2.out) &
spid=$!
sleep 0.2
echo 0 >$CPU1
sleep 0.2
echo 1 >$CPU1
wait $spid
r=$(cat /tmp/storm2.out)
ktap_expect_eq "a short storm across an offline spell: all 40 in order" \
	"$(field sent "$r") $(( $(ctr probe_in_order) - q0 )) $(ctr probe_gaps) $(ctr probe_repeats)" \
	"40 40 0 0"
echo 10000 >$HOST/send_timeout_ms

u0=$(cat $HOST/unloads)
ktap_check "unload after the storms" rmmod hypervive_vmbus
ktap_expect_eq "UNLOAD answered, SynIC down" \
	"$(( $(cat $HOST/unloads) - u0 )) $(syn_get 0 scontrol) $(syn_get 1 scontrol)" "1 $(hex 0) $(hex 0)"
hv_unload_all
ktap_done

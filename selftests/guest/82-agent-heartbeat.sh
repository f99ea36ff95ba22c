#!/bin/sh
# Heartbeats: numbered from 1 without gaps, on the announced period, with
# nothing in between (the worker sleeps until the next one), carrying the
# queue and frozen counts; a clock jump is reported at the next one.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

ktap_plan 8
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"

# hv-fakehost prints every frame with a timestamp.
ag_load heartbeat_ms=500
hv-fakehost frames 4200 >/tmp/frames.txt 2>&1
hb=$(grep 'type=HEARTBEAT' /tmp/frames.txt)
n=$(echo "$hb" | grep -c .)
counters=$(echo "$hb" | sed -n 's/.* counter=\([0-9]*\).*/\1/p' | tr '\n' ' ')
ktap_diag "heartbeats in 4.2 s at 500 ms: $n; counters $counters"
ktap_expect_eq "counters run 1, 2, 3... without a gap" "$counters" "$(seq 1 "$n" | tr '\n' ' ')"
# The schedule allows at most 1 + 4200/500 of them; load can only make fewer.
ktap_expect_eq "no more heartbeats than the period allows, and some" \
	"$((n <= 9)):$((n >= 3))" "1:1"
# Intervals between the send times the agent stamps (uptime_ns), so that a
# reader that falls behind cannot distort them.
median=$(echo "$hb" | sed -n 's/.* uptime_ms=\([0-9]*\) .*/\1/p' |
	awk 'NR > 1 { print $1 - prev } { prev = $1 }' | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
ktap_diag "median interval $median ms"
ktap_expect_eq "the median interval is the period (500 ms, within 300..1000)" \
	"$((median >= 300 && median <= 1000))" 1
ktap_check "the first heartbeat reports the queued AgentStarted event" \
	has_line "$(echo "$hb" | head -n1)" 'counter=1 uptime_ms=[0-9]+ queued=1 dropped=0 frozen=0'
ag_unload

# No wakeups between heartbeats: the worker's loop turns once per heartbeat
# (its counter), and the thread sleeps in between (its context switches).
rm -f "$HOSTD_LOG"
hostd_start
ag_load heartbeat_ms=1000
wait_for 20 ag_open
sleep 1
pid=$(ag_pid)
hb0=$(ag_cnt heartbeats)
w0=$(ag_cnt wakeups)
s0=$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$pid/status")
sleep 5
s1=$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$pid/status")
w1=$(ag_cnt wakeups)
hb1=$(ag_cnt heartbeats)
ktap_diag "in 5 s: $((hb1 - hb0)) heartbeats, $((w1 - w0)) turns of the loop, $((s1 - s0)) context switches (pid $pid)"
# One turn per heartbeat, and a spare for a timer that fires a jiffy early;
# a poller at 100 ms would show 50.  A turn may fall between reading s1 and
# w1 (seen on the slow debug kernel), hence one switch fewer than turns.
ktap_expect_eq "the worker wakes once per heartbeat, not in between" \
	"$((w1 - w0 <= hb1 - hb0 + 1)):$((hb1 - hb0 >= 1)):$((s1 - s0 >= w1 - w0 - 1))" "1:1:1"

# Clock jump: the wall clock moves one hour against boot time.
dmesg_mark
date -s "@$(($(date +%s) + 3600))" >/dev/null
ktap_check "a clock jump of +3600 s is reported as event 4202 within a period or two" \
	wait_for 10 ev_has 4202 "value=3[56][0-9][0-9] "
date -s "@$(($(date +%s) - 3600))" >/dev/null
ktap_check "... and the jump back as -3600 s" wait_for 10 ev_has 4202 "value=-3[56][0-9][0-9] "
ktap_expect_eq "counted twice" "$(ag_cnt clock_jumps)" 2
ag_unload
hostd_stop
hv_unload_all
ktap_done

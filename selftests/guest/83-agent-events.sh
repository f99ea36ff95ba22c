#!/bin/sh
# Events end to end: 10,000 events raised in batches while hostd is stopped
# and started again and again; hostd's output shows every one exactly once
# (nothing lost, no duplicate).  Then a hard kill (SIGKILL), where hostd
# loses its deduplication state: nothing is lost (at least once).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

ktap_plan 7
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
rm -f "$HOSTD_LOG"
hostd_start --json --rate 100000
ag_load heartbeat_ms=1000 queue_len=4096
wait_for 20 ag_open

# Ten batches of 1,000; hostd is stopped (SIGTERM) right after every odd
# batch, while events are in flight, and started again a moment later.
b=1
while [ $b -le 10 ]; do
	ag_raise 1000 batch $b
	if [ $((b % 2)) = 1 ]; then
		c0=$(ag_cnt connects)
		hostd_stop TERM
		sleep 0.5
		hostd_start --json --rate 100000
		wait_for 30 sh -c "[ \$(cat $AG/counters/connects) -gt $c0 ]" ||
			ktap_diag "b=$b: no reconnect: $(ps | grep '[h]ypervive-hostd' | tr '\n' '|') state $(ag_get state)"
	fi
	wait_for 60 sh -c "[ \$(cat $AG/queue) -lt 2000 ]"
	b=$((b + 1))
done
ktap_check "every event acknowledged in the end" wait_for 120 ag_queue_empty
# One line per event; key: batch text and value (its index in the batch).
grep '"event_id":4206,' "$HOSTD_LOG" |
	sed -n 's/.*"value":\([0-9]*\),.*"text":"\(batch [0-9]*\)".*/\2 \1/p' |
	sort | uniq -c >/tmp/events.count
lines=$(grep -c '"event_id":4206,' "$HOSTD_LOG")
distinct=$(wc -l </tmp/events.count)
dups=$(awk '$1 > 1' /tmp/events.count | wc -l)
ktap_diag "hostd lines: $lines; distinct events: $distinct; duplicated: $dups; reconnects: $(ag_cnt connects); resent: $(ag_cnt events_resent)"
ktap_expect_eq "hostd's output shows each of the 10,000 events" "$distinct" 10000
ktap_expect_eq "... exactly once" "$lines:$dups" "10000:0"
ktap_expect_eq "nothing dropped by the agent" "$(ag_cnt events_dropped)" 0
ktap_expect_eq "hostd was left 5 times and the agent came back each time" \
	"$(($(ag_cnt connects) >= 6))" 1

# SIGKILL: hostd loses its state without a word; events are resent.
ag_raise 1000 killed
hostd_stop KILL
ag_raise 500 afterkill
hostd_start --json --rate 100000
ktap_check "after a SIGKILL every event is acknowledged" wait_for 120 ag_queue_empty
missing=$(for t in killed afterkill; do
	n=1000; [ $t = afterkill ] && n=500
	grep "\"text\":\"$t\"" "$HOSTD_LOG" | sed -n 's/.*"value":\([0-9]*\),.*/\1/p' |
		sort -un | awk -v n=$n 'END { print n - NR }'
done | awk '{ s += $1 } END { print s }')
ktap_expect_eq "... and none is missing from hostd's output (at least once)" "$missing" 0
ag_unload
hostd_stop
hv_unload_all
ktap_done

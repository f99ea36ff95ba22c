#!/bin/sh
# A full queue drops new events, counts them, and reports the count as
# event 4203 before any later event once the host acknowledges some.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

ktap_plan 8
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
rm -f "$HOSTD_LOG"
dmesg_mark
# Nobody listens: AgentStarted and 7 test events fill the queue of 8.
ag_load queue_len=8 heartbeat_ms=500
ag_raise 20 overflow
ktap_expect_eq "queue full, 13 events dropped and pending a report" \
	"$(ag_get queue) $(ag_get dropped_pending) $(ag_cnt events_dropped)" "8 13 13"
ktap_expect_eq "the numbers stop at the last queued event (no number for a dropped one)" \
	"$(ag_get next_event_seq)" 9
ktap_expect_eq "one log line, not one per dropped event" \
	"$(dmesg | grep -c 'event queue full (8)')" 1

drained() { ag_queue_empty && [ "$(ag_get dropped_pending)" = 0 ]; }
hostd_start
ktap_check "the host acknowledges them all" wait_for 30 drained
ktap_check "EventQueueOverflow (4203) reports the 13 lost events" \
	wait_for 10 ev_has 4203 "seq=9 value=13 .*13 events lost"
ktap_expect_eq "... once" "$(ev_count 4203)" 1
ag_raise 1 after
ktap_check "the next event comes after it (seq 10)" wait_for 10 ev_has 4206 "seq=10 .*text=after"
seqs=$(ev_lines 4206 | sed -n 's/.* seq=\([0-9]*\) .*/\1/p' | tr '\n' ' ')
ktap_expect_eq "the 7 queued test events arrived, in order" "$seqs" "2 3 4 5 6 7 8 10 "
ag_unload
hostd_stop
hv_unload_all
ktap_done

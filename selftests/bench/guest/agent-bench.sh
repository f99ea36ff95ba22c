#!/bin/sh
# Agent figures measured in the test guest (selftests/bench/50-agent.sh
# boots it); lines "# bench: ..." carry them.  Nothing is asserted beyond
# "the measurement ran".
. /lib/hypervive/ktap.sh
. /lib/hypervive/hv.sh
. /lib/hypervive/agent.sh

ktap_plan 6
ag_vsock || ktap_skip_all "no vsock_loopback"
disks_ready 4 || ktap_skip_all "needs four virtio disks"
bench() { echo "# bench: $*"; }

rm -f "$HOSTD_LOG"
hostd_start --rate 1000000
ag_load queue_len=65536 heartbeat_ms=5000 freeze_fs=ext4
wait_for 20 ag_open
G=$(me)
hv-bench events 2000 >/dev/null		# warm-up

# 1. Throughput: 20,000 events raised at once, until hostd acknowledged all.
ev=$(hv-bench events 20000) && ktap_ok "events agent -> hostd" || ktap_fail "events agent -> hostd"
bench "agent events with ACKs, one burst: $ev"
raw=$(hv-bench raw 20000 71) && ktap_ok "raw vsock writes" || ktap_fail "raw vsock writes"
bench "raw vsock_loopback writes of a TestEvent frame (71 bytes), no peer logic: $raw"
e=$(echo "$ev" | sed -n 's/.*events_per_s=\([0-9]*\).*/\1/p')
r=$(echo "$raw" | sed -n 's/.*frames_per_s=\([0-9]*\).*/\1/p')
bench "ratio agent/raw: $(awk -v e="$e" -v r="$r" 'BEGIN { if (r > 0) printf "%.2f", e / r; else print "n/a" }') (goal >= 0.80)"
rawb=$(hv-bench raw 20000 71 230)
bench "raw writes batched like the agent's (230 frames = 16 KiB per write): $rawb"

# 2. Latency, unloaded: one event at a time, queue to ACK (agent's counter
# over the last 1,024 acknowledged events: reload the module to start clean).
ag_unload
ag_load queue_len=65536 heartbeat_ms=5000 freeze_fs=ext4
wait_for 20 ag_open
wait_for 10 ag_queue_empty
i=0
while [ $i -lt 300 ]; do hv-bench events 1 >/dev/null || break; i=$((i + 1)); done
[ $i = 300 ] && ktap_ok "latency run" || ktap_fail "latency run"
bench "agent event latency, queued to ACKed, one at a time (300 + AgentStarted): $(cat "$AG/counters/ack_latency_us")"

# 3. Freeze + thaw round trip through hostd (ctl freeze, ctl thaw) against
# fsfreeze --freeze/--unfreeze doing the same, for one and four filesystems.
disk_mount 1
a1=$(hv-bench time 20 sh -c "hypervive-hostd ctl --control $HOSTD_CTL freeze $G --checkpoint 7 && hypervive-hostd ctl --control $HOSTD_CTL thaw $G")
f1=$(hv-bench time 20 sh -c "fsfreeze --freeze /mnt/d1 && fsfreeze --unfreeze /mnt/d1")
for i in 2 3 4; do disk_mount $i; done
a4=$(hv-bench time 20 sh -c "hypervive-hostd ctl --control $HOSTD_CTL freeze $G --checkpoint 7 && hypervive-hostd ctl --control $HOSTD_CTL thaw $G")
f4=$(hv-bench time 20 sh -c "for m in 4 3 2 1; do fsfreeze --freeze /mnt/d\$m || exit 1; done; for m in 1 2 3 4; do fsfreeze --unfreeze /mnt/d\$m || exit 1; done")
[ -n "$a1" ] && [ -n "$a4" ] && ktap_ok "agent freeze+thaw" || ktap_fail "agent freeze+thaw"
[ -n "$f1" ] && [ -n "$f4" ] && ktap_ok "fsfreeze freeze+thaw" || ktap_fail "fsfreeze freeze+thaw"
bench "freeze+thaw 1 fs via hostd ctl + agent: $a1"
bench "freeze+thaw 1 fs via fsfreeze -f/-u:     $f1"
bench "freeze+thaw 4 fs via hostd ctl + agent: $a4"
bench "freeze+thaw 4 fs via fsfreeze -f/-u:     $f4"
bench "(each run spawns its processes: 2 hostd ctl for the agent, 2 or 8 fsfreeze; TCG guest, -smp 2)"
ktap_expect_eq "nothing left frozen" "$(wc -l <"$AG/frozen")" 0
ag_unload
hostd_stop
for i in 1 2 3 4; do umount /mnt/d$i; done
hv_unload_all
ktap_done

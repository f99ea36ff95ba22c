#!/bin/bash
# 50-agent.sh - figures of the agent and hypervive-hostd (`make bench`).
#   1. in a QEMU test guest (TCG) over vsock_loopback: events per second
#      agent -> hostd with ACKs against raw vsock writes of the same frame
#      size, event latency, freeze+thaw of one and four ext4 filesystems
#      against fsfreeze (selftests/bench/guest/agent-bench.sh);
#   2. on this machine over AF_UNIX (never AF_VSOCK here): hostd serving
#      1,024 simulated guests at one heartbeat a second, CPU and memory.
# Prints figures; asserts nothing.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
eval "$(make -s --no-print-directory -f Makefile print-kver 2>/dev/null)"
export KVER KDIR
CACHE=${CACHE:-/var/cache/hypervive}
export CACHE
out=$top/.bench/agent
rm -rf "$out"
mkdir -p "$out"

echo "-- in the test guest (QEMU TCG, -smp 2, vsock_loopback)"
bash selftests/run-guest-tests.sh --name agent-bench --out "$out/guest" \
	--tests 'selftests/bench/guest/agent-*.sh' \
	--kmod vsock --kmod vmw_vsock_virtio_transport_common --kmod vsock_loopback \
	--kmod ext4 --kmod virtio_blk --kmod virtio_pci \
	--runner selftests/agent-guest.sh -- --ext4 4 >"$out/guest.log" 2>&1
sed -n 's/^# bench: /  /p' "$out/guest/results.ktap"
grep -q '^# bench: ' "$out/guest/results.ktap" || { echo "  (no figures: see $out)"; cat "$out/guest.log"; }

echo "-- hypervive-hostd on this machine, 1,024 simulated guests over AF_UNIX"
make -s -C tools/hostd >/dev/null
sock=$out/guests.sock ctl=$out/ctl.sock
tools/hostd/hypervive-hostd --listen "unix:$sock" --control "$ctl" >"$out/hostd.log" 2>&1 &
hpid=$!
for _ in $(seq 50); do [ -S "$ctl" ] && break; sleep 0.1; done
tools/hostd/hostd-loadgen --connect "unix:$sock" --guests 1024 --heartbeat-ms 1000 \
	--duration 40 -q >"$out/loadgen.log" 2>&1 &
lpid=$!
sleep 15	# all connected, steady state
tck=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$hpid/stat")
t0=$(date +%s.%N)
sleep 20
read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$hpid/stat")
t1=$(date +%s.%N)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$hpid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$hpid/status")
stats=$(tools/hostd/hypervive-hostd ctl --control "$ctl" stats | tail -n +2)
wait "$lpid"
kill -TERM "$hpid"
wait "$hpid" 2>/dev/null
awk -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v t0="$t0" -v t1="$t1" -v hz="$tck" \
	-v rss="$rss" -v hwm="$hwm" 'BEGIN {
	w = t1 - t0
	printf "  CPU: %.2f%% of one core (user %.2f s, system %.2f s in %.1f s)\n", \
		100 * (u + s) / hz / w, u / hz, s / hz, w
	printf "  memory: RSS %.1f MiB (peak %.1f MiB), %.1f KiB per guest\n", \
		rss / 1024, hwm / 1024, rss / 1024
}'
echo "$stats" | tr ' ' '\n' | grep -E '^(connections|guests|heartbeats|events|bad_frames|duplicates)=' |
	tr '\n' ' ' | sed 's/^/  hostd: /; s/$/\n/'
sed 's/^/  loadgen: /' "$out/loadgen.log" | tail -n 3

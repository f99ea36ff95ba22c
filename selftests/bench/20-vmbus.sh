#!/bin/bash
# 20-vmbus.sh - `make bench`: messages per second through the SynIC path
# (the model's VMBus host posting into a SIM slot, hypervive_vmbus taking
# it), with the SINT interrupt (the host posting from the other CPU, and
# from the same CPU) vs polling every 1 and 10 ms, and the cost per message
# of the handler (copy out, release, EOM, validate, dispatch; from
# hypervive_vmbus's counters/handler_ns).  One QEMU boot (TCG): the
# absolute figures are those of an emulated CPU; the ratios are the point.
# Nothing is asserted.  BENCH_N (default 20000) messages per run, 3 runs
# per mode, the median printed.
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "vmbus bench: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
eval "$(make -s --no-print-directory -f Makefile print-kver 2>/dev/null)"
export KVER KDIR
export CACHE=${CACHE:-/var/cache/hypervive}
out=$top/.bench/vmbus
mkdir -p "$out"
n=${BENCH_N:-20000}
bash selftests/run-guest-tests.sh --name vmbus-bench --out "$out" \
	--tests 'selftests/bench/guest/20-vmbus-bench.sh' \
	--append "hypervive.bench_n=$n" -- --smp 2 >"$out/run.log" 2>&1 || true
if ! grep -q '^# bench ' "$out/results.ktap"; then
	echo "vmbus bench: no figures (see $out/run.log, $out/console.log)" >&2
	exit 1
fi
grep '^# bench ' "$out/results.ktap" | sed 's/^# bench //' >"$out/figures.txt"

# median FIELD LABEL: the middle value of FIELD over LABEL's runs
median() {
	awk -v l="$2" -v f="$1" '$1 == l { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' \
		"$out/figures.txt" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}

# range FIELD LABEL: min-max of FIELD over LABEL's runs
range() {
	awk -v l="$2" -v f="$1" '$1 == l { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' \
		"$out/figures.txt" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'
}

printf '%-17s %10s %13s %8s %15s %11s %7s %7s\n' mode msgs/s range us/msg handler_ns/msg \
	interrupts polls eoms
for l in interrupt interrupt_samecpu poll_1ms poll_10ms; do
	rate=$(median msgs_per_s "$l")
	printf '%-17s %10s %13s %8s %15s %11s %7s %7s\n' "$l" "$rate" "$(range msgs_per_s "$l")" \
		"$(awk -v r="$rate" 'BEGIN { if (r) printf "%.1f", 1e6 / r; else print "-" }')" \
		"$(median handler_ns_per_msg "$l")" "$(median interrupts "$l")" "$(median polls "$l")" \
		"$(median eoms "$l")"
done
irq=$(median msgs_per_s interrupt)
for l in poll_1ms poll_10ms; do
	p=$(median msgs_per_s "$l")
	awk -v a="$irq" -v b="$p" -v l="$l" 'BEGIN { if (b) printf "ratio interrupt / %s: %.1fx\n", l, a / b }'
done
echo "(n=$n per run, 3 runs per mode, medians; raw lines in $out/figures.txt)"
echo "(handler_ns/msg includes the EOM write, in which the model delivers the next"
echo " queued message and raises its interrupt; a run whose queue backs up pays that"
echo " for nearly every message, which the eoms column shows: TCG makes it costly)"

#!/bin/bash
# Reference time benchmark (figures only, nothing asserted):
# 1. user space, this machine: ns per read of hv_core/tsc_page_read.h on a
#    synthesized page vs a raw RDTSC, an ordered one and clock_gettime();
# 2. in a QEMU guest (TCG): ns per clock_gettime(CLOCK_MONOTONIC) through
#    the syscall with current_clocksource = hypervive_tsc_page, tsc, hpet,
#    acpi_pm, as ratios to tsc (absolute times under emulation mean little).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=$top/.bench/tsc
rm -rf "$out"
mkdir -p "$out"

echo "-- user space (hv_core/tsc_page_read.h)"
cc -O2 -Wall -Wextra -Werror -Iinclude -o "$out/tsc_read_bench" \
	selftests/bench/tsc_read_bench.c selftests/bench/tsc_read_bench_raw.c || exit 1
"$out/tsc_read_bench" || exit 1

echo "-- in the guest (QEMU TCG, -smp 2), clock_gettime(CLOCK_MONOTONIC)"
eval "$(make -s --no-print-directory -f Makefile print-kver 2>/dev/null)"
export KVER KDIR CACHE=${CACHE:-/var/cache/hypervive}
bash selftests/run-guest-tests.sh --name bench-tsc --out "$out/guest" \
	--tests 'selftests/bench/guest/*-bench-tsc.sh' --append tsc=reliable >"$out/guest.log" 2>&1
sed -n 's/^# bench //p' "$out/guest/results.ktap" | tr -d '\r' | awk '
	{ name[NR] = $1; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
	$1 == "tsc" { ref = v[NR, "syscall_ns"] }
	END {
		if (!NR) { print "no figures: see '"$out"'/guest.log"; exit 1 }
		printf "%-20s %12s %12s %16s\n", "current_clocksource", "syscall ns", "libc ns", "syscall / tsc"
		for (i = 1; i <= NR; i++)
			printf "%-20s %12s %12s %15.2fx\n", name[i], v[i, "syscall_ns"], v[i, "vdso_ns"],
				ref ? v[i, "syscall_ns"] / ref : 0
		print "(libc: the vDSO where the clocksource allows it -- tsc only; the others fall back to the syscall)"
	}'

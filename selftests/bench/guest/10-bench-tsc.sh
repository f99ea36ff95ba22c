#!/bin/sh
# In-guest part of selftests/bench/30-tsc.sh: ns per clock_gettime through
# the syscall (and through libc/vDSO) with each clocksource current, best
# of 3 runs of N calls.  Prints "# bench NAME syscall_ns=.. vdso_ns=..".
. /lib/hypervive/ktap.sh
. /lib/hypervive/hv.sh

N=${N:-40000}
ktap_plan 1
hv_unload_all
cs_select ""
hv_load_sim
hv_load_core mode=active
for c in hypervive_tsc_page tsc hpet acpi_pm; do
	cs_available $c || { ktap_diag "bench $c unavailable"; continue; }
	cs_select $c
	[ "$(cs_current)" = "$c" ] || { ktap_diag "bench $c not selectable"; continue; }
	best=""
	for r in 1 2 3; do
		out=$(hv-clock bench $N)
		s=$(echo "$out" | sed -n 's/.*syscall_ns=\([0-9.]*\).*/\1/p')
		if [ -z "$best" ] || awk "BEGIN { exit !($s < ${best%% *}) }"; then
			best="$s $out"
		fi
	done
	ktap_diag "bench $c ${best#* }"
done
cs_select ""
hv_unload_all
ktap_ok "benchmark ran"
ktap_done

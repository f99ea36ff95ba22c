#!/bin/sh
# In-guest part of selftests/bench/30-tsc.sh: ns per clock_gettime through
# the syscall (and through libc/vDSO) with each clocksource current.
# Rounds go round-robin over the clocksources so all see the same host
# load; each keeps its best round.  Prints "# bench NAME syscall_ns=.. vdso_ns=..".
. /lib/hypervive/ktap.sh
. /lib/hypervive/hv.sh

N=${N:-50000}
ROUNDS=${ROUNDS:-7}
ktap_plan 1
hv_unload_all
cs_select ""
hv_load_sim
hv_load_core mode=active
list=""
for c in hypervive_tsc_page tsc hpet acpi_pm; do
	if cs_available $c; then list="$list $c"; else ktap_diag "bench $c unavailable"; fi
done
r=0
while [ $r -lt "$ROUNDS" ]; do
	for c in $list; do
		cs_select $c
		[ "$(cs_current)" = "$c" ] || continue
		out=$(hv-clock bench "$N")
		s=$(echo "$out" | sed -n 's/.*syscall_ns=\([0-9.]*\).*/\1/p')
		eval "b=\${best_$c:-}"
		# shellcheck disable=SC2154 # set by the eval above
		if [ -z "$b" ] || awk "BEGIN { exit !($s < ${b%% *}) }"; then
			eval "best_$c=\"\$s \$out\""
		fi
	done
	r=$((r + 1))
done
for c in $list; do
	eval "b=\${best_$c:-}"
	[ -n "$b" ] && ktap_diag "bench $c ${b#* }"
done
cs_select ""
hv_unload_all
ktap_ok "benchmark ran"
ktap_done

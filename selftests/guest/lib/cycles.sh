# shellcheck shell=dash
# cycles.sh - load/unload cycles (busybox sh): the debug kernel's hv-cycles
# runs, and the memory judgement of the cycles in 27-vmbus-cycles.sh and
# 70-core-cycles.sh.  Source after ktap.sh (and kmemleak.sh for
# cycles_leaks).

# How many cycles: kernel option hypervive.cycles=N (check-debug.sh passes
# HYPERVIVE_DEBUG_CYCLES), else the 1,000.
CYCLES=1000
for _arg in $(cat /proc/cmdline); do
	case "$_arg" in hypervive.cycles=*) CYCLES=${_arg#*=} ;; esac
done

# cycles_run MODULE HV-CYCLES-ARGS...: one KTAP result: $CYCLES cycles of
# hv-cycles -n $CYCLES -f $HV_KO/MODULE.ko -m MODULE ARGS all worked; its
# line (count and time, or the failing cycle) as a diagnostic.
cycles_run() {
	_m=$1
	shift
	_out=$(hv-cycles -n "$CYCLES" -f "$HV_KO/$_m.ko" -m "$_m" "$@" 2>&1)
	_rc=$?
	if [ "$_rc" = 0 ]; then
		ktap_ok "$_m: $CYCLES load/unload cycles"
	else
		ktap_fail "$_m: $CYCLES load/unload cycles"
	fi
	ktap_diag "$_out"
}

# cycles_leaks MODULE: one KTAP result: kmemleak finds nothing of ours.
cycles_leaks() { kml_expect_none "$1: kmemleak finds nothing of ours after $CYCLES cycles"; }

# cycles_mem_kb: slab, vmalloc and per-CPU memory in kB, after caches drop.
cycles_mem_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^(Slab|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo
}

# cycles_expect_growth_below KB BEFORE AFTER: one KTAP result; skipped on the
# debug kernel, whose KASAN quarantine holds freed objects (kmemleak judges).
cycles_expect_growth_below() {
	ktap_diag "slab+vmalloc+percpu: before $2 kB, after $3 kB"
	if hv_debug_kernel; then
		ktap_skip "memory grew by less than $1 kB" "debug kernel: KASAN's quarantine holds freed objects; kmemleak judges leaks"
	else
		ktap_check "memory grew by less than $1 kB" test $(($3 - $2)) -lt "$1"
	fi
}

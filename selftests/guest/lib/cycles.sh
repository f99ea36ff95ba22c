# shellcheck shell=dash
# cycles.sh - load/unload cycles for the debug kernel's tests (busybox sh).
# Source after ktap.sh and kmemleak.sh.

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

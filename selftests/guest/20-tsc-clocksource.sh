#!/bin/sh
# hypervive_tsc_page as the current clocksource while the model migrates
# (new scale and offset) and opens sequence-0 windows: CLOCK_MONOTONIC never
# goes backwards on 4 threads, every fallback is counted, and over 10 s the
# clock agrees with the TSC (what the kernel's tsc clocksource counts).
#
# The 0.1% bound: each migration sets a scale up to churn_ppm = 200 ppm off
# the true one, so the clock may drift by up to 0.02%; each end of the
# measurement is bracketed by two TSC reads (a few us under TCG, 0.0001% of
# 10 s).  The expected error is below 0.03%, so 0.1% leaves over 3x for a
# loaded machine; a wrong frequency, a lost window or a bad shift is far
# larger.  Never-backwards and the fallback count are exact.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 14
hv_unload_all
cs_select ""
hv_load_sim
ktap_check "core loads" hv_load_core mode=active

# Auto rating: the model's default partition lacks AccessTscInvariantControls,
# so 500 (50-tsc-privileges.sh tests 250).
ktap_expect_eq "auto rating 500 without AccessTscInvariantControls" "$(cat $TSCP/rating)" 500
ktap_check "tsc is available to compare with (tsc=reliable)" cs_available tsc
cs_select hypervive_tsc_page
ktap_expect_eq "hypervive_tsc_page is current" "$(cs_current)" hypervive_tsc_page

fb0=$(cat $TSCP/fallback_reads)
rc0=$(sim_get tsc/refcount_reads)
seq0=$(cat $TSCP/sequence)
sim_set tsc/churn_ppm 200
sim_set tsc/churn_window_us 3000
sim_set tsc/churn_ms 20

hv-clock mono 4 8 >/tmp/mono.out 2>&1 &
mono=$!
rate=$(hv-clock rate 10 "$(sim_get tsc/tsc_khz)")
wait $mono
mrc=$?
sim_set tsc/churn_ms 0	# waits for a running window to end

ktap_diag "mono: $(cat /tmp/mono.out)"
ktap_diag "rate: $rate"
ktap_expect_eq "CLOCK_MONOTONIC never went backwards (4 threads, 8 s)" $mrc 0
reads=$(sed -n 's/.*reads=\([0-9]*\).*/\1/p' /tmp/mono.out)
ktap_check "the threads read the clock (${reads:-0} reads)" test "${reads:-0}" -gt 10000
mig=$(sim_get tsc/migrations)
win=$(sim_get tsc/windows)
ktap_check "the model migrated ($mig) and opened windows ($win)" test "$mig" -ge 5 -a "$win" -ge 5
ktap_check "the sequence moved on ($seq0 -> $(cat $TSCP/sequence))" \
	test "$(cat $TSCP/sequence)" -gt "$seq0"
fb=$(( $(cat $TSCP/fallback_reads) - fb0 ))
rc=$(( $(sim_get tsc/refcount_reads) - rc0 ))
ktap_check "fallbacks were counted ($fb)" test "$fb" -gt 0
ktap_expect_eq "one counted fallback per reference counter MSR read" "$fb" "$rc"
ktap_expect_eq "no MSR read failed" "$(cat $TSCP/refcount_errors)" 0
ppm=$(echo "$rate" | sed -n 's/.*ppm=\(-*[0-9]*\).*/\1/p')
[ -n "$ppm" ] || ppm=999999
[ "$ppm" -lt 0 ] && ppm=$((-ppm))
ktap_check "over 10 s our clock agrees with the TSC within 0.1% (${ppm} ppm)" test "$ppm" -lt 1000
ktap_check "the time after the churn still runs forward" hv-clock mono 2 1
cs_select ""
rmmod hypervive_core
ktap_check "unloaded while current" sh -c '! grep -q "^hypervive_core " /proc/modules'
hv_unload_all
ktap_done

#!/bin/sh
# The reference TSC page: enabled through the MSR with RsvdP kept, read as
# the model computes it (also with extreme scale/offset), and the model's
# own TLFS rules (scale for 10 MHz, read-only reference counter, overlay,
# a page outside guest RAM).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 26
hv_unload_all
cs_select ""

# Rating 1: never chosen by the kernel, so raw scale/offset changes below
# cannot disturb timekeeping.
hv_load_sim tsc_rsvdp=0xaa6
msr0=$(sim_get tsc/msr)
ktap_check "core loads (active, rating 1)" hv_load_core mode=active clocksource_rating=1
ktap_expect_eq "the page is ours" "$(cat $TSCP/owner)" hypervive
msr=$(sim_get tsc/msr)
ktap_expect_eq "the model's MSR has the enable bit" $((msr & 1)) 1
ktap_expect_eq "the MSR names our page" "$(printf '0x%x' $((msr >> 12)))" "$(cat $TSCP/page_pfn)"
ktap_expect_eq "RsvdP bits 11:1 kept (0xaa6)" "$(printf '0x%x' $((msr & 0xffe)))" 0xaa6
ktap_expect_eq "the model saw no RsvdP violation" "$(sim_get rsvd_violations)" 0
ktap_expect_eq "sysfs msr is the model's" "$(cat $TSCP/msr)" "$msr"
ktap_expect_eq "sysfs enabled" "$(cat $TSCP/enabled)" 1
ktap_expect_eq "found_at_load" "$(cat $TSCP/found_at_load)" "$msr0"
seq=$(cat $TSCP/sequence)
ktap_check "sequence is valid (not 0): $seq" test "$seq" -gt 0
ktap_expect_eq "sequence/scale/offset as the model published them" \
	"$seq $(cat $TSCP/scale) $(cat $TSCP/offset)" \
	"$(sim_get tsc/sequence) $(sim_get tsc/scale) $(sim_get tsc/offset)"

# The model's scale makes 10 MHz: scale = 2^64 * 10^4 / tsc_khz.  Checked as
# (scale >> 24) * khz ~ 10^4 * 2^40 (fits 63 bits), within the rounding.
khz=$(sim_get tsc/tsc_khz)
scale=$(sim_get tsc/scale)
err=$(( (scale >> 24) * khz - 10000 * (1 << 40) ))
[ $err -lt 0 ] && err=$((-err))
ktap_check "the model's scale is 2^64*10^4/tsc_khz (error $err, khz $khz)" test $err -le $((2 * khz))
ktap_expect_eq "clocksource registered" "$(cat $TSCP/clocksource) $(cat $TSCP/rating)" \
	"hypervive_tsc_page 1"
ktap_check "and not chosen at rating 1" test "$(cs_current)" != hypervive_tsc_page

# Our read against the model's formula: model before <= ours <= model after.
between() {
	a=$(sim_get tsc/reference_time)
	b=$(cat $TSCP/reference_time)
	c=$(sim_get tsc/reference_time)
	[ "$a" -le "$b" ] && [ "$b" -le "$c" ] && return 0
	echo "model $a, ours $b, model $c"
	return 1
}
ktap_check "reference_time between two model reads" between
# Scale near 2^64 (~1 tick per TSC cycle), offset 2^62: stays below 2^63 for shell compares.
sim_set tsc/set "0xffffffffffffffff 4611686018427387904"
ktap_check "scale 2^64-1, offset 2^62: ours matches the model" between
sim_set tsc/set "0x8000000000000000 -1000000"
ktap_check "scale 2^63, negative offset: ours matches the model" between
ktap_expect_eq "each raw change published a new sequence" \
	"$(cat $TSCP/sequence)" $((seq + 2))
fb=$(cat $TSCP/fallback_reads)
sim_set tsc/valid 0
ktap_expect_eq "window open: the page shows sequence 0" "$(cat $TSCP/sequence)" 0
ktap_check "sequence 0: the MSR fallback matches the model" between
ktap_check "and the fallback was counted" test "$(cat $TSCP/fallback_reads)" -gt "$fb"
sim_set tsc/valid 1

# TLFS rules of the model, through hypervive_core's MSR accessors.
hv_load_testmod
r=$(hc "rdmsr 40000020")
t1=$(hc_field value "$r")
t2=$(hc_field value "$(hc "rdmsr 40000020")")
ktap_check "TIME_REF_COUNT counts up ($t1 -> $t2)" test $((t2)) -gt $((t1))
r=$(hc "wrmsr 40000020 0")
ktap_expect_eq "TIME_REF_COUNT is read-only: the write faults" "$(hc_field ret "$r")" -5
# A page number past guest RAM: accepted, not backed (TLFS); then back to ours.
u0=$(sim_get tsc/unbacked)
hc "wrmsr 40000021 $(printf '%x' $(( (0xfffffffff << 12) | 0xaa6 | 1 )))" >/dev/null
ktap_expect_eq "a page outside guest RAM is accepted but not backed" \
	"$(sim_get tsc/unbacked) $(sim_get tsc/sequence)" "$((u0 + 1)) 0"
hc "wrmsr 40000021 $(printf '%x' "$msr")" >/dev/null
rmmod hypervive_testmod

rmmod hypervive_core
ktap_expect_eq "unload puts the MSR back as found" "$(sim_get tsc/msr)" "$msr0"
ktap_expect_eq "and the overlay is gone" "$(sim_get tsc/sequence)" 0
hv_unload_all
ktap_done

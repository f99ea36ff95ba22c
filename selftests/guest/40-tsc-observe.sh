#!/bin/sh
# A reference TSC page another owner enabled (the model's tsc_preset=owned):
# observe mode shows its sequence, scale and offset and changes nothing;
# active mode shows it too, never reprograms it, and builds no clocksource
# on a page it does not own.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 20
hv_unload_all
cs_select ""
hv_load_sim tsc_preset=owned tsc_rsvdp=0x2
msr0=$(sim_get tsc/msr)
model() { echo "$(sim_get tsc/msr) $(sim_get tsc/sequence) $(sim_get tsc/scale) $(sim_get tsc/offset)"; }
state0=$(model)
ktap_expect_eq "the preset page is enabled" $((msr0 & 1)) 1
w0=$(sim_get msr_writes)
e0=$(sim_get tsc/page_enables)

ktap_check "observe loads" hv_load_core mode=observe
ktap_expect_eq "owner: other" "$(cat $TSCP/owner)" other
ktap_expect_eq "enabled" "$(cat $TSCP/enabled)" 1
ktap_expect_eq "page_pfn is the MSR's" "$(cat $TSCP/page_pfn)" "$(printf '0x%x' $((msr0 >> 12)))"
ktap_expect_eq "its sequence, scale and offset are shown" \
	"$(cat $TSCP/msr) $(cat $TSCP/sequence) $(cat $TSCP/scale) $(cat $TSCP/offset)" "$state0"
a=$(sim_get tsc/reference_time)
b=$(cat $TSCP/reference_time)
c=$(sim_get tsc/reference_time)
ktap_check "reference_time read from that page ($a <= $b <= $c)" test "$a" -le "$b" -a "$b" -le "$c"
ktap_expect_eq "no clocksource in observe mode" \
	"$(cat $TSCP/clocksource): $(cat $TSCP/clocksource_reason)" "none: observe mode: read-only"
ktap_check "none registered with the kernel" sh -c ". /lib/hypervive/hv.sh; ! cs_ours"
rmmod hypervive_core
ktap_expect_eq "observe wrote no MSR (load, sysfs, unload)" "$(sim_get msr_writes)" "$w0"
ktap_expect_eq "the page and MSR are untouched" "$(model)" "$state0"

# mode=auto with the kernel's whole setup present (guest ID, hypercall page): observe.
hv_unload_all
hv_load_sim preset=owned tsc_preset=owned
state0=$(model)
w0=$(sim_get msr_writes)
ktap_check "auto loads on an owned partition" hv_load_core
ktap_expect_eq "auto -> observe" "$(cat $CORE/effective_mode) $(cat $TSCP/owner)" "observe other"
rmmod hypervive_core
ktap_expect_eq "nothing written, nothing changed" "$(sim_get msr_writes) $(model)" "$w0 $state0"

# Active mode (the hypercall interface is free) on another owner's TSC page.
hv_unload_all
hv_load_sim tsc_preset=owned
state0=$(model)
e0=$(sim_get tsc/page_enables)
ktap_check "active loads" hv_load_core mode=active
ktap_expect_eq "the page stays the other owner's, shown" \
	"$(cat $TSCP/owner) $(cat $TSCP/sequence) $(cat $TSCP/scale)" \
	"other $(sim_get tsc/sequence) $(sim_get tsc/scale)"
ktap_expect_eq "no clocksource of ours on it, and why" \
	"$(cat $TSCP/clocksource): $(cat $TSCP/clocksource_reason)" \
	"none: the reference TSC page belongs to another owner"
ktap_check "none registered with the kernel" sh -c ". /lib/hypervive/hv.sh; ! cs_ours"
rmmod hypervive_core
ktap_expect_eq "never reprogrammed: MSR, page, enables unchanged" \
	"$(model) $(sim_get tsc/page_enables)" "$state0 $e0"
ktap_expect_eq "no RsvdP violation" "$(sim_get rsvd_violations)" 0
hv_unload_all
ktap_done

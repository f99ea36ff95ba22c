#!/bin/sh
# Unload while our clocksource is current (the kernel switches away first),
# reload, unload during migrations; the MSR is left as found.  The
# clocksource_rating parameter: validated at load, changed at run time.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 22
hv_unload_all
cs_select ""
hv_load_sim tsc_rsvdp=0x554
msr0=$(sim_get tsc/msr)
others="tsc hpet acpi_pm"

unload_current() {
	cs_select hypervive_tsc_page
	[ "$(cs_current)" = hypervive_tsc_page ] || { echo "not current: $(cs_current)"; return 1; }
	rmmod hypervive_core
}

is_other() {
	for c in $others; do [ "$(cs_current)" = "$c" ] && return 0; done
	echo "current: $(cs_current)"
	return 1
}

ktap_check "core loads" hv_load_core mode=active
ktap_check "rmmod while hypervive_tsc_page is current" unload_current
ktap_check "the kernel switched to another clocksource" is_other
ktap_check "ours is no longer available" sh -c ". /lib/hypervive/hv.sh; ! cs_available hypervive_tsc_page"
ktap_expect_eq "the MSR is as found (0x554, disabled)" "$(sim_get tsc/msr)" "$msr0"
ktap_check "time runs forward after the switch" hv-clock mono 2 1

ktap_check "reload" hv_load_core mode=active
ktap_check "ours is available again" cs_available hypervive_tsc_page
ktap_check "time runs forward on ours after the reload" sh -c \
	". /lib/hypervive/hv.sh; cs_select hypervive_tsc_page && hv-clock mono 2 2"
sim_set tsc/churn_ms 5
sleep 1
ktap_check "rmmod while current during migrations and windows" unload_current
sim_set tsc/churn_ms 0
ktap_check "switched away again" is_other
ktap_expect_eq "the MSR is as found again" "$(sim_get tsc/msr)" "$msr0"
ktap_expect_eq "no RsvdP violation in all that" "$(sim_get rsvd_violations)" 0

# clocksource_rating: 0 (auto) or 1-500.
cs_select ""
dmesg_mark
ktap_check "clocksource_rating=501 refused" sh -c \
	". /lib/hypervive/hv.sh; ! hv_load_core clocksource_rating=501 2>/dev/null"
ktap_check "with a message" dmesg_has "clocksource_rating=501: expected 0 (auto) or 1-500"
ktap_check "clocksource_rating=fast refused" sh -c \
	". /lib/hypervive/hv.sh; ! hv_load_core clocksource_rating=fast 2>/dev/null"
ktap_check "clocksource_rating=100 loads" hv_load_core clocksource_rating=100
ktap_expect_eq "rating 100, below tsc: not chosen" \
	"$(cat $TSCP/rating) $(cs_current)" "100 tsc"
P=/sys/module/hypervive_core/parameters/clocksource_rating
echo 450 >$P
ktap_expect_eq "rating 450 at run time: now the kernel's choice" \
	"$(cat $TSCP/rating) $(cs_current)" "450 hypervive_tsc_page"
echo 200 >$P
ktap_expect_eq "back to 200: tsc again" "$(cat $TSCP/rating) $(cs_current)" "200 tsc"
ktap_check "a bad value at run time is refused" sh -c "! echo 9999 >$P 2>/dev/null"
ktap_expect_eq "and changes nothing" "$(cat $P) $(cat $TSCP/rating)" "200 200"
hv_unload_all
ktap_done

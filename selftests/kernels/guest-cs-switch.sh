#!/bin/sh
# In the guest of tcg-int3.sh: switch the kernel's clocksource between two
# of its own (hpet and tsc) N times (hypervive.switches=N, default 1500),
# with no module of ours loaded.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
n=1500
for arg in $(cat /proc/cmdline); do
	case "$arg" in hypervive.switches=*) n=${arg#*=} ;; esac
done
cs=/sys/devices/system/clocksource/clocksource0
grep -qw hpet $cs/available_clocksource || ktap_skip_all "no hpet clocksource"
ktap_plan 1
i=0
while [ $i -lt "$n" ]; do
	echo hpet >$cs/current_clocksource
	echo tsc >$cs/current_clocksource
	i=$((i + 1))
done
ktap_expect_eq "$n switches hpet <-> tsc, back on tsc" "$(cat $cs/current_clocksource)" tsc
ktap_done

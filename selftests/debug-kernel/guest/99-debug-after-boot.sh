#!/bin/sh
# Debug kernel only, added to every boot of `make check-debug`
# (run-guest-tests.sh --extra-test): the kernel ran the boot on every CPU
# QEMU gave it (a kernel config that loses the SMP tables boots on one, and
# the per-CPU tests would prove nothing); after the boot's last test has
# unloaded everything, kmemleak finds nothing our modules allocated and never
# freed.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"

kml_available || ktap_skip_all "no kmemleak in this kernel"
smp=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in hypervive.smp=*) smp=${arg#*=} ;; esac
done
ktap_plan 3
ktap_expect_eq "the kernel has the $smp CPUs QEMU gave it" "$(grep -c '^processor' /proc/cpuinfo)" "$smp"
rmmod hypervive_agent 2>/dev/null
rmmod hypervive_faultinj 2>/dev/null
hv_unload_all
ktap_expect_eq "none of our modules is loaded" "$(grep -c '^hypervive_' /proc/modules)" 0
kml_expect_none "kmemleak: nothing from our modules"
ktap_diag "kmemleak reports $(kml_count) objects in all"
ktap_done

#!/bin/sh
# Debug kernel only: after the boot's last test has unloaded everything,
# kmemleak finds nothing our modules allocated and never freed.  Added to
# every boot of `make check-debug` (run-guest-tests.sh --extra-test).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"

kml_available || ktap_skip_all "no kmemleak in this kernel"
ktap_plan 2
rmmod hypervive_agent 2>/dev/null
rmmod hypervive_faultinj 2>/dev/null
hv_unload_all
ktap_expect_eq "none of our modules is loaded" "$(grep -c '^hypervive_' /proc/modules)" 0
kml_expect_none "kmemleak: nothing from our modules"
ktap_diag "kmemleak reports $(kml_count) objects in all"
ktap_done

#!/bin/sh
# Observe mode makes no hypercalls and writes no MSR through the API; a
# partition without the PostMessages privilege gets ACCESS_DENIED.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 5
hv_unload_all

hv_load_sim
hv_load_core mode=observe
hv_load_testmod
h0=$(sim_get hypercalls)
r=$(hc "post 1 1 16")
ktap_expect_eq "observe: hypercalls refused with -ENODEV" "$(hc_field ret "$r")" -19
r=$(hc "wrmsr 40000000 1")
ktap_expect_eq "observe: MSR writes refused with -EPERM" "$(hc_field ret "$r")" -1
ktap_expect_eq "observe: the model saw no hypercall" "$(sim_get hypercalls)" "$h0"
hv_unload_all

hv_load_sim priv_ebx=0
hv_load_core mode=active
hv_load_testmod
r=$(hc "post 1 1 16")
ktap_expect_eq "no PostMessages privilege: access denied" \
	"$(hc_field ret "$r") $(hc_field status "$r")" "-13 HV_STATUS_ACCESS_DENIED"
r=$(hc "signal 1 0")
ktap_expect_eq "no SignalEvents privilege: access denied" \
	"$(hc_field ret "$r") $(hc_field status "$r")" "-13 HV_STATUS_ACCESS_DENIED"
hv_unload_all
ktap_done

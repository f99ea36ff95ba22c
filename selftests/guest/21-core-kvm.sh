#!/bin/sh
# KVM with Hyper-V enlightenments (the model's preset=kvm, sim_kvm.c says
# why): mode=auto observes, because a guest OS ID makes KVM take the
# kernel's own KVM PV hypercalls (IPIs, spinlock kicks, yields) as Hyper-V
# ones; mode=active goes on with a warning, and the model counts the PV
# calls it then misroutes.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

pv() { echo "$1 $2" >"$SIM/kvm_pv_hypercall"; }

ktap_plan 14
hv_unload_all
hv_load_sim preset=kvm
dmesg_mark
ktap_check "auto loads on KVM" hv_load_core mode=auto
ktap_expect_eq "auto -> observe" "$(cat $CORE/effective_mode)" observe
ktap_check "the reason names KVM" grep -q "KVM" "$CORE/observe_reason"
ktap_check "dmesg says why" dmesg_has "mode auto -> observe (the kernel runs on KVM"
ktap_expect_eq "sysfs shows where KVM's leaves are" "$(cat $CORE/hypervisor/kvm_leaves 2>&1)" 0x40000100
ktap_expect_eq "the guest OS ID stays 0" "$(sim_get msr/guest_os_id)" "$(hex 0)"
pv 10 5
ktap_expect_eq "the kernel's PV IPIs reach KVM" "$(cat $SIM/kvm_pv_hypercall)" "handled=5 misrouted=0"
rmmod hypervive_core

dmesg_mark
ktap_check "active loads on KVM" hv_load_core mode=active
ktap_check "with a warning that names the consequence" dmesg_has "KVM_HC_SEND_IPI"
ktap_expect_eq "active -> active" "$(cat $CORE/effective_mode)" active
pv 5 3
ktap_expect_eq "while our guest OS ID is set, KVM misroutes them" \
	"$(cat $SIM/kvm_pv_hypercall)" "handled=5 misrouted=3"
rmmod hypervive_core
pv 11 2
ktap_expect_eq "after unload they reach KVM again" "$(cat $SIM/kvm_pv_hypercall)" "handled=7 misrouted=3"
hv_unload_all

hv_load_sim
hv_load_core mode=auto
ktap_expect_eq "on Hyper-V: no KVM leaves" "$(cat $CORE/hypervisor/kvm_leaves 2>&1)" none
ktap_check "and the model has no KVM PV ABI" sh -c "! echo '10 1' 2>/dev/null >$SIM/kvm_pv_hypercall"
hv_unload_all
ktap_done

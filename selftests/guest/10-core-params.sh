#!/bin/sh
# hypervive_core without the model: refusal on a machine with no Hyper-V,
# and bad parameter values rejected with a message.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 9
hv_unload_all
hv-insmod "$HV_KO/hypervive_common.ko"

# QEMU's software emulation says "TCGTCGTCGTCG" on 0x40000000.
dmesg_mark
if hv-insmod "$HV_KO/hypervive_core.ko" 2>/dev/null; then
	ktap_fail "native platform without Hyper-V refuses to load"
	rmmod hypervive_core
else
	ktap_ok "native platform without Hyper-V refuses to load"
fi
ktap_check "the refusal names what CPUID showed" \
	dmesg_has 'no Hyper-V: CPUID 0x40000000 vendor "TCGTCGTCGTCG"'
ktap_expect_eq "the refusal is one line" \
	"$(dmesg | grep -c 'hypervive_core:')" 1

for bad in mode=bogus platform=xen mode=; do
	dmesg_mark
	if hv-insmod "$HV_KO/hypervive_core.ko" "$bad" 2>/dev/null; then
		ktap_fail "$bad rejected"
		rmmod hypervive_core
	else
		ktap_ok "$bad rejected"
	fi
done
ktap_check "a bad value is named in dmesg" \
	dmesg_has "mode=: not one of the accepted values"

dmesg_mark
hv-insmod "$HV_KO/hypervive_core.ko" platform=sim 2>/dev/null && rmmod hypervive_core
ktap_check "platform=sim without the model says to load it" \
	dmesg_has "load hypervive_sim first"
ktap_check "nothing of ours stays loaded" sh -c '! grep -q "^hypervive_core " /proc/modules'

hv_unload_all
ktap_done

#!/bin/sh
# Where IBT is enforced the hypercall page is called indirectly and must
# start with ENDBR64 (hv_core/hypercall.c refuses it otherwise).  The
# harness's QEMU (-accel tcg -cpu max) emulates no CET, so that refusal
# cannot run here: this proves it, so the README's claim fails the day
# QEMU gains CET.  CPUID.(EAX=7,ECX=0): EDX bit 20 is CET_IBT, ECX bit 7
# CET_SS (Intel SDM vol. 2A, CPUID); the kernel's flags are "ibt" and
# "user_shstk".
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 4
hv_unload_all
read -r _ _ ecx edx _ <<CPUID
$(hv-cpuid 7 0)
CPUID
ecx=$((ecx)) edx=$((edx))
ktap_expect_eq "CPUID.7.0: no CET_IBT (EDX bit 20), no CET_SS (ECX bit 7)" \
	"$(((edx >> 20) & 1)) $(((ecx >> 7) & 1))" "0 0"
ktap_check "the kernel sees no IBT or shadow stack (/proc/cpuinfo flags)" \
	sh -c '! grep -m1 "^flags" /proc/cpuinfo | grep -qwE "ibt|user_shstk"'
hv_load_sim
hv_load_core mode=active
ktap_expect_eq "so the page (no ENDBR64) is not refused: ibt_refused" \
	"$(cat $CORE/hypercall/ibt_refused)" 0
ktap_expect_eq "and hypercalls are ready" "$(cat $CORE/hypercall/ready)" 1
hv_unload_all
ktap_done

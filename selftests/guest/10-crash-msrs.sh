#!/bin/sh
# Guest crash reporting up to the panic: what sysfs says for each offer of
# the crash MSRs, the crash_report parameter, and the model's TLFS rules
# (registers hold what is written, CRASH_CTL reads the capabilities, a
# notification is printed, actions not offered are not taken).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 27
CR=$CORE/crash
P=/sys/module/hypervive_core/parameters/crash_report
EDX=0xbed7b2	# the model's default CPUID 0x40000003 EDX (GuestCrashMsrs = bit 10)
hv_unload_all

hv_load_sim
dmesg_mark
ktap_check "core loads" hv_load_core mode=active
ktap_expect_eq "offered, CRASH_CTL capabilities" "$(cat $CR/offered) $(cat $CR/capabilities)" \
	"1 0xc000000000000000"
ktap_expect_eq "capability names" "$(cat $CR/capability_names)" "CrashNotify CrashMessage"
ktap_expect_eq "armed" "$(cat $CR/armed) '$(cat $CR/reason)'" "1 ''"
ktap_check "a message page is ready" test "$(cat $CR/message_page_pfn)" != 0x0
ktap_check "dmesg says so" dmesg_has "crash reporting armed: CRASH_CTL offers 0xc000000000000000 (notify, message)"
echo 0 >$P
ktap_expect_eq "crash_report=0 at run time disarms" "$(cat $CR/armed) $(cat $CR/reason)" "0 crash_report=0"
ktap_check "crash_report=maybe is refused" sh -c "! echo maybe >$P 2>/dev/null"
echo 1 >$P
ktap_expect_eq "crash_report=1 arms again" "$(cat $CR/armed)" 1

# The model's crash MSRs, driven through hypervive_core's accessors.
hv_load_testmod
i=0
for m in 40000100 40000101 40000102 40000103 40000104; do
	hc "wrmsr $m $(printf '%x' $((0x1111 * (i + 1))))" >/dev/null
	i=$((i + 1))
done
got=""
for m in 40000100 40000101 40000102 40000103 40000104; do
	got="$got $(hc_field value "$(hc "rdmsr $m")")"
done
ktap_expect_eq "P0-P4 hold what was written" "$got" " 0x1111 0x2222 0x3333 0x4444 0x5555"
ktap_expect_eq "reading CRASH_CTL gives the capabilities" \
	"$(hc_field value "$(hc "rdmsr 40000105")")" 0xc000000000000000
dmesg_mark
hc "wrmsr 40000105 8000000000000000" >/dev/null
ktap_expect_eq "CrashNotify is one notification" "$(sim_get crash/notifications)" 1
ktap_check "printed with P0-P4" dmesg_has \
	"guest crash notification 1: CRASH_CTL=0x8000000000000000 P0=0x0000000000001111 P1=0x0000000000002222 P2=0x0000000000003333 P3=0x0000000000004444 P4=0x0000000000005555"
hc "wrmsr 40000104 1388" >/dev/null	# 5000 bytes
hc "wrmsr 40000105 c000000000000000" >/dev/null
ktap_check "a message over 4096 bytes is refused" dmesg_has "crash message: length 5000 over the TLFS maximum of 4096: ignored"
ktap_check "a second notification is flagged" dmesg_has "guest crash notification 2: the TLFS allows one CRASH_CTL write per crash"
hc "wrmsr 40000105 2000000000000000" >/dev/null
ktap_expect_eq "an action not offered is counted, not taken" \
	"$(sim_get crash/bad_ctl_bits) $(sim_get crash/notifications)" "1 2"
rmmod hypervive_testmod
hv_unload_all

hv_load_sim crash_ctl=0x8000000000000001
hv_load_core mode=active
ktap_expect_eq "CrashNotify only: armed, no message page" \
	"$(cat $CR/armed) $(cat $CR/message_page_pfn)" "1 0x0"
ktap_expect_eq "unnamed bits are shown" "$(cat $CR/capability_names)" "CrashNotify bit0"
hv_unload_all

hv_load_sim crash_ctl=0x4000000000000000
hv_load_core mode=active
ktap_expect_eq "no CrashNotify: not armed, and why" "$(cat $CR/armed): $(cat $CR/reason)" \
	"0: HV_X64_MSR_CRASH_CTL offers no CrashNotify"
hv_unload_all

hv_load_sim features_edx=$((EDX & ~0x400))
hv_load_core mode=active
ktap_expect_eq "GuestCrashMsrs absent: not offered, not armed" \
	"$(cat $CR/offered) $(cat $CR/armed) $(cat $CR/capabilities)" "0 0 0x0000000000000000"
ktap_expect_eq "and why" "$(cat $CR/reason)" \
	"the partition does not offer the crash MSRs (CPUID 0x40000003 EDX[10])"
hv_load_testmod
ktap_expect_eq "the crash MSRs fault" "$(hc_field ret "$(hc "rdmsr 40000105")") $(hc_field ret "$(hc "wrmsr 40000100 1")")" "-5 -5"
hv_unload_all

hv_load_sim
w0=$(sim_get msr_writes)
hv_load_core mode=observe
ktap_expect_eq "observe: capabilities read, not armed" \
	"$(cat $CR/capabilities) $(cat $CR/armed): $(cat $CR/reason)" \
	"0xc000000000000000 0: observe mode: read-only"
rmmod hypervive_core
ktap_expect_eq "observe wrote no MSR" "$(sim_get msr_writes)" "$w0"
ktap_check "crash_report=maybe at load is refused" sh -c \
	". /lib/hypervive/hv.sh; ! hv_load_core crash_report=maybe 2>/dev/null"
ktap_check "crash_report=0 at load" hv_load_core mode=active crash_report=0
ktap_expect_eq "loaded disarmed" "$(cat $CR/armed) $(cat $P)" "0 0"
hv_unload_all
ktap_done

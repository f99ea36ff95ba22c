#!/bin/sh
# Teardown honesty: unload puts back only the SynIC MSRs that are still
# ours, and never frees a page the host may still write (no
# UNLOAD_RESPONSE, a 2.4 host, which has no UNLOAD, a VERSION_RESPONSE
# lost or late): it keeps the page, counts it in
# /sys/kernel/hypervive/leaked_pages and says so.  The model's host lists
# the pages it may write and whether the guest still has each
# (sim_vmbus_host.c: host_pages).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

leaked() { cat /sys/kernel/hypervive/leaked_pages; }
freed() { sed -n 's/^freed //p' "$HOST/host_pages"; }
connected() { sed -n 's/^connected //p' "$HOST/state"; }
SINT2=0x40000092

ktap_plan 17
hv_unload_all
hv_load_sim
hv_load_core mode=active

# --- UNLOAD answered: the host lets go, every page is freed. ---
hv_load_vmbus
l0=$(leaked)
rmmod hypervive_vmbus
ktap_expect_eq "UNLOAD answered: the host has no page, none kept" \
	"$(connected) $(freed) $(leaked)" "0 0 $l0"

# --- no UNLOAD_RESPONSE: the host may still write its pages. ---
hv_load_vmbus unload_timeout_ms=200
echo 0 >"$HOST/answer_unload"
dmesg_mark
rmmod hypervive_vmbus
echo 1 >"$HOST/answer_unload"
ktap_expect_eq "no UNLOAD_RESPONSE: the host still holds its pages" "$(connected)" 1
ktap_expect_eq "and the guest freed none of them" "$(freed)" 0
ktap_expect_eq "both monitor pages counted as leaked (5.3: no interrupt page)" "$(leaked)" $((l0 + 2))
ktap_check "dmesg says why" \
	dmesg_has "kept 2 pages the host may still write (no UNLOAD_RESPONSE): leaked until reboot"

# --- a 2.4 host has no UNLOAD at all. ---
echo "0x20004" >"$HOST/versions"
l0=$(leaked)
hv_load_vmbus
dmesg_mark
rmmod hypervive_vmbus
ktap_expect_eq "VMBus 2.4: the interrupt page and both monitor pages kept, none freed" \
	"$(freed) $(leaked)" "0 $((l0 + 3))"
ktap_check "with the reason" \
	dmesg_has "kept 3 pages the host may still write (a host before VMBus 3.0 has no UNLOAD)"
echo "0x50003 0x50002 0x50001 0x50000 0x40001 0x40000 0x30000 0x20004" >"$HOST/versions"

# --- the VERSION_RESPONSE is lost (as one after the timeout would be). ---
echo 2 >"$HOST/answer_contact"
l0=$(leaked)
dmesg_mark
if hv_load_vmbus connect_timeout_ms=300 2>/dev/null; then
	ktap_fail "a lost VERSION_RESPONSE fails the load"
	rmmod hypervive_vmbus
else
	ktap_ok "a lost VERSION_RESPONSE fails the load"
fi
echo 1 >"$HOST/answer_contact"
ktap_expect_eq "the host accepted: it holds the pages, none freed" "$(connected) $(freed)" "1 0"
ktap_expect_eq "kept and counted" "$(leaked)" $((l0 + 2))
ktap_check "with the reason" dmesg_has "(no VERSION_RESPONSE: the host may have accepted)"
l0=$(leaked)
hv_load_vmbus
rmmod hypervive_vmbus
ktap_expect_eq "the next load connects and unloads cleanly" "$(connected) $(leaked)" "0 $l0"

# --- another owner takes CPU 1's SINT2 after us. ---
hv_load_vmbus
syn_cmd wrmsr 1 $SINT2 0x10040 >/dev/null
dmesg_mark
rmmod hypervive_vmbus
ktap_expect_eq "CPU 1's SINT2 stays the other owner's" "$(syn_get 1 sint2)" "$(hex 0x10040)"
ktap_expect_eq "and its SCONTROL enabled, for that owner" "$(syn_get 1 scontrol)" "$(hex 1)"
ktap_expect_eq "SIMP and SIEFP, still ours, are put back" \
	"$(syn_get 1 simp) $(syn_get 1 siefp)" "$(hex 0) $(hex 0)"
ktap_check "dmesg says so" dmesg_has "CPU 1: another owner changed the SynIC after us"
ktap_expect_eq "CPU 0, untouched, is back to reset" \
	"$(syn_get 0 scontrol) $(syn_get 0 simp) $(syn_get 0 siefp) $(syn_get 0 sint2)" \
	"$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)"
hv_unload_all
ktap_done

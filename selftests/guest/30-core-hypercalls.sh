#!/bin/sh
# The hypercall API against the model: each HV_STATUS path, rep calls that
# resume from "reps completed", calls from hard-IRQ context, and the
# model's own control-word and alignment rules.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 35
hv_unload_all
hv_load_sim
hv_load_core mode=active
hv_load_testmod

# expect DESC CMD RET STATUS
expect() {
	r=$(hc "$2")
	ktap_expect_eq "$1" "$(hc_field ret "$r") $(hc_field status "$r")" "$3 $4"
}

p0=$(sim_get posted_messages)
expect "post message" "post 1 1 16" 0 HV_STATUS_SUCCESS
ktap_expect_eq "the model received it" "$(sim_get posted_messages)" $((p0 + 1))
expect "post on connection 4 (VMBus 5.0+)" "post 4 1 240" 0 HV_STATUS_SUCCESS
expect "post to an unknown connection" "post 7 1 16" -2 HV_STATUS_INVALID_CONNECTION_ID
expect "post with message type 0" "post 1 0 16" -22 HV_STATUS_INVALID_PARAMETER
expect "post with a hypervisor message type" "post 1 2147483649 16" -22 HV_STATUS_INVALID_PARAMETER
expect "post with 241 payload bytes" "post 1 1 241" -22 HV_STATUS_INVALID_PARAMETER
sim_set post_buffers 0
expect "post with no free buffer" "post 1 1 16" -11 HV_STATUS_INSUFFICIENT_BUFFERS
sim_set post_buffers 1
expect "signal event (fast, VMBUS_EVENT_CONNECTION_ID 2)" "signal 2 3" 0 HV_STATUS_SUCCESS
expect "signal an unknown connection" "signal 9 0" -2 HV_STATUS_INVALID_CONNECTION_ID
expect "unknown call code" "code 7777" -95 HV_STATUS_INVALID_HYPERCALL_CODE
expect "signal event through memory (fast only)" "code 5d" -22 HV_STATUS_INVALID_HYPERCALL_INPUT
expect "spin wait, fast" "spin 5" 0 HV_STATUS_SUCCESS
expect "spin wait, memory" "spin_slow 5" 0 HV_STATUS_SUCCESS

# Rep call with continuation: the model completes 7 reps per call.
sim_set rep_batch 7
f0=$(sim_get flushed_gvas)
h0=$(sim_get hypercalls)
r=$(hc "flush 100")
ktap_expect_eq "rep call of 100 completes" "$(hc_field ret "$r") $(hc_field reps "$r")" "0 100"
ktap_expect_eq "the model flushed 100 entries" "$(sim_get flushed_gvas)" $((f0 + 100))
ktap_expect_eq "in 15 resumed calls (7 reps each)" "$(sim_get hypercalls)" $((h0 + 15))
sim_set rep_batch 0
r=$(hc "flush 10 10")
ktap_expect_eq "rep call with a bad flag stops at rep 0" \
	"$(hc_field ret "$r") $(hc_field status "$r") $(hc_field reps "$r")" \
	"-22 HV_STATUS_INVALID_PARAMETER 0"

# TLFS "Variable Sized Hypercall Input Headers": the ...ListEx call's
# HV_VP_SET banks (mask 5: two) follow its fixed header, their size in the
# control word; the model's rule is KVM's (one qword per bank).
sim_set rep_batch 7
v0=$(sim_get varhead_qwords)
f0=$(sim_get flushed_gvas)
r=$(hc "flush_ex 20 5")
ktap_expect_eq "rep call with a 2-qword variable header completes" \
	"$(hc_field ret "$r") $(hc_field status "$r") $(hc_field reps "$r")" "0 HV_STATUS_SUCCESS 20"
ktap_expect_eq "the model saw that header on each of its 3 calls, and 20 entries" \
	"$(sim_get varhead_qwords) $(sim_get flushed_gvas)" "$((v0 + 6)) $((f0 + 20))"
sim_set rep_batch 0
expect "a variable header of 2 qwords for 3 banks" "flush_ex 4 7 2" -22 HV_STATUS_INVALID_HYPERCALL_INPUT
expect "a variable header longer than the header: refused before the call" "flush_ex 4 1 9" -22 none
v0=$(sim_get varhead_qwords)
r=$(hc "flush_space_ex 3")
ktap_expect_eq "a simple call with a 2-qword variable header" \
	"$(hc_field ret "$r") $(hc_field status "$r") $(sim_get varhead_qwords)" "0 HV_STATUS_SUCCESS $((v0 + 2))"

sim_set fail_hypercall_nth 1
expect "an injected failure reaches the caller" "post 1 1 8" -12 HV_STATUS_INSUFFICIENT_MEMORY
expect "and the next call works again" "post 1 1 8" 0 HV_STATUS_SUCCESS
expect "post from hard-IRQ context" "post_irq 1 1 8" 0 HV_STATUS_SUCCESS

# The model on its own: control words and buffers core never produces.
raw() { echo "$1 $2" >$SIM/raw_hypercall && sed -n 's/^status=\(0x[0-9a-f]*\).*/\1/p' $SIM/raw_hypercall; }
ktap_expect_eq "model: aligned post passes to the call (conn 0 unknown)" "$(raw 5c 0)" 0x0012
ktap_expect_eq "model: input not 8-byte aligned" "$(raw 5c 4)" 0x0004
ktap_expect_eq "model: input crosses a page" "$(raw 5c 4000)" 0x0004
ktap_expect_eq "model: reserved control bit 27" "$(raw 800005c 0)" 0x0003
ktap_expect_eq "model: rep count on a simple call" "$(raw 10000005c 0)" 0x0003
ktap_expect_eq "model: rep call with count 0" "$(raw 3 0)" 0x0003
ktap_expect_eq "model: rep start >= rep count" "$(raw 1000100000003 0)" 0x0003
ktap_expect_eq "model: variable header on a fixed call" "$(raw 2005c 0)" 0x0003
ktap_expect_eq "no hypercall was made with the page off" "$(sim_get hypercalls_no_page)" 0

rmmod hypervive_testmod
rmmod hypervive_core
hv_unload_all
ktap_done

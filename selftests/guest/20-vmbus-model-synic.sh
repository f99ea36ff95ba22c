#!/bin/sh
# The model's SynIC on its own, against the TLFS text ("SynIC MSRs",
# "SIM Page", "EOM Register", "SINTx Registers", "Event Flag Delivery"),
# without hypervive_vmbus: the MSRs are driven on a chosen CPU through the
# model's guest-side helpers, as a guest would.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 46
hv_unload_all
hv_load_sim

rd() { field value "$(syn_cmd rdmsr "$1" "$2")"; }
rdret() { field ret "$(syn_cmd rdmsr "$1" "$2")"; }
wr() { field ret "$(syn_cmd wrmsr "$1" "$2" "$3")"; }
slot() { syn_cmd slot "$1" 2; }
post() { field status "$(syn_cmd post "$1" 2 1 16 "$2")"; }

# --- registers at creation, per CPU ---
ktap_expect_eq "SVERSION reads 1 (cpu0)" "$(rd 0 40000081)" "$(hex 1)"
ktap_expect_eq "SVERSION is read-only: a write faults" "$(wr 0 40000081 2)" -5
ktap_expect_eq "SCONTROL, SIEFP, SIMP are 0 at creation (cpu1)" \
	"$(rd 1 40000080) $(rd 1 40000082) $(rd 1 40000083)" "$(hex 0) $(hex 0) $(hex 0)"
all=ok
for x in 0 1 2 3 4 5 6 7 8 9 a b c d e f; do
	[ "$(rd 1 4000009$x)" = "$(hex 0x10000)" ] || all="SINT$x=$(rd 1 4000009$x)"
done
ktap_expect_eq "SINT0..15 at 0x40000090 + x are 0x10000 (masked)" "$all" ok
ktap_expect_eq "0x400000A0 is no SINT: it faults" "$(rdret 1 400000a0)" -5
ktap_expect_eq "EOM reads 0" "$(rd 1 40000084)" "$(hex 0)"

# SINTx are separate registers (the seed's table puts them all at 0x40000090).
wr 1 40000095 0x10035 >/dev/null
ktap_expect_eq "SINT5 keeps its own value, SINT4 and SINT6 do not change" \
	"$(rd 1 40000094) $(rd 1 40000095) $(rd 1 40000096)" \
	"$(hex 0x10000) $(hex 0x10035) $(hex 0x10000)"
ktap_expect_eq "an unmasked SINT with vector 15 faults" "$(wr 1 40000095 0x0f)" -5
ktap_expect_eq "a masked SINT with vector 0 is fine (the reset value)" "$(wr 1 40000095 0x10000)" 0
ktap_expect_eq "an unmasked SINT with vector 16 is fine" "$(wr 1 40000095 0x10)" 0
v0=$(sim_get rsvd_violations)
wr 1 40000095 0x110 >/dev/null
ktap_expect_eq "changing SINT RsvdP bit 8 is counted" "$(sim_get rsvd_violations)" $((v0 + 1))
ktap_expect_eq "and the bit keeps its value" "$(rd 1 40000095)" "$(hex 0x10)"
wr 1 40000095 0x10000 >/dev/null
wr 1 40000080 1 >/dev/null
ktap_expect_eq "SCONTROL is per VP: cpu1 enabled, cpu0 not" \
	"$(rd 1 40000080) $(rd 0 40000080)" "$(hex 1) $(hex 0)"
wr 1 40000080 0 >/dev/null

# --- the message queue of one SINT ---
pages=$(syn_cmd pages)
simgpa=$(field sim "$pages")
siefgpa=$(field sief "$pages")
wr 1 40000083 "$(printf '%x' $((simgpa | 1)))" >/dev/null
wr 1 40000082 "$(printf '%x' $((siefgpa | 1)))" >/dev/null
wr 1 40000092 0x100f3 >/dev/null		# SINT2 masked, vector 0xf3
ktap_expect_eq "with SCONTROL off the VP is no target (INVALID_SYNIC_STATE)" "$(post 1 1)" 0x0018
wr 1 40000080 1 >/dev/null
lost0=$(syn_get 1 masked_lost)
ktap_expect_eq "post #1" "$(post 1 1)" 0x0000
ktap_expect_eq "post #2" "$(post 1 2)" 0x0000
ktap_expect_eq "post #3" "$(post 1 3)" 0x0000
s=$(slot 1)
ktap_expect_eq "slot holds #1, message_pending set (2 queued)" \
	"$(field seq "$s") $(field pending "$s") $(field type "$s")" "1 1 0x00000001"
ktap_expect_eq "a masked SINT loses the interrupt, not the message" \
	"$(syn_get 1 masked_lost)" $((lost0 + 1))
wr 1 40000084 0 >/dev/null
ktap_expect_eq "EOM while the slot is full changes nothing" "$(field seq "$(slot 1)")" 1
s=$(syn_cmd release 1 2)
ktap_expect_eq "the guest empties the slot (type -> 0)" "$(field type "$(slot 1)")" 0x00000000
ktap_expect_eq "no redelivery without a trigger" "$(syn_get 1 queued2)" 2
wr 1 40000084 0 >/dev/null
s=$(slot 1)
ktap_expect_eq "EOM delivers #2, still pending" "$(field seq "$s") $(field pending "$s")" "2 1"
syn_cmd release 1 2 >/dev/null
wr 1 40000084 0 >/dev/null
s=$(slot 1)
ktap_expect_eq "EOM delivers #3, nothing pending" "$(field seq "$s") $(field pending "$s")" "3 0"
syn_cmd release 1 2 >/dev/null
wr 1 40000084 0 >/dev/null
ktap_expect_eq "EOM with empty queues is a no-op" "$(field type "$(slot 1)")" 0x00000000
post 1 4 >/dev/null
ktap_expect_eq "a post to an empty slot is delivered at once" "$(field seq "$(slot 1)")" 4
n=0
ok=0
while [ $n -lt 16 ]; do
	[ "$(post 1 $((10 + n)))" = 0x0000 ] && ok=$((ok + 1))
	n=$((n + 1))
done
ktap_expect_eq "16 more queue behind the full slot" "$ok $(syn_get 1 queued2)" "16 16"
ktap_expect_eq "the 17th finds no buffer (INSUFFICIENT_BUFFERS)" "$(post 1 99)" 0x0013
syn_cmd release 1 2 >/dev/null
wr 1 40000083 "$(printf '%x' "$simgpa")" >/dev/null	# SIMP off
ktap_expect_eq "with SIMP off the VP is no target" "$(post 1 99)" 0x0018
wr 1 40000084 0 >/dev/null
ktap_expect_eq "queued messages stay queued while SIMP is off" "$(syn_get 1 queued2)" 16
wr 1 40000083 "$(printf '%x' $((simgpa | 1)))" >/dev/null
wr 1 40000084 0 >/dev/null
ktap_expect_eq "SIMP back on + EOM: delivery resumes in order (#10)" \
	"$(field seq "$(slot 1)") $(syn_get 1 queued2)" "10 15"
n=0
order=ok
while [ $n -lt 15 ]; do
	syn_cmd release 1 2 >/dev/null
	wr 1 40000084 0 >/dev/null
	[ "$(field seq "$(slot 1)")" = $((11 + n)) ] || order="at $n: $(slot 1)"
	n=$((n + 1))
done
ktap_expect_eq "the rest arrive in posting order (FIFO)" "$order" ok
syn_cmd release 1 2 >/dev/null

# --- event flags ---
ktap_expect_eq "HvSignalEvent to a masked SINT: INVALID_SYNIC_STATE" \
	"$(field status "$(syn_cmd signal 1 2 5)")" 0x0018
wr 1 40000092 0x400f3 >/dev/null		# polling: unmasked, no interrupt
p0=$(syn_get 1 polled)
ktap_expect_eq "signal flag 5" "$(field status "$(syn_cmd signal 1 2 5)")" 0x0000
ktap_expect_eq "flag 5 is set in the SIEF page" "$(field set "$(syn_cmd flag 1 2 5)")" 1
ktap_expect_eq "a polling SINT notes the edge without an interrupt" "$(syn_get 1 polled)" $((p0 + 1))
syn_cmd signal 1 2 5 >/dev/null
ktap_expect_eq "a flag already set raises nothing" "$(syn_get 1 polled)" $((p0 + 1))
syn_cmd clear 1 2 5 >/dev/null
syn_cmd signal 1 2 5 >/dev/null
ktap_expect_eq "cleared, then set again: a new edge" "$(syn_get 1 polled)" $((p0 + 2))

# --- interrupt delivery in IRQ context, no handler installed ---
syn_cmd clear 1 2 5 >/dev/null
wr 1 40000092 0xf3 >/dev/null		# unmasked, no AutoEOI
i0=$(syn_get 1 interrupts)
nh0=$(syn_get 1 no_handler)
post 1 50 >/dev/null
wait_for 10 sh -c "[ \$(sed -n 's/^interrupts //p' $SYN/cpu1) -gt $i0 ]"
ktap_expect_eq "an unmasked SINT interrupts cpu1" "$(syn_get 1 interrupts)" $((i0 + 1))
ktap_expect_eq "with no handler installed it reaches nobody" "$(syn_get 1 no_handler)" $((nh0 + 1))
ktap_expect_eq "AutoEOI deprecated (CPUID 0x40000004 bit 9): the kernel's ack ends it" \
	"$(syn_get 1 in_service)" 0
syn_cmd release 1 2 >/dev/null

# Without the recommendation nobody acks a non-AutoEOI interrupt: it stays
# in service and holds the next one, as a real APIC would.
for r in 40000080 40000082 40000083; do wr 1 $r 0 >/dev/null; done
wr 1 40000092 0x10000 >/dev/null
rmmod hypervive_sim
hv_load_sim recommendations=0xa0c24
pages=$(syn_cmd pages)
simgpa=$(field sim "$pages")
wr 1 40000083 "$(printf '%x' $((simgpa | 1)))" >/dev/null
wr 1 40000092 0xf3 >/dev/null
wr 1 40000080 1 >/dev/null
post 1 1 >/dev/null
wait_for 10 sh -c "[ \$(sed -n 's/^interrupts //p' $SYN/cpu1) -ge 1 ]"
syn_cmd release 1 2 >/dev/null
post 1 2 >/dev/null
wait_for 10 sh -c "[ \$(sed -n 's/^blocked //p' $SYN/cpu1) -ge 1 ]"
ktap_expect_eq "no AutoEOI, no ack: the second interrupt is held" \
	"$(syn_get 1 interrupts) $(syn_get 1 in_service) $(syn_get 1 blocked)" "1 1 1"
post 1 3 >/dev/null
syn_cmd release 1 2 >/dev/null
ktap_expect_eq "#3 waits behind #2, which the guest then took: no trigger yet" \
	"$(field type "$(slot 1)") $(syn_get 1 queued2)" "0x00000000 1"
ktap_expect_eq "HV_X64_MSR_EOI cannot be read" "$(rdret 1 40000070)" -5
wr 1 40000070 0 >/dev/null
wait_for 10 sh -c "[ \$(sed -n 's/^interrupts //p' $SYN/cpu1) -ge 2 ]"
ktap_expect_eq "an EOI delivers #3 and lets the held interrupt in" \
	"$(field seq "$(slot 1)") $(syn_get 1 queued2) $(syn_get 1 interrupts)" "3 0 2"
for r in 40000080 40000082 40000083; do wr 1 $r 0 >/dev/null; done
wr 1 40000092 0x10000 >/dev/null
ktap_expect_eq "the model saw no other RsvdP violation" "$(sim_get rsvd_violations)" 0

hv_unload_all
ktap_done

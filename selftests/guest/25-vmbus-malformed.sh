#!/bin/sh
# A hostile host: each kind of malformed message once (exact counters),
# then thousands of random ones.  No crash, every message accounted for,
# logs rate-limited, and the connection still works afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 23
hv_unload_all
hv_load_sim
hv_load_core
hv_load_vmbus
ctr() { cat "$VMB/counters/$1"; }
drops() { cat $VMB/counters/drops_* | awk '{ s += $1 } END { print s }'; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
zeros() { printf "%0$(($1 * 2))d" 0; }
# raw TYPE SIZE HEX: one message to cpu0's VMBus SINT
raw() { host_cmd inject "0 2 $1 $2 $3" >/dev/null; }
# expect_drop DESC REASON TYPE SIZE HEX: exactly one more drop for REASON
expect_drop() {
	_before=$(ctr "drops_$2")
	_all=$(drops)
	raw "$3" "$4" "$5"
	wait_for 10 sh -c "[ \$(cat $VMB/counters/drops_$2) -gt $_before ]"
	ktap_expect_eq "$1: dropped as $2, nothing else" \
		"$(( $(ctr "drops_$2") - _before )) $(( $(drops) - _all ))" "1 1"
}

hdr() { echo "$(le32 "$1")$(le32 0)"; }
dmesg_mark
expect_drop "payload_size 241" oversize 1 241 "$(hdr 1)"
ktap_check "a drop is logged, saying why" \
	dmesg_has "dropped a host message (oversize): type 0x00000001, payload 241 bytes, channel message 1 (OFFERCHANNEL)"
expect_drop "payload_size 255" oversize 1 255 "$(hdr 4)"
expect_drop "an offer of 7 bytes, not even its channel header" short 1 7 "$(hdr 1)"
expect_drop "an offer of 195 bytes" short 1 195 "$(hdr 1)$(zeros 187)"
expect_drop "a rescind of 11 bytes" short 1 11 "$(hdr 2)000000"
expect_drop "VERSION_RESPONSE of 15 bytes" short 1 15 "$(hdr 15)"
expect_drop "channel message type 99" unknown 1 16 "$(hdr 99)"
expect_drop "channel message type 0xffffffff" unknown 1 16 "$(hdr 0xffffffff)"
expect_drop "INITIATE_CONTACT from the host" unexpected 1 40 "$(hdr 14)"
expect_drop "OPENCHANNEL_RESULT nobody asked for" unexpected 1 20 "$(hdr 6)"
expect_drop "a timer message (hypervisor type 0x80000010)" bad_type 80000010 24 ""
expect_drop "hv_message type 2" bad_type 2 8 "$(hdr 1)"
expect_drop "an unsolicited VERSION_RESPONSE" state 1 16 "$(hdr 15)01000000$(le32 5)"
expect_drop "a second ALLOFFERS_DELIVERED" state 1 8 "$(hdr 4)"
# Header-only messages need no more than their type: the kernel's
# channel_message_table has min_payload_len 0 for them.
expect_drop "a second ALLOFFERS_DELIVERED of 4 bytes (not short)" state 1 4 "$(le32 4)"
expect_drop "an UNLOAD_RESPONSE of 4 bytes while connected (not short)" state 1 4 "$(le32 17)"
expect_drop "an UNLOAD_RESPONSE while connected" state 1 8 "$(hdr 17)"

# --- thousands of random messages (fixed seed: a failure can be replayed) ---
m0=$(ctr messages)
d0=$(drops)
o0=$(ctr offers)
r0=$(ctr rescinds)
dmesg_mark
r=$(host_cmd fuzz 5000 20261122 0)
ktap_diag "fuzz: $r"
wait_for 30 sh -c "[ \$(cat $VMB/counters/messages) -ge $((m0 + 5000)) ]"
got=$(( $(ctr messages) - m0 ))
ktap_expect_eq "5000 random messages sent, 5000 taken" "$(field sent "$r") $got" "5000 5000"
acc=$(( $(drops) - d0 + $(ctr offers) - o0 + $(ctr rescinds) - r0 ))
ktap_diag "drops: $(for f in $VMB/counters/drops_*; do printf '%s=%s ' "${f##*_}" "$(cat $f)"; done)"
ktap_expect_eq "each one was dropped, or was a valid offer or rescind" "$acc" 5000
lines=$(dmesg | grep -c "dropped a host message")
ktap_diag "$lines log lines for $(( $(drops) - d0 )) drops"
ktap_expect_eq "the log is rate-limited" "$( [ "$lines" -le 60 ] && echo yes)" yes

# --- still working ---
host_cmd offers "add 300 57164f39-9115-4e78-ab55-382f3bd5422d 00000000-0000-0000-0000-000000000300 0 -1 0x300" >/dev/null
wait_for 10 test -e $VMB/channels/300/name
ktap_expect_eq "the connection still works: a hot-added offer appears" \
	"$(cat $VMB/channels/300/name 2>&1) $(vmb state)" "heartbeat connected"
ktap_check "unload is clean" rmmod hypervive_vmbus
echo default >$HOST/offers
hv_unload_all
ktap_done

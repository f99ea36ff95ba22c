#!/bin/sh
# The channel inventory matches what the host offers, exactly: the default
# set of a Generation 2 guest, a custom set, an empty one; rescinds and
# hot-added offers; bad offers; event flags per channel; HvSignalEvent on
# a channel's connection ID.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 30
hv_unload_all
hv_load_sim
hv_load_core

# The host's offers and our channels/, in the same form, sorted.
expected() {
	while read -r relid cls inst fl mon conn _fh _sig; do
		[ "$mon" -lt 0 ] && mon=none
		echo "$relid $cls $inst $fl $mon $conn"
	done <$HOST/offers | sort
}
actual() {
	for d in "$VMB"/channels/*; do
		[ -d "$d" ] || continue
		echo "${d##*/} $(cat "$d/class_guid") $(cat "$d/instance_guid") $(cat "$d/flags") $(cat "$d/monitor_id") $(cat "$d/connection_id")"
	done | sort
}
same_inventory() {
	if [ "$(expected)" = "$(actual)" ]; then return 0; fi
	echo "host:"; expected; echo "guest:"; actual
	return 1
}
ctr() { cat "$VMB/counters/$1"; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
zeros() { printf "%0$(($1 * 2))d" 0; }
# offer_hex RELID MONITOR_ID MONITOR_ALLOCATED: OFFERCHANNEL, all-zero GUIDs
offer_hex() {
	echo "$(le32 1)$(le32 0)$(zeros 176)$(le32 "$1")$(printf '%02x%02x' "$2" "$3")0000$(le32 0x77)"
}
inject() { host_cmd inject "0 2 1 $1 $2"; }

ktap_check "loads" hv_load_vmbus
ktap_check "the inventory is exactly the host's offers" same_inventory
names=""
for d in 1 2 3 4 5 6 7 8 9; do names="$names $(cat $VMB/channels/$d/name)"; done
ktap_expect_eq "well-known classes are named" "$names" \
	" heartbeat shutdown timesync kvp vss fcopy hv_sock hv_sock unknown"
ch=$VMB/channels/7
ktap_expect_eq "hv_sock offer: service GUID, port 2761, connection from the host" \
	"$(cat $ch/service_guid) $(cat $ch/port) $(cat $ch/conn_from_host)" \
	"00000ac9-facb-11e6-bd58-64006a7986d3 2761 1"
ktap_expect_eq "its flags by name" "$(cat $ch/flags_names)" "named_pipe_mode tlnpi_provider_offer"
ktap_expect_eq "a service GUID off the template has no port" "$(cat $VMB/channels/8/port)" none
ktap_expect_eq "a device channel has no hv_sock files" \
	"$( [ -e $VMB/channels/1/port ] && echo port)" ""
ktap_expect_eq "offers counted, complete" "$(ctr offers) $(vmb offers_complete)" "9 1"

# --- rescind and hot add ---
dmesg_mark
host_cmd rescind 3 >/dev/null
wait_for 10 sh -c "[ ! -e $VMB/channels/3 ]"
ktap_expect_eq "RESCIND removes channel 3" "$( [ -e $VMB/channels/3 ] && echo still)|$(ctr rescinds)" "|1"
ktap_check "with a line" dmesg_has "channel 3 rescinded (timesync)"
host_cmd offers "add 12 ba6163d9-04a1-4d29-b605-72e2ffb1dc7f 11111111-2222-3333-4444-555555555555 0x0400 7 0x99" >/dev/null
wait_for 10 test -e $VMB/channels/12/name
ktap_expect_eq "a hot-added offer appears" "$(cat $VMB/channels/12/name 2>&1)" scsi
ktap_check "with a line" dmesg_has "channel 12 offered: scsi ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"
ktap_check "the inventory still matches the host's" same_inventory

# --- offers that must not become channels ---
s0=$(ctr drops_state)
i0=$(ctr drops_invalid)
inject 196 "$(offer_hex 1 0 0)" >/dev/null
inject 196 "$(offer_hex 0 0 0)" >/dev/null
inject 196 "$(offer_hex 2048 0 0)" >/dev/null
inject 196 "$(offer_hex 40 200 1)" >/dev/null
inject 12 "$(le32 2)$(le32 0)$(le32 77)" >/dev/null
wait_for 10 sh -c "[ \$(cat $VMB/counters/drops_invalid) -ge $((i0 + 3)) ] && [ \$(cat $VMB/counters/drops_state) -ge $((s0 + 2)) ]"
ktap_expect_eq "relid 0, relid 2048, monitor ID 200: dropped as invalid" "$(ctr drops_invalid)" $((i0 + 3))
ktap_expect_eq "a second offer of relid 1, a rescind of relid 77: dropped (state)" \
	"$(ctr drops_state)" $((s0 + 2))
ktap_expect_eq "channel 1 is the host's, not the duplicate" \
	"$(cat $VMB/channels/1/class_guid)" 57164f39-9115-4e78-ab55-382f3bd5422d
ktap_check "and the inventory still matches" same_inventory

# --- event flags ---
e0=$(ctr events)
p0=$(ctr events_protocol)
u0=$(ctr events_unknown)
c1=$(vmb cpus/cpu1/events)
host_cmd event "0 4" >/dev/null
host_cmd event "0 0" >/dev/null
host_cmd event "0 1000" >/dev/null
host_cmd event "1 5" >/dev/null
wait_for 10 sh -c "[ \$(cat $VMB/counters/events) -ge $((e0 + 2)) ] && [ \$(cat $VMB/counters/events_unknown) -gt $u0 ]"
ktap_expect_eq "flag 4 counts on channel 4, flag 5 (cpu1) on channel 5" \
	"$(cat $VMB/channels/4/events) $(cat $VMB/channels/5/events) $(cat $VMB/channels/6/events)" "1 1 0"
ktap_expect_eq "flag 0 is the protocol's, flag 1000 has no channel" \
	"$(( $(ctr events_protocol) - p0 )) $(( $(ctr events_unknown) - u0 ))" "1 1"
ktap_expect_eq "cpu1 took its own event" "$(vmb cpus/cpu1/events)" $((c1 + 1))
ktap_expect_eq "flags are cleared once taken" \
	"$(field set "$(syn_cmd flag 0 2 4)") $(field set "$(syn_cmd flag 1 2 5)")" "0 0"
host_cmd event "0 4" >/dev/null
wait_for 10 sh -c "[ \$(cat $VMB/channels/4/events) -ge 2 ]"
ktap_expect_eq "so the next one is seen again" "$(cat $VMB/channels/4/events)" 2

# --- HvSignalEvent on a channel's connection ID ---
g0=$(sim_get signalled_events)
echo 7 >/sys/kernel/debug/hypervive_vmbus/signal
ktap_expect_eq "signal channel 7: ok" "$(cat /sys/kernel/debug/hypervive_vmbus/signal)" 0
ktap_expect_eq "the host saw it on channel 7's connection (0x17)" \
	"$(awk '$1 == 7 { print $6, $8 }' $HOST/offers) $(( $(sim_get signalled_events) - g0 ))" "0x17 1 1"
echo 99 >/sys/kernel/debug/hypervive_vmbus/signal
ktap_expect_eq "no channel 99: -ENOENT" "$(cat /sys/kernel/debug/hypervive_vmbus/signal)" -2
rmmod hypervive_vmbus

# --- a custom offer set, and an empty one ---
echo clear >$HOST/offers
host_cmd offers "add 1 ba6163d9-04a1-4d29-b605-72e2ffb1dc7f 00000000-0000-0000-0000-000000000001 0 -1 0x1" >/dev/null
host_cmd offers "add 2047 f8615163-df3e-46c5-913f-f2d2f965ed0e 00000000-0000-0000-0000-000000000002 0x0400 127 0x2" >/dev/null
host_cmd offers "add 33 00001234-facb-11e6-bd58-64006a7986d3 00000000-0000-0000-0000-000000000003 0x2000 -1 0x3 0" >/dev/null
host_cmd offers "add 500 32412632-86cb-44a2-9b5c-50d1417354f5 00000000-0000-0000-0000-000000000004 0x0001 0 0xffffff" >/dev/null
ktap_check "loads with a custom offer set" hv_load_vmbus
ktap_check "the inventory is exactly that set" same_inventory
ktap_expect_eq "names, hv_sock port 0x1234" \
	"$(cat $VMB/channels/1/name) $(cat $VMB/channels/2047/name) $(cat $VMB/channels/33/name) $(cat $VMB/channels/33/port) $(cat $VMB/channels/500/name)" \
	"scsi network hv_sock 4660 ide"
rmmod hypervive_vmbus
echo clear >$HOST/offers
ktap_check "loads with no offers at all" hv_load_vmbus
ktap_expect_eq "no channels, the list complete" "$(vmb channel_count) $(vmb offers_complete) $(ls $VMB/channels | wc -l)" "0 1 0"
rmmod hypervive_vmbus
echo default >$HOST/offers
hv_unload_all
ktap_done

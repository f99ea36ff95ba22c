#!/bin/sh
# HELLO both ways with hypervive-hostd (the guest's identity arrives, the
# agent shows the host), version mismatches in both directions, and unload
# while connected (AgentStopping, then BYE).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

ktap_plan 18
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
hostname agent-guest
rm -f "$HOSTD_LOG"
hostd_start
ag_load heartbeat_ms=1000
ktap_check "the agent reaches OPEN with hostd" wait_for 20 ag_open
line=$(ev_lines 4300 | tail -n1)
ktap_diag "$line"
ktap_check "hostd got the guest's HELLO: hostname and boot ID" \
	sh -c "echo '$line' | grep -q 'guest=agent-guest cid=1 boot_id=$(me)'"
ktap_check "... agent version, kernel release, heartbeat, capabilities, queue" \
	sh -c "echo '$line' | grep -q 'version=1 agent=hypervive_agent $(cat /sys/kernel/hypervive/version) release=$(uname -r) heartbeat_ms=1000 caps=0x7 last_event_seq=0 queue=256'"
ktap_expect_eq "sysfs peer, protocol version, host" \
	"$(ag_get peer) $(ag_get protocol_version) $(ag_get host)" \
	"vsock:1:2761 1 $(hostname) (hypervive-hostd 1.0)"
ktap_check "connected_since is an ISO 8601 time" grep -Eq \
	'^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$' "$AG/connected_since"
ktap_check "AgentStarted (4200) logged by hostd as event 1" wait_for 10 ev_has 4200 "guest=agent-guest .* seq=1 "
ktap_check "hostd lists the guest as connected" sh -c "hypervive-hostd ctl --control $HOSTD_CTL list | grep -q 'boot_id=$(me) conn=#[0-9]* state=connected'"

# The host selects a version the agent does not speak: ERROR(VERSION), close.
hostd_stop
dmesg_mark
v0=$(ag_cnt version_mismatches)
out=$(hv-fakehost version 2>&1)
rc=$?
ktap_diag "$(echo "$out" | tail -n1)"
ktap_expect_eq "host selects version 2: the agent answers ERROR(VERSION) and closes" "$rc" 0
ktap_expect_eq "... counted" "$(ag_cnt version_mismatches)" "$((v0 + 1))"
ktap_check "... and logged" dmesg_has "the host selected protocol version 2; this agent speaks 1..1"

# The host refuses the agent's versions with ERROR(VERSION).
dmesg_mark
e0=$(ag_cnt host_errors)
hv-fakehost refuse >/dev/null 2>&1
ktap_expect_eq "host refuses with ERROR(VERSION): the agent closes without a word" "$?" 0
ktap_expect_eq "... counted, logged with the host's text" \
	"$(ag_cnt host_errors):$(dmesg | grep -c 'the host sent ERROR 1 (version): host supports protocol versions 2..2')" "$((e0 + 1)):1"

# hostd refuses a guest that speaks only version 2.
hostd_start
ktap_check "the agent is back with hostd" wait_for 20 ag_open
hostd-loadgen --connect vsock:1:2761 --min-version 2 --max-version 2 --duration 2 -q >/dev/null 2>&1
ktap_expect_eq "hostd refuses a version-2-only guest (loadgen exit 3) and logs 4305" \
	"$?:$(ev_count 4305)" "3:1"

# Unload while connected: the queue goes out, AgentStopping, BYE.
ag_raise 3 before unload
ag_unload
ktap_check "unload while connected: hostd logs AgentStopping (4204)" wait_for 10 ev_has 4204 "guest=agent-guest"
ktap_check "... then the BYE: 'guest said BYE (reason 2)'" wait_for 10 ev_has 4301 "guest said BYE (reason 2)"

# Loaded again in the same boot: a fresh instance numbers from 1, the host
# has logged more for this boot ID; the agent continues after the host's last.
last=$(ev_lines 4204 | tail -n1 | sed -n 's/.* seq=\([0-9]*\) .*/\1/p')
ag_load heartbeat_ms=1000
ktap_check "reloaded: AgentStarted numbered after the host's last event ($last)" \
	wait_for 20 ev_has 4200 "seq=$((last + 1)) "
ktap_expect_eq "... renumbered, not dropped as a duplicate" \
	"$(ag_cnt events_renumbered):$(ctl list | sed -n 's/.* duplicates=\([0-9]*\) .*/\1/p')" "1:0"
ag_unload
hostd_stop
hv_unload_all
ktap_done

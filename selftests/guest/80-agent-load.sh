#!/bin/sh
# hypervive_agent on its own: parameters validated, loads without
# hypervive_core, sysfs, reconnect backoff with jitter while nobody listens,
# quiet logs, debug writable at run time, clean unload.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

ktap_plan 23
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
hv-insmod "$HV_KO/hypervive_common.ko"

for bad in cid=0 port=0 heartbeat_ms=99 heartbeat_ms=600001 queue_len=0 \
	queue_len=65537 freeze_fs=EXT4 freeze_fs=ext4,,xfs \
	freeze_fs=a234567890123456789 "reconnect_min_ms=5000 reconnect_max_ms=1000"; do
	dmesg_mark
	# shellcheck disable=SC2086 # two parameters in one case
	if hv-insmod "$HV_KO/hypervive_agent.ko" $bad 2>/dev/null; then
		ktap_fail "$bad refused"
		rmmod hypervive_agent
	elif dmesg | grep -q "hypervive_agent: ${bad%% *}"; then
		ktap_ok "$bad refused with a message naming it"
	else
		ktap_fail "$bad refused with a message naming it" "$(dmesg | tail -3)"
	fi
done

# modinfo describes every parameter
nodesc=$(modinfo -F parm "$HV_KO/hypervive_agent.ko" | awk -F: '$2 == "" { print $1 }')
nparm=$(modinfo -F parm "$HV_KO/hypervive_agent.ko" | wc -l)
if [ "$nparm" -ge 11 ] && [ -z "$nodesc" ]; then
	ktap_ok "modinfo describes all $nparm parameters"
else
	ktap_fail "modinfo describes every parameter" "$nparm parameters; without: $nodesc"
fi

# Nobody listens on port 2761: the agent keeps trying, with backoff.
dmesg_mark
ag_load debug=1 reconnect_min_ms=200 reconnect_max_ms=800
ktap_check "loads without hypervive_core" sh -c '! grep -q "^hypervive_core " /proc/modules'
sleep 5
delays=$(dmesg | sed -n 's/.*next connection attempt in \([0-9]*\) ms.*/\1/p')
ndelays=$(echo "$delays" | grep -c .)
ktap_diag "delays (ms): $(echo $delays)"
first=$(echo "$delays" | head -n1)
late=$(echo "$delays" | tail -n +4)
if [ "$ndelays" -ge 4 ] && [ "$first" -ge 100 ] && [ "$first" -le 200 ] &&
	! echo "$late" | awk '$1 < 400 || $1 > 800 { bad = 1 } END { exit !bad }'; then
	ktap_ok "backoff doubles from 200 ms to 800 ms, each delay jittered into [d/2, d]"
else
	ktap_fail "backoff doubles from 200 ms to 800 ms, each delay jittered into [d/2, d]"
fi
ktap_expect_eq "the jitter varies the delays" \
	"$(echo "$late" | sort -u | wc -l | awk '{ print ($1 > 1) }')" 1
attempts=$(ag_cnt connect_attempts)
ktap_expect_eq "attempts counted, state not open" \
	"$(ag_get state):$((attempts >= 4))" "disconnected:1"
ktap_expect_eq "one log line for the outage, not one per attempt" \
	"$(dmesg | grep -c 'hypervive_agent: cannot connect to vsock:1:2761')" 1

# debug at run time, through the parameter and through sysfs
echo 0 >"$AG_PARAM/debug"
dmesg_mark
sleep 2
ktap_expect_eq "debug=0 via the parameter silences at once" \
	"$(dmesg | grep -c 'hypervive_agent: debug:')" 0
echo 1 >"$AG/debug"
sleep 2
ktap_expect_eq "debug=1 via sysfs speaks at once, and the parameter agrees" \
	"$(dmesg | grep -c 'hypervive_agent: debug: next connection' | awk '{ print ($1 > 0) }'):$(cat "$AG_PARAM/debug")" "1:1"
ktap_check "a bad debug value is refused" sh -c "! echo maybe >$AG/debug"
ktap_check "a bad freeze_fs at run time is refused" sh -c "! echo 'ext4 xfs' >$AG_PARAM/freeze_fs"

# sysfs: only debug is writable
modes=$(cd "$AG" && for f in * counters/*; do [ -f "$f" ] && echo "$f:$(stat -c %a "$f")"; done)
bad=$(echo "$modes" | grep -v '^debug:644$' | grep -v ':444$' || true)
ktap_expect_eq "sysfs files read-only except debug (0644)" "$bad$(echo "$modes" | grep -c '^debug:644$')" "1"

dmesg_mark
ag_unload
ktap_check "unloads while disconnected" sh -c '! grep -q "^hypervive_agent " /proc/modules && [ ! -d /sys/kernel/hypervive/agent ]'
ktap_check "reports unacknowledged events on unload" dmesg_has "unloaded; 2 events not acknowledged by the host were dropped"
hv_unload_all
ktap_done

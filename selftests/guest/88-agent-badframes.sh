#!/bin/sh
# Malformed and random frames from a test host (hv-fakehost): every bad one
# gets ERROR(BAD_FRAME), closes the connection and is counted, the log stays
# rate-limited, nothing crashes; a flood of requests is throttled; the agent
# then works normally with hostd.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

kinds=$(hv-fakehost kinds)
nkinds=$(echo "$kinds" | wc -l)
ktap_plan $((nkinds + 7))
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"
# No filesystem to freeze here: the random frames may include a THAW.
ag_load heartbeat_ms=200 freeze_fs=
dmesg_mark
for k in $kinds; do
	b0=$(ag_cnt bad_frames)
	out=$(hv-fakehost bad "$k" 2>&1)
	rc=$?
	b1=$(ag_cnt bad_frames)
	want=1
	[ "$k" = ack-short ] && want=0	# cut short, then EOF: a close, not a bad frame
	if [ $rc = 0 ] && [ $((b1 - b0)) = $want ]; then
		ktap_ok "bad frame '$k': closed$([ $want = 1 ] && echo ' with ERROR(BAD_FRAME), counted')"
	else
		ktap_fail "bad frame '$k'" "exit $rc, counted $((b1 - b0)): $(echo "$out" | tail -n1)"
	fi
done
logged=$(dmesg | grep -c 'hypervive_agent: bad \(header\|payload\) from the host')
ktap_diag "$logged log lines for $((nkinds - 1)) bad frames"
ktap_expect_eq "logged, at most once per bad frame" "$((logged >= 1 && logged <= nkinds - 1))" 1

b0=$(ag_cnt bad_frames)
out=$(hv-fakehost random 40 20261122 2>&1)
rc=$?
ktap_diag "$(echo "$out" | tail -n1)"
errs=$(echo "$out" | sed -n 's/.*bad_frame_errors=\([0-9]*\).*/\1/p')
ktap_expect_eq "40 randomly mutated frames: every connection closed" \
	"$rc:$(echo "$out" | sed -n 's/.*not_closed=\([0-9]*\).*/\1/p')" "0:0"
ktap_expect_eq "... each ERROR(BAD_FRAME) counted" "$(($(ag_cnt bad_frames) - b0))" "$errs"

t0=$(ag_cnt throttled)
out=$(hv-fakehost flood 200 2>&1)
ktap_diag "$out"
ms=$(echo "$out" | sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p')
ktap_expect_eq "200 QUERY requests at once: all answered" \
	"$(echo "$out" | sed -n 's/.*replies=\([0-9]*\) .*/\1/p')" 200
# 50 at once, then 50 a second: at least 3 s whatever the load.
ktap_expect_eq "... no faster than the input bound (>= 2.5 s)" "$((${ms:-0} >= 2500))" 1
ktap_expect_eq "... throttled and counted" "$(($(ag_cnt throttled) > t0))" 1

rm -f "$HOSTD_LOG"
hostd_start
ktap_check "afterwards the agent works with hostd" wait_for 20 ag_open
ag_unload
hostd_stop
hv_unload_all
ktap_done

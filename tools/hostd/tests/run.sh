#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of hypervive-hostd against hostd-loadgen over AF_UNIX
# sockets (never AF_VSOCK: the build machine's vsock belongs to its host).
#
# usage: tests/run.sh [HOSTD] [LOADGEN]      (defaults: ./hypervive-hostd ./hostd-loadgen)
# Prints KTAP-style "ok N - ..." lines, ends with "N passed, N failed",
# exits non-zero on any failure.

set -u
HOSTD=$(realpath "${1:-./hypervive-hostd}")
LG=$(realpath "${2:-./hostd-loadgen}")
T=$(mktemp -d /tmp/hostd-test.XXXXXX)
N=0
PASS=0
FAIL=0
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$FAIL" = 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "# logs kept in $T"
	fi
}
trap cleanup EXIT

result() {	# result STATUS DESCRIPTION
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		PASS=$((PASS + 1))
		echo "ok $N - $2"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N - $2"
	fi
}

skip() {	# skip DESCRIPTION REASON
	N=$((N + 1))
	PASS=$((PASS + 1))
	echo "ok $N - $1 # SKIP $2"
}

check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then result 0 "$d"; else result 1 "$d"; fi
}

wait_for() {	# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

start_hostd() {	# start_hostd NAME [OPTIONS]: listens on $T/NAME.g, control $T/NAME.c
	local name=$1
	shift
	"$HOSTD" --listen "unix:$T/$name.g" --control "$T/$name.c" "$@" \
		>"$T/$name.log" 2>"$T/$name.err" &
	echo $! >"$T/$name.pid"
	PIDS+=($!)
	wait_for 10 test -S "$T/$name.c"
}

stop_hostd() {	# stop_hostd NAME: SIGTERM, returns the exit status
	local pid
	pid=$(cat "$T/$1.pid")
	kill -TERM "$pid"
	wait "$pid"
}

ctl() {		# ctl NAME ARGS...
	local name=$1
	shift
	"$HOSTD" ctl --control "$T/$name.c" "$@"
}

stat_of() {	# stat_of NAME KEY
	ctl "$1" stats | tr ' ' '\n' | sed -n "s/^$2=//p"
}

lg() {		# lg NAME ARGS...: loadgen against hostd NAME
	local name=$1
	shift
	"$LG" --connect "unix:$T/$name.g" "$@"
}

# event lines of one boot ID (guest event IDs 4100-4299 only)
events_of() {
	grep -E " (41|42)[0-9][0-9] " "$T/$1.log" | grep "boot_id=$2"
}

# "1 2 3 ..." if every sequence appears exactly once, in order
seqs_of() {
	events_of "$1" "$2" | grep -o ' seq=[0-9]*' | cut -d= -f2 | tr '\n' ' '
}

dup_count() {	# how many sequence numbers were printed more than once
	events_of "$1" "$2" | grep -o ' seq=[0-9]*' | sort | uniq -d | wc -l
}

echo "KTAP version 1"
echo "# hostd: $HOSTD"
echo "# loadgen: $LG"
echo "# work dir: $T"

B1=11111111-2222-3333-4444-000000000001
B2=11111111-2222-3333-4444-000000000002
B3=11111111-2222-3333-4444-000000000003
B4=11111111-2222-3333-4444-000000000004

# ---- startup -------------------------------------------------------------
check "hostd starts and creates its control socket" start_hostd main --hello-timeout-ms 500
check "ctl stats answers" bash -c "'$HOSTD' ctl --control '$T/main.c' stats | grep -q '^ok stats'"
check "startup logged as event 4312" grep -q ' Information 4312 HostStarted ' "$T/main.log"
"$HOSTD" --listen "unix:$T/other.g" --control "$T/main.c" >"$T/second.out" 2>&1
check "a second hostd refuses to take over a live control socket (exit 1)" test $? = 1
check "the refused hostd removed the socket it had bound" test ! -e "$T/other.g"

# ---- HELLO and version negotiation ----------------------------------------
lg main --hostname old-agent --min-version 2 --max-version 3 >"$T/v.out" 2>&1
rc=$?
check "version mismatch: loadgen refused (exit 3)" test "$rc" = 3
check "version mismatch: ERROR code=1 (version) received" grep -q 'code=1 (version)' "$T/v.out"
check "version mismatch: logged as 4305 VersionRefused" \
	grep -q ' Error 4305 VersionRefused .*offers versions 2..3' "$T/main.log"
check "version mismatch: counted" test "$(stat_of main version_refused)" = 1

lg main --hostname vm-basic --boot-id $B1 --events 5 --event-interval-ms 10 >"$T/basic.out" 2>&1
check "HELLO accepted, 5 events acked (loadgen exit 0)" test $? = 0
check "GuestConnected 4300 logged with version=1" \
	grep -q " 4300 GuestConnected guest=vm-basic .*version=1" "$T/main.log"
check "5 events printed once each, in order" test "$(seqs_of main $B1)" = "1 2 3 4 5 "
check "clean BYE logged as 4301" grep -q '4301 GuestDisconnected guest=vm-basic .*BYE' "$T/main.log"

# ---- resends across reconnects, duplicates --------------------------------
# ACKs are ignored by this guest: after reconnecting it resends 1..4, then 5..8
lg main --hostname vm-resend --boot-id $B2 --events 4 --event-interval-ms 10 \
	--reconnects 1 --lose-acks >"$T/resend.out" 2>&1
check "reconnect with resends: loadgen exit 0" test $? = 0
check "reconnect: guest connected twice" \
	test "$(grep -c ' 4300 GuestConnected guest=vm-resend ' "$T/main.log")" = 2
check "reconnect: events 1..8 printed exactly once" test "$(seqs_of main $B2)" = "1 2 3 4 5 6 7 8 "
check "reconnect: no sequence printed twice" test "$(dup_count main $B2)" = 0
check "reconnect: 4 resent duplicates counted" \
	bash -c "'$HOSTD' ctl --control '$T/main.c' list | grep 'boot_id=$B2' | grep -q ' duplicates=4 '"

lg main --hostname vm-dup --boot-id $B3 --events 6 --event-interval-ms 10 --dup >"$T/dup.out" 2>&1
check "same-connection duplicates: loadgen exit 0" test $? = 0
check "same-connection duplicates: 6 events printed once" test "$(seqs_of main $B3)" = "1 2 3 4 5 6 "
check "same-connection duplicates: 6 dropped and counted" \
	bash -c "'$HOSTD' ctl --control '$T/main.c' list | grep 'boot_id=$B3' | grep -q ' duplicates=6 '"

# a new agent instance in the same boot continues after the host's last sequence
lg main --hostname vm-resend --boot-id $B2 --events 3 --event-interval-ms 10 >"$T/fresh.out" 2>&1
check "fresh agent instance: loadgen exit 0" test $? = 0
check "fresh agent instance numbers from last_event_seq+1 (9..11)" \
	test "$(seqs_of main $B2)" = "1 2 3 4 5 6 7 8 9 10 11 "
check "no sequence gap reported" test "$(stat_of main gaps)" = 0

# ---- malformed frames -----------------------------------------------------
before=$(stat_of main bad_frames)
lg main --malformed all >"$T/mal.out" 2>&1
check "19 kinds of malformed frames: every connection closed by the host" test $? = 0
check "every malformed connection got ERROR bad-frame first" \
	test "$(grep -c 'closed by host (ERROR code=2 bad-frame)' "$T/mal.out")" = 19
after=$(stat_of main bad_frames)
check "bad frames counted (19)" test "$((after - before))" = 19
check "bad frames logged as 4304 BadFrame" grep -q ' Warning 4304 BadFrame ' "$T/main.log"
lg main --random 60 --seed 11 >"$T/rand.out" 2>&1
check "60 randomly mutated frames: peer finished" test $? = 0
check "hostd alive after random frames" \
	bash -c "'$HOSTD' ctl --control '$T/main.c' stats | grep -q '^ok'"
check "random frames counted as bad" test "$(stat_of main bad_frames)" -gt "$after"
check "bad-frame log lines are rate-limited (at most 20 per 10 s)" \
	test "$(grep -c ' 4304 BadFrame ' "$T/main.log")" -le 20

# ---- freeze / thaw / query ------------------------------------------------
lg main --hostname answerer --boot-id $B4 --heartbeat-ms 200 --duration 8 >"$T/reply_txt.out" 2>&1 &
REPLY_TXT=$!
PIDS+=($REPLY_TXT)
wait_for 5 bash -c "'$HOSTD' ctl --control '$T/main.c' list | grep -q 'hostname=answerer .*state=connected'"
ctl main freeze answerer --timeout-ms 20000 --checkpoint 42 >"$T/freeze.out"
check "ctl freeze: exit 0" test $? = 0
check "ctl freeze: ok line with checkpoint 42" grep -q '^ok freeze guest=answerer .*checkpoint_id=42 status=0' "$T/freeze.out"
check "ctl freeze: / frozen" grep -q '^fs mount=/ dev=8:1 fstype=ext4 state=frozen$' "$T/freeze.out"
check "ctl freeze: /boot skipped with reason" grep -q 'mount=/boot .*state=skipped(read-only)' "$T/freeze.out"
check "ctl freeze: /srv frozen by another freezer" grep -q 'mount=/srv .*state=frozen-by-other' "$T/freeze.out"
ctl main query "$B4" >"$T/query.out"
check "ctl query by boot ID: frozen, time left before auto-thaw" \
	grep -Eq '^ok query .*checkpoint_id=42 status=0 remaining_ms=[1-9]' "$T/query.out"
ctl main thaw answerer --checkpoint 7 >"$T/thaw-bad.out"
check "ctl thaw of another checkpoint: refused (exit 1)" test $? = 1
check "ctl thaw of another checkpoint: status -ESRCH" grep -q '^error thaw .*status=-3' "$T/thaw-bad.out"
ctl main thaw answerer --checkpoint 42 >"$T/thaw.out"
check "ctl thaw: ok, / thawed" bash -c "grep -q '^ok thaw' '$T/thaw.out' && grep -q 'mount=/ .*state=thawed' '$T/thaw.out'"
check "guest events 4100 then 4101 logged for checkpoint 42" \
	bash -c "grep -q ' 4100 FilesystemsFrozen guest=answerer .*checkpoint_id=42' '$T/main.log' && grep -q ' 4101 FilesystemsThawed guest=answerer .*checkpoint_id=42' '$T/main.log'"
ctl main freeze answerer --timeout-ms 300 --checkpoint 43 >/dev/null
check "freeze with a 300 ms timeout: guest reports 4102 ThawedByTimeout" \
	wait_for 5 grep -q ' Warning 4102 ThawedByTimeout guest=answerer .*checkpoint_id=43' "$T/main.log"
ctl main freeze nosuchguest >"$T/nosuch.out"
check "ctl freeze of an unknown guest: exit 1 with an error line" \
	bash -c "test $? = 1 && grep -q '^error: nosuchguest' '$T/nosuch.out'"
check "requests logged as 4308/4309" \
	bash -c "grep -q ' 4308 RequestCompleted ' '$T/main.log' && grep -q ' 4309 RequestFailed ' '$T/main.log'"
wait "$REPLY_TXT"
check "answering guest finished cleanly" test $? = 0

# ---- silent guest ---------------------------------------------------------
lg main --hostname quiet --heartbeat-ms 200 --pause-heartbeats 600:1500 --duration 4 \
	>"$T/quiet.out" 2>&1
check "silent guest: loadgen exit 0" test $? = 0
check "silent guest: exactly one 4302 GuestSilent line" \
	test "$(grep -c ' Warning 4302 GuestSilent guest=quiet ' "$T/main.log")" = 1
check "silent guest: 4303 GuestReturned when heartbeats resume" \
	grep -q ' Information 4303 GuestReturned guest=quiet ' "$T/main.log"
check "silent guest: silence reported after 3 missed periods (600-1100 ms)" \
	bash -c "v=\$(grep ' 4302 GuestSilent guest=quiet ' '$T/main.log' | grep -o 'value=[0-9]*' | cut -d= -f2); test \"\$v\" -gt 600 && test \"\$v\" -lt 1100"

# ---- no HELLO in time -----------------------------------------------------
if command -v python3 >/dev/null; then
	python3 - "$T/main.g" <<'EOF' >"$T/hello-timeout.out"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(5)
data = s.recv(4096)
print("closed" if data[:4] == b"HVAG" and s.recv(4096) == b"" else "open")
EOF
	check "connection without HELLO closed after --hello-timeout-ms" grep -q closed "$T/hello-timeout.out"
	check "HELLO timeout counted" test "$(stat_of main hello_timeouts)" -ge 1
else
	skip "connection without HELLO closed after --hello-timeout-ms" "no python3"
	skip "HELLO timeout counted" "no python3"
fi

# ---- SIGTERM --------------------------------------------------------------
lg main --hostname stayer --duration 30 >"$T/stayer.out" 2>&1 &
STAY=$!
PIDS+=($STAY)
wait_for 5 bash -c "'$HOSTD' ctl --control '$T/main.c' list | grep -q 'hostname=stayer .*state=connected'"
stop_hostd main
check "SIGTERM: hostd exits 0" test $? = 0
check "SIGTERM: control socket removed" test ! -e "$T/main.c"
check "SIGTERM: logged as 4313 HostStopped" grep -q ' 4313 HostStopped ' "$T/main.log"
wait "$STAY"
check "SIGTERM: connected guest told BYE (loadgen exit 0)" test $? = 0
check "hostd wrote nothing to stderr" test ! -s "$T/main.err"

# ---- connection cap, input rate bound, JSON -------------------------------
start_hostd cap --max-conns 2 >/dev/null
lg cap --guests 4 --hostname capped --duration 1 >"$T/cap.out" 2>&1
check "--max-conns 2: the extra guests are refused with ERROR busy" \
	test "$(grep -c 'code=5 (busy)' "$T/cap.out")" = 2
check "--max-conns 2: refusals counted" test "$(stat_of cap refused)" = 2
stop_hostd cap

start_hostd rate --rate 20 --json >/dev/null
lg rate --hostname burst --events 40 --event-interval-ms 1 >"$T/rate.out" 2>&1
check "--rate 20: 40 quick events all acked despite backpressure" test $? = 0
check "--rate 20: reading was paused" test "$(stat_of rate rate_paused)" -gt 0
stop_hostd rate
# An agent unloading sends its queue and BYE and hangs up at once; with its
# reads paused by the rate bound, hostd must still read all of it.
start_hostd unload --rate 20 >/dev/null
lg unload --hostname unloading --events 60 --event-interval-ms 0 --unload >"$T/unload.out" 2>&1
check "--rate 20, 60 events, BYE, hang-up at once: the BYE is read" \
	wait_for 10 grep -q ' 4301 .*guest=unloading.*guest said BYE (reason 2)' "$T/unload.log"
check "... and all 60 events before it" \
	test "$(grep -E ' (41|42)[0-9][0-9] ' "$T/unload.log" | grep -c 'guest=unloading')" = 60
stop_hostd unload
if command -v python3 >/dev/null; then
	check "--json: every line is a JSON object with the fixed keys" \
		python3 -c '
import json, sys
keys = ["time","level","event_id","name","guest","cid","boot_id","peer","seq",
        "checkpoint_id","value","guest_time","fs","text"]
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert list(o.keys()) == keys, o.keys()
    n += 1
assert n >= 43, n
' "$T/rate.log"
else
	skip "--json: every line is a JSON object with the fixed keys" "no python3"
fi
check "--json: 40 guest events, one line each" \
	test "$(grep -c '"event_id":42' "$T/rate.log")" = 40

echo "1..$N"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

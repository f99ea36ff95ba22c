#!/bin/sh
# socat, an independent implementation of AF_VSOCK, as the peer: it records
# the agent's raw bytes, which are parsed here with od and awk (not with our
# codec); and it sends hostd bytes that are not a frame.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"

command -v socat >/dev/null || ktap_skip_all "no socat in the guest"
ktap_plan 9
hv_unload_all
ag_unload
ag_vsock || ktap_skip_all "no vsock_loopback"

# frames FILE: "type seq length" per frame, checking the magic and the
# header size of each; "trailing N" if bytes are left over.
frames() {
	od -An -tu1 -v "$1" | awk '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	function u(o, k,   v, j) { v = 0; for (j = k - 1; j >= 0; j--) v = v * 256 + b[o + j]; return v }
	END {
		o = 0
		while (o + 24 <= n) {
			if (b[o] != 72 || b[o+1] != 86 || b[o+2] != 65 || b[o+3] != 71 || u(o + 10, 2) != 24) {
				print "bad-magic-at " o; exit
			}
			len = u(o + 12, 4)
			if (o + 24 + len > n) break
			print u(o + 6, 2), u(o + 16, 4), len, u(o + 4, 2)
			o += 24 + len
		}
		if (o < n) print "trailing", n - o
	}'
}

# 1. socat listens and keeps what the agent says (no answer: HELLO only).
dmesg_mark
socat -u VSOCK-LISTEN:2761 OPEN:/tmp/raw1.bin,creat,trunc &
spid=$!
sleep 1
hostname agent-guest
ag_load heartbeat_ms=300
wait_for 10 sh -c '[ -s /tmp/raw1.bin ]'
sleep 1
f=$(frames /tmp/raw1.bin)
ktap_diag "frames: $(echo "$f" | tr '\n' '|')"
ktap_expect_eq "the first frame on the wire: HELLO, seq 1, version 1, and nothing else before our answer" \
	"$f" "1 1 $(echo "$f" | head -n1 | cut -d' ' -f3) 1"
ktap_check "its payload names this guest: boot ID, hostname, release" \
	sh -c "grep -q '$(me)' /tmp/raw1.bin && grep -q agent-guest /tmp/raw1.bin && grep -q '$(uname -r)' /tmp/raw1.bin"
ktap_expect_eq "... role guest (1) at payload offset 6" \
	"$(od -An -tu1 -j30 -N2 /tmp/raw1.bin | tr -s ' ')" " 1 0"
# The errno prints as -ETIMEDOUT with CONFIG_SYMBOLIC_ERRNAME (Debian's
# kernel), as -110 without it: either is the timeout.  40 s: the debug
# kernel under TCG, two guests at a time on a loaded machine, once took over
# 20 s to print it.
ktap_check "socat never answers: the agent gives up after 10 s without the host's HELLO" \
	wait_for 40 dmesg_has "no HELLO exchange with vsock:1:2761: no HELLO from the host in 10 s (-\(ETIMEDOUT\|110\))"
kill $spid 2>/dev/null
wait $spid 2>/dev/null
ag_unload

# 2. socat answers with a host HELLO and records what follows for 3 s.
hv-fakehost emit-hello >/tmp/hello.bin
socat VSOCK-LISTEN:2761 SYSTEM:'cat /tmp/hello.bin; timeout 3 cat >/tmp/raw2.bin' &
spid=$!
sleep 1
ag_load heartbeat_ms=300
wait $spid
f=$(frames /tmp/raw2.bin)
ktap_diag "frames: $(echo "$f" | tr '\n' '|')"
ktap_expect_eq "HELLO, then heartbeats and the AgentStarted event" \
	"$(echo "$f" | awk '{ print $1 }' | sort -u | tr '\n' ' ')" "1 2 3 "
ktap_expect_eq "frame sequence numbers run 1, 2, 3... without a gap" \
	"$(echo "$f" | awk '{ print $2 }' | tr '\n' ' ')" "$(seq 1 "$(echo "$f" | wc -l)" | tr '\n' ' ')"
ktap_expect_eq "every frame whole, version 1, heartbeats 48 bytes" \
	"$(echo "$f" | awk '$4 != 1 || ($1 == 2 && $3 != 48) || $1 == "trailing" { bad++ } END { print bad + 0 }')" 0
ktap_expect_eq "about one heartbeat per 300 ms (3..12 in 3 s)" \
	"$(echo "$f" | awk '$1 == 2 { n++ } END { print (n >= 3 && n <= 12) }')" 1
ag_unload

# 3. socat sends hostd bytes that are no frame.
rm -f "$HOSTD_LOG"
hostd_start
echo "this is not a HyperVive frame at all" | socat -t 2 - VSOCK-CONNECT:1:2761 >/dev/null 2>&1
ktap_check "hostd closes and logs BadFrame (4304) for a stranger's bytes" \
	wait_for 10 ev_has 4304 "bad header"
hostd_stop
hv_unload_all
ktap_done

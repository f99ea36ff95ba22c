#!/bin/bash
# 90-crash-check.sh OUTDIR - host-side judge of the crash boot, run by
# check.sh after the guest died (CHECK= in 90-crash.boot).  Reads
# OUTDIR/console.log and OUTDIR/results.ktap; prints KTAP.
#
# After the expected "Kernel panic - not syncing: sysrq triggered crash"
# line, the TLFS model must have printed exactly one crash notification
# with the format hypervive_core documents (README, "Guest crash reporting"),
# followed by the crash message: the youngest kernel log lines, including
# the panic line and the marker 90-crash-panic.sh logged just before.  The
# judge (ktap-count.sh) stops reading at the expected panic, so kernel
# problems after it (our notifier runs there) are looked for here.
set -uo pipefail
out=${1:?usage: $0 OUTDIR}
con=$out/console.log
res=$out/results.ktap

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; [ $# -lt 2 ] || echo "# $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

echo "KTAP version 1"
echo "1..14"
text=$(tr -d '\r' <"$con" 2>/dev/null)
panic_at=$(grep -n -m1 'Kernel panic - not syncing: sysrq triggered crash' <<<"$text" | cut -d: -f1)
check "the console has the expected panic" test -n "$panic_at"
after=$(tail -n +"${panic_at:-999999999}" <<<"$text")

recs=$(grep -E 'hypervive_sim: guest crash notification [0-9]+: CRASH_CTL=' <<<"$after")
nrec=$(grep -c . <<<"$recs")
check "exactly one crash notification after it (got $nrec)" test "$nrec" -eq 1
rec=$(head -n1 <<<"$recs")
echo "# ${rec#*hypervive_sim: }"
field() { sed -n "s/.* $1=\(0x[0-9a-f]*\).*/\1/p" <<<"$rec"; }
ctl=$(field CRASH_CTL) p0=$(field P0) p1=$(field P1) p3=$(field P3) p4=$(field P4)
check "it is notification 1 of this model" grep -q 'guest crash notification 1:' <<<"$rec"
check "CRASH_CTL = CrashNotify | CrashMessage ($ctl)" test "$ctl" = 0xc000000000000000
check "P0 = the format marker \"HVPANIC\" v1 ($p0)" test "$p0" = 0x0143494e41505648
check "P1 = a CPU number ($p1)" test -n "$p1" -a "$((${p1:-0x7fffffff}))" -lt 64
check "P3 = a page-aligned GPA, P4 = 1..4096 bytes ($p3, $p4)" test -n "$p3" -a -n "$p4" \
	-a "$((${p3:-1} & 0xfff))" -eq 0 -a "$((${p3:-0}))" -ne 0 \
	-a "$((${p4:-0}))" -ge 1 -a "$((${p4:-0}))" -le 4096
check "the message was read from P3, P4 bytes" grep -q \
	"crash message begin: $((${p4:-0})) bytes at GPA $(printf '0x%x' "${p3:-0}")" <<<"$after"
msg=$(sed -n 's/.*hypervive_sim: crash message| //p' <<<"$after")
check "the message ends with an end line" grep -q 'hypervive_sim: crash message end' <<<"$after"
check "the message holds the panic line" grep -q 'Kernel panic - not syncing: sysrq triggered crash' <<<"$msg"
marker=$(sed -n 's/^# crash-marker: //p' "$res" 2>/dev/null | tr -d '\r' | tail -n1)
check "the message holds the test's marker '${marker:-none}'" \
	grep -q "hypervive-crash-test: marker ${marker:-no-marker-was-logged}" <<<"$msg"
# The model's report after every panic notifier (sim_power.c): the partition's
# pages off and the panicking CPU's SynIC put back (hv_core/leave.c,
# hv_vmbus/leave.c); other CPUs are stopped with theirs on, as in Linux.
grep 'hypervive_sim: panic: ' <<<"$after" | sed 's/^[^h]*hypervive_sim: /# /'
check "after the panic the guest OS ID, hypercall and TSC pages are off" grep -q \
	'hypervive_sim: panic: GUEST_OS_ID=0x0 HYPERCALL=0x[0-9a-f]*[02468ace] REFERENCE_TSC=0x[0-9a-f]*[02468ace]$' <<<"$after"
cpu=$((${p1:-0x7fffffff}))
check "and the SynIC of the panicking CPU $cpu" grep -q \
	"hypervive_sim: panic: VP$cpu SCONTROL=0x0 SIMP=0x0 SIEFP=0x0 SINT2=0x10000" <<<"$after"
# Problems after the panic (in our notifier or the model), not echoed message lines.
bad=$(grep -v 'crash message|' <<<"$after" |
	grep -E 'BUG:|WARNING:|Oops|general protection fault|UBSAN:|KASAN:|sleeping function called|scheduling while atomic' || true)
if [ -z "$bad" ]; then
	ok "no kernel problem after the panic"
else
	notok "no kernel problem after the panic" "$(head -n5 <<<"$bad" | tr '\n' '|')"
fi
[ "$failed" -eq 0 ]

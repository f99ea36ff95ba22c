#!/bin/bash
# 92-kexec-check.sh OUTDIR - host-side judge of the kexec boot, run by
# check.sh after the guest powered off (CHECK= in 92-kexec.boot).  Reads
# OUTDIR/console.log and OUTDIR/results.ktap; prints KTAP.
#
# As the first kernel shuts down for the kexec, the TLFS model reports
# what the guest left enabled (selftests/hv_sim/sim_power.c): the guest OS
# ID, the hypercall and reference TSC pages, each VP's SCONTROL, SIMP,
# SIEFP and SINT2, the VMBus host's connection.  A hypervisor keeps all of
# that across a kexec, so all of it must be off; then the second kernel
# must boot and run its test.
set -uo pipefail
out=${1:?usage: $0 OUTDIR}
con=$out/console.log
res=$out/results.ktap

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; [ $# -lt 2 ] || echo "# $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

echo "KTAP version 1"
# A kernel without kexec skips the jump (91-kexec-jump.sh says why): then
# there is nothing here to judge.
if grep -q '^# hypervive-exit: 91-kexec-jump.sh 4' "$res" 2>/dev/null; then
	why=$(sed -n 's/^1\.\.0 # SKIP //p' "$res" | tr -d '\r' | head -n1)
	echo "1..1"
	echo "ok 1 the kexec and the second kernel # SKIP ${why:-the kexec test skipped}"
	exit 0
fi
echo "1..9"
text=$(tr -d '\r' <"$con" 2>/dev/null)
tag='hypervive_sim: shutdown (restart or kexec)'
report=$(grep -F "$tag" <<<"$text")
grep -F "$tag" <<<"$text" | sed 's/^[^h]*hypervive_sim: /# /'
check "the model reported the state at the kexec" grep -q 'report end' <<<"$report"
end=$(sed -n 's/.*report end: \([0-9]*\) enabled.*/\1/p' <<<"$report" | tail -n1)
check "nothing was left enabled (${end:-no report})" test "${end:-1}" = 0
check "the guest OS ID, hypercall page and TSC page were off" \
	grep -q ': GUEST_OS_ID=0x0 HYPERCALL=0x[0-9a-f]*[02468ace] REFERENCE_TSC=0x[0-9a-f]*[02468ace]$' <<<"$report"
check "the VMBus host had been unloaded" grep -q 'VMBus host connected=0' <<<"$report"
check "hypervive_vmbus said so" grep -q 'hypervive_vmbus: restart or kexec: the host is unloaded' <<<"$text"
check "hypervive_core said so" grep -q 'hypervive_core: restart or kexec: the reference TSC page, the hypercall page and the guest OS ID are put back as found' <<<"$text"
lacks() { ! grep -q -- "$1" <<<"$2"; }
check "no MSR was written after the report" lacks "after the shutdown report" "$text"
after=$(sed -n '/Starting new kernel/,$p' <<<"$text")
check "a second kernel booted after 'Starting new kernel'" grep -q 'Linux version' <<<"$after"
check "and ran its test to the end" grep -q '^# hypervive-exit: 92-kexec-second.sh 0' "$res"
[ "$failed" -eq 0 ]

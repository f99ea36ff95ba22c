#!/bin/bash
# tcg-int3.sh - repeat the finding behind the matrix's `tcg` column: boot a
# kernel N times at once (default 3, more guests than cores widens the
# window) under multi-threaded and then single-threaded TCG, each guest
# switching clocksources hpet <-> tsc 1500 times with none of our modules
# loaded (guest-cs-switch.sh), and count the boots that ended in an oops.
#   tcg-int3.sh [KVER [N]]      KVER: default sid's, from a check-kernels run
# Needs the kernel image in the cache (make check-kernels fetches it) and a
# built tree (make modules-test).  Not part of make check.
set -Eeuo pipefail
trap 'echo "tcg-int3: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../.." && pwd)
cache=${CACHE:-/var/cache/hypervive}
kver=${1:-$(sed -n 's/^KVER=//p' "$tree/.check/kernels/fetch-sid.env" 2>/dev/null || true)}
n=${2:-3}
[ -n "$kver" ] || { echo "tcg-int3: no KVER given and no .check/kernels/fetch-sid.env (make check-kernels)" >&2; exit 2; }
out=$(mktemp -d)
cd "$tree"
for mode in multi single; do
	for i in $(seq "$n"); do
		cat >"$out/$mode$i.boot" <<BOOT
NAME=$mode$i
TESTS='selftests/kernels/guest-cs-switch.sh'
BOOT
		HYPERVIVE_TCG_THREAD=$mode KVER=$kver CACHE=$cache \
			bash selftests/harness/run-boot.sh "$out/$mode$i.boot" "$out" >"$out/$mode$i.out" 2>&1 &
	done
	wait || true
	# grep finds nothing when no boot oopsed: not an error here.
	oops=$( (grep -l "Oops: int3" "$out"/guest-"$mode"*/console.log 2>/dev/null || true) | wc -l)
	echo "$kver, TCG thread=$mode: $oops of $n boots ended in 'Oops: int3'"
done
echo "logs: $out"

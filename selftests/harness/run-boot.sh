#!/bin/bash
# run-boot.sh - one selftests/boots/*.boot file: its QEMU boot, judged, and
# its host-side CHECK script if it has one.  Shared by check.sh (Debian's
# kernel, one boot after another) and debug-kernel/check-debug.sh (the debug
# kernel, two boots at a time).
#   run-boot.sh [--tree DIR] [--prefix P] [--timeout S] [--append ARGS]
#               [--extra-test FILE] BOOT OUT
# --tree: the tree whose run-guest-tests.sh and built modules to use
#   (default: this one); BOOT, CHECK and --extra-test are relative to the
#   current directory.  --prefix: prepended to the boot's NAME in the judge's
#   lines.  --append: kernel arguments before the boot's own APPEND.
#   --extra-test: added to the boot's tests, except in a boot that must end
#   in a panic (EXPECT_PANIC), where nothing would run after it, or in a
#   kexec (KEXEC), whose test leaves the suite loaded for the jump.
# Writes OUT/guest-NAME.log (also printed), OUT/guest-NAME/ (console, KTAP),
# OUT/guest-NAME.counts and, with a CHECK, OUT/guest-NAME-check.{ktap,counts}
# ("P F S"; a stage that left no counts counts one failure).  Exit status 1
# if anything failed.
# A .boot file sets: NAME, TESTS (glob), KMODS, APPEND, EXPECT_PANIC, CHECK,
# RUNNER, HOSTPROGS, KEXEC (1: the boot ends in a kexec, guest-init.sh; the
# kernel image goes into the guest too, at /boot/vmlinuz) and EXTRA (an
# array of run-guest.sh arguments).
set -uo pipefail
tree=$(cd "$(dirname "$0")/../.." && pwd)
prefix="" timeout="" pre_append="" extra_test=""
while [ $# -gt 2 ]; do
	case "$1" in
	--tree) tree=$2; shift 2 ;;
	--prefix) prefix=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) pre_append=$2; shift 2 ;;
	--extra-test) extra_test=$2; shift 2 ;;
	*) echo "run-boot: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: run-boot.sh [options] BOOT OUT" >&2; exit 2; }
boot=$1 out=$2
NAME="" TESTS="" KMODS="" APPEND="" EXPECT_PANIC="" CHECK="" RUNNER="" HOSTPROGS="" KEXEC=0
EXTRA=()
# shellcheck source=/dev/null
. "$boot"
if [ -z "$NAME" ] || [ -z "$TESTS" ]; then echo "run-boot: $boot sets no NAME or TESTS" >&2; exit 2; fi

append="$pre_append${pre_append:+${APPEND:+ }}$APPEND"
args=(--name "$prefix$NAME" --out "$out/guest-$NAME" --tests "$TESTS")
for k in $KMODS; do args+=(--kmod "$k"); done
[ -z "$append" ] || args+=(--append "$append")
[ -z "$timeout" ] || args+=(--timeout "$timeout")
[ -z "$EXPECT_PANIC" ] || args+=(--expect-panic "$EXPECT_PANIC")
[ -n "$EXPECT_PANIC" ] || [ "$KEXEC" = 1 ] || [ -z "$extra_test" ] ||
	args+=(--extra-test "$extra_test")
[ -z "$RUNNER" ] || args+=(--runner "$RUNNER")
for p in $HOSTPROGS; do args+=(--hostprog "$p"); done
[ "$KEXEC" = 0 ] || args+=(--guest-kernel)
bash "$tree/selftests/run-guest-tests.sh" "${args[@]}" -- "${EXTRA[@]}" \
	>"$out/guest-$NAME.log" 2>&1
cat "$out/guest-$NAME.log"
tail -n1 "$out/guest-$NAME/counts" >"$out/guest-$NAME.counts" 2>/dev/null
grep -qE '^[0-9]+ [0-9]+ [0-9]+$' "$out/guest-$NAME.counts" 2>/dev/null ||
	echo "0 1 0" >"$out/guest-$NAME.counts"

# CHECK: a host-side script judging what the boot left (KTAP on stdout); a
# failing script without a `not ok` still counts as one failure.
if [ -n "$CHECK" ]; then
	c=$out/guest-$NAME-check
	bash "$CHECK" "$out/guest-$NAME" >"$c.ktap" 2>&1
	crc=$?
	bash "$tree/selftests/harness/ktap-count.sh" --plain --name "$prefix$NAME check" "$c.ktap" 2>&1 |
		sed "s/^\([0-9]* passed\)/$prefix$NAME check: \1/"
	bash "$tree/selftests/harness/ktap-count.sh" --plain --counts-only "$c.ktap" \
		>"$c.counts" 2>/dev/null
	[ "$crc" -eq 0 ] || grep -q '^not ok' "$c.ktap" || echo "0 1 0" >"$c.counts"
fi

for c in "$out/guest-$NAME.counts" ${CHECK:+"$out/guest-$NAME-check.counts"}; do
	read -r _ f _ <"$c"
	[ "${f:-1}" -eq 0 ] || exit 1
done
exit 0

#!/bin/bash
# selftest.sh - test the in-guest test harness itself, end to end.
#
# Boots three small guests and checks that ktap-count.sh judges them right:
#   normal  - pass / fail / skip / silent-crash tests and a setup.sh that
#             loads modules through modprobe (deps from modules.dep);
#   timeout - a test that ignores SIGTERM past hypervive.timeout is killed
#             (exit 124) and the next test still runs;
#   panic   - `echo c > /proc/sysrq-trigger` fails the boot, unless
#             --expect-panic matches it;
# plus a QEMU killed by run-guest's own timeout, console WARN detection,
# nested KTAP and summarize.sh on canned input.  Prints KTAP-style lines and
# `N passed, N failed`; exits 1 on any failure (work dir kept for debugging).
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "selftest: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

here=$(dirname "$(readlink -f "$0")")

usage() {
	cat <<EOF
Usage: $0 [--kver KVER] [--keep] CACHE_DIR
KVER defaults to the newest /lib/modules/* with a build/ link (installed headers).
--keep keeps the work dir (boot logs) even when everything passed.
EOF
}

kver="" keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; exit 2; }
cache=$1
if [ -z "$kver" ]; then
	for d in /lib/modules/*/build; do [ -e "$d" ] && kver=$(basename "$(dirname "$d")"); done
fi
[ -n "$kver" ] || { echo "selftest: no installed headers; pass --kver" >&2; exit 2; }

t0=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/hv-harness-selftest.XXXXXX")
n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
# check DESC CMD...: ok if CMD succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
not_grep() { ! grep -q -- "$@"; }

# judge ARGS...: run ktap-count.sh; sets $jout (all output), $jrc, $jlast.
judge() {
	jrc=0
	jout=$("$here/ktap-count.sh" "$@" 2>&1) || jrc=$?
	jlast=${jout##*$'\n'}
}
# expect DESC RC LAST [GREP_PATTERN]...: the last judge run said that.
expect() {
	local desc=$1 rc=$2 last=$3 p good=1
	shift 3
	[ "$jrc" -eq "$rc" ] && [ "$jlast" = "$last" ] || good=0
	for p in "$@"; do grep -qE -- "$p" <<<"$jout" || good=0; done
	if [ "$good" = 1 ]; then ok "$desc"; else
		notok "$desc"
		echo "# wanted rc $rc, '$last', patterns: $*; judge said (rc $jrc):"
		awk '{ print "#   " $0 }' <<<"$jout"
	fi
}

# mktest DIR NAME: script body on stdin becomes executable DIR/NAME.
mktest() { mkdir -p "$1"; { echo '#!/bin/sh'; cat; } >"$1/$2"; chmod +x "$1/$2"; }

# boot NAME TIMEOUT CMDLINE: build NAME's initramfs from $work/NAME/tests, boot it.
boot() {
	"$here/mkinitramfs.sh" --kver "$kver" --cache "$cache" --out "$work/$1.cpio.gz" \
		--kmod vsock_loopback --kmod ext4 --kmod virtio_blk --kmod virtio_pci \
		--add "$work/$1/tests:/tests" 2>"$work/$1.mkinitramfs.log" ||
		{ cat "$work/$1.mkinitramfs.log" >&2; return 1; }
	"$here/run-guest.sh" --kernel "$kdir/vmlinuz" --initrd "$work/$1.cpio.gz" \
		--out "$work/$1/out" --timeout "$2" --append "$3" 2>&1 | sed 's/^/# /' || true
}

# ---- first run: every cache-filling script on an empty cache ----------------
# firstrun.sh: seconds, no network, so before the kernel cache below.
frc=0 frfail=$failed
frout=$("$here/firstrun.sh" 2>&1) || frc=$?
while IFS= read -r line; do
	case "$line" in
	"ok "*) d=${line#ok }; ok "${d#* }" ;;
	"not ok "*) d=${line#not ok }; notok "${d#* }" ;;
	[0-9]*" passed, "*) ;;
	*) echo "$line" ;;
	esac
done <<<"$frout"
[ "$frc" -eq 0 ] || [ "$failed" -gt "$frfail" ] || notok "firstrun.sh ran (exit $frc)"

kdir=$("$here/kernel-cache.sh" "$kver" "$cache")
echo "# kernel $kdir ($(($(date +%s) - t0)) s)"

# ---- boot 1: pass / fail / skip / silent crash --------------------------------
T="$work/normal/tests"
mktest "$T" setup.sh <<'EOF'
modprobe vsock_loopback
modprobe ext4
modprobe virtio_blk
EOF
mktest "$T" 10-pass.sh <<'EOF'
. /lib/hypervive/ktap.sh
ktap_plan 2
ktap_check "vsock_loopback loaded with deps" grep -q '^vmw_vsock_virtio_transport_common ' /proc/modules
ktap_ok "second check"
ktap_done
EOF
mktest "$T" 20-fail.sh <<'EOF'
. /lib/hypervive/ktap.sh
ktap_plan 2
ktap_check "ext4 loaded" grep -q '^ext4 ' /proc/modules
ktap_expect_eq "deliberate mismatch" 1 2
ktap_done
EOF
mktest "$T" 30-skip.sh <<'EOF'
. /lib/hypervive/ktap.sh
ktap_skip_all "nothing to do here"
EOF
mktest "$T" 40-crash.sh <<'EOF'
. /lib/hypervive/ktap.sh
ktap_plan 2
ktap_ok "first"
exit 3
EOF
echo "# boot 1: normal"
boot normal 120 ""
judge --name normal "$work/normal/out/results.ktap" "$work/normal/out/console.log"
expect "normal boot: counts pass/fail/skip" 1 "5 passed, 2 failed, 1 skipped" \
	'20-fail.sh: not ok 2 deliberate mismatch' '40-crash.sh: exit 3 '
check "ktap_expect_eq diagnostic" grep -q "^# got: '1' want: '2'" "$work/normal/out/results.ktap"
check "results port has no CR (raw tty)" not_grep $'\r' "$work/normal/out/results.ktap"

# ---- boot 2: per-test timeout ------------------------------------------------
T="$work/timeout/tests"
mktest "$T" 10-hang.sh <<'EOF'
. /lib/hypervive/ktap.sh
ktap_plan 1
trap '' TERM	# needs the SIGKILL escalation
sleep 1000
ktap_ok "never"
ktap_done
EOF
mktest "$T" 20-after.sh <<'EOF'
echo "ok 1 runs after a timed-out test"
EOF
echo "# boot 2: test timeout"
boot timeout 120 "hypervive.timeout=3"
judge --name timeout "$work/timeout/out/results.ktap" "$work/timeout/out/console.log"
expect "hung test is killed and fails with 124" 1 "1 passed, 1 failed" \
	'10-hang.sh: exit 124 \(timed out\)'

# ---- boot 3: kernel panic ----------------------------------------------------
T="$work/panic/tests"
mktest "$T" 10-ok.sh <<'EOF'
echo "ok 1 before the crash"
EOF
mktest "$T" 20-crash.sh <<'EOF'
echo c >/proc/sysrq-trigger
EOF
echo "# boot 3: panic"
boot panic 120 ""
c="$work/panic/out/console.log" r="$work/panic/out/results.ktap"
judge --name panic "$r" "$c"
expect "panic fails the boot" 1 "1 passed, 3 failed" 'Kernel panic - not syncing' \
	'20-crash.sh: started but never finished' 'no # hypervive-end'
judge --expect-panic 'sysrq triggered crash' "$r" "$c"
expect "expected panic passes" 0 "1 passed, 0 failed"
judge --expect-panic 'some other panic' "$r" "$c"
expect "unexpected panic still fails" 1 "1 passed, 4 failed" 'expected panic /some other panic/ not seen'
{ echo "[    1.0] WARNING: CPU: 0 PID: 1 at mod.c:1 f+0x1/0x2"; cat "$c"; } >"$work/warn.log"
judge --expect-panic 'sysrq triggered crash' "$r" "$work/warn.log"
expect "a WARNING before an expected panic fails" 1 "1 passed, 1 failed" 'WARNING: CPU: 0'

# ---- QEMU killed by run-guest's timeout --------------------------------------
echo "# boot 4: QEMU timeout"
rc=0
"$here/run-guest.sh" --kernel "$kdir/vmlinuz" --initrd "$work/normal.cpio.gz" \
	--out "$work/qtmo" --timeout 2 2>/dev/null || rc=$?
check "run-guest reports its timeout (exit $rc, want 124)" \
	test "$rc" -eq 124 -a -n "$(grep 'timeout=1' "$work/qtmo/qemu.status")"
judge "$work/qtmo/results.ktap" "$work/qtmo/console.log"
expect "judge notes the QEMU timeout" 1 "0 passed, 1 failed" 'killed by its timeout'

# ---- canned input: nested KTAP, plan mismatch, summarize ---------------------
cat >"$work/nested.ktap" <<'EOF'
KTAP version 1
1..2
    KTAP version 1
    1..2
    ok 1 sub one
    ok 2 sub two # SKIP no device
ok 1 parent
ok 2 plain
KTAP version 1
1..3
ok 1 short plan
EOF
judge --plain "$work/nested.ktap"
expect "nested KTAP counts leaves; short plan fails" 1 "3 passed, 1 failed, 1 skipped" 'planned 3 results, got 1'
echo "2 0 1" >"$work/a.pfs"
printf 'KTAP version 1\n1..1\nnot ok 1 unit\n' >"$work/b.ktap"
src=0; sout=$("$here/summarize.sh" "$work/a.pfs" "$work/b.ktap" 2>/dev/null) || src=$?
check "summarize adds P F S and KTAP files (got '$sout', rc $src)" \
	test "$src" -eq 1 -a "$sout" = "2 passed, 1 failed, 1 skipped"
echo "0 0 0" >"$work/none.pfs"
src=0; sout=$("$here/summarize.sh" "$work/a.pfs" "$work/none.pfs" 2>/dev/null) || src=$?
check "summarize fails a stage in which no test ran (got '$sout', rc $src)" \
	test "$src" -eq 1 -a "$sout" = "2 passed, 1 failed, 1 skipped"

# debug_kernel_vars (debug-kernel/vars.sh) on stub build.sh scripts: the
# one assignment line is taken, make's chatter before it or a failure is not.
# shellcheck source=selftests/debug-kernel/vars.sh
. "$here/../debug-kernel/vars.sh"
dkv() { # dkv STUB-BODY: debug_kernel_vars with that build.sh; prints KVER|rc
	printf '%s\n' "$1" >"$work/build-stub.sh"
	local rc=0
	DEBUG_KERNEL_BUILD=$work/build-stub.sh debug_kernel_vars "$work/nocache" "$work/dkv.log" 2>/dev/null || rc=$?
	echo "$DEBUG_KVER|$DEBUG_KDIR|$rc"
}
good='echo DEBUG_KVER=6.1.1-d DEBUG_KDIR=/c/b DEBUG_IMAGE=/c/i'
r=$(dkv "$good")
check "debug_kernel_vars takes build.sh's assignment (got $r)" test "$r" = "6.1.1-d|/c/b|0"
r=$(dkv "echo \"make[1]: Entering directory '/x'\"; $good")
check "debug_kernel_vars refuses make's chatter before it (got $r)" test "$r" = "||1"
r=$(dkv "$good; exit 1")
check "debug_kernel_vars refuses a build.sh that failed (got $r)" test "$r" = "||1"

echo "# $(($(date +%s) - t0)) s, work dir $work"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
[ "$keep" = 1 ] || rm -rf "$work"

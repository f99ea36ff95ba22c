#!/bin/bash
# check.sh - `make check`: everything from a fresh clone on Debian 12, as root.
#   1. installs the Debian packages it needs
#   2. builds the modules (and the test-only model) with W=1, warnings as errors
#   3. runs the user-space unit tests (AddressSanitizer + UBSan)
#   4. quality gates (checkpatch --strict, sparse, codespell), fuzzing of the
#      parsers, hypervive-hostd's own tests, a sandboxed dkms install/remove
#   5. tests the harness's judge on guests that fail, hang and panic on
#      purpose; then boots Debian's kernel in QEMU (TCG) with our modules and
#      runs the in-guest tests, one boot per selftests/boots/*.boot; a panic,
#      WARN, oops or hang fails the run
#   6. `make demo`, whole
#   7. the debug-kernel pass (selftests/debug-kernel/check-debug.sh): the same
#      boots, fault injection and load/unload cycles on a kernel with KASAN,
#      lockdep, kmemleak and UBSAN.  The debug kernel builds in the
#      background from step 2 on, at idle priority, in the CPU time the
#      QEMU guests leave free; cached after the first run.
#   8. the kernel matrix (selftests/kernels/) reports: fetched and built in
#      the background from step 2 on, then each of its other kernels booted
#      with its guest set (demo, or every boot), one boot at a time beside
#      steps 5-7; then DKMS for two more kernels (install, autoinstall)
# Last line: `N passed, N failed`; exit status non-zero on any failure.
# HYPERVIVE_CHECK_QUICK=1 (make check-quick): steps 1-3, the gates and the
# boots only, for iterating; no fuzzing, hostd, dkms, harness self-test,
# demo, kernel matrix or debug-kernel pass.
set -uo pipefail
quick=${HYPERVIVE_CHECK_QUICK:-0}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/.check
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
step() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - start)); }
# boot_name FILE: the NAME a .boot file sets.
# shellcheck source=/dev/null
boot_name() { (NAME="" && . "$1" && echo "$NAME"); }
fail_stage() { echo "0 1 0" >"$out/$1.counts"; echo "check: stage $1 failed" >&2; }

step "dependencies"
bash selftests/install-deps.sh || { echo "0 1 0" >"$out/deps.counts"; }

# Resolve KVER/KDIR the way the Makefile does, once.
eval "$(make -s --no-print-directory -f Makefile print-kver 2>/dev/null)"
export KVER KDIR
CACHE=${CACHE:-/var/cache/hypervive}
export CACHE

# SCHED_IDLE: the build gets only what the stages below leave idle, so their
# timing-sensitive guests see the machine as if it were not there.
if [ "$quick" != 1 ]; then
step "debug kernel build started in the background (idle priority)"
chrt --idle 0 bash selftests/debug-kernel/build.sh "$CACHE" >"$out/debug-kernel-build.log" 2>&1 &
debug_build=$!

# The kernel matrix (selftests/kernels/): every Debian suite's kernel and
# image fetched into the cache and built W=1 -Werror, objtool and sparse
# checked, in copies of the tree, at idle priority like the debug kernel.
# Then each row's image boots with its guest set, one boot at a time beside
# the stages below, at normal priority (a guest starved by SCHED_IDLE would
# see its own timeouts expire); Debian's 6.1, booted below, is skipped.
step "kernel matrix started in the background (builds at idle priority)"
{
	HYPERVIVE_KERNELS_NO_BOOT=1 chrt --idle 0 bash selftests/kernels/check-kernels.sh \
		"$CACHE" "$out/kernels" >"$out/kernels.log" 2>&1
	HYPERVIVE_KERNELS_JOBS=1 bash selftests/kernels/boot-kernels.sh --skip-kver "$KVER" \
		"$CACHE" "$out/kernels" >"$out/kernel-boots.log" 2>&1
} &
kernels_job=$!
fi

step "build for $KVER"
if make -s modules-test >"$out/build.log" 2>&1; then
	echo "1 0 0" >"$out/build.counts"
else
	cat "$out/build.log"
	fail_stage build
fi

step "unit tests"
if make -s -C selftests/unit run >"$out/unit.log" 2>&1; then :; else
	grep -E '^not ok' "$out/unit.log" || tail -20 "$out/unit.log"
fi
for k in selftests/unit/build/*.ktap; do
	[ -e "$k" ] || { fail_stage unit; break; }
	cp "$k" "$out/unit-$(basename "$k")"
done

step "quality gates: checkpatch, sparse, codespell"
bash selftests/gates.sh "$KVER" "$KDIR" "$CACHE" >"$out/gates.ktap" 2>&1 || grep -A30 '^not ok' "$out/gates.ktap"

if [ "$quick" != 1 ]; then
step "fuzzing the parsers"
make -s -C selftests/unit fuzz >"$out/fuzz.ktap" 2>"$out/fuzz.err" || cat "$out/fuzz.ktap" "$out/fuzz.err"

step "hypervive-hostd end to end (AF_UNIX, sanitizers)"
make -s -C tools/hostd check-sanitize 2>&1 | grep -vE '^[0-9]+ passed, [0-9]+ failed$' >"$out/hostd.ktap"
grep -E '^not ok' -A3 "$out/hostd.ktap" || true

step "dkms add/build/install/remove (sandboxed)"
if bash selftests/dkms-test.sh "$KVER" "$out/dkms" >"$out/dkms.ktap" 2>"$out/dkms.err"; then :; else
	grep -E '^not ok|^#' "$out/dkms.ktap"; cat "$out/dkms.err"
fi
export DKMS_INSTALLED=$out/dkms/installed

# The judge the boots below rely on, tested on guests that pass, fail, hang
# and panic on purpose.
step "harness self-test"
bash selftests/harness/selftest.sh --kver "$KVER" "$CACHE" >"$out/harness.log" 2>&1
sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2 0/p' "$out/harness.log" | tail -n1 >"$out/harness.counts"
grep -E '^not ok' "$out/harness.log" || true
fi

# One QEMU boot per selftests/boots/*.boot file, each judged on its own.
for boot in selftests/boots/*.boot; do
	NAME=$(boot_name "$boot")
	step "in-guest tests: $NAME"
	if [ "$(cat "$out/build.counts" 2>/dev/null)" != "1 0 0" ]; then
		fail_stage "guest-$NAME"
		continue
	fi
	bash selftests/harness/run-boot.sh "$boot" "$out"
done

# make demo, whole, as a newcomer runs it: its guest checks count here, and a
# failing demo whose guest passed (the host side broke) counts one failure.
if [ "$quick" != 1 ]; then
step "make demo"
if [ "$(cat "$out/build.counts" 2>/dev/null)" = "1 0 0" ]; then
	bash selftests/demo/run.sh >"$out/demo.log" 2>&1
	drc=$?
	tail -n1 .demo/guest/counts >"$out/demo.counts" 2>/dev/null || echo "0 1 0" >"$out/demo.counts"
	if [ "$drc" -ne 0 ]; then
		tail -n 20 "$out/demo.log"
		read -r _ dfail _ <"$out/demo.counts"
		[ "${dfail:-0}" -gt 0 ] || echo "0 1 0" >"$out/demo.counts"
	fi
else
	fail_stage demo
fi

step "debug-kernel pass"
wait "$debug_build" || echo "check: the background debug kernel build failed; check-debug tries again" >&2
# 100 load/unload cycles of each module here, the 1,000 of `make
# check-debug` would add about a quarter of an hour; fault injection fails
# the first two allocations of each call path, not all of them (a loop's
# later rounds, a sysfs group's later files), which saves as much again.
HYPERVIVE_DEBUG_CYCLES=${HYPERVIVE_DEBUG_CYCLES:-100} \
HYPERVIVE_DEBUG_FI_PER_SITE=${HYPERVIVE_DEBUG_FI_PER_SITE:-2} \
	bash selftests/debug-kernel/check-debug.sh --out "$out/debug" --no-deps

step "kernel matrix"
wait "$kernels_job"
grep -E '^(not )?ok |^# ' "$out/kernels/kernels.ktap" 2>/dev/null || tail -n 20 "$out/kernels.log"
cp "$out/kernels/kernels.counts" "$out/kernels.counts" 2>/dev/null || fail_stage kernels
grep -E '^(not )?ok |^# ' "$out/kernel-boots.log" 2>/dev/null || tail -n 20 "$out/kernel-boots.log"
cp "$out/kernels/boots.counts" "$out/kernel-boots.counts" 2>/dev/null || fail_stage kernel-boots

# DKMS following the user's kernels: installed for a second kernel (the
# debug kernel's build tree), then autoinstall for headers that arrive
# later (a matrix row this machine's compiler builds), as DKMS's kernel
# postinst hook runs it.
step "dkms on three kernels (sandboxed)"
# shellcheck source=selftests/debug-kernel/vars.sh
. selftests/debug-kernel/vars.sh
debug_kernel_vars "$CACHE" "$out/dkms-kernels-debug.log" || true
later=""
for env in "$out"/kernels/fetch-*.env; do
	# shellcheck source=/dev/null # fetch.sh's assignments
	IFS='|' read -r k d c ch < <(. "$env" && echo "$KVER|$KDIR|$CC|$CHROOT") || continue
	if [ -z "$ch" ] && [ "$k" != "$KVER" ] && command -v "$c" >/dev/null; then
		later="$k=$d"
		break
	fi
done
if [ -n "$DEBUG_KVER" ] && [ -n "$later" ]; then
	bash selftests/dkms-test.sh "$KVER" "$out/dkms-kernels" "$DEBUG_KVER=$DEBUG_KDIR" "$later" \
		>"$out/dkms-kernels.ktap" 2>"$out/dkms-kernels.err" || true
	grep -E '^not ok|^ok .*(second kernel|later)' "$out/dkms-kernels.ktap" || true
else
	echo "check: no second and third kernel for dkms (debug kernel: ${DEBUG_KVER:-none}; matrix row with this machine's compiler: ${later:-none})" >&2
	echo "0 1 0" >"$out/dkms-kernels.counts"
fi
fi

step "done"
results=("$out"/*.counts "$out"/unit-*.ktap "$out/gates.ktap")
[ "$quick" = 1 ] || results+=("$out"/debug/*.counts "$out/fuzz.ktap" "$out/hostd.ktap" "$out/dkms.ktap")
[ "$quick" = 1 ] || [ ! -f "$out/dkms-kernels.ktap" ] || results+=("$out/dkms-kernels.ktap")
bash selftests/harness/summarize.sh "${results[@]}"

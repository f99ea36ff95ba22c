#!/bin/bash
# check-debug.sh - `make check-debug`: the in-guest tests on a debug kernel.
#
# Debian's kernel has no KASAN, lockdep, kmemleak or UBSAN.  This builds (or
# takes from the cache) a 6.1 kernel that has them (build.sh, debug.config),
# builds our modules and the test modules against it in a copy of the
# sources (.check-debug/src: the worktree's own .ko files stay as they are),
# and boots it under QEMU for:
#   - every boot of selftests/boots/*.boot, each followed by a kmemleak scan
#     after its last unload (guest/99-debug-kmemleak.sh), except the crash
#     boot, which ends in a deliberate panic;
#   - the debug-only boots of selftests/debug-kernel/boots/*.boot (fault
#     injection into each module's init, load/unload cycles of each module).
# On top of ktap-count.sh's usual console judge (panic, WARN, oops, BUG, ...)
# any KASAN, lockdep, UBSAN, sleeping-in-atomic, list-corruption or kmemleak
# report fails the boot.  Logs in .check-debug/; one KTAP line per stage,
# last line `N passed, N failed`; exit status non-zero on any failure.
#   check-debug.sh [NAME...]   only the boots with these NAMEs (e.g. core
#                              faults-cycles); default all
# HYPERVIVE_DEBUG_CYCLES=N: load/unload cycles per module (default 100).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
out=$top/.check-debug
rm -rf "$out"
mkdir -p "$out"
CACHE=${CACHE:-/var/cache/hypervive}
export CACHE
start=$(date +%s)
step() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - start)); }
fail_stage() { echo "0 1 0" >"$out/$1.counts"; echo "check-debug: stage $1 failed" >&2; }

# The debug kernel's report lines (lockdep prints "WARNING: possible ..."
# without a WARN(), so panic_on_warn does not stop it) and its harmless boot
# banners, for ktap-count.sh.
export HYPERVIVE_CONSOLE_PATTERNS='BUG: KASAN|WARNING: possible|possible circular locking|possible recursive locking|inconsistent lock state|BUG: sleeping function|INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON|lockdep|kmemleak: .* new suspected'
export HYPERVIVE_CONSOLE_IGNORE='kmemleak: Kernel memory leak detector initialized|RCU lockdep checking is enabled'
# Load/unload cycles per module in 20-debug-cycles.sh.  About 1.2 cycles of
# hypervive_core per second under TCG with KASAN and lockdep: the issue's
# 1,000 of each module take most of an hour, so the default is 100.
cycles=${HYPERVIVE_DEBUG_CYCLES:-100}

step "dependencies"
# On a fresh machine: the compiler, QEMU, and flex/bison/libelf for the kernel.
bash selftests/install-deps.sh || fail_stage deps

step "debug kernel (cached in $CACHE/debug-kernel)"
t0=$(date +%s)
if vars=$(bash "$here/build.sh" "$CACHE" 2>"$out/kernel.log"); then
	eval "$vars"
	echo "1 0 0" >"$out/kernel.counts"
	echo "debug kernel $DEBUG_KVER: $(($(date +%s) - t0)) s"
else
	cat "$out/kernel.log"
	fail_stage kernel
	bash selftests/harness/summarize.sh "$out"/*.counts
	exit 1
fi

step "modules for $DEBUG_KVER"
src=$out/src
mkdir -p "$src"
# Tracked and new (not ignored) files, as they are in the worktree now.
git ls-files -z -c -o --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -C "$src" -xf -
if make -s -C "$src" modules-test KVER="$DEBUG_KVER" KDIR="$DEBUG_KDIR" >"$out/build.log" 2>&1 &&
	[ -f "$src/selftests/hv_faultinj/hypervive_faultinj.ko" ]; then
	echo "1 0 0" >"$out/build.counts"
else
	cat "$out/build.log"
	fail_stage build
	bash selftests/harness/summarize.sh "$out"/*.counts
	exit 1
fi

export KVER=$DEBUG_KVER HYPERVIVE_KERNEL_IMAGE=$DEBUG_IMAGE
# pci=noacpi: with every allocation recording its stack (KASAN, kmemleak),
# ACPI's _PRT method runs past the AML loop timeout under TCG, virtio-pci
# devices get no interrupt and the boot stalls; the BIOS's PIRQ table
# routes the same interrupts without the interpreter.
debug_append="hypervive.timeout=3600 hypervive.cycles=$cycles pci=noacpi"
for boot in selftests/boots/*.boot selftests/debug-kernel/boots/*.boot; do
	NAME="" TESTS="" KMODS="" APPEND="" EXPECT_PANIC="" CHECK="" EXTRA=()
	RUNNER="" HOSTPROGS=""
	# shellcheck source=/dev/null
	. "$boot"
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx -- "$NAME"; then continue; fi
	step "in-guest tests on the debug kernel: $NAME"
	# Everything runs three to five times slower than on Debian's kernel.
	args=(--name "debug-$NAME" --out "$out/guest-$NAME" --tests "$TESTS" --timeout 5400
		--append "$debug_append${APPEND:+ $APPEND}")
	for k in $KMODS; do args+=(--kmod "$k"); done
	[ -z "$EXPECT_PANIC" ] || args+=(--expect-panic "$EXPECT_PANIC")
	[ -n "$EXPECT_PANIC" ] || args+=(--extra-test selftests/debug-kernel/guest/99-debug-kmemleak.sh)
	[ -z "$RUNNER" ] || args+=(--runner "$RUNNER")
	for p in $HOSTPROGS; do args+=(--hostprog "$p"); done
	bash "$src/selftests/run-guest-tests.sh" "${args[@]}" -- "${EXTRA[@]}" \
		>"$out/guest-$NAME.log" 2>&1
	cat "$out/guest-$NAME.log"
	tail -n1 "$out/guest-$NAME/counts" >"$out/guest-$NAME.counts" 2>/dev/null ||
		fail_stage "guest-$NAME"
	if [ -n "$CHECK" ]; then
		c=$out/guest-$NAME-check
		bash "$CHECK" "$out/guest-$NAME" >"$c.ktap" 2>&1
		crc=$?
		bash selftests/harness/ktap-count.sh --plain --counts-only "$c.ktap" \
			>"$c.counts" 2>/dev/null
		[ "$crc" -eq 0 ] || grep -q '^not ok' "$c.ktap" || echo "0 1 0" >"$c.counts"
	fi
done

step "done"
# One KTAP line per stage, then the total.
echo "KTAP version 1"
mapfile -t stages < <(ls "$out"/*.counts)
echo "1..${#stages[@]}"
i=0
for c in "${stages[@]}"; do
	i=$((i + 1))
	read -r p f s <"$c"
	name=$(basename "$c" .counts)
	if [ "${f:-1}" -eq 0 ]; then echo "ok $i $name # $p passed, $s skipped"
	else echo "not ok $i $name # $p passed, $f failed, $s skipped"; fi
done
bash selftests/harness/summarize.sh "$out"/*.counts | tee "$out/total"

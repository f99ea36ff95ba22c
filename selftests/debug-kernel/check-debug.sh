#!/bin/bash
# check-debug.sh - `make check-debug`: the in-guest tests on a debug kernel.
#
# Debian's kernel has no KASAN, lockdep, kmemleak or UBSAN.  This builds (or
# takes from the cache) a 6.1 kernel that has them (build.sh, debug.config),
# builds our modules and the test modules against it in a copy of the
# sources (.check-debug/src: the worktree's own .ko files stay as they are),
# and boots it under QEMU for:
#   - every boot of selftests/boots/*.boot, each followed by a kmemleak scan
#     after its last unload (guest/99-debug-after-boot.sh), except the crash
#     boot, which ends in a deliberate panic;
#   - the debug-only boots of selftests/debug-kernel/boots/*.boot
#     (allocation fault injection aimed at each module, load/unload cycles
#     of each module).
# On top of ktap-count.sh's usual console judge (panic, WARN, oops, BUG, ...)
# any KASAN, lockdep, UBSAN, sleeping-in-atomic, list-corruption or kmemleak
# report fails the boot.  Logs in OUT (default .check-debug/); one KTAP line
# per stage, last line `N passed, N failed`; exit status non-zero on any
# failure.  `make check` runs it last, with --out .check/debug --no-deps.
#   check-debug.sh [--out DIR] [--no-deps] [NAME...]
#     NAME...    only the boots with these NAMEs (e.g. core faults-core);
#                default all
#     --no-deps  do not run install-deps.sh (the caller did)
# HYPERVIVE_DEBUG_CYCLES=N: load/unload cycles per module (default 1000).
# HYPERVIVE_DEBUG_JOBS=N: boots at once (default 2, one per core).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
out=$top/.check-debug deps=1 names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$(mkdir -p "$2" && cd "$2" && pwd) || exit 2; shift 2 ;;
	--no-deps) deps=0; shift ;;
	-*) echo "check-debug: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1"); shift ;;
	esac
done
case "$out" in / | "$top" | "$HOME") echo "check-debug: will not empty $out" >&2; exit 2 ;; esac
rm -rf "$out"
mkdir -p "$out"
CACHE=${CACHE:-/var/cache/hypervive}
export CACHE
start=$(date +%s)
step() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - start)); }
# boot_name FILE: the NAME a .boot file sets.
# shellcheck source=/dev/null
boot_name() { (NAME="" && . "$1" && echo "$NAME"); }
fail_stage() { echo "0 1 0" >"$out/$1.counts"; echo "check-debug: stage $1 failed" >&2; }

# The debug kernel's report lines (lockdep prints "WARNING: possible ..."
# without a WARN(), so panic_on_warn does not stop it) and its harmless boot
# banners, for ktap-count.sh.
export HYPERVIVE_CONSOLE_PATTERNS='BUG: KASAN|WARNING: possible|possible circular locking|possible recursive locking|inconsistent lock state|BUG: sleeping function|INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON|lockdep|ODEBUG|kmemleak: .* new suspected'
export HYPERVIVE_CONSOLE_IGNORE='kmemleak: Kernel memory leak detector initialized|RCU lockdep checking is enabled'
cycles=${HYPERVIVE_DEBUG_CYCLES:-1000}
# Fault injection: 0 fails every allocation in turn; K only the first K of
# each call path (selftests/hv_faultinj/hypervive_faultinj.c: per_site).
fi_per_site=${HYPERVIVE_DEBUG_FI_PER_SITE:-0}
for n in "$cycles" "$fi_per_site"; do
	[[ $n =~ ^[0-9]{1,6}$ ]] || { echo "check-debug: HYPERVIVE_DEBUG_CYCLES and HYPERVIVE_DEBUG_FI_PER_SITE take a number, not '$n'" >&2; exit 2; }
done
jobs=${HYPERVIVE_DEBUG_JOBS:-2}

if [ "$deps" = 1 ]; then
	step "dependencies"
	# On a fresh machine: the compiler, QEMU, flex/bison/libelf for the kernel.
	bash selftests/install-deps.sh || fail_stage deps
fi

step "debug kernel (cached in $CACHE/debug-kernel)"
t0=$(date +%s)
# shellcheck source=selftests/debug-kernel/vars.sh
. "$here/vars.sh"
if debug_kernel_vars "$CACHE" "$out/kernel.log"; then
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
# make check's DKMS-built modules are for Debian's kernel, not this one:
# 15-core-dkms-modprobe.sh skips here.
unset DKMS_INSTALLED
# The guest helpers once, before boots share the tree.
make -s -C "$src/selftests/guest/bin" >>"$out/build.log" 2>&1 || fail_stage build
# pci=noacpi: with every allocation recording its stack (KASAN, kmemleak),
# ACPI's _PRT method runs past the AML loop timeout under TCG, virtio-pci
# devices get no interrupt and the boot stalls; the BIOS's MP table routes
# the same interrupts without the interpreter (debug.config: X86_MPPARSE).
# slub_debug=-: KASAN already checks what run-guest.sh's slub_debug=FZPU
# does (red zones, poison, double frees) and records the same stacks;
# both cost about 15% more on every allocation.
debug_append="hypervive.timeout=3600 hypervive.cycles=$cycles hypervive.fi_per_site=$fi_per_site pci=noacpi slub_debug=-"
# Longest first, so the pool ends soonest: by the seconds each boot took
# last time (kept in the cache), else the debug-only boots first.
durations=$CACHE/debug-kernel/boot-seconds
boots=()
for boot in selftests/debug-kernel/boots/*.boot selftests/boots/*.boot; do
	name=$(boot_name "$boot")
	if [ ${#names[@]} -gt 0 ] && ! printf '%s\n' "${names[@]}" | grep -qx -- "$name"; then continue; fi
	boots+=("$boot")
done
mapfile -t boots < <(
	i=0
	for boot in "${boots[@]}"; do
		name=$(boot_name "$boot")
		secs=$(awk -v n="$name" '$1 == n { s = $2 } END { print s + 0 }' "$durations" 2>/dev/null)
		printf '%s %s %s\n' "${secs:-0}" "$i" "$boot"
		i=$((i + 1))
	done | sort -k1,1nr -k2,2n | cut -d' ' -f3-)
# A boot uses about one core under TCG (its guest mostly runs one test
# script), so $jobs of them run at once; each prints its log when it ends.
running=0
for boot in "${boots[@]}"; do
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	name=$(boot_name "$boot")
	step "in-guest tests on the debug kernel: $name (started)"
	# Everything runs three to five times slower than on Debian's kernel.
	( t0=$(date +%s)
	  bash "$src/selftests/harness/run-boot.sh" --tree "$src" --prefix debug- \
		--timeout 5400 --append "$debug_append" \
		--extra-test selftests/debug-kernel/guest/99-debug-after-boot.sh \
		"$boot" "$out" >"$out/boot-$name.out" 2>&1
	  echo "$name $(($(date +%s) - t0))" >>"$durations"
	  step "in-guest tests on the debug kernel: $name (ended)"
	  cat "$out/boot-$name.out" ) &
	running=$((running + 1))
done
wait

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

#!/bin/bash
# boot-kernels.sh - the kernel matrix's in-guest half: each row's kernel
# image booted in QEMU with that row's built tree (OUT/tree-ROW, left by
# build.sh) and the row's `guest` set from selftests/kernels/matrix:
#   demo   selftests/demo/demo.boot (the demo's path: the model, core, vmbus,
#          hostd and the agent; freeze, query, thaw; savevm and -loadvm)
#   full   every selftests/boots/*.boot
# One KTAP line per row and boot, `ok N ROW KVER: boot NAME # P passed, S
# skipped`, the judge's lines after a failing one as `# ` diagnostics; the
# numbers from --first N (default 1, with the KTAP header and plan).
# Each row's guests run with its `tcg` column as HYPERVIVE_TCG_THREAD (see
# the matrix).  Boots run HYPERVIVE_KERNELS_JOBS at once (default one per core): a TCG
# guest uses about one core.  Writes OUT/boots.ktap and OUT/boots.counts
# ("P F S": the in-guest results of every boot added up, a boot that left
# none counting one failure, a skipped row one skip); logs in OUT/boots-ROW/
# (run-boot.sh's OUT).
# Exit 1 if a boot failed.
#   boot-kernels.sh [--first N] [--skip-kver KVER] CACHE OUT
#   boot-kernels.sh --count       the number of lines it would print
# --skip-kver: the row whose kernel is KVER is listed as skipped (make check
# has booted Debian's 6.1 in its own stages already).
# HYPERVIVE_KERNELS_ROWS="bullseye sid": only those rows.
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../.." && pwd)
matrix=${HYPERVIVE_MATRIX:-$here/matrix}

usage() { echo "Usage: $0 [--first N] [--skip-kver KVER] CACHE OUT | --count"; }
first="" skip_kver="" count=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--first) first=${2:?}; shift 2 ;;
	--skip-kver) skip_kver=${2:?}; shift 2 ;;
	--count) count=1; shift ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$count" ] || [ $# -eq 2 ] || { usage >&2; exit 2; }
trap 'echo "boot-kernels: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
if [ -z "$count" ]; then
	cache=$1 out=$2
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
fi
cd "$tree"

mapfile -t rows < <(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$matrix")
if [ -n "${HYPERVIVE_KERNELS_ROWS:-}" ]; then
	read -r -a rows <<<"$HYPERVIVE_KERNELS_ROWS"
fi

# boots_of ROW: the .boot files of ROW's guest set, one per line.
boots_of() {
	case "$(awk -v r="$1" '$1 == r { print $5 }' "$matrix")" in
	demo) echo selftests/demo/demo.boot ;;
	full) ls selftests/boots/*.boot ;;
	*) echo "boot-kernels: row $1 has no guest set (demo or full) in $matrix" >&2; return 1 ;;
	esac
}
# boot_name FILE: the NAME a .boot file sets.
# shellcheck source=/dev/null
boot_name() { (NAME="" && . "$1" && echo "$NAME"); }

# The jobs, in matrix order: "ROW BOOT" lines.
jobs=()
for row in "${rows[@]}"; do
	mapfile -t b < <(boots_of "$row")
	[ ${#b[@]} -gt 0 ] || exit 1
	for boot in "${b[@]}"; do jobs+=("$row $boot"); done
done
if [ -n "$count" ]; then echo "${#jobs[@]}"; exit 0; fi
if [ -z "$first" ]; then
	echo "KTAP version 1"
	echo "1..${#jobs[@]}"
	first=1
fi

# run_one I ROW BOOT: one boot; its KTAP line (unnumbered) and diagnostics
# in OUT/boot-I.res.
run_one() {
	local i=$1 row=$2 boot=$3 name env kver img o p=0 f=0 s=0 cp cf cs c rc=0
	name=$(boot_name "$boot")
	env=$out/fetch-$row.env
	kver=$(sed -n 's/^KVER=//p' "$env" 2>/dev/null || true)
	img=$(sed -n 's/^IMAGE=//p' "$env" 2>/dev/null || true)
	o=$out/boots-$row
	if [ -n "$skip_kver" ] && [ "$kver" = "$skip_kver" ]; then
		echo "$row $kver: boot $name # SKIP make check's own stages boot $kver" >"$out/boot-$i.res"
		echo "0 0 1" >"$out/boot-$i.cnt"
		return 0
	fi
	if [ -z "$kver" ] || [ -z "$img" ] || [ ! -f "$out/tree-$row/hv_core/hypervive_core.ko" ]; then
		{ echo "NOT $row ${kver:-?}: boot $name"
		  echo "# no kernel image or built tree for $row (fetch.sh without --no-image, then build.sh)"; } >"$out/boot-$i.res"
		echo "0 1 0" >"$out/boot-$i.cnt"
		return 0
	fi
	mkdir -p "$o"
	HYPERVIVE_TCG_THREAD=$(awk -v r="$row" '$1 == r { print $6 }' "$matrix") \
	KVER=$kver CACHE=$cache bash "$tree/selftests/harness/run-boot.sh" --tree "$out/tree-$row" \
		--prefix "$row-" "$boot" "$o" >"$o/boot-$name.out" 2>&1 || rc=$?
	for c in "$o/guest-$name.counts" "$o/guest-$name-check.counts"; do
		[ -f "$c" ] || continue
		read -r cp cf cs <"$c" || true
		p=$((p + ${cp:-0})) f=$((f + ${cf:-1})) s=$((s + ${cs:-0}))
	done
	[ -f "$o/guest-$name.counts" ] || f=$((f + 1))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	echo "$p $f $s" >"$out/boot-$i.cnt"
	if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "$row $kver: boot $name # $p passed, $s skipped" >"$out/boot-$i.res"
	else
		{ echo "NOT $row $kver: boot $name # $p passed, $f failed, $s skipped"
		  { grep -E '^FAIL|^    ' "$o/boot-$name.out" || true; } | head -n 20 | sed 's/^/# /'; } >"$out/boot-$i.res"
	fi
}

# The guest helpers once per tree, before boots share it.
for row in "${rows[@]}"; do
	[ ! -d "$out/tree-$row/selftests/guest/bin" ] ||
		make -s -C "$out/tree-$row/selftests/guest/bin" >"$out/bin-$row.log" 2>&1 ||
		{ echo "boot-kernels: the guest helpers of $row do not build ($out/bin-$row.log)" >&2; exit 1; }
done
rm -f "$out"/boot-*.res "$out"/boot-*.cnt
max=${HYPERVIVE_KERNELS_JOBS:-$(nproc)}
running=0 i=0
for j in "${jobs[@]}"; do
	if [ "$running" -ge "$max" ]; then wait -n || true; running=$((running - 1)); fi
	run_one "$i" ${j} &
	running=$((running + 1)) i=$((i + 1))
done
wait || true

ktap=$out/boots.ktap
: >"$ktap"
n=$first i=0 p=0 f=0 s=0 failed=0
for j in "${jobs[@]}"; do
	res=$out/boot-$i.res
	[ -s "$res" ] || echo "NOT ${j%% *}: boot ${j#* } # no result (the job died)" >"$res"
	head -n1 "$res" | sed -E "s/^NOT /not ok $n /; t; s/^/ok $n /" >>"$ktap"
	tail -n +2 "$res" >>"$ktap"
	case "$(head -n1 "$res")" in NOT*) failed=$((failed + 1)) ;; esac
	read -r cp cf cs <"$out/boot-$i.cnt" 2>/dev/null || cp=0 cf=1 cs=0
	p=$((p + cp)) f=$((f + cf)) s=$((s + cs))
	n=$((n + 1)) i=$((i + 1))
done
cat "$ktap"
echo "$p $f $s" >"$out/boots.counts"
echo "# in the guests: $p passed, $f failed, $s skipped"
[ "$failed" -eq 0 ] || exit 1

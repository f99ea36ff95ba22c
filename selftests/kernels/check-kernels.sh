#!/bin/bash
# check-kernels.sh - the kernel matrix: every row of selftests/kernels/matrix
# fetched, built W=1 -Werror, objtool- and sparse-checked (build.sh), then
# its image booted with its guest set (boot-kernels.sh); one KTAP line per
# kernel and step, and per kernel and boot.
#
# Prints the KTAP (also OUT/kernels.ktap), then 'N passed, N failed[, N
# skipped]' last; writes OUT/kernels.counts ("P F S", the convention of
# check.sh's stages; a row whose build.sh died without its four lines counts
# one failure per missing line).  Exit 1 on any failure.
#   HYPERVIVE_KERNELS_ROWS="bullseye sid"  only those rows
#   HYPERVIVE_KERNELS_NO_IMAGE=1           headers and toolchains only (no
#                                          image downloads; nothing booted)
#   HYPERVIVE_KERNELS_NO_BOOT=1            fetch the images, boot nothing
#                                          (make check boots them later, in
#                                          its foreground, with
#                                          boot-kernels.sh)
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "$here/../.." && pwd)
matrix=${HYPERVIVE_MATRIX:-$here/matrix}

usage() {
	cat <<EOF
Usage: $0 [CACHE [OUT]]
Build this tree against every kernel of $matrix.
CACHE defaults to \$CACHE or /var/cache/hypervive, OUT to .check/kernels.
EOF
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -le 2 ] || { usage >&2; exit 2; }
cache=${1:-${CACHE:-/var/cache/hypervive}}
out=${2:-$tree/.check/kernels}
trap 'echo "check-kernels: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
mkdir -p "$out" "$cache"

mapfile -t rows < <(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$matrix")
if [ -n "${HYPERVIVE_KERNELS_ROWS:-}" ]; then
	read -r -a rows <<<"$HYPERVIVE_KERNELS_ROWS"
fi
[ ${#rows[@]} -gt 0 ] || { echo "check-kernels: no rows in $matrix" >&2; exit 1; }
opts=()
[ -z "${HYPERVIVE_KERNELS_NO_IMAGE:-}" ] || opts+=(--no-image)

steps=4	# per row: fetch, build, objtool, sparse
boot=1 nboots=0
[ -z "${HYPERVIVE_KERNELS_NO_IMAGE:-}${HYPERVIVE_KERNELS_NO_BOOT:-}" ] || boot=""
[ -z "$boot" ] || nboots=$(HYPERVIVE_KERNELS_ROWS="${rows[*]}" bash "$here/boot-kernels.sh" --count)
ktap=$out/kernels.ktap
{
	echo "KTAP version 1"
	echo "1..$((steps * ${#rows[@]} + nboots))"
} | tee "$ktap"
n=1
for row in "${rows[@]}"; do
	t0=$(date +%s)
	part=$out/kernels-$row.ktap
	bash "$here/build.sh" "${opts[@]}" --first "$n" "$row" "$cache" "$tree" "$out" >"$part" 2>"$out/kernels-$row.err" || true
	# build.sh's own failures (not a step's) are on its stderr: show them.
	sed 's/^/# /' "$out/kernels-$row.err" >>"$part"
	got=$(grep -cE '^(not )?ok [0-9]+ ' "$part" || true)
	while [ "$got" -lt "$steps" ]; do
		echo "not ok $((n + got)) $row: build.sh ended before this step (see $out/kernels-$row.err)" >>"$part"
		got=$((got + 1))
	done
	echo "# $row: $(($(date +%s) - t0)) s" >>"$part"
	tee -a "$ktap" <"$part"
	n=$((n + steps))
done

if [ -n "$boot" ]; then
	rm -f "$out/boots.ktap"
	HYPERVIVE_KERNELS_ROWS="${rows[*]}" bash "$here/boot-kernels.sh" --first "$n" "$cache" "$out" |
		tee -a "$ktap" || true
	got=$(grep -cE '^(not )?ok [0-9]+ ' "$out/boots.ktap" 2>/dev/null || true)
	while [ "${got:-0}" -lt "$nboots" ]; do
		echo "not ok $((n + got)) boot-kernels.sh ended before this boot" | tee -a "$ktap"
		got=$((got + 1))
	done
fi

p=$(grep -E '^ok [0-9]+ ' "$ktap" | grep -vc '# SKIP' || true)
f=$(grep -cE '^not ok [0-9]+ ' "$ktap" || true)
s=$(grep -E '^ok [0-9]+ ' "$ktap" | grep -c '# SKIP' || true)
echo "$p $f $s" >"$out/kernels.counts"
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" -eq 0 ] || exit 1

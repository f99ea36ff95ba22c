#!/bin/bash
# table.sh - README's "Supported kernels" table, made from the same file the
# matrix reads (selftests/kernels/matrix), with the kernel each row resolved
# to and each step's result from a check-kernels.sh run (OUT/kernels.ktap;
# make check's boots are in OUT/boots.ktap: give both).  Without a KTAP file
# the version and result columns say "not run".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
matrix=${HYPERVIVE_MATRIX:-$here/matrix}

case "${1:-}" in -h|--help) echo "Usage: $0 [KTAP...]"; exit 0 ;; esac
ktap=$(mktemp)
trap 'rm -f "$ktap"' EXIT
for f in "$@"; do
	[ -r "$f" ] || { echo "table: cannot read $f" >&2; exit 1; }
	cat "$f" >>"$ktap"
done

echo "| suite | kernel tested | toolchain | fetch | build W=1 -Werror | objtool | sparse | in the guest |"
echo "|---|---|---|---|---|---|---|---|"
awk '!/^[[:space:]]*(#|$)/ { print $1, $4, $5 }' "$matrix" |
while read -r row toolchain guest; do
	kver=$(sed -nE "s/^(not )?ok [0-9]+ $row ([^ ]+): fetch.*/\2/p" "$ktap" | tail -n1)
	res=()
	for step in fetch "build W=1 -Werror" objtool sparse; do
		l=$(grep -E "^(not )?ok [0-9]+ $row [^ ]+: $step( |$)" "$ktap" | tail -n1 || true)
		case "$l" in
		'') res+=("not run") ;;
		*'# SKIP'*) res+=("skipped") ;;
		'not ok'*) res+=("**fails**") ;;
		*) res+=("ok") ;;
		esac
	done
	# The guest set: its boots' in-guest results added up.
	boots=$(grep -E "^(not )?ok [0-9]+ $row [^ ]+: boot " "$ktap" || true)
	if [ -z "$boots" ]; then
		g="$guest: not run"
	elif grep -q '# SKIP' <<<"$boots"; then
		g="$guest: make check's own boots"
	else
		g=$(awk -v set="$guest" '
			{ n++ } /^not ok/ { bad++ }
			match($0, /# [0-9]+ passed/) { split(substr($0, RSTART + 2), a, " "); p += a[1] }
			match($0, /[0-9]+ skipped/) { split(substr($0, RSTART), b, " "); s += b[1] }
			END { printf "%s: %d boot%s, %s, %d passed, %d skipped", set, n, (n > 1 ? "s" : ""),
				bad ? "**" bad " failing**" : "ok", p, s }' <<<"$boots")
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$row" "${kver:-not run}" "$toolchain" \
		"${res[@]}" "$g"
done

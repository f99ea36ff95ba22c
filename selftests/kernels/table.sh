#!/bin/bash
# table.sh - README's "Supported kernels" table, made from the same file the
# matrix reads (selftests/kernels/matrix), with the kernel each row resolved
# to and each step's result from a check-kernels.sh run (OUT/kernels.ktap).
# Without a KTAP file the version and result columns say "not run".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
matrix=${HYPERVIVE_MATRIX:-$here/matrix}

case "${1:-}" in -h|--help) echo "Usage: $0 [OUT/kernels.ktap]"; exit 0 ;; esac
[ $# -le 1 ] || { echo "Usage: $0 [OUT/kernels.ktap]" >&2; exit 2; }
ktap=${1:-/dev/null}
[ -r "$ktap" ] || { echo "table: cannot read $ktap" >&2; exit 1; }

echo "| suite | kernel tested | toolchain | guest set (planned) | fetch | build W=1 -Werror | objtool | sparse |"
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
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$row" "${kver:-not run}" "$toolchain" \
		"$guest" "${res[@]}"
done

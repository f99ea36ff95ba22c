#!/bin/bash
# summarize.sh - grand total over all test stages.
#
# Each FILE either holds a `P F S` line (the last one counts; e.g. saved
# `ktap-count.sh --counts-only` output) or is bare KTAP output (e.g. of the
# user-space unit tests), counted by `ktap-count.sh --plain`.  A FILE with
# neither, or whose counts are all zero (a stage whose tests never ran),
# counts as one failure.  Prints `N passed, N failed[, N skipped]`
# and exits 1 if anything failed.
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "summarize: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

usage() { echo "Usage: $0 FILE..."; }
case "${1:-}" in -h|--help) usage; exit 0 ;; '') usage >&2; exit 2 ;; esac
here=$(dirname "$(readlink -f "$0")")

P=0 F=0 S=0
for f in "$@"; do
	pfs=$(grep -E '^[0-9]+ [0-9]+ [0-9]+$' "$f" 2>/dev/null | tail -n 1 || true)
	if [ -z "$pfs" ] && grep -qE '^[[:space:]]*(not )?ok [0-9]' "$f" 2>/dev/null; then
		pfs=$("$here/ktap-count.sh" --plain --counts-only --name "$f" "$f" || true)
	fi
	if [ -z "$pfs" ]; then
		echo "FAIL $f: no results" >&2
		pfs="0 1 0"
	elif [ "$pfs" = "0 0 0" ]; then
		echo "FAIL $f: no test ran" >&2
		pfs="0 1 0"
	fi
	read -r p fl s <<<"$pfs"
	P=$((P + p)) F=$((F + fl)) S=$((S + s))
done
line="$P passed, $F failed"
[ "$S" -eq 0 ] || line="$line, $S skipped"
echo "$line"
[ "$F" -eq 0 ] || exit 1

#!/bin/bash
# ktap-count.sh - judge one guest boot: KTAP results + kernel console.
#
# Counts leaf KTAP results (`ok N`, `not ok N`, `# SKIP` = skipped; nested
# results indented, a parent line after its subtests is not counted again)
# and adds one failure for each of:
#   - a `# hypervive-exit: NAME CODE` with CODE not 0/4 (124 = timeout) where
#     NAME printed no `not ok` (a crashing test cannot pass silently); a test
#     with no KTAP lines counts as one result from its exit code;
#   - a KTAP plan `1..N` not matched by the top-level results, again only if
#     that test printed no `not ok`;
#   - a `# hypervive-test: NAME` without its exit line; a missing
#     `# hypervive-end` (QEMU timeout noted from qemu.status next to RESULTS);
#   - kernel problems on the console (BUG/WARNING/Oops/panic/... lines).
# --expect-panic REGEX: a `Kernel panic` console line matching REGEX ends the
# boot as intended: it and everything after it, the missing end marker and
# the interrupted test are not failures (but the panic must happen); problems
# logged before it still fail.
# --plain: RESULTS is bare KTAP (user-space unit tests): no markers, no console.
# Environment: HYPERVIVE_CONSOLE_PATTERNS, an extended regex of more console
# lines that fail the boot; HYPERVIVE_CONSOLE_IGNORE, one of lines that never
# do (the debug kernel's pass: lockdep's reports, and its own boot banners
# such as "kmemleak: Kernel memory leak detector initialized").
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "ktap-count: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

usage() {
	cat <<EOF
Usage: $0 [--name LABEL] [--expect-panic REGEX] [--counts-only] RESULTS.ktap CONSOLE.log
       $0 [--name LABEL] [--counts-only] --plain RESULTS.ktap
Prints each failure, then 'N passed, N failed[, N skipped]'; exits 1 on any
failure.  --counts-only prints only 'P F S' on stdout (reasons on stderr).
EOF
}

label="" expect="" counts_only=0 plain=0
while [ $# -gt 0 ]; do
	case "$1" in
	--name) label=${2:?}; shift 2 ;;
	--expect-panic) expect=${2:?}; shift 2 ;;
	--counts-only) counts_only=1; shift ;;
	--plain) plain=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "ktap-count: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ "$plain" = 1 ]; then [ $# -eq 1 ] || { usage >&2; exit 2; }
else [ $# -eq 2 ] || { usage >&2; exit 2; }; fi
results=$1
console=${2:-}
pfx=${label:+$label: }

# Everything that is a reason to fail goes to this stream.
if [ "$counts_only" = 1 ]; then exec 3>&2; else exec 3>&1; fi

patterns='BUG:|WARNING:|Oops|Kernel panic|general protection fault|Call Trace:|UBSAN:|KASAN:|kmemleak:|list_add corruption|list_del corruption|sleeping function called from invalid context|INFO: task .* blocked|rcu: INFO|soft lockup|hard LOCKUP'
patterns="$patterns${HYPERVIVE_CONSOLE_PATTERNS:+|$HYPERVIVE_CONSOLE_PATTERNS}"

# ---- console -----------------------------------------------------------------
cfail=0 panic_seen=0
if [ "$plain" = 0 ]; then
	if [ ! -r "$console" ]; then
		echo "FAIL ${pfx}no console log $console" >&3
		cfail=1
	else
		# Offending lines as "L<line>"; a last line "P" if the expected panic
		# was seen (nothing after it is looked at).
		cout=$(tr -d '\r' <"$console" | PAT=$patterns WANT=$expect \
			IGN=${HYPERVIVE_CONSOLE_IGNORE:-} awk '
			BEGIN { pat = ENVIRON["PAT"]; want = ENVIRON["WANT"]; ign = ENVIRON["IGN"] }
			done { next }
			want != "" && /Kernel panic/ && $0 ~ want { done = 1; next }
			ign != "" && $0 ~ ign { next }
			$0 ~ pat { print "L" $0 }
			END { if (done) print "P" }')
		if [ -n "$expect" ]; then
			if [ "${cout##*$'\n'}" = P ]; then
				panic_seen=1
			else
				echo "FAIL ${pfx}expected panic /$expect/ not seen on the console" >&3
				cfail=$((cfail + 1))
			fi
		fi
		bad=$(printf '%s\n' "$cout" | sed -n 's/^L//p')
		if [ -n "$bad" ]; then
			echo "FAIL ${pfx}kernel reported problems on the console:" >&3
			printf '%s\n' "$bad" | awk 'NR <= 40 { print "    " $0 }' >&3
			cfail=$((cfail + 1))
		fi
	fi
fi

# ---- results -----------------------------------------------------------------
timeout_note=""
st="$(dirname "$results")/qemu.status"
if [ -r "$st" ] && grep -q 'timeout=1' "$st"; then timeout_note=" (QEMU was killed by its timeout)"; fi
rfile=$results
[ -r "$results" ] || { echo "FAIL ${pfx}no results file $results" >&3; rfile=/dev/null; }

counts=$(tr -d '\r' <"$rfile" | awk \
	-v plain="$plain" -v pfx="$pfx" -v panic_seen="$panic_seen" -v tnote="$timeout_note" '
function fail(msg) { F++; print "FAIL " pfx msg > "/dev/stderr" }
function who() { return cur == "" ? "" : cur ": " }
function check_plan() {
	if (plan != "" && plan != top && tfail == 0)
		fail(who() "planned " plan " results, got " top)
	plan = ""; top = 0
}
function start_test(name) {
	check_plan()
	cur = name; tres = 0; tfail = 0; prev = -1; open = 1
}
/^# hypervive-test: / {
	if (open) fail(cur ": no exit line")
	start_test(substr($0, 19)); next
}
/^# hypervive-exit: / {
	n = split(substr($0, 18), a, " "); code = a[n]
	why = code == 124 ? " (timed out)" : ""
	if (code != 0 && code != 4) {
		if (tfail == 0) fail(cur ": exit " code why " and no not ok reported")
	} else if (plan != "" && plan != top) check_plan()
	else if (tres == 0) { if (code == 4 || planskip) S++; else P++ }
	plan = ""; top = 0; open = 0; planskip = 0; next
}
/^# hypervive-end/ { ended = 1; next }
/^[ \t]*(not )?ok [0-9]/ {
	match($0, /^[ \t]*/); ind = RLENGTH
	if (ind == 0) top++
	leaf = !(prev > ind); prev = ind
	if (!leaf) next
	tres++
	if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) S++
	else if ($0 ~ /^[ \t]*not ok/) { tfail++; fail(who() $0) }
	else P++
	next
}
/^KTAP version/ { check_plan(); prev = -1; next }
/^1\.\.[0-9]/ { plan = substr($1, 4) + 0; planskip = $0 ~ /# *SKIP/; next }
END {
	check_plan()
	if (!plain) {
		if (open && !panic_seen) fail(cur ": started but never finished (crash or hang?)" tnote)
		if (!ended && !panic_seen) fail("no # hypervive-end: the boot did not complete" tnote)
	}
	printf "%d %d %d\n", P, F, S
}' 2>&3)

read -r p f s <<<"$counts"
f=$((f + cfail))
[ -r "$results" ] || f=$((f + 1))

if [ "$counts_only" = 1 ]; then
	echo "$p $f $s"
else
	line="$p passed, $f failed"
	[ "$s" -eq 0 ] || line="$line, $s skipped"
	echo "$line"
fi
[ "$f" -eq 0 ] || exit 1

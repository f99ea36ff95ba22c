# shellcheck shell=dash
# ktap.sh - KTAP helpers for guest test scripts (busybox sh; source it).
#
#   . /lib/hypervive/ktap.sh
#   ktap_plan 3
#   ktap_check "vsock loads" modprobe vsock
#   ktap_expect_eq "cid" "$(cat /sys/module/x/parameters/cid)" 1
#   ktap_skip "ext4 freeze" "no disk"
#   ktap_done            # exits 1 if anything failed or the plan was missed
#
# Prints KTAP version 1: `1..N`, `ok N desc`, `not ok N desc`,
# `ok N desc # SKIP reason`, `# diagnostics`.  Exit code 4 from a test means
# skipped (kselftest); use `ktap_skip_all REASON` for that.
# No `set -e`/`-u` here: a sourced library must not change the caller's shell.

KTAP_N=0
KTAP_PLAN=""
KTAP_FAILED=0

ktap_plan() {
	KTAP_PLAN=$1
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_diag() { echo "# $*"; }

ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $1"
}

# ktap_fail DESC [REASON]
ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_N $1"
	[ $# -lt 2 ] || echo "# $2"
}

# ktap_skip DESC REASON
ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $1 # SKIP ${2:-}"
}

# ktap_check DESC CMD...: ok if CMD succeeds; its output is shown on failure,
# and the status is non-zero (for diagnostics that follow a failure).
ktap_check() {
	_ktap_desc=$1
	shift
	if _ktap_out=$("$@" 2>&1); then
		ktap_ok "$_ktap_desc"
	else
		_ktap_rc=$?
		ktap_fail "$_ktap_desc" "command failed (exit $_ktap_rc): $*"
		[ -z "$_ktap_out" ] || printf '%s\n' "$_ktap_out" | sed 's/^/# /'
		return 1
	fi
}

# ktap_expect_eq DESC GOT WANT
ktap_expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "got: '$2' want: '$3'"
	fi
}

# ktap_skip_all REASON: whole test skipped (plan 1..0, exit 4).
ktap_skip_all() {
	echo "KTAP version 1"
	echo "1..0 # SKIP $1"
	exit 4
}

ktap_done() {
	if [ -n "$KTAP_PLAN" ] && [ "$KTAP_N" -ne "$KTAP_PLAN" ]; then
		ktap_fail "plan" "planned $KTAP_PLAN tests, ran $KTAP_N"
	fi
	[ "$KTAP_FAILED" -eq 0 ] || exit 1
	exit 0
}

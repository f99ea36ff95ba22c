#!/bin/bash
# abi-list.sh FILE... - the files documented in Documentation/ABI-format
# files (docs/ABI/*), one line each: "ro PATH" or "rw PATH", PATH as its
# What: line gives it (wildcards such as cpu<N> and <relid> kept).
#
# get_abi.pl validate only checks the syntax; this also insists on what our
# docs promise and the checks rely on: every entry (a run of What: lines)
# has Date:, KernelVersion:, Contact: and a Description: whose text starts
# with (RO) or (RW), the file's mode.  Each problem is one line on stderr
# naming FILE:LINE; the exit status is then 1.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
awk '
function finish() {
	if (!nwhat)
		return
	if (!has["date"]) problem("no Date:")
	if (!has["kernelversion"]) problem("no KernelVersion:")
	if (!has["contact"]) problem("no Contact:")
	if (!has["description"]) problem("no Description:")
	else if (mode == "") problem("the Description does not start with (RO) or (RW)")
	for (i = 1; i <= nwhat; i++)
		if (mode != "")
			print mode, what[i]
	nwhat = 0; mode = ""; indesc = 0; wantmode = 0
	delete has
}
function problem(msg) {
	printf "%s:%d: %s: %s\n", FILENAME, wline, what[1], msg > "/dev/stderr"
	bad = 1
}
function take_mode(text) {
	sub(/^[ \t]+/, "", text)
	if (text == "")
		return
	wantmode = 0
	if (text ~ /^\(RO\)/) mode = "ro"
	else if (text ~ /^\(RW\)/) mode = "rw"
}
FNR == 1 { finish(); tag = "" }
/^What:/ {
	if (tag != "what") { finish(); wline = FNR }
	tag = "what"
	p = $0; sub(/^What:[ \t]*/, "", p); sub(/[ \t]+$/, "", p)
	what[++nwhat] = p
	indesc = 0
	next
}
/^(Date|KernelVersion|Contact|Users):/ && !indesc {
	t = tolower($0); sub(/:.*/, "", t)
	tag = t; has[t] = 1
	next
}
/^Description:/ && !indesc {
	tag = "description"; has[tag] = 1; indesc = 1; wantmode = 1
	t = $0; sub(/^Description:/, "", t); take_mode(t)
	next
}
indesc && wantmode { take_mode($0) }
END { finish(); exit bad }
' "$@"

#!/bin/bash
# readme-list.sh README.md - the sysfs files and module parameters the
# README's tables document, one line each: "ro PATH" or "rw PATH".
#
# Tables it reads (any other table is left alone):
#   | file | writable | ... |                      sysfs files: each `code
#       span` of the first cell is a full path, /sys/...; {a,b} lists
#       files of one directory; cpu<N>, <relid>, <leaf> are wildcards as in
#       docs/ABI/
#   | `hypervive_x` parameter | ... | writable | ... |  one module's parameters:
#       each code span of the first cell is a parameter name
# The writable column says "no" or "yes ...".  A row it cannot read is one
# line on stderr naming README:LINE, and the exit status is then 1.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 README.md" >&2; exit 2; }
awk '
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function problem(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
}
# expand(PATH, MODE): print MODE and each path of a {a,b,...} list.
function expand(s, mode,    pre, body, post, n, parts, i) {
	if (!match(s, /\{[^{}]*\}/)) {
		print mode, s
		return
	}
	pre = substr(s, 1, RSTART - 1)
	body = substr(s, RSTART + 1, RLENGTH - 2)
	post = substr(s, RSTART + RLENGTH)
	n = split(body, parts, ",")
	for (i = 1; i <= n; i++)
		expand(pre parts[i] post, mode)
}
# cells(LINE): split a table row into cell[1..ncell]; an escaped \| stays.
function cells(line,    i) {
	gsub(/\\\|/, "\001", line)
	sub(/^[ \t]*\|/, "", line)
	sub(/\|[ \t]*$/, "", line)
	ncell = split(line, cell, "|")
	for (i = 1; i <= ncell; i++)
		cell[i] = trim(cell[i])
}
!/^[ \t]*\|/ { kind = ""; inrow = 0; next }
!inrow {
	# A header row: which kind of table, where the writable column is.
	inrow = 1; kind = ""; wcol = 0; header = 1
	cells($0)
	for (i = 1; i <= ncell; i++)
		if (tolower(cell[i]) == "writable")
			wcol = i
	if (cell[1] == "file")
		kind = "sysfs"
	else if (match(cell[1], /hypervive_[a-z]+/) && cell[1] ~ /parameter$/) {
		kind = "param"
		mod = substr(cell[1], RSTART, RLENGTH)
	}
	if (kind != "" && !wcol) {
		problem("a " kind " table without a writable column")
		kind = ""
	}
	next
}
header { header = 0; next }	# the |---| separator
kind == "" { next }
{
	cells($0)
	w = tolower(cell[wcol])
	if (w ~ /^no/) mode = "ro"
	else if (w ~ /^yes/) mode = "rw"
	else { problem("writable is \"" cell[wcol] "\", not yes or no"); next }
	first = cell[1]; found = 0
	while (match(first, /`[^`]+`/)) {
		name = substr(first, RSTART + 1, RLENGTH - 2)
		first = substr(first, RSTART + RLENGTH)
		found = 1
		if (kind == "param")
			print mode, "/sys/module/" mod "/parameters/" name
		else if (name ~ /^\/sys\//)
			expand(name, mode)
		else
			problem("`" name "` is not a full path")
	}
	if (!found)
		problem("no `name` in the first cell")
}
END { exit bad }
' "$1"

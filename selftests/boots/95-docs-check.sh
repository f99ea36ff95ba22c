#!/bin/bash
# 95-docs-check.sh OUTDIR - host-side judge of the docs boot (CHECK= in
# 95-docs.boot): the files 95-docs-sysfs.sh found in the guest (lines
# "# abi-file: MODE PATH" of OUTDIR/results.ktap) against docs/ABI/* and
# the README's sysfs and parameter tables.  Each file in the guest that a
# doc lacks, each documented file the guest does not have and each
# writable/read-only mismatch is a `not ok` naming it; a clean comparison is
# one `ok` per kind.  Per-instance names become the docs' wildcards:
# cpus/cpu0 -> cpus/cpu<N>, channels/12 -> channels/<relid>,
# cpuid/40000003 -> cpuid/<leaf>.  Parameters of the test-only modules
# (hypervive_sim, hypervive_testmod, hypervive_fakevmbus) are not documented
# for users, on purpose.  Prints KTAP.
set -uo pipefail
out=${1:?usage: $0 OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
docs=$top/selftests/docs

n=0 failed=0
results=()
ok() { n=$((n + 1)); results+=("ok $n $1"); }
notok() { n=$((n + 1)); failed=$((failed + 1)); results+=("not ok $n $1"); }

# guest: "ro PATH" per file, normalized, test-only modules left out.
guest=$(tr -d '\r' <"$out/results.ktap" 2>/dev/null |
	sed -n 's/^# abi-file: \([0-7]*\) \(\/sys\/.*\)$/\1 \2/p' |
	grep -vE ' /sys/module/hypervive_(sim|testmod|fakevmbus)/' |
	sed -E 's#/vmbus/cpus/cpu[0-9]+/#/vmbus/cpus/cpu<N>/#
		s#/vmbus/channels/[0-9]+/#/vmbus/channels/<relid>/#
		s#/core/cpuid/4000000[0-9a-f]$#/core/cpuid/<leaf>#' |
	while read -r m p; do
		# Any write bit (owner, group, other) makes it writable.
		if [ $((8#$m & 8#222)) -ne 0 ]; then echo "rw $p"; else echo "ro $p"; fi
	done | sort -u)
ng=$(grep -c . <<<"$guest")
if [ "$ng" -ge 100 ]; then
	ok "the guest listed $ng distinct files (after wildcards)"
else
	# Nothing to compare: one failure, not one per documented file.
	notok "the guest listed $ng distinct files (after wildcards), expected at least 100"
	echo "KTAP version 1"
	echo "1..$n"
	printf '%s\n' "${results[@]}"
	exit 1
fi

# compare NAME DOCLIST: the guest's list against one document's.
compare() {
	local name=$1 doc=$2 g d p
	g=$(awk '{ print $2 }' <<<"$guest" | sort -u)
	d=$(awk '{ print $2 }' <<<"$doc" | sort -u)
	local missing extra modes
	missing=$(comm -23 <(echo "$g") <(echo "$d") | grep .)
	extra=$(comm -13 <(echo "$g") <(echo "$d") | grep .)
	modes=$(comm -12 <(echo "$g") <(echo "$d") | grep . | while read -r p; do
		gm=$(awk -v p="$p" '$2 == p { print $1 }' <<<"$guest" | sort -u | tr '\n' ' ')
		dm=$(awk -v p="$p" '$2 == p { print $1 }' <<<"$doc" | sort -u | tr '\n' ' ')
		[ "$gm" = "$dm" ] || echo "$p: ${gm}in the guest, ${dm}in $name"
	done)
	if [ -z "$missing" ]; then
		ok "$name documents every file of the guest"
	else
		while read -r p; do notok "$p: in the guest, not in $name"; done <<<"$missing"
	fi
	if [ -z "$extra" ]; then
		ok "every file $name documents is in the guest"
	else
		while read -r p; do notok "$p: in $name, not in the guest"; done <<<"$extra"
	fi
	if [ -z "$modes" ]; then
		ok "$name gives every file's writable/read-only as the guest has it"
	else
		while read -r p; do notok "writable/read-only mismatch: $p"; done <<<"$modes"
	fi
}

if abi=$(bash "$docs/abi-list.sh" "$top"/docs/ABI/* 2>"$out/abi-list.err"); then
	ok "docs/ABI lists $(grep -c . <<<"$abi") files"
else
	notok "docs/ABI could not be read: $(head -n1 "$out/abi-list.err")"
fi
compare docs/ABI "$abi"

if readme=$(bash "$docs/readme-list.sh" "$top/README.md" 2>"$out/readme-list.err"); then
	ok "the README's tables list $(grep -c . <<<"$readme") files"
else
	notok "the README's tables could not be read: $(head -n1 "$out/readme-list.err")"
fi
compare README "$readme"

echo "KTAP version 1"
echo "1..$n"
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ]

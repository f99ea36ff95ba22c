#!/bin/bash
# gates.sh - kernel quality gates, as KTAP:
#   checkpatch.pl --strict (from linux-source-6.1, cached) on every kernel-side
#   source; findings listed in selftests/checkpatch.exceptions are allowed;
#   sparse (make C=2) with no warning; W=1 is the normal build (check.sh);
#   codespell on sources and docs;
#   docs/ABI/ through get_abi.pl validate (from the same linux-source) and
#   selftests/docs/abi-list.sh (every entry complete, its mode given).
#   gates.sh KVER KDIR CACHE
set -uo pipefail
# KVER is part of the calling convention; the build directory KDIR says it all.
# shellcheck disable=SC2034
kver=${1:?} kdir=${2:?} cache=${3:?}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# checkpatch.pl and get_abi.pl come from Debian's linux-source-6.1 package,
# cached by linux-source.sh; why it failed, if it did, goes with the findings.
src=$cache/linux-source
cp_pl=$src/scripts/checkpatch.pl
abi_pl=$src/scripts/get_abi.pl
srcwhy=$(bash selftests/linux-source.sh "$cache" 2>&1 >/dev/null) || true

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; printf '%s\n' "$2" | sed 's/^/# /'; }
echo "KTAP version 1"
echo "1..6"

# Kernel-side C: modules, shared headers, test modules.  User-space tools
# (tools/, unit tests, guest helpers) follow kernel style but not checkpatch.
files=$(git ls-files '*.c' '*.h' | grep -E '^(hv_[a-z]+|include|lib|selftests/hv_[a-z]+)/')
if [ ! -x "$cp_pl" ]; then
	nok "checkpatch --strict" "checkpatch.pl not available (linux-source-6.1 download failed)${srcwhy:+$'\n'$srcwhy}"
else
	# shellcheck disable=SC2086
	found=$(perl "$cp_pl" --no-tree --strict --terse --show-types -f $files 2>&1 |
		grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' |
		while IFS= read -r line; do
			f=${line%%:*}
			t=$(echo "$line" | sed -n 's/^[^ ]*: [A-Z]*:\([A-Z_]*\):.*/\1/p')
			grep -qE "^$f $t( |$)" selftests/checkpatch.exceptions || echo "$line"
		done)
	if [ -z "$found" ]; then
		ok "checkpatch --strict: $(echo "$files" | wc -w) files, no finding beyond the listed exceptions"
	else
		nok "checkpatch --strict" "$found"
	fi
fi

# A build that did not run (no KDIR, a failing make) checked nothing.
spout=$(make -C "$kdir" M="$top" C=2 HYPERVIVE_SELFTESTS=1 modules 2>&1)
sprc=$?
spw=$(echo "$spout" | grep -E '(warning|error):' | grep -v 'Skipping BTF')
if [ "$sprc" -ne 0 ]; then
	nok "sparse (C=2): make failed (exit $sprc)" "$(echo "$spout" | tail -n 20)"
elif [ -z "$spw" ]; then
	ok "sparse (C=2): no warning"
else
	nok "sparse (C=2)" "$spw"
fi

# A BUILD_BUG_ON() in a static function nobody calls is never evaluated (gcc
# drops the function before the error attribute fires): such checks once
# asserted nothing here.  Build-time checks are file-scope static_assert()s.
# shellcheck disable=SC2086
dead=$(awk '/^static .*__maybe_unused.*\(void\)$/ { infn = 1; next }
	infn && /^}/ { infn = 0 }
	infn && /BUILD_BUG_ON/ { print FILENAME ":" FNR ": " $0 }' $files)
if [ -z "$dead" ]; then
	ok "build-time checks: no BUILD_BUG_ON() in an uncalled __maybe_unused function"
else
	nok "build-time checks: BUILD_BUG_ON() in an uncalled function asserts nothing; use static_assert()" "$dead"
fi

# modinfo field "parm" is a real name: .codespell-ignore lists it.
# shellcheck disable=SC2046
csout=$(codespell -I .codespell-ignore $(git ls-files | grep -vE '(^|/)corpus/|^LICENSE$') 2>&1)
if [ -z "$csout" ]; then ok "codespell: sources and docs"; else nok "codespell" "$csout"; fi

# docs/ABI: get_abi.pl prints nothing for a clean tree; any line is a finding.
if [ ! -e "$abi_pl" ]; then
	nok "get_abi.pl validate docs/ABI" "get_abi.pl not available (linux-source-6.1 download failed)${srcwhy:+$'\n'$srcwhy}"
else
	abiout=$(perl "$abi_pl" validate --dir docs/ABI 2>&1)
	abirc=$?
	if [ -z "$abiout" ] && [ "$abirc" -eq 0 ]; then
		ok "get_abi.pl validate docs/ABI: $(find docs/ABI -type f | wc -l) files, no complaint"
	else
		nok "get_abi.pl validate docs/ABI (exit $abirc)" "$abiout"
	fi
fi
if abiout=$(bash selftests/docs/abi-list.sh docs/ABI/* 2>&1 >/dev/null); then
	ok "docs/ABI: every entry has Date, KernelVersion, Contact and a (RO)/(RW) Description"
else
	nok "docs/ABI: every entry has Date, KernelVersion, Contact and a (RO)/(RW) Description" "$abiout"
fi
[ "$failed" -eq 0 ]

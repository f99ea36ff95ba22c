#!/bin/bash
# build.sh - one row of the kernel matrix: fetch its kernel, build the tree
# against it, judge the build; one KTAP line per step.
#
# The steps (each `ok`/`not ok N ROW KVER: STEP`, failing lines after it as
# `# ` diagnostics, and the time it took):
#   fetch              selftests/kernels/fetch.sh ROW CACHE (headers,
#                      toolchain, image; cached)
#   build W=1 -Werror  make -C KDIR M=OUT/tree-ROW W=1 KCFLAGS=-Werror
#                      HYPERVIVE_SELFTESTS=1 modules; any `warning:` line
#                      other than objtool's fails it, as does a failed make
#   objtool            no `warning: objtool:` line in that build
#   sparse             the same make with C=2: no warning or error line
#                      (sparse's, or the build's) except "Skipping BTF"
# The tree is copied (git ls-files: tracked and untracked-but-not-ignored
# files, with their work-tree contents) to OUT/tree-ROW, so each kernel has
# its own built tree (run-boot.sh --tree OUT/tree-ROW boots it).  Chroot rows
# build in the chroot, the tree bind-mounted at /mnt/tree-ROW inside a private
# mount namespace (unshare -m), so no mount outlives the build; /proc is
# mounted there too (7.2's objtool reads its stack limit from it).
# Logs: OUT/fetch-ROW.{log,env}, OUT/build-ROW.log, OUT/sparse-ROW.log.
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<EOF
Usage: $0 [--first N] [--no-image] ROW CACHE TREE OUT
Fetch ROW of selftests/kernels/matrix into CACHE, build TREE against it in
OUT/tree-ROW, print KTAP (numbered from N, default 1, without the KTAP header
and plan when --first is given).  Exit 1 if a step failed.
EOF
}

first="" no_image=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--first) first=${2:?}; shift 2 ;;
	--no-image) no_image=(--no-image); shift ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 4 ] || { usage >&2; exit 2; }
row=$1 cache=$2 tree=$3 out=$4
trap 'echo "build[$row]: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$(cd "$tree" && pwd)

if [ -z "$first" ]; then
	echo "KTAP version 1"
	echo "1..4"
	first=1
fi
n=$first
failed=0
KVER="?"

# result OK|FAIL|SKIP STEP [DIAG-FILE] [REASON]
result() {
	local how=$1 step=$2 diag=${3:-} reason=${4:-}
	case $how in
	OK) echo "ok $n $row $KVER: $step" ;;
	SKIP) echo "ok $n $row $KVER: $step # SKIP $reason" ;;
	FAIL) echo "not ok $n $row $KVER: $step"; failed=1 ;;
	esac
	if [ -n "$diag" ] && [ -s "$diag" ]; then
		# At most 25 lines, each once; the rest are in the log.
		awk '!seen[$0]++' "$diag" | head -n 25 | sed 's/^/# /'
		local all
		all=$(awk '!seen[$0]++' "$diag" | wc -l)
		[ "$all" -le 25 ] || echo "# ... $((all - 25)) more lines"
	fi
	n=$((n + 1))
}
since() { echo "# $1: $(($(date +%s) - $2)) s"; }

# --- fetch ---------------------------------------------------------------
t0=$(date +%s)
rc=0
nice -n 10 bash "$here/fetch.sh" "${no_image[@]}" "$row" "$cache" \
	>"$out/fetch-$row.env" 2>"$out/fetch-$row.log" || rc=$?
KDIR="" CC_OVERRIDE="" CC_TEXT="" CHROOT="" CHROOT_KDIR="" IMAGE=""
if [ "$rc" -eq 0 ]; then
	eval "$(cat "$out/fetch-$row.env")"
	[ -n "$KDIR" ] || rc=1
fi
if [ "$rc" -ne 0 ]; then
	KVER=$(sed -n 's/.*: KVER=\([^ ]*\)$/\1/p' "$out/fetch-$row.log" | tail -n1)
	KVER=${KVER:-?}
	grep -E 'fetch\[|kernel-cache|^E: |^W: ' "$out/fetch-$row.log" | tail -n 25 >"$out/fetch-$row.diag" || true
	[ -s "$out/fetch-$row.diag" ] || tail -n 25 "$out/fetch-$row.log" >"$out/fetch-$row.diag"
	result FAIL fetch "$out/fetch-$row.diag"
	since "fetch" "$t0"
	for s in "build W=1 -Werror" objtool sparse; do result SKIP "$s" "" "fetch failed"; done
	exit 1
fi
echo "fetch: $KVER ($CC_TEXT${CC_OVERRIDE:+; built here with CC=$CC_OVERRIDE: $(gcc -dumpfullversion)}${CHROOT:+; in chroot $CHROOT}); headers ${CHROOT:+$CHROOT}${CHROOT_KDIR:-$KDIR}${IMAGE:+; image $IMAGE}" >"$out/fetch-$row.diag"
result OK fetch "$out/fetch-$row.diag"
since "fetch" "$t0"

# --- the tree, copied --------------------------------------------------------
t=$out/tree-$row
rm -rf "$t"
mkdir -p "$t"
(cd "$tree" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	xargs -0 cp -a --parents -t "$t")

# make ARGS...: in this tree, on this machine or in the row's chroot.
kmake() {
	local args=(-j"$(nproc)" -k W=1 KCFLAGS=-Werror HYPERVIVE_SELFTESTS=1 ${CC_OVERRIDE:+CC=$CC_OVERRIDE} "$@" modules)
	if [ -z "$CHROOT" ]; then
		nice -n 10 make -C "$KDIR" M="$t" "${args[@]}"
	else
		local mnt=/mnt/tree-$row
		mkdir -p "$CHROOT$mnt"
		# shellcheck disable=SC2016 # expanded by that sh
		nice -n 10 unshare -m --propagation private sh -c \
			'mount --bind "$1" "$2$3" && mount -t proc proc "$2/proc" && c=$2 && k=$4 && m=$3 && shift 4 && exec chroot "$c" make -C "$k" M="$m" "$@"' \
			sh "$t" "$CHROOT" "$mnt" "$CHROOT_KDIR" "${args[@]}"
	fi
}

# --- build W=1 -Werror, objtool ------------------------------------------------
t0=$(date +%s)
rc=0
kmake >"$out/build-$row.log" 2>&1 || rc=$?
grep -E 'warning:' "$out/build-$row.log" | grep -v 'warning: objtool:' >"$out/build-$row.diag" || true
grep -E 'error:|Error:|Error [0-9]|unrecognized command-line option|refused' "$out/build-$row.log" |
	grep -vE '^make(\[[0-9]+\])?: \*\*\* \[' >>"$out/build-$row.diag" || true
if [ "$rc" -ne 0 ] && [ ! -s "$out/build-$row.diag" ]; then
	tail -n 15 "$out/build-$row.log" >"$out/build-$row.diag"
fi
build_ok=0
if [ "$rc" -eq 0 ] && [ ! -s "$out/build-$row.diag" ]; then
	build_ok=1
	result OK "build W=1 -Werror"
else
	[ "$rc" -eq 0 ] || echo "make exited $rc (log $out/build-$row.log)" >>"$out/build-$row.diag"
	result FAIL "build W=1 -Werror" "$out/build-$row.diag"
fi
since "build" "$t0"

grep -E 'warning: objtool:' "$out/build-$row.log" >"$out/objtool-$row.diag" || true
if [ -s "$out/objtool-$row.diag" ]; then
	result FAIL objtool "$out/objtool-$row.diag"
elif [ "$build_ok" -eq 1 ]; then
	result OK objtool
else
	result SKIP objtool "" "the build failed: objtool did not see every object"
fi

# --- sparse ----------------------------------------------------------------------
# Since 6.13 kbuild asks scripts/checker-valid.sh whether sparse is good
# enough, and skips sparse (a warning, exit 0) when it is not, or when the
# script is missing: sid's 7.2 headers package lacks it.  Where it is missing
# we put one in the cache's copy that asks what upstream's asks (sparse
# takes __typeof_unqual__ without an error), and a skipped sparse fails.
hdr=${CHROOT:+$CHROOT}${CHROOT_KDIR:-$KDIR}
common=${hdr%-amd64}-common
if [ -f "$common/Makefile" ] && grep -q checker-valid.sh "$common/Makefile" &&
	[ ! -e "$common/scripts/checker-valid.sh" ]; then
	cat >"$common/scripts/checker-valid.sh" <<'EOS'
#!/bin/sh -eu
# Written by HyperVive's selftests/kernels/build.sh: this headers package
# lacks the kernel's own; the same test.  Prints 1 if "$@" (sparse and its
# flags) checks a __typeof_unqual__ without an error.
[ -x "$(command -v "$1")" ] || exit 1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$tmp"
"$@" "$tmp" 2>&1 | awk -v c=1 '/error/ { c = 0 } END { print c }'
EOS
	chmod 755 "$common/scripts/checker-valid.sh"
	echo "build[$row]: added scripts/checker-valid.sh to the cached headers (the package lacks it)" >&2
fi
if [ "$build_ok" -eq 1 ]; then
	t0=$(date +%s)
	rc=0
	kmake C=2 >"$out/sparse-$row.log" 2>&1 || rc=$?
	grep -E '(warning|error):|is not available or not up to date' "$out/sparse-$row.log" |
		grep -v 'Skipping BTF' >"$out/sparse-$row.diag" || true
	if [ "$rc" -eq 0 ] && [ ! -s "$out/sparse-$row.diag" ]; then
		result OK sparse
	else
		[ "$rc" -eq 0 ] || { grep -q . "$out/sparse-$row.diag" || tail -n 10 "$out/sparse-$row.log" >"$out/sparse-$row.diag"; echo "make C=2 exited $rc (log $out/sparse-$row.log)" >>"$out/sparse-$row.diag"; }
		result FAIL sparse "$out/sparse-$row.diag"
	fi
	since "sparse" "$t0"
else
	result SKIP sparse "" "the build failed"
fi
exit "$failed"

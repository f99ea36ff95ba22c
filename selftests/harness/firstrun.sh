#!/bin/bash
# firstrun.sh - every cache-filling script, on a fresh machine, gets as far as
# its first download and, when that fails, says why.
#
# Each script listed in harness/cache-fillers runs with an empty temporary
# CACHE and stub apt-get, apt-cache, debootstrap, wget and curl first on PATH:
# a stub records its arguments and exits 100 with a message, as a download
# without network would.  A script passes if (a) it reached a stub and (b) it
# then exited non-zero with a line of its own (its PREFIX) on stderr after the
# stub's, not only the stub's message.  Exiting before the first download
# (e.g. a `find` on a cache directory that does not exist yet, under set -e
# and pipefail), exiting 0, or exiting silently fails.  Three fixtures first
# prove the judge fails what it should.  No network, a few seconds.
# Prints `ok N ...` / `not ok N ...` (diagnostics as `# ` lines) and
# `N passed, N failed`; exits 1 on any failure.
#   firstrun.sh [LIST]       (LIST defaults to harness/cache-fillers)
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
list=${1:-$here/cache-fillers}
log() { echo "firstrun: $*" >&2; }
set -E
errtrap() { [ "$BASHPID" = "$$" ] && log "failed (exit $1) at line $2: $3"; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
[ -r "$list" ] || { log "no list $list"; exit 2; }
cd "$top"

work=$(mktemp -d "${TMPDIR:-/tmp}/hv-firstrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
stubs=$work/stubs
mkdir -p "$stubs"
for s in apt-get apt-cache debootstrap wget curl; do
	cat >"$stubs/$s" <<'EOF'
#!/bin/sh
# Records the call; FIRSTRUN_STDERR is the script's own stderr file, appended
# to directly so the order shows even if the script hid the stub's output.
n=${0##*/}
echo "$n $*" >>"$FIRSTRUN_MARKER"
echo "firstrun-stub: reached $n $*" >>"$FIRSTRUN_STDERR"
echo "firstrun-stub: $n: no network in the first-run test" >&2
exit 100
EOF
	chmod +x "$stubs/$s"
done
kver=6.1.0-0-amd64

n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }

# run_one SCRIPT PREFIX ARGS...: run it on an empty cache; 0 if it passes,
# else 1 with the reason in $why.  Its stderr is left in $errf.
run_one() {
	local script=$1 prefix=$2 d a rc=0
	shift 2
	d=$(mktemp -d "$work/run.XXXXXX")
	mkdir "$d/cache" "$d/work"
	local args=()
	for a in "$@"; do
		a=${a//@CACHE@/$d/cache} a=${a//@WORK@/$d/work} a=${a//@KVER@/$kver}
		args+=("$a")
	done
	errf=$d/stderr
	: >"$errf"
	env -u HYPERVIVE_KERNEL_IMAGE -u DKMS_INSTALLED PATH="$stubs:$PATH" \
		CACHE="$d/cache" KVER="$kver" TMPDIR="$d/work" \
		FIRSTRUN_MARKER="$d/marker" FIRSTRUN_STDERR="$errf" \
		timeout 120 bash "$script" ${args[@]+"${args[@]}"} \
		</dev/null >"$d/stdout" 2>>"$errf" || rc=$?
	if [ ! -s "$d/marker" ]; then
		why="exited $rc before its first download"
	elif [ "$rc" -eq 0 ]; then
		why="exited 0 although its download failed"
	elif [ "$rc" -eq 124 ]; then
		why="timed out after its download failed"
	elif awk -v p="$prefix" '/^firstrun-stub: / { own = 0; next }
		index($0, p) == 1 { own = 1 } END { exit !own }' "$errf"; then
		why="reached $(awk 'NR == 1 { print $1 " ... " $NF }' "$d/marker"), then exit $rc with its own message"
		return 0
	else
		why="exited $rc silently after its download failed (no '$prefix' line on stderr after the stub's)"
	fi
	return 1
}
diag() {
	if [ -s "$errf" ]; then sed 's/^/#   /' "$errf" | tail -n 15; else echo "#   (nothing on stderr)"; fi
}

# ---- self-check: the judge fails what it should ------------------------------
fx=$work/fixtures
mkdir -p "$fx"
# The form build.sh had before its fix: find on a dl/ an empty cache lacks.
cat >"$fx/old-find.sh" <<'EOF'
set -euo pipefail
top=$1/fixture
mkdir -p "$top"
log() { echo "fixture: $*" >&2; }
deb=$(find "$top/dl" -maxdepth 1 -name 'pkg_*.deb' 2>/dev/null | sort -V | tail -n1)
if [ -z "$deb" ]; then
	mkdir -p "$top/dl"
	(cd "$top/dl" && apt-get download pkg) >&2
fi
EOF
# Reaches the download, then set -e ends it with only apt-get's message.
cat >"$fx/silent.sh" <<'EOF'
set -euo pipefail
mkdir -p "$1/dl"
echo "fixture: downloading pkg" >&2
(cd "$1/dl" && apt-get download pkg) >&2
EOF
# The fixed form: mkdir -p first, an ERR trap names the failing command.
cat >"$fx/good.sh" <<'EOF'
set -euo pipefail
log() { echo "fixture: $*" >&2; }
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
mkdir -p "$1/fixture/dl"
deb=$(find "$1/fixture/dl" -maxdepth 1 -name 'pkg_*.deb' | sort -V | tail -n1)
[ -n "$deb" ] || (cd "$1/fixture/dl" && apt-get download pkg) >&2
EOF
for f in old-find silent good; do
	want=1
	[ "$f" = good ] && want=0
	got=0
	run_one "$fx/$f.sh" fixture: @CACHE@ || got=1
	if [ "$got" = "$want" ]; then ok "self-check: fixture $f.sh judged right: $why"; else
		notok "self-check: fixture $f.sh judged wrong: $why"
		diag
	fi
done

# ---- the cache-filling scripts -------------------------------------------------
while read -r script prefix rest; do
	case "$script" in ''|'#'*) continue ;; esac
	opt=0
	case "$script" in '?'*) opt=1; script=${script#\?} ;; esac
	path=$script
	case "$path" in /*) ;; *) path=$top/selftests/$script ;; esac
	if [ ! -e "$path" ]; then
		if [ "$opt" = 1 ]; then echo "# $script: not present, skipped"; continue; fi
		notok "first run: $script: no such script"
		continue
	fi
	# shellcheck disable=SC2086 # the list's arguments are words
	if run_one "$path" "$prefix" $rest; then
		ok "first run: $script on an empty cache: $why"
	else
		notok "first run: $script on an empty cache: $why"
		diag
	fi
done <"$list"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1

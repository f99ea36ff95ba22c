#!/bin/bash
# linux-source.sh - checkpatch.pl and get_abi.pl, with the files they read,
# from Debian's linux-source-6.1 package, cached in CACHE/linux-source (for
# gates.sh).  The cache is refilled when any of the files we need is missing
# (an older cache may hold only some of them).  Prints the directory on
# stdout; on failure says why on stderr and exits 1.
#   linux-source.sh CACHE
set -euo pipefail
cache=${1:?usage: linux-source.sh CACHE}
src=$cache/linux-source
log() { echo "linux-source: $*" >&2; }
set -E
errtrap() { [ "$BASHPID" = "$$" ] && log "failed (exit $1) at line $2: $3"; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
need=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/get_abi.pl)
missing=0
for f in "${need[@]}"; do [ -e "$src/$f" ] || missing=1; done
if [ "$missing" = 0 ]; then echo "$src"; exit 0; fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/linux-source.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
download() { (cd "$tmp" && apt-get download -o APT::Sandbox::User=root linux-source-6.1) >"$tmp/apt.log" 2>&1; }
# A fresh machine may have no package lists yet: update once, as kernel-cache.sh does.
rc=0; download || rc=$?
if [ "$rc" -ne 0 ] && grep -qE "Unable to locate package|Can't select candidate|has no installation candidate" "$tmp/apt.log"; then
	log "linux-source-6.1 unknown, running apt-get update once"
	apt-get -q update >&2
	rc=0; download || rc=$?
fi
if [ "$rc" -ne 0 ]; then
	cat "$tmp/apt.log" >&2
	log "cannot download linux-source-6.1 into $cache"
	exit 1
fi
(cd "$tmp" && dpkg-deb -x linux-source-6.1_*.deb deb &&
	tar -C "$tmp" -xf deb/usr/src/linux-source-6.1.tar.xz --wildcards "${need[@]/#/*/}")
d=$(find "$tmp" -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
if [ -z "$d" ] || [ ! -x "$d/scripts/checkpatch.pl" ] || [ ! -e "$d/scripts/get_abi.pl" ]; then
	log "linux-source-6.1 has no scripts/checkpatch.pl or scripts/get_abi.pl"
	exit 1
fi
rm -rf "$src" && mv "$d" "$src"
echo "$src"

#!/bin/bash
# kernel-cache.sh - fetch Debian's kernel image for KVER into a cache, unpacked.
#
# The in-guest tests boot the distribution kernel matching the installed
# headers under QEMU.  We never install that package on the build machine:
# we `apt-get download` it and unpack it with `dpkg-deb -x` into
#   CACHE_DIR/kernel/KVER/{vmlinuz,config,System.map,lib/modules/KVER/}
# and generate modules.dep there (Debian ships none) with `depmod -b`.
# The cache is filled in a temp dir and renamed into place, so an interrupted
# run never leaves a half cache; a warm cache only prints the path.
#
# HYPERVIVE_KERNEL_IMAGE=DIR replaces the Debian image with a kernel of the
# same layout (DIR/vmlinuz, DIR/lib/modules/KVER/ with modules.dep): the
# debug kernel of selftests/debug-kernel/build.sh.  Nothing is fetched then.
#
# HYPERVIVE_APT_OPTS="-o Dir::Etc::SourceList=... ..." adds options to every
# apt-get call, so the image comes from another suite's sources and lists
# (selftests/kernels/fetch.sh sets it per row of the kernel matrix; the words
# are split on blanks, so its paths may not contain any).
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "kernel-cache: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
read -r -a apt_opts <<<"${HYPERVIVE_APT_OPTS:-}"

usage() {
	cat <<EOF
Usage: $0 KVER CACHE_DIR
Ensure CACHE_DIR/kernel/KVER holds vmlinuz and lib/modules/KVER with
modules.dep, downloading linux-image-KVER (or -unsigned) if needed.
Prints the directory on stdout; progress goes to stderr.
EOF
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
kver=$1
cache=$2
case "$kver" in */*|.*|'') echo "kernel-cache: bad KVER '$kver'" >&2; exit 2 ;; esac

if [ -n "${HYPERVIVE_KERNEL_IMAGE:-}" ]; then
	img=$HYPERVIVE_KERNEL_IMAGE
	if [ ! -f "$img/vmlinuz" ] || [ ! -f "$img/lib/modules/$kver/modules.dep" ]; then
		echo "kernel-cache: HYPERVIVE_KERNEL_IMAGE=$img has no vmlinuz or lib/modules/$kver/modules.dep" >&2
		exit 1
	fi
	echo "$img"
	exit 0
fi

top="$cache/kernel"
dest="$top/$kver"
mkdir -p "$top"
cache_ok() { [ -f "$dest/.complete" ]; }

if cache_ok; then echo "$dest"; exit 0; fi

# One filler at a time; a second caller waits, then sees the warm cache.
exec 9>"$top/.lock-$kver"
flock 9
if cache_ok; then echo "$dest"; exit 0; fi

rm -rf "$top/.tmp-$kver".*	# left by a killed run (we hold the lock)
tmp=$(mktemp -d "$top/.tmp-$kver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
chmod 700 "$tmp"	# root-owned; apt runs unsandboxed as root (option below)

# apt-get download with the given package name; 0 ok, 1 failed, 2 unknown pkg.
download() {
	local log="$tmp/apt.log" rc=0
	(cd "$tmp" && apt-get -q -o APT::Sandbox::User=root "${apt_opts[@]}" download "$1") \
		>"$log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && return 0
	if grep -qE "Unable to locate package|Can't select candidate|has no installation candidate|No packages found" "$log"; then
		return 2
	fi
	cat "$log" >&2
	return 1
}

fetch() {
	local p rc
	for p in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		rc=0; download "$p" || rc=$?
		case $rc in
		0) echo "kernel-cache: downloaded $p" >&2; return 0 ;;
		1) return 1 ;;
		esac
	done
	return 2
}

echo "kernel-cache: fetching linux-image-$kver into $dest" >&2
rc=0; fetch || rc=$?
if [ "$rc" -eq 2 ]; then
	echo "kernel-cache: package unknown, running apt-get update once" >&2
	apt-get -q "${apt_opts[@]}" update >&2
	rc=0; fetch || rc=$?
fi
if [ "$rc" -ne 0 ]; then
	echo "kernel-cache: cannot download linux-image-$kver or linux-image-$kver-unsigned" >&2
	exit 1
fi

shopt -s nullglob
debs=("$tmp"/*.deb)
[ ${#debs[@]} -eq 1 ] || { echo "kernel-cache: expected one .deb, got ${#debs[@]}" >&2; exit 1; }
# Since 7.x (sid) linux-image-KVER is split: it depends on linux-binary-KVER
# (vmlinuz), linux-modules-KVER and linux-base-KVER, which carry the files.
img_pkg=$(dpkg-deb -f "${debs[0]}" Package)
mapfile -t parts < <(dpkg-deb -f "${debs[0]}" Depends | sed 's/[,|]/\n/g' |
	sed -E 's/^ *//; s/[ (].*//' | grep -E "^linux-[a-z]+-$(printf '%s' "$kver" | sed 's/[.+]/\\&/g')\$" |
	grep -vE '^linux-(headers|image)-' || true)
for p in ${parts[@]+"${parts[@]}"}; do
	rc=0; download "$p" || rc=$?
	[ "$rc" -eq 0 ] || { echo "kernel-cache: cannot download $p (a part of $img_pkg)" >&2; exit 1; }
	echo "kernel-cache: downloaded $p (a part of $img_pkg)" >&2
done
for d in "$tmp"/*.deb; do
	dpkg-deb -x "$d" "$tmp/root"
	rm -f "$d"
done

out="$tmp/out"
mkdir -p "$out/lib/modules"
# Debian 12 uses /lib/modules; later (merged-/usr) packages use /usr/lib/modules.
moddir=""
for d in "$tmp/root/lib/modules/$kver" "$tmp/root/usr/lib/modules/$kver"; do
	[ -d "$d" ] && moddir=$d && break
done
[ -n "$moddir" ] || { echo "kernel-cache: no modules directory in package" >&2; exit 1; }
# /boot/vmlinuz-KVER, config-KVER, System.map-KVER; the split 7.x packages
# put them in the modules directory as vmlinuz, config, System.map.
for f in vmlinuz config System.map; do
	if [ -f "$tmp/root/boot/$f-$kver" ]; then
		mv "$tmp/root/boot/$f-$kver" "$out/$f"
	elif [ -f "$moddir/$f" ]; then
		mv "$moddir/$f" "$out/$f"
	fi
done
[ -f "$out/vmlinuz" ] || { echo "kernel-cache: no boot/vmlinuz-$kver (nor vmlinuz in the modules directory) in ${img_pkg}${parts[*]+ ${parts[*]}}" >&2; exit 1; }
mv "$moddir" "$out/lib/modules/$kver"
rm -rf "$tmp/root"

depmod -b "$out" "$kver"
[ -s "$out/lib/modules/$kver/modules.dep" ] || { echo "kernel-cache: depmod produced no modules.dep" >&2; exit 1; }

touch "$out/.complete"
rm -rf "$dest"	# an old dir without .complete (cannot come from this script)
mv -T "$out" "$dest"
echo "kernel-cache: ready" >&2
echo "$dest"

#!/bin/bash
# build.sh - build (or find cached) the debug kernel of `make check-debug`.
#
# Source: Debian's linux-source-6.1 package (the same 6.1 as the headers the
# modules normally build against), downloaded with `apt-get download` and
# unpacked once into CACHE/debug-kernel/linux-source-VERSION.  Config:
# allnoconfig with debug.config forced in (KCONFIG_ALLCONFIG), olddefconfig,
# then check-config.sh.  Output, keyed by the source version and a hash of
# debug.config and the scripts that make it:
#   CACHE/debug-kernel/VERSION-HASH/build/   object tree: KDIR for external
#                                            modules (Module.symvers, .config)
#   CACHE/debug-kernel/VERSION-HASH/image/   vmlinuz, config, System.map and
#                                            lib/modules/KREL/, the layout of
#                                            harness/kernel-cache.sh
# A killed build resumes incrementally; a finished one (.complete) is reused
# as is.  Prints on stdout, for eval:
#   DEBUG_KVER=KREL DEBUG_KDIR=.../build DEBUG_IMAGE=.../image
#   build.sh [CACHE]
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
cache=${1:-${CACHE:-/var/cache/hypervive}}
top=$cache/debug-kernel
mkdir -p "$top"
log() { echo "debug-kernel: $*" >&2; }
# set -e ends the script at the first failing command: name it, never exit silently.
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

exec 9>"$top/.lock"
flock 9

# ---- source ----------------------------------------------------------------
# An empty cache has no dl/ yet: find would fail on it and, with pipefail, end
# the script before the download below.
mkdir -p "$top/dl"
deb=$(find "$top/dl" -maxdepth 1 -name 'linux-source-6.1_*_all.deb' 2>/dev/null | sort -V | tail -n1)
if [ -z "$deb" ]; then
	log "downloading linux-source-6.1"
	rm -rf "$top/dl" && mkdir -p "$top/dl"
	(cd "$top/dl" && apt-get -q -o APT::Sandbox::User=root download linux-source-6.1) >&2
	deb=$(find "$top/dl" -maxdepth 1 -name 'linux-source-6.1_*_all.deb' | sort -V | tail -n1)
fi
[ -n "$deb" ] || { log "no linux-source-6.1 package"; exit 1; }
ver=$(dpkg-deb -f "$deb" Version)
src=$top/linux-source-$ver
if [ ! -f "$src/.complete" ]; then
	log "unpacking linux-source-6.1 $ver (about a minute)"
	tmp=$(mktemp -d "$top/.src.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-6.1.tar.xz' |
		tar -C "$tmp" -xJf -
	rm -rf "$src"
	mv -T "$tmp/linux-source-6.1" "$src"
	rmdir "$tmp"
	touch "$src/.complete"
fi

# ---- config + build ----------------------------------------------------------
key=$(cat "$here/debug.config" "$here/build.sh" "$here/check-config.sh" | sha256sum | cut -c1-12)
dest=$top/$ver-$key
obj=$dest/build img=$dest/image
# --no-print-directory: under `make -C DIR check` MAKEFLAGS carries -w, and
# "make[2]: Entering directory ..." would end up in what kernelrelease says.
kmake() { make --no-print-directory -C "$src" O="$obj" ARCH=x86_64 LOCALVERSION=-hypervive-debug "$@"; }
# valid_krel STRING: one word that starts like a kernel version.
valid_krel() { [[ $1 =~ ^[0-9]+\.[0-9]+[^[:space:]]*$ ]]; }

if [ ! -f "$dest/.complete" ]; then
	start=$(date +%s)
	mkdir -p "$obj"
	# The fragment this tree was configured from, once it passed the check.
	if ! cmp -s "$here/debug.config" "$obj/.config-fragment"; then
		log "configuring $ver (allnoconfig + debug.config)"
		kmake -s allnoconfig KCONFIG_ALLCONFIG="$here/debug.config" >&2
		kmake -s olddefconfig >&2
		bash "$here/check-config.sh" "$here/debug.config" "$obj/.config"
		cp "$here/debug.config" "$obj/.config-fragment"
	fi
	log "building $ver with -j2 into $obj (cold: about 15 minutes on 2 cores)"
	kmake -j2 -s bzImage modules >"$dest/build.log" 2>&1 ||
		{ tail -n 40 "$dest/build.log" >&2; log "kernel build failed: $dest/build.log"; exit 1; }
	krel=$(kmake -s kernelrelease)
	rm -rf "$img" && mkdir -p "$img"
	kmake -s INSTALL_MOD_PATH="$img" DEPMOD=/sbin/depmod modules_install >&2
	rm -f "$img/lib/modules/$krel/build" "$img/lib/modules/$krel/source"
	cp "$obj/arch/x86/boot/bzImage" "$img/vmlinuz"
	cp "$obj/.config" "$img/config"
	cp "$obj/System.map" "$img/System.map"
	touch "$img/.complete"
	echo "$krel" >"$dest/kernelrelease"
	touch "$dest/.complete"
	log "built in $(( $(date +%s) - start )) s"
fi
krel=$(cat "$dest/kernelrelease")
if ! valid_krel "$krel"; then
	# A cache written before --no-print-directory may hold make's chatter.
	krel=$(kmake -s kernelrelease)
	valid_krel "$krel" || { log "cannot tell the debug kernel's release (got: $krel)"; exit 1; }
	[ -d "$img/lib/modules/$krel" ] || { log "no modules for $krel in $img: delete $dest to rebuild"; exit 1; }
	echo "$krel" >"$dest/kernelrelease"
	log "repaired the cached kernel release: $krel"
fi
echo "DEBUG_KVER=$krel DEBUG_KDIR=$obj DEBUG_IMAGE=$img"

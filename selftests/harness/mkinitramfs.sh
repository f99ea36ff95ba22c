#!/bin/bash
# mkinitramfs.sh - build the busybox initramfs the in-guest tests boot with.
#
# Contents: static busybox and its applet symlinks, /init (guest-init.sh),
# /lib/hypervive/ktap.sh, the requested modules of the cached Debian kernel
# image with every dependency from modules.dep (and soft dependencies from
# modules.softdep, resolved through modules.alias), decompressed because
# busybox cannot load .ko.xz, plus any files given with --add.  depmod is rerun
# on the staged tree so `modprobe NAME` works in the guest, also for .ko files
# added under /lib/modules/KVER/.  The kernel image comes from kernel-cache.sh.
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "mkinitramfs: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

here=$(dirname "$(readlink -f "$0")")

usage() {
	cat <<EOF
Usage: $0 --kver KVER --cache DIR --out FILE.cpio.gz [--kmod NAME]... [--add SRC:DST]...
  --kver KVER     kernel version of the image (e.g. 6.1.0-56-amd64)
  --cache DIR     cache dir for kernel-cache.sh (image fetched if missing)
  --out FILE      gzip'd newc cpio to write
  --kmod NAME     module (name, file name or alias) to include with its deps;
                  builtin modules are skipped with a note
  --add SRC:DST   copy file or directory SRC to DST in the image (a directory's
                  contents go to DST; a DST ending in / receives the file)
EOF
}

kver="" cache="" out=""
kmods=() adds=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--kmod) kmods+=("${2:?}"); shift 2 ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "mkinitramfs: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
if [ -z "$kver" ] || [ -z "$cache" ] || [ -z "$out" ]; then usage >&2; exit 2; fi

kdir=$("$here/kernel-cache.sh" "$kver" "$cache")
mdir="$kdir/lib/modules/$kver"

stage=$(mktemp -d "${TMPDIR:-/tmp}/hv-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 130' INT TERM HUP
smod="$stage/lib/modules/$kver"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,mnt,etc,root,lib/hypervive} "$smod"
chmod 1777 "$stage/tmp"

# busybox + applet links (what `busybox --install -s` would do in the guest).
cp /bin/busybox "$stage/bin/busybox"
while read -r applet; do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done < <(/bin/busybox --list-full)
# The kernel opens /dev/console for init before devtmpfs is mounted.
mknod -m 600 "$stage/dev/console" c 5 1
install -m 755 "$here/guest-init.sh" "$stage/init"
install -m 644 "$here/ktap.sh" "$stage/lib/hypervive/ktap.sh"

# ---- kernel modules -------------------------------------------------------
norm() { local s=${1##*/}; s=${s%%.ko*}; REPLY=${s//-/_}; }	# sets REPLY, no fork
declare -A path_of=() deps_of=() builtin=() soft_of=() aliases=() want=()
while IFS= read -r line; do
	key=${line%%:*}
	norm "$key"; path_of[$REPLY]=$key
	deps_of[$key]=${line#*:}
done <"$mdir/modules.dep"
while IFS= read -r line; do norm "$line"; builtin[$REPLY]=1; done <"$mdir/modules.builtin"
while read -r _ mod rest; do
	rest=${rest//pre:/}
	norm "$mod"; soft_of[$REPLY]+=" ${rest//post:/} "
done < <(grep '^softdep ' "$mdir/modules.softdep" 2>/dev/null || true)
while read -r _ al mod; do
	case "$al" in *'*'*|*'?'*|*'['*) continue ;; esac
	aliases[$al]+=" $mod"
done < <(grep '^alias ' "$mdir/modules.alias")

# add_mod NAME STRICT: queue NAME's file with its hard and soft deps.
add_mod() {
	local n key d m
	norm "$1"; n=$REPLY
	if [ -n "${path_of[$n]:-}" ]; then
		key=${path_of[$n]}
		[ -n "${want[$key]:-}" ] && return 0
		want[$key]=1
		for d in ${deps_of[$key]}; do add_mod "$d" 1; done
		for d in ${soft_of[$n]:-}; do add_mod "$d" 0; done
	elif [ -n "${builtin[$n]:-}" ]; then
		echo "mkinitramfs: $1 is builtin, skipped" >&2
	elif [ -n "${aliases[$1]:-}" ]; then
		for m in ${aliases[$1]}; do add_mod "$m" "$2"; done
	elif [ "$2" = 1 ]; then
		echo "mkinitramfs: no module '$1' in $mdir" >&2
		return 1
	else
		echo "mkinitramfs: soft dependency '$1' not found, skipped" >&2
	fi
}
for k in ${kmods[@]+"${kmods[@]}"}; do add_mod "$k" 1; done

for key in "${!want[@]}"; do
	src="$mdir/$key"
	dst="$smod/${key%%.ko*}.ko"
	mkdir -p "$(dirname "$dst")"
	case "$key" in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
done
cp "$mdir/modules.builtin" "$mdir/modules.builtin.modinfo" "$smod/" 2>/dev/null || true
for key in "${!want[@]}"; do echo "${key%%.ko*}.ko"; done | LC_ALL=C sort >"$smod/modules.order"

# ---- extra files, then depmod so added .ko files are found too ------------
for a in ${adds[@]+"${adds[@]}"}; do
	src=${a%:*} dst=${a##*:}
	if [ "$src" = "$a" ] || [ -z "$dst" ]; then
		echo "mkinitramfs: --add needs SRC:DST, got '$a'" >&2; exit 2
	fi
	[ -e "$src" ] || { echo "mkinitramfs: --add: no such file '$src'" >&2; exit 2; }
	if [ -d "$src" ]; then
		mkdir -p "$stage/$dst"
		cp -a "$src/." "$stage/$dst/"
	else
		mkdir -p "$(dirname "$stage/$dst")"
		case "$dst" in */) mkdir -p "$stage/$dst" ;; esac
		cp -a "$src" "$stage/$dst"
	fi
done
depmod -b "$stage" "$kver"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -n >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: wrote $out ($(du -h "$out" | cut -f1), ${#want[@]} modules)" >&2

#!/bin/bash
# fetch.sh - one row of the kernel matrix (selftests/kernels/matrix): its
# kernel headers, its toolchain and its kernel image, in the cache.
#
# Nothing is installed on this machine.  Each row gets its own apt state
# under CACHE/kernels/ROW/apt/ (sources list, lists, package cache, an empty
# dpkg status), built from the archive URLs the machine's own apt already
# uses (read at run time from `apt-cache policy`; /etc/apt is never changed):
#   CACHE/kernels/ROW/apt/                 the row's apt state
#   CACHE/kernels/ROW/headers-KVER/        linux-headers-KVER, its -common and
#                                          linux-kbuild-*, `dpkg-deb -x`ed into
#                                          one root (the relative scripts/
#                                          symlinks stay valid); KDIR is its
#                                          usr/src/linux-headers-KVER
#   CACHE/kernels/chroot-SUITE/            chroot rows: a debootstrap minbase
#                                          of SUITE with the gcc the headers'
#                                          CONFIG_CC_VERSION_TEXT names, make,
#                                          libc6-dev, libelf-dev, dwarves,
#                                          sparse and the headers installed
#   CACHE/kernel/KVER/                     the image, via harness/kernel-cache.sh
#                                          (the layout run-guest-tests.sh reads)
# Every piece is filled in a temp dir and renamed into place under a lock
# (flock), so a killed run leaves nothing half-done; a warm cache downloads
# nothing (the apt lists are refreshed when older than a day, or with
# HYPERVIVE_KERNELS_REFRESH=1).
#
# On stdout: shell assignments for eval (ROW SUITE KVER KDIR CC CC_TEXT
# CC_OVERRIDE CHROOT CHROOT_KDIR IMAGE GUEST TCG); progress and every failure
# reason on stderr.
set -Eeuo pipefail

here=$(cd "$(dirname "$0")" && pwd)
matrix=${HYPERVIVE_MATRIX:-$here/matrix}

usage() {
	cat <<EOF
Usage: $0 [--no-image] ROW CACHE
Fetch the headers, toolchain and (unless --no-image) kernel image of ROW of
$matrix into CACHE/kernels/ and CACHE/kernel/.
Prints ROW SUITE KVER KDIR CC CC_TEXT CC_OVERRIDE CHROOT CHROOT_KDIR IMAGE
GUEST TCG as shell assignments on stdout (CHROOT empty on host rows; KDIR is the
headers on this machine, CHROOT_KDIR the same headers inside the chroot;
CC_OVERRIDE the CC= to pass when this machine lacks the kernel's compiler).
EOF
}

no_image=""
case "${1:-}" in
-h|--help) usage; exit 0 ;;
--no-image) no_image=1; shift ;;
esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
row=$1
cache=$2

say() { echo "fetch[$row]: $*" >&2; }
die() { say "$*"; exit 1; }
trap 'say "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# The row: suites resolve toolchain guest.
line=$(awk -v r="$row" '!/^[[:space:]]*(#|$)/ && $1 == r { print; exit }' "$matrix")
[ -n "$line" ] || die "no row '$row' in $matrix (rows: $(awk '!/^[[:space:]]*(#|$)/ {printf "%s ", $1}' "$matrix"))"
read -r _ suites resolve toolchain guest tcg _ <<<"$line"
[ -n "${tcg:-}" ] || die "row '$row' of $matrix has fewer than 6 columns"
suite=${suites%%,*}
case "$toolchain" in
host) chroot_suite="" ;;
chroot:?*) chroot_suite=${toolchain#chroot:} ;;
*) die "row '$row': toolchain '$toolchain' is neither host nor chroot:SUITE" ;;
esac

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "no $keyring (package debian-archive-keyring)"

mkdir -p "$cache/kernels"
cache=$(cd "$cache" && pwd)
top=$cache/kernels
base=$top/$row
mkdir -p "$base"
exec 8>"$top/.lock-$row"
flock 8

# --- the archive URLs this machine already uses -------------------------
# `apt-cache policy` lines: " 500 http://MIRROR/debian bookworm/main amd64 Packages"
policy=$(apt-cache policy)
main_uri=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^(https?|file):/ && $3 !~ /-security\// { print $2; exit }' <<<"$policy")
sec_uri=$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^(https?|file):/ && $3 ~ /-security\// { print $2; exit }' <<<"$policy")
[ -n "$main_uri" ] || die "cannot find the machine's Debian archive in \`apt-cache policy\`"

# --- the row's own apt state --------------------------------------------
a=$base/apt
mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
: >>"$a/status"
srcs=""
IFS=, read -r -a suite_list <<<"$suites"
for s in "${suite_list[@]}"; do
	uri=$main_uri
	case "$s" in *-security)
		[ -n "$sec_uri" ] || die "suite $s: the machine's apt names no security archive"
		uri=$sec_uri ;;
	esac
	srcs+="deb [signed-by=$keyring] $uri $s main"$'\n'
done
aptopts=(-q -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache" -o Dir::State::status="$a/status"
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false)
if [ "$(cat "$a/sources.list" 2>/dev/null)" != "${srcs%$'\n'}" ]; then
	printf '%s' "$srcs" >"$a/sources.list"
	rm -f "$a/.updated"
fi
if [ -n "${HYPERVIVE_KERNELS_REFRESH:-}" ] || [ ! -f "$a/.updated" ] ||
	[ -n "$(find "$a/.updated" -mmin +1440)" ]; then
	say "apt-get update for $suites"
	log=$a/update.log
	if ! apt-get "${aptopts[@]}" update >"$log" 2>&1; then
		cat "$log" >&2; die "apt-get update for $suites failed (sources: $a/sources.list)"
	fi
	# apt exits 0 on some fetch failures; an index it could not get is fatal.
	if grep -E '^(W|E): ' "$log" | grep -vE 'Skipping acquire of configured file' >&2; then
		grep -qE '^E: |Failed to fetch|NO_PUBKEY|not signed' "$log" &&
			die "apt-get update for $suites reported errors (above)"
	fi
	touch "$a/.updated"
fi

# --- resolve KVER ---------------------------------------------------------
deps_of() {	# PKG -> its Depends on linux-headers-*/linux-kbuild-*
	apt-cache "${aptopts[@]}" depends "$1" |
		awk '$1 == "Depends:" && $2 ~ /^linux-(headers|kbuild)-/ { print $2 }'
}
hdr=$(deps_of "$resolve" | grep -E '^linux-headers-.*-amd64$' | sort -V | tail -n1) ||
	die "$resolve in $suites depends on no linux-headers-*-amd64 (apt-cache depends $resolve)"
kver=${hdr#linux-headers-}
say "$resolve in $suites is $hdr: KVER=$kver"

# Headers, their -common, linux-kbuild-*: two levels of Depends are all.
pkgs=("$hdr")
for p in $(deps_of "$hdr"); do
	pkgs+=("$p")
	for q in $(deps_of "$p"); do pkgs+=("$q"); done
done
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
printf '%s\n' "${pkgs[@]}" | grep -q '^linux-kbuild-' ||
	die "$hdr depends on no linux-kbuild-* package (got: ${pkgs[*]})"

# --- headers, unpacked ----------------------------------------------------
hroot=$base/headers-$kver
kdir=$hroot/usr/src/linux-headers-$kver
if [ ! -f "$hroot/.complete" ]; then
	rm -rf "$base/.tmp-headers".*
	tmp=$(mktemp -d "$base/.tmp-headers.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	say "downloading ${pkgs[*]}"
	(cd "$tmp" && apt-get "${aptopts[@]}" download "${pkgs[@]}") >"$tmp/apt.log" 2>&1 ||
		{ cat "$tmp/apt.log" >&2; die "apt-get download ${pkgs[*]} failed"; }
	for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$tmp/root"; done
	rm -f "$tmp"/*.deb
	k=$tmp/root/usr/src/linux-headers-$kver
	[ -f "$k/Makefile" ] || die "no usr/src/linux-headers-$kver/Makefile in ${pkgs[*]}"
	[ -f "$k/.config" ] || die "no .config in usr/src/linux-headers-$kver"
	[ -e "$k/scripts/Makefile.build" ] || [ -e "$k/scripts/Kbuild.include" ] ||
		die "usr/src/linux-headers-$kver/scripts does not resolve (-> $(readlink "$k/scripts"))"
	touch "$tmp/root/.complete"
	rm -rf "$hroot"
	mv -T "$tmp/root" "$hroot"
	rm -rf "$tmp"
	trap - EXIT
	say "headers ready: $kdir"
fi

# The amd64 Makefile names its -common dir (and KBUILD_OUTPUT) by absolute
# /usr/src paths: point them into this root.  Idempotent (the rewritten
# paths no longer start with /usr/src).
if grep -qE '(^|[ =])/usr/src/' "$kdir/Makefile"; then
	sed -i -E "s#(^|[ =])/usr/src/#\\1$hroot/usr/src/#g" "$kdir/Makefile"
fi

# The compiler the kernel was built with: CONFIG_CC_VERSION_TEXT="gcc-12 (Debian ...) ..."
cctext=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config")
cc=${cctext%% *}	# gcc-12, or x86_64-linux-gnu-gcc-16 (sid)
case "$cc" in gcc-[0-9]*|*-gcc-[0-9]*) ;; *) die "cannot read the compiler from CONFIG_CC_VERSION_TEXT='$cctext'" ;; esac
ccpkg=gcc-${cc##*gcc-}	# the package giving it
# CC_OVERRIDE: a host row whose compiler this machine lacks builds with the
# host's gcc (bullseye's gcc-10 headers; the build step shows whether that
# gcc accepts the kernel's flags).
cc_override=""
if [ -z "$chroot_suite" ] && ! command -v "$cc" >/dev/null; then
	cc_override=gcc
	say "no $cc on this machine: building with CC=gcc ($(gcc -dumpfullversion 2>/dev/null || echo none))"
fi
say "built with: $cctext"

# --- chroot rows: the chroot, with that gcc and the headers inside ----------
chroot_dir="" chroot_kdir=""
if [ -n "$chroot_suite" ]; then
	chroot_dir=$top/chroot-$chroot_suite
	chroot_kdir=/usr/src/linux-headers-$kver
	exec 7>"$top/.lock-chroot-$chroot_suite"
	flock 7
	tools="make libc6-dev libelf-dev dwarves sparse $ccpkg"
	if [ ! -f "$chroot_dir/.complete" ]; then
		command -v debootstrap >/dev/null ||
			die "no debootstrap (apt-get install debootstrap; selftests/install-deps.sh)"
		rm -rf "$top/.tmp-chroot-$chroot_suite".*
		tmp=$(mktemp -d "$top/.tmp-chroot-$chroot_suite.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		say "debootstrap --variant=minbase $chroot_suite (a few minutes; log $top/debootstrap-$chroot_suite.log)"
		if ! debootstrap --variant=minbase --keyring="$keyring" \
			--include="${tools// /,}" "$chroot_suite" "$tmp/root" "$main_uri" \
			>"$top/debootstrap-$chroot_suite.log" 2>&1; then
			tail -n 20 "$top/debootstrap-$chroot_suite.log" >&2
			tail -n 20 "$tmp/root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
			die "debootstrap $chroot_suite failed"
		fi
		# sid's Release may be expired against this machine's clock.
		echo 'Acquire::Check-Valid-Until "false";' >"$tmp/root/etc/apt/apt.conf.d/99hypervive"
		echo 'APT::Install-Recommends "false";' >>"$tmp/root/etc/apt/apt.conf.d/99hypervive"
		touch "$tmp/root/.complete"
		mv -T "$tmp/root" "$chroot_dir"
		rm -rf "$tmp"
		trap - EXIT
	fi
	if [ ! -f "$chroot_dir/.headers-$kver" ]; then
		say "installing $tools linux-headers-$kver in $chroot_dir"
		# The row's suites (a kernel may be in SUITE-security or -updates only).
		printf '%s' "$srcs" >"$chroot_dir/etc/apt/sources.list"
		log=$top/chroot-$chroot_suite-apt.log
		# A private mount namespace: /proc is gone when the command ends.
		# shellcheck disable=SC2016,SC2086 # $1.. expand in sh; $tools is a word list
		if ! unshare -m --propagation private sh -c '
			mount -t proc proc "$1/proc" && shift &&
			chroot "$0" sh -c "apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q -y install $*"' \
			"$chroot_dir" "$chroot_dir" $tools "linux-headers-$kver" >"$log" 2>&1; then
			tail -n 30 "$log" >&2
			die "installing linux-headers-$kver in the $chroot_suite chroot failed (log $log)"
		fi
		[ -f "$chroot_dir$chroot_kdir/Makefile" ] || die "no $chroot_kdir/Makefile in the chroot after the install"
		chroot "$chroot_dir" sh -c "command -v $cc" >/dev/null || die "no $cc in the chroot after the install"
		touch "$chroot_dir/.headers-$kver"
	fi
fi

# --- the image, in kernel-cache.sh's layout ----------------------------------
image=""
if [ -z "$no_image" ]; then
	image=$(HYPERVIVE_APT_OPTS="${aptopts[*]}" bash "$here/../harness/kernel-cache.sh" "$kver" "$cache") ||
		die "kernel-cache.sh $kver $cache failed (above)"
fi

printf 'ROW=%q\nSUITE=%q\nKVER=%q\nKDIR=%q\nCC=%q\nCC_TEXT=%q\nCC_OVERRIDE=%q\n' \
	"$row" "$suite" "$kver" "$kdir" "$cc" "$cctext" "$cc_override"
printf 'CHROOT=%q\nCHROOT_KDIR=%q\nIMAGE=%q\nGUEST=%q\nTCG=%q\n' \
	"$chroot_dir" "$chroot_kdir" "$image" "$guest" "$tcg"

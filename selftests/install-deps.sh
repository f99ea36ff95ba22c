#!/bin/bash
# install-deps.sh - install the Debian packages `make check` needs, if missing.
# Runs as root on Debian 12; does nothing when everything is there.
# --demo: only what `make demo` needs (no gates, sanitizers or dkms).
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "install-deps: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

kver=${KVER:-}
pkgs=(build-essential kmod cpio gzip xz-utils zstd busybox-static
      qemu-system-x86 qemu-utils socat e2fsprogs util-linux)
[ "${1:-}" = --demo ] || pkgs+=(sparse dkms codespell clang llvm libclang-rt-14-dev)
# The debug kernel's build (make check-debug): Kconfig's parser, objtool.
[ "${1:-}" = --demo ] || pkgs+=(flex bison bc libelf-dev libssl-dev)
# gates.sh, dkms-test.sh and check-debug.sh list the tree with git (a minimal
# Debian image has none); checkpatch.pl and get_abi.pl are perl; hostd's tests
# skip their python3 cases without it; pahole (dwarves): 6.12's headers
# want it for the modules' BTF.
[ "${1:-}" = --demo ] || pkgs+=(git perl python3 dwarves)
# kexec: the kexec boot loads a second kernel in the guest (92-kexec.boot).
# debootstrap: the kernel matrix builds trixie's and sid's rows in chroots
# with their own gcc (selftests/kernels/fetch.sh).
[ "${1:-}" = --demo ] || pkgs+=(kexec-tools debootstrap)
# Headers: none needed when KVER's, or any (the Makefile then picks the
# newest), are there.  Otherwise KVER's own package if Debian has one, else
# linux-headers-amd64: the running kernel may not be Debian's (a cloud or
# custom kernel has no headers package), and `make` builds for the newest
# installed headers anyway.  Decided after `apt-get update` (see below).
headers=""
if ! [ -d "/lib/modules/$kver/build" ] && ! compgen -G "/lib/modules/*/build" >/dev/null; then
	headers=linux-headers-amd64
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ -z "$headers" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} ${headers:+kernel headers} (run as root or install them)" >&2
	exit 1
fi
apt-get update -qq
if [ -n "$headers" ]; then
	if [ -n "$kver" ] && apt-cache show "linux-headers-$kver" >/dev/null 2>&1; then
		headers=linux-headers-$kver
	else
		echo "install-deps: no headers package for the running kernel ${kver:-?}; installing linux-headers-amd64"
	fi
	missing+=("$headers")
fi
echo "install-deps: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null

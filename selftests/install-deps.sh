#!/bin/bash
# install-deps.sh - install the Debian packages `make check` needs, if missing.
# Runs as root on Debian 12; does nothing when everything is there.
# --demo: only what `make demo` needs (no gates, sanitizers or dkms).
set -euo pipefail

kver=${KVER:-}
pkgs=(build-essential kmod cpio gzip xz-utils zstd busybox-static
      qemu-system-x86 qemu-utils socat e2fsprogs util-linux)
[ "${1:-}" = --demo ] || pkgs+=(sparse dkms codespell clang llvm libclang-rt-14-dev)
if [ -n "$kver" ] && [ ! -d "/lib/modules/$kver/build" ]; then
	pkgs+=("linux-headers-$kver")
elif ! compgen -G "/lib/modules/*/build" >/dev/null; then
	pkgs+=(linux-headers-amd64)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root or install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null

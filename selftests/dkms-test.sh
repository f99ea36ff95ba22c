#!/bin/bash
# dkms-test.sh - the real DKMS path in a sandbox: dkms add, build, install -k
# KVER, status, remove, with dkms's trees redirected into OUT by a private
# mount of /etc/dkms/framework.conf.d (dkms reads its trees from there only),
# so the machine's own /var/lib/dkms, /usr/src and /lib/modules are untouched.
#   dkms-test.sh KVER OUT
# Prints KTAP to stdout; leaves the installed modules in OUT/installed/ for the
# in-guest tests to load with modprobe.
set -uo pipefail
kver=${1:?KVER} out=${2:?OUT}
top=$(cd "$(dirname "$0")/.." && pwd)
name=hypervive
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
modules=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$top/dkms.conf")

rm -rf "$out"
mkdir -p "$out"/{conf.d,src,tree,lib/"$kver",installed}
ln -s "/lib/modules/$kver/build" "$out/lib/$kver/build"
cat >"$out/conf.d/sandbox.conf" <<CONF
source_tree="$out/src"
dkms_tree="$out/tree"
install_tree="$out/lib"
mok_signing_key="$out/mok.key"
mok_certificate="$out/mok.pub"
CONF
# dkms copies the source tree; give it a clean export of this checkout.
mkdir -p "$out/src/$name-$version"
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$out/src/$name-$version") ||
	cp -r "$top/." "$out/src/$name-$version"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/# /'; }

dk() {
	unshare --mount --propagation private bash -c \
		'mount --bind "$1" /etc/dkms/framework.conf.d && shift && exec dkms "$@"' \
		_ "$out/conf.d" "$@"
}

echo "KTAP version 1"
nmod=$(echo "$modules" | wc -w)
echo "1..$((6 + nmod))"  # add build install, make.log, status, modules, remove
for step in add build install; do
	args=(-m "$name" -v "$version")
	[ "$step" = add ] || args+=(-k "$kver")
	if log=$(dk "$step" "${args[@]}" 2>&1); then
		if echo "$log" | grep -qiE 'warning|error'; then
			nok "dkms $step with no warning" "$log"
		else
			ok "dkms $step with no warning"
		fi
	else
		nok "dkms $step" "$log"
	fi
	echo "$log" >"$out/dkms-$step.log"
	if [ "$step" = build ]; then
		mlog=$(find "$out/tree" -name make.log | head -n1)
		if [ -n "$mlog" ] && ! grep -qE 'warning:|error:' "$mlog"; then
			ok "the compiler gave no warning (make.log)"
		else
			nok "the compiler gave no warning (make.log)" "$(grep -E 'warning:|error:' "${mlog:-/dev/null}")"
		fi
	fi
done
st=$(dk status -m "$name" -v "$version" -k "$kver" 2>&1)
echo "# dkms status: $st"
case "$st" in
*": installed"*) ok "dkms status says installed" ;;
*) nok "dkms status says installed" "$st" ;;
esac
# dkms 3.0.10 can exit 0 after skipping a module: check every one is there.
for m in $modules; do
	f=$(find "$out/lib/$kver" -name "$m.ko*" 2>/dev/null | head -n1)
	if [ -n "$f" ] && modinfo -F version "$f" | grep -qx "$version"; then
		ok "$m installed with version $version"
		cp "$f" "$out/installed/"
	else
		nok "$m installed with version $version" "not under $out/lib/$kver"
	fi
done
# Keep a copy of the installed modules, then check removal leaves nothing.
dk remove -m "$name" -v "$version" --all >"$out/dkms-remove.log" 2>&1
left=$( (find "$out/tree" -mindepth 1; find "$out/lib/$kver" -name '*.ko*') 2>/dev/null)
if [ -z "$left" ]; then ok "dkms remove leaves nothing behind"; else nok "dkms remove leaves nothing behind" "$left"; fi
[ "$failed" -eq 0 ]

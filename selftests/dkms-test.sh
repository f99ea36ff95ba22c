#!/bin/bash
# dkms-test.sh - the real DKMS path in a sandbox: dkms add, build, install -k
# KVER, status, remove, with dkms's trees redirected into OUT by a private
# mount of /etc/dkms/framework.conf.d (dkms reads its trees from there only)
# and of OUT/lib over /lib/modules, so the machine's own /var/lib/dkms,
# /usr/src and /lib/modules are untouched.
#   dkms-test.sh KVER OUT [KVER2=KDIR2 [KVER3=KDIR3]]
# With KVER2: `dkms install -k KVER2` too (a second kernel, headers at KDIR2).
# With KVER3: its headers are added afterwards and `dkms autoinstall -k
# KVER3` must build and install for it (what DKMS's kernel postinst hook
# does for a new kernel).  Status and files are checked for every kernel,
# then `dkms remove --all` must leave nothing of any of them.
# Prints KTAP to stdout; leaves the modules installed for KVER in
# OUT/installed/ for the in-guest tests to load with modprobe.
set -uo pipefail
kver=${1:?KVER} out=${2:?OUT}
more=("${@:3}")
top=$(cd "$(dirname "$0")/.." && pwd)
name=hypervive
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
modules=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$top/dkms.conf")

rm -rf "$out"
mkdir -p "$out"/{conf.d,src,tree,lib/"$kver",installed}
# dkms looks for headers at /lib/modules/K/build: in its private mount
# namespace (dk below) that is OUT/lib, where each kernel's build link points
# at its headers.
ln -s "$(readlink -f "/lib/modules/$kver/build")" "$out/lib/$kver/build"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -e "/lib/modules/$kver/$f" ] || cp "/lib/modules/$kver/$f" "$out/lib/$kver/"
done
kv2="" kv3=""
[ ${#more[@]} -lt 1 ] || { kv2=${more[0]%%=*}; mkdir -p "$out/lib/$kv2"; ln -s "${more[0]#*=}" "$out/lib/$kv2/build"; }
[ ${#more[@]} -lt 2 ] || kv3=${more[1]%%=*}
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
		'mount --bind "$1" /etc/dkms/framework.conf.d && mount --bind "$2" /lib/modules &&
		 shift 2 && exec dkms "$@"' \
		_ "$out/conf.d" "$out/lib" "$@"
}

echo "KTAP version 1"
nmod=$(echo "$modules" | wc -w)
# add build install, make.log, status, modules, remove; per other kernel:
# install (or autoinstall), status, modules
echo "1..$((6 + nmod + (${#more[@]}) * (2 + nmod)))"
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
# installed_for K: status and every module's file for kernel K, built for K.
installed_for() {
	local k=$1 st f m
	st=$(dk status -m "$name" -v "$version" -k "$k" 2>&1)
	case "$st" in
	*"$k"*": installed"*) ok "dkms status says installed for $k" ;;
	*) nok "dkms status says installed for $k" "$st" ;;
	esac
	for m in $modules; do
		f=$(find "$out/lib/$k" -name "$m.ko*" 2>/dev/null | head -n1)
		if [ -n "$f" ] && modinfo -F version "$f" | grep -qx "$version" &&
			modinfo -F vermagic "$f" | grep -q "^$k "; then
			ok "$m installed for $k (version $version, vermagic $k)"
		else
			nok "$m installed for $k (version $version, vermagic $k)" \
				"${f:-not under $out/lib/$k}: $( [ -z "$f" ] || modinfo -F vermagic "$f")"
		fi
	done
}
if [ -n "$kv2" ]; then
	if log=$(dk install -m "$name" -v "$version" -k "$kv2" 2>&1); then
		ok "dkms install -k $kv2: a second kernel"
	else
		nok "dkms install -k $kv2: a second kernel" \
			"$log$(find "$out/tree" -name make.log -exec tail -n 15 {} + 2>/dev/null)"
	fi
	echo "$log" >"$out/dkms-install-$kv2.log"
	installed_for "$kv2"
fi
if [ -n "$kv3" ]; then
	# The new kernel's headers arrive; its postinst hook runs autoinstall.
	mkdir -p "$out/lib/$kv3"
	ln -s "${more[1]#*=}" "$out/lib/$kv3/build"
	if log=$(dk autoinstall -k "$kv3" 2>&1); then
		ok "dkms autoinstall -k $kv3: headers added later"
	else
		nok "dkms autoinstall -k $kv3: headers added later" \
			"$log$(find "$out/tree" -name make.log -exec tail -n 15 {} + 2>/dev/null)"
	fi
	echo "$log" >"$out/dkms-autoinstall-$kv3.log"
	installed_for "$kv3"
fi
# Keep a copy of the installed modules, then check removal leaves nothing.
dk remove -m "$name" -v "$version" --all >"$out/dkms-remove.log" 2>&1
left=$( (find "$out/tree" -mindepth 1; for k in "$kver" $kv2 $kv3; do find "$out/lib/$k" -name '*.ko*'; done) 2>/dev/null)
if [ -z "$left" ]; then ok "dkms remove leaves nothing behind"; else nok "dkms remove leaves nothing behind" "$left"; fi
[ "$failed" -eq 0 ]

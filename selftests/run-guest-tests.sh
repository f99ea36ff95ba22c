#!/bin/bash
# run-guest-tests.sh - one QEMU boot running a set of in-guest tests against
# the built modules, judged by ktap-count.sh.
#   --name NAME --out DIR --tests GLOB [--kmod NAME]... [--append ARGS]
#   [--timeout S] [--expect-panic REGEX] [-- extra run-guest.sh args]
# Writes DIR/console.log, DIR/results.ktap and DIR/counts ("P F S").
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
h=$top/selftests/harness
name="" out="" tests="" append="" tmo=900 expect_panic=""
kmods=()
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--kmod) kmods+=(--kmod "$2"); shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--expect-panic) expect_panic=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "run-guest-tests: unknown argument $1" >&2; exit 2 ;;
	esac
done
: "${KVER:?}" "${CACHE:?}"
mkdir -p "$out/tests"
rm -f "$out/tests/"*
# shellcheck disable=SC2086 # the glob is meant to expand here
cp $top/$tests "$out/tests/"

kos=()
for ko in "$top"/hv_*/*.ko "$top"/selftests/hv_*/*.ko; do
	kos+=(--add "$ko:/hypervive/$(basename "$ko")")
done

make -s -C "$top/selftests/guest/bin"
for b in "$top"/selftests/guest/bin/*; do
	[ -x "$b" ] && [ -f "$b" ] && kos+=(--add "$b:/bin/$(basename "$b")")
done

# The modules dkms installed (selftests/dkms-test.sh), where modprobe finds them.
if [ -n "${DKMS_INSTALLED:-}" ]; then
	for ko in "$DKMS_INSTALLED"/*.ko; do
		[ -e "$ko" ] && kos+=(--add "$ko:/lib/modules/$KVER/updates/dkms/$(basename "$ko")")
	done
	kos+=(--add "$top/selftests/guest/etc/hypervive-test.conf:/etc/modprobe.d/hypervive-test.conf")
fi

bash "$h/kernel-cache.sh" "$KVER" "$CACHE" >/dev/null
bash "$h/mkinitramfs.sh" --kver "$KVER" --cache "$CACHE" --out "$out/initrd.cpio.gz" \
	"${kmods[@]}" "${kos[@]}" \
	--add "$top/selftests/guest/lib/hv.sh:/lib/hypervive/hv.sh" \
	--add "$out/tests:/tests" >"$out/mkinitramfs.log" 2>&1
t0=$(date +%s)
bash "$h/run-guest.sh" --kernel "$CACHE/kernel/$KVER/vmlinuz" \
	--initrd "$out/initrd.cpio.gz" --out "$out" --timeout "$tmo" \
	--append "$append" "$@" >"$out/qemu.log" 2>&1 || true
echo "guest $name: $(($(date +%s) - t0)) s"
judge=(bash "$h/ktap-count.sh" --name "$name")
[ -z "$expect_panic" ] || judge+=(--expect-panic "$expect_panic")
"${judge[@]}" "$out/results.ktap" "$out/console.log" | tee "$out/judge.txt" || true
"${judge[@]}" --counts-only "$out/results.ktap" "$out/console.log" 2>/dev/null |
	tail -n1 >"$out/counts" || true

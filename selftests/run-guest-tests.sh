#!/bin/bash
# run-guest-tests.sh - one QEMU boot running a set of in-guest tests against
# the built modules, judged by ktap-count.sh.
#   --name NAME --out DIR --tests GLOB [--kmod NAME]... [--append ARGS]
#   [--timeout S] [--expect-panic REGEX] [--runner SCRIPT] [--hostprog NAME]...
#   [--extra-test FILE]... [--guest-kernel] [-- extra run-guest.sh args]
# --runner: a script taking run-guest.sh's arguments that boots instead of
#   it (e.g. selftests/agent-guest.sh: disks, savevm/loadvm); relative to the
#   repository.  --hostprog: a dynamically linked program of this machine
#   (e.g. socat) copied into the guest with the shared libraries ldd names.
# --extra-test: one more test file (relative to the repository) besides the
#   glob, e.g. the debug pass's kmemleak check after the boot's last test.
# --guest-kernel: the kernel image the guest boots is also in it, at
#   /boot/vmlinuz (for kexec -l).
# Writes DIR/console.log, DIR/results.ktap and DIR/counts ("P F S").
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
errtrap() { [ "$BASHPID" = "$$" ] && echo "run-guest-tests: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
top=$(cd "$(dirname "$0")/.." && pwd)
h=$top/selftests/harness
name="" out="" tests="" append="" tmo=900 expect_panic=""
kmods=()
runner=$h/run-guest.sh
hostprogs=() extra_tests=() guest_kernel=0
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--kmod) kmods+=(--kmod "$2"); shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--expect-panic) expect_panic=$2; shift 2 ;;
	--runner) runner=$top/$2; shift 2 ;;
	--hostprog) hostprogs+=("$2"); shift 2 ;;
	--extra-test) extra_tests+=("$top/$2"); shift 2 ;;
	--guest-kernel) guest_kernel=1; shift ;;
	--) shift; break ;;
	*) echo "run-guest-tests: unknown argument $1" >&2; exit 2 ;;
	esac
done
: "${KVER:?}" "${CACHE:?}"
mkdir -p "$out/tests"
rm -f "$out/tests/"*
# shellcheck disable=SC2086 # the glob is meant to expand here
cp $top/$tests ${extra_tests[@]+"${extra_tests[@]}"} "$out/tests/"

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

for p in ${hostprogs[@]+"${hostprogs[@]}"}; do
	path=$(command -v "$p") || { echo "run-guest-tests: no $p on this machine" >&2; exit 1; }
	kos+=(--add "$(readlink -f "$path"):/usr/bin/$p")
	for lib in $(ldd "$path" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		kos+=(--add "$(readlink -f "$lib"):$lib")
	done
done
# Every helper library (hv.sh, agent.sh, ...) under /lib/hypervive.
kos+=(--add "$top/selftests/guest/lib:/lib/hypervive")

# The kernel: Debian's image for KVER, or HYPERVIVE_KERNEL_IMAGE (see there).
kimg=$(bash "$h/kernel-cache.sh" "$KVER" "$CACHE")
[ "$guest_kernel" = 0 ] || kos+=(--add "$kimg/vmlinuz:/boot/vmlinuz")
bash "$h/mkinitramfs.sh" --kver "$KVER" --cache "$CACHE" --out "$out/initrd.cpio.gz" \
	"${kmods[@]}" "${kos[@]}" \
	--add "$top/selftests/guest/lib/hv.sh:/lib/hypervive/hv.sh" \
	--add "$out/tests:/tests" >"$out/mkinitramfs.log" 2>&1
t0=$(date +%s)
bash "$runner" --kernel "$kimg/vmlinuz" \
	--initrd "$out/initrd.cpio.gz" --out "$out" --timeout "$tmo" \
	--append "$append" "$@" >"$out/qemu.log" 2>&1 || true
echo "guest $name: $(($(date +%s) - t0)) s"
judge=(bash "$h/ktap-count.sh" --name "$name")
[ -z "$expect_panic" ] || judge+=(--expect-panic "$expect_panic")
"${judge[@]}" "$out/results.ktap" "$out/console.log" | tee "$out/judge.txt" || true
"${judge[@]}" --counts-only "$out/results.ktap" "$out/console.log" 2>/dev/null |
	tail -n1 >"$out/counts" || true

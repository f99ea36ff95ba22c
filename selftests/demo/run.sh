#!/bin/bash
# run.sh - `make demo`: the suite at work, from a fresh clone, as root.
#   1. installs the Debian packages it needs (first run only)
#   2. builds the three modules and the TLFS model for the newest headers
#   3. fetches Debian's kernel image for those headers into the cache
#   4. boots it in QEMU (TCG) with one ext4 disk; in the guest
#      (selftests/demo/guest-demo.sh): the model, hypervive_core,
#      hypervive_vmbus, hypervive-hostd and hypervive_agent over
#      vsock_loopback; a freeze, a query and a thaw through hostd
#   5. saves the VM (savevm) while frozen for a checkpoint and resumes it in
#      a new QEMU (-loadvm) with a new VM generation ID
#      (selftests/agent-guest.sh --restore)
#   6. prints the suite's dmesg lines, a summary of its sysfs tree and
#      hostd's event log
# Every step prints a progress line; the guest's own progress is shown as it
# happens.  Exit status 0 only if every check in the guest passed and the
# guest logged no panic, WARN or oops (the judge of `make check`).
# Logs: .demo/ (build, QEMU, consoles).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=$top/.demo
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
step() { printf '[%3ds] %s\n' $(($(date +%s) - start)) "$*"; }
die() { printf '[%3ds] demo: %s\n' $(($(date +%s) - start)) "$*" >&2; exit 1; }

step "checking for the Debian packages it needs (installs them on the first run)"
bash selftests/install-deps.sh --demo >"$out/deps.log" 2>&1 ||
	{ cat "$out/deps.log" >&2; die "could not install the packages above (run as root)"; }

eval "$(make -s --no-print-directory -f Makefile print-kver 2>/dev/null)"
[ -n "${KDIR:-}" ] || die "no kernel headers found: apt-get install linux-headers-amd64"
CACHE=${CACHE:-/var/cache/hypervive}
export KVER KDIR CACHE

step "building hypervive_{common,core,vmbus,agent}.ko and the TLFS model for $KVER"
make -s modules-test >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; die "the build failed (whole log: $out/build.log)"; }

step "fetching Debian's linux-image-$KVER for the guest (cached in $CACHE)"
bash selftests/harness/kernel-cache.sh "$KVER" "$CACHE" >/dev/null 2>"$out/kernel.log" ||
	{ cat "$out/kernel.log" >&2; die "could not fetch the kernel image"; }

# The guest's progress lines, as they reach the results port of either boot.
guest=$out/guest
(
	tail -n +1 -F "$guest/boot1/results.ktap" "$guest/boot2/results.ktap" 2>/dev/null |
		while IFS= read -r line; do
			case "$line" in
			"# demo: "*) step "guest: ${line#\# demo: }" ;;
			esac
		done
) &
watcher=$!
# shellcheck disable=SC2064 # the PID is known now
trap "kill $watcher 2>/dev/null; pkill -P $watcher 2>/dev/null" EXIT

step "booting the guest in QEMU (software emulation; about a minute)"
bash selftests/run-guest-tests.sh --name demo --out "$guest" \
	--tests selftests/demo/guest-demo.sh \
	--kmod vsock --kmod vmw_vsock_virtio_transport_common --kmod vsock_loopback \
	--kmod ext4 --kmod virtio_blk --kmod virtio_pci \
	--append hypervive.restore=1 --timeout 300 \
	--runner selftests/agent-guest.sh -- --ext4 1 --restore >"$out/run.log" 2>&1
sleep 1	# let the watcher print the last progress line
kill "$watcher" 2>/dev/null
pkill -P "$watcher" 2>/dev/null

# What the guest showed, in order, from both boots.
sed -n 's/^#| \{0,1\}//p' "$guest/results.ktap"

read -r passed failed skipped <"$guest/counts" 2>/dev/null || passed=0 failed=1 skipped=0
echo
if [ "${failed:-1}" = 0 ] && [ "${passed:-0}" -gt 0 ] && [ "${skipped:-0}" = 0 ]; then
	step "demo done: $passed checks passed in the guest, no panic, WARN or oops"
	exit 0
fi
cat "$guest/judge.txt" >&2 2>/dev/null
die "the demo failed: $passed passed, $failed failed, $skipped skipped; logs in $out (console.log, results.ktap, qemu.log)"

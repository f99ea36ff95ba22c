#!/bin/bash
# agent-guest.sh - boots the agent's test guests: a RUNNER of
# selftests/boots/*.boot (see run-guest-tests.sh --runner).  Takes
# run-guest.sh's arguments, plus:
#   --ext4 N     make N ext4 images (32 MiB, labels hvdisk1..N) with mkfs.ext4
#                in OUT and attach them as virtio disks (/dev/vda...).  Disk 1
#                holds nested.img, a 4 MiB ext4 image for a loop mount on top
#                of it (the reverse-mount-order test).
#   --restore    a real restore from a checkpoint, in two boots: the guest's
#                test prints "# hypervive-savevm" on the results port when it
#                is ready; we then `savevm` through the HMP monitor and quit,
#                and boot again with `-loadvm` and a vmgenid device with
#                another GUID (QEMU 7.2 cannot change the GUID of a running
#                VM; a restart is how an applied checkpoint looks from
#                inside).  savevm needs every writable disk in qcow2, so the
#                images are converted.  The results and console logs of both
#                boots are concatenated into OUT for the judge.
# Exit status: run-guest.sh's (of the last boot).
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
# shellcheck disable=SC2317 # called by the ERR trap
errtrap() { [ "$BASHPID" = "$$" ] && echo "agent-guest: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR
here=$(cd "$(dirname "$0")" && pwd)
rg=$here/harness/run-guest.sh

out="" ndisks=0 restore=0
pass=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=${2:?}; shift 2 ;;
	--ext4) ndisks=${2:?}; shift 2 ;;
	--restore) restore=1; shift ;;
	*) pass+=("$1"); shift ;;
	esac
done
[ -n "$out" ] || { echo "agent-guest: --out is required" >&2; exit 2; }
mkdir -p "$out"

# ---- disks -------------------------------------------------------------------
drives=()
fmt=raw
[ "$restore" = 0 ] || fmt=qcow2
for i in $(seq 1 "$ndisks"); do
	img=$out/disk$i.img
	rm -f "$img" "$out/disk$i.qcow2"
	truncate -s 32M "$img"
	if [ "$i" = 1 ]; then
		seed=$(mktemp -d "${TMPDIR:-/tmp}/hv-agent-disk.XXXXXX")
		truncate -s 4M "$seed/nested.img"
		mkfs.ext4 -q -F -L hvnested "$seed/nested.img"
		mkfs.ext4 -q -F -L "hvdisk$i" -d "$seed" "$img"
		rm -rf "$seed"
	else
		mkfs.ext4 -q -F -L "hvdisk$i" "$img"
	fi
	if [ "$fmt" = qcow2 ]; then
		qemu-img convert -q -f raw -O qcow2 "$img" "$out/disk$i.qcow2"
		rm -f "$img"
		img=$out/disk$i.qcow2
	fi
	drives+=(--drive "$img")
done

if [ "$restore" = 0 ]; then
	exec bash "$rg" --out "$out" ${drives[@]+"${drives[@]}"} "${pass[@]}"
fi

# ---- restore: boot, savevm, boot again from the snapshot ----------------------
# savevm needs a qcow2 disk even when the test has no other.
if [ "$ndisks" = 0 ]; then
	rm -f "$out/state.qcow2"
	qemu-img create -q -f qcow2 "$out/state.qcow2" 16M
	drives+=(--drive "$out/state.qcow2")
fi
guid1=$(cat /proc/sys/kernel/random/uuid)
guid2=$(cat /proc/sys/kernel/random/uuid)
mon=$out/monitor.sock
rm -rf "$out/boot1" "$out/boot2" "$mon"
rc=0

bash "$rg" --out "$out/boot1" "${drives[@]}" --monitor "$mon" \
	--qemu "-device vmgenid,guid=$guid1" "${pass[@]}" &
pid=$!
marker=0
while kill -0 "$pid" 2>/dev/null; do
	if grep -q '^# hypervive-savevm' "$out/boot1/results.ktap" 2>/dev/null; then
		marker=1
		break
	fi
	sleep 0.5
done
if [ "$marker" = 1 ]; then
	# HMP runs the commands one after the other: quit only after savevm.
	printf 'savevm hvagent\ninfo snapshots\nquit\n' |
		timeout 300 socat -t 300 - "UNIX-CONNECT:$mon" >"$out/hmp.log" 2>&1 || true
fi
wait "$pid" || rc=$?
if [ "$marker" = 1 ] && grep -q hvagent "$out/hmp.log"; then
	echo "agent-guest: snapshot taken (vmgenid $guid1); restoring with vmgenid $guid2" >&2
	rc=0
	bash "$rg" --out "$out/boot2" "${drives[@]}" \
		--qemu "-loadvm hvagent -device vmgenid,guid=$guid2" "${pass[@]}" || rc=$?
else
	echo "agent-guest: no snapshot taken (marker $marker); see $out/hmp.log" >&2
fi

# One results file and one console log for the judge.
: >"$out/results.ktap"
: >"$out/console.log"
for b in boot1 boot2; do
	[ -d "$out/$b" ] || continue
	cat "$out/$b/results.ktap" >>"$out/results.ktap" 2>/dev/null || true
	cat "$out/$b/console.log" >>"$out/console.log" 2>/dev/null || true
	cp "$out/$b/qemu.status" "$out/qemu.status" 2>/dev/null || true
done
exit "$rc"

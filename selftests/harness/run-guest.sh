#!/bin/bash
# run-guest.sh - boot one test guest under QEMU (TCG, no KVM needed).
#
# Serial ttyS0 (kernel console) goes to OUT/console.log, serial ttyS1 (the
# test results port written by guest-init.sh) to OUT/results.ktap.  The
# kernel runs with panic_on_warn/oops=panic and panic=-1 plus -no-reboot, so
# any WARN/oops ends the boot.  QEMU is killed after --timeout seconds.
# QEMU's exit code alone means little (a panicking guest exits 0 too): judge
# the boot with ktap-count.sh.  Exit status: QEMU's, or 124 on timeout.
set -euo pipefail
# set -e ends the script at the first failing command: name it (-E: in
# functions too; only this shell, not its subshells, reports).
set -E
# shellcheck disable=SC2317 # called by the ERR trap
errtrap() { [ "$BASHPID" = "$$" ] && echo "run-guest: failed (exit $1) at line $2: $3" >&2; }
trap 'errtrap $? $LINENO "$BASH_COMMAND"' ERR

usage() {
	cat <<EOF
Usage: $0 --kernel VMLINUZ --initrd CPIO --out DIR [--timeout SECONDS] [--smp N]
          [--mem MB] [--append "extra cmdline"] [--drive FILE[,format=qcow2][,opt=..]]...
          [--qemu "extra args"] [--monitor SOCKET] [--interactive]
  --timeout S     kill QEMU after S seconds (default 600); recorded in OUT/qemu.status
  --drive FILE,.. virtio disk; format defaults to qcow2 for *.qcow2, else raw
  --qemu ARGS     extra QEMU arguments, split on whitespace
  --monitor SOCK  HMP monitor on unix socket SOCK (server, nowait)
  --interactive   console on this terminal, no timeout (use with
                  --append hypervive.shell=1); results still go to OUT
Writes OUT/console.log, OUT/results.ktap, OUT/qemu.status.
EOF
}

kernel="" initrd="" out="" tmo=600 smp=2 mem=1024 append="" qemu_extra="" monitor=""
interactive=0
drives=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--append) [ -z "${2?}" ] || append="$append $2"; shift 2 ;;
	--drive) drives+=("${2:?}"); shift 2 ;;
	--qemu) qemu_extra="$qemu_extra ${2?}"; shift 2 ;;
	--monitor) monitor=${2:?}; shift 2 ;;
	--interactive) interactive=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run-guest: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$out" ]; then usage >&2; exit 2; fi
[ -r "$kernel" ] || { echo "run-guest: cannot read kernel $kernel" >&2; exit 2; }
[ -r "$initrd" ] || { echo "run-guest: cannot read initrd $initrd" >&2; exit 2; }

mkdir -p "$out"
rm -f "$out/console.log" "$out/results.ktap" "$out/qemu.status"
: >"$out/results.ktap"

cmdline="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic slub_debug=FZPU"
# hypervive.smp: the CPUs QEMU gives, for tests that check the kernel saw them.
cmdline="$cmdline hypervive.tests=/tests hypervive.smp=$smp${append}"

# HYPERVIVE_TCG_THREAD=single: all vCPUs on one host thread instead of one
# thread each (multi, the default).  The kernel matrix sets it for a kernel
# that trips QEMU's multi-threaded TCG (selftests/kernels/matrix, column tcg).
tcg_thread=${HYPERVIVE_TCG_THREAD:-multi}
case "$tcg_thread" in multi | single) ;; *) echo "run-guest: HYPERVIVE_TCG_THREAD is multi or single, not $tcg_thread" >&2; exit 2 ;; esac
# shellcheck disable=SC2054 # commas are QEMU option syntax
args=(-accel "tcg,thread=$tcg_thread" -cpu max -smp "$smp" -m "$mem" -nodefaults -nographic -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-chardev "file,id=results,path=$out/results.ktap"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ "$interactive" = 1 ]; then
	args=(-serial mon:stdio -serial chardev:results "${args[@]}")
else
	args=(-chardev "file,id=con,path=$out/console.log"
		-serial chardev:con -serial chardev:results "${args[@]}")
fi
if [ -n "$monitor" ]; then
	args+=(-monitor "unix:$monitor,server=on,wait=off")
fi
for d in ${drives[@]+"${drives[@]}"}; do
	file=${d%%,*}
	opts=""
	[ "$file" = "$d" ] || opts=",${d#*,}"
	case "$opts" in
	*,format=*) ;;
	*) case "$file" in *.qcow2) opts="$opts,format=qcow2" ;; *) opts="$opts,format=raw" ;; esac ;;
	esac
	args+=(-drive "file=$file,if=virtio$opts")
done
read -r -a extra <<<"$qemu_extra"
args+=(${extra[@]+"${extra[@]}"})

start=$(date +%s.%N)
rc=0
if [ "$interactive" = 1 ]; then
	qemu-system-x86_64 "${args[@]}" || rc=$?
else
	timeout --kill-after=5 "$tmo" qemu-system-x86_64 "${args[@]}" </dev/null \
		>"$out/qemu.stdout" 2>&1 || rc=$?
fi
elapsed=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')

timed_out=0
if [ "$interactive" = 0 ] && { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; }; then
	timed_out=1
	rc=124
	echo "run-guest: TIMEOUT: QEMU killed after $tmo s" >&2
fi
if [ -s "$out/qemu.stdout" ]; then sed 's/^/run-guest: qemu: /' "$out/qemu.stdout" >&2; fi
echo "qemu_exit=$rc elapsed=$elapsed timeout=$timed_out" >"$out/qemu.status"
note=""
[ "$timed_out" = 0 ] || note=" (timed out)"
echo "run-guest: qemu exit $rc, $elapsed s$note" >&2
exit "$rc"

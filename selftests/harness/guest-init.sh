#!/bin/sh
# guest-init.sh - /init of the test initramfs (busybox sh, PID 1).
#
# Mounts the pseudo filesystems, runs TESTS/setup.sh (if present) and then
# every executable file in TESTS (sorted; cmdline hypervive.tests=DIR, default
# /tests) with a per-test timeout (hypervive.timeout=SECONDS, default 300).
# Test output goes to the results port /dev/ttyS1 framed by
#   # hypervive-test: NAME   ...   # hypervive-exit: NAME CODE
# (CODE 124 = killed by the timeout, 4 = skipped), then `# hypervive-end`,
# and the guest powers off (or kexecs into a kernel a test loaded, below).  A one-line progress message per test goes to the
# console.  hypervive.shell=1 gives an interactive shell (after setup.sh)
# instead of running the tests.
# No `set -e`: if PID 1 exits the kernel panics, so errors are handled here.
set -u

# It mounts things and powers off: refuse to run anywhere but as a guest's PID 1.
if [ "${1:-}" = --help ] || [ "$$" != 1 ]; then
	echo "Usage: install as /init of a test initramfs (see mkinitramfs.sh);"
	echo "cmdline: hypervive.tests=DIR hypervive.timeout=SECONDS hypervive.shell=1"
	[ "${1:-}" = --help ]; exit
fi

export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts

tests=/tests tmo=300 shell=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	hypervive.tests=*) tests=${arg#*=} ;;
	hypervive.timeout=*) tmo=${arg#*=} ;;
	hypervive.shell=*) shell=${arg#*=} ;;
	esac
done

say() { echo "hypervive: $*" >/dev/console; }

# Results port: keep one fd open for the whole boot so the raw settings stay
# (no \r added to \n) and the final close/stty waits for the UART to drain.
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo

# run_one NAME CMD...: run with the per-test timeout in its own session so
# the whole process group can be killed; sets rc (124: timed out).
run_one() {
	name=$1; shift
	rm -f /tmp/.hv-timedout
	echo "# hypervive-test: $name" >&3
	setsid "$@" </dev/null >&3 2>&3 3>&- &
	pid=$!
	# shellcheck disable=SC2016 # expanded by the watchdog shell
	setsid sh -c 'sleep "$1"; touch /tmp/.hv-timedout
		kill -TERM -- "-$2" "$2" 2>/dev/null; sleep 2
		kill -KILL -- "-$2" "$2" 2>/dev/null' watchdog "$tmo" "$pid" 3>&- &
	wd=$!
	wait "$pid"
	rc=$?
	kill -KILL -- "-$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	[ -e /tmp/.hv-timedout ] && rc=124
	echo "# hypervive-exit: $name $rc" >&3
	return 0
}

cd "$tests" 2>/dev/null || say "test dir $tests missing"
if [ -f "$tests/setup.sh" ]; then
	say "setup.sh"
	# A child `sh -e` sources it: a failing step is recorded, init survives.
	# shellcheck disable=SC2016 # expanded by the child shell
	run_one setup.sh sh -ec '. "$1"' setup "$tests/setup.sh"
	say "setup.sh exit $rc"
fi

if [ "$shell" = 1 ]; then
	say "hypervive.shell=1: interactive shell; exit it to power off"
	setsid cttyhack sh -l
else
	for t in "$tests"/*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
		name=${t##*/}
		[ "$name" = setup.sh ] && continue
		say "run $name"
		start=$(cut -d. -f1 /proc/uptime)
		run_one "$name" "$t"
		say "$name exit $rc ($(( $(cut -d. -f1 /proc/uptime) - start )) s)"
	done
fi

# A test may end this kernel with a kexec into one it loaded (kexec -l):
# it leaves /run/hypervive-kexec, and the loaded kernel's init goes on
# writing to the same results port (selftests/guest/91-kexec-jump.sh).
if [ -e /run/hypervive-kexec ]; then
	echo "# hypervive-kexec" >&3
	stty -F /dev/ttyS1 raw
	sync
	say "kexec into the loaded kernel"
	kexec -e
	say "kexec -e failed ($?): this kernel ends here"
fi

echo "# hypervive-end" >&3
stty -F /dev/ttyS1 raw	# tcsetattr(TCSADRAIN): wait for the UART
exec 3>&-
sync
say "done, powering off"
poweroff -f
sleep 10	# not reached; never let PID 1 exit

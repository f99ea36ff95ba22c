# shellcheck shell=dash
# hv.sh - helpers for the in-guest tests of hypervive_core (busybox sh).
# Our modules are in $HV_KO; the TLFS model's controls are in debugfs.

HV_KO=${HV_KO:-/hypervive}
SIM=/sys/kernel/debug/hypervive_sim
CORE=/sys/kernel/hypervive/core
HC=/sys/kernel/debug/hypervive_test/hypercall

# A real Hyper-V guest: CPUID 0x40000001 says "Hv#1" to the real CPU.
hv_on_hyperv() {
	[ "$(hv-cpuid 0x40000001 | awk '{ print $5 }')" = "Hv#1" ]
}

# Tests that drive the TLFS model skip on a real Hyper-V guest, where the
# kernel's own Hyper-V drivers own the machine (kselftest: exit 4 = skip).
hv_require_model() {
	if hv_on_hyperv; then
		ktap_skip_all "real Hyper-V guest: this test needs the TLFS model"
	fi
	[ -e "$HV_KO/hypervive_sim.ko" ] || ktap_skip_all "the TLFS model hypervive_sim.ko is not built"
}

# Unload everything of ours, in dependency order; never fails.
hv_unload_all() {
	for m in hypervive_testmod hypervive_vmbus hypervive_fakevmbus hypervive_core \
		hypervive_sim hypervive_common; do
		grep -q "^$m " /proc/modules && rmmod "$m" 2>/dev/null
	done
	return 0
}

hv_loaded() { grep -q "^$1 " /proc/modules; }

# A debug kernel (make check-debug): kmemleak is there.  Its KASAN keeps
# freed objects in a quarantine, so memory counters say nothing about leaks
# there; kmemleak (99-debug-after-boot.sh) judges them instead.
hv_debug_kernel() { [ -e /sys/kernel/debug/kmemleak ]; }

# hv_load_sim [param=value ...]
hv_load_sim() {
	hv_loaded hypervive_common || hv-insmod "$HV_KO/hypervive_common.ko" || return 1
	hv-insmod "$HV_KO/hypervive_sim.ko" "$@"
}

# hv_load_core [param=value ...]; platform=sim unless given.
hv_load_core() {
	hv_loaded hypervive_common || hv-insmod "$HV_KO/hypervive_common.ko" || return 1
	case " $* " in
	*" platform="*) hv-insmod "$HV_KO/hypervive_core.ko" "$@" ;;
	*) hv-insmod "$HV_KO/hypervive_core.ko" platform=sim "$@" ;;
	esac
}

hv_load_testmod() { hv-insmod "$HV_KO/hypervive_testmod.ko"; }

# VMBus: hypervive_vmbus's sysfs, the model's SynIC and VMBus host.
VMB=/sys/kernel/hypervive/vmbus
SYN=$SIM/synic
HOST=$SIM/vmbus

# hv_load_vmbus [param=value ...]
hv_load_vmbus() { hv-insmod "$HV_KO/hypervive_vmbus.ko" "$@"; }

# vmb FILE: a file under /sys/kernel/hypervive/vmbus
vmb() { cat "$VMB/$1"; }

# syn_get CPU KEY: a line of the model's per-VP SynIC state
syn_get() { sed -n "s/^$2 //p" "$SYN/cpu$1"; }

# syn_cmd CMD: a guest-side command on the model's SynIC; prints the result
syn_cmd() { echo "$*" >"$SYN/cmd" && cat "$SYN/cmd"; }

# host_cmd FILE ARGS: a VMBus host command; prints its result
host_cmd() { f=$1; shift; echo "$*" >"$HOST/$f" && cat "$HOST/$f"; }

# field NAME "k=v k=v": the value of k
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# wait_for SECONDS CMD...: poll until CMD succeeds (0) or time runs out (1)
wait_for() {
	_t=$(( $1 * 10 ))
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

# kernel_at_least MAJ MIN: the running kernel (uname -r) is MAJ.MIN or later.
kernel_at_least() {
	_kv=$(uname -r)
	_kmaj=${_kv%%.*}
	_kv=${_kv#*.}
	_kmin=${_kv%%[!0-9]*}
	[ "$_kmaj" -gt "$1" ] || { [ "$_kmaj" -eq "$1" ] && [ "$_kmin" -ge "$2" ]; }
}

sim_get() { cat "$SIM/$1"; }
sim_set() { echo "$2" >"$SIM/$1"; }

# hc CMD: run a hypercall command through hypervive_testmod; prints result.
hc() {
	echo "$*" >"$HC" && cat "$HC"
}

# Field of an hc result: hc_field ret|status|reps|value "RESULT"
hc_field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# dmesg since the last dmesg_mark, for checking what a step logged.
dmesg_mark() { dmesg -c >/dev/null; }
dmesg_has() { dmesg | grep -q -- "$1"; }

# Hex arithmetic on 64-bit values (busybox sh has 64-bit $(( ))).
hex() { printf '0x%016x' "$1"; }

# Clocksources (reference time tests).
CS=/sys/devices/system/clocksource/clocksource0
# shellcheck disable=SC2034 # used by the tests
TSCP=$CORE/tsc_page
cs_current() { cat $CS/current_clocksource; }
cs_available() { grep -qw "$1" $CS/available_clocksource; }
# Any clocksource of ours registered (hypervive_tsc_page, hypervive_refcount)?
cs_ours() { grep -qE '(^| )hypervive_[a-z_]+( |$)' $CS/available_clocksource; }
# cs_select NAME: override the kernel's choice; cs_select "": back to the best rated.
cs_select() { echo "$1" >$CS/current_clocksource; }

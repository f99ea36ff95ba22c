#!/bin/sh
# kexec with the suite active: the kernel that follows must find nothing of
# ours enabled (hv_core/leave.c, hv_vmbus/leave.c).  This test sets it up
# and loads a second kernel; guest-init.sh jumps into it after the last
# test (/run/hypervive-kexec).  The model dies with this kernel, so it
# prints what is still enabled as the kernel shuts down
# (selftests/hv_sim/sim_power.c); selftests/boots/92-kexec-check.sh reads
# that from the console, and the second kernel runs the test written to
# /tests2 below.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model
command -v kexec >/dev/null || ktap_skip_all "no kexec in the guest (kexec-tools)"
[ -r /boot/vmlinuz ] || ktap_skip_all "no /boot/vmlinuz (KEXEC=1 in the .boot file)"
# The debug kernel is built without kexec (selftests/debug-kernel/).
[ -e /sys/kernel/kexec_loaded ] || ktap_skip_all "this kernel cannot kexec (no CONFIG_KEXEC_CORE)"

ktap_plan 7
hv_unload_all
hv_load_sim
hv_load_core mode=active
hv_load_vmbus
cs_select hypervive_tsc_page
ktap_expect_eq "hypervive_core is active" "$(cat "$CORE/effective_mode")" active
ktap_expect_eq "the hypercall page is enabled" $(($(sim_get msr/hypercall) & 1)) 1
ktap_expect_eq "the reference TSC page is enabled, our clocksource in use" \
	"$(($(sim_get tsc/msr) & 1)) $(cs_current)" "1 hypervive_tsc_page"
ktap_expect_eq "VMBus is connected" "$(vmb state)" connected
ktap_expect_eq "the SynIC of CPU 1 is on" "$(vmb cpus/cpu1/state)" on

# The second kernel's test: it booted, and the suite comes up on it.
mkdir -p /tests2
cat >/tests2/92-kexec-second.sh <<'EOS'
#!/bin/sh
# In the kernel kexec started: it booted and the suite loads and is active.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
ktap_plan 3
ktap_check "this is the kernel kexec started" grep -q 'hypervive\.kexec=second' /proc/cmdline
hv_load_sim
hv_load_core
ktap_expect_eq "hypervive_core comes up active" "$(cat "$CORE/effective_mode")" active
hv_load_vmbus
ktap_expect_eq "VMBus connects" "$(vmb state)" connected
hv_unload_all
EOS
chmod +x /tests2/92-kexec-second.sh

# Its initramfs: this root as it is now (the first one's cpio is not kept).
(cd / && find . -xdev ! -path ./boot/vmlinuz | cpio -o -H newc 2>/dev/null) >/tmp/second.cpio
args=$(sed 's/hypervive\.tests=[^ ]*//' /proc/cmdline)
# kexec_load, else kexec_file_load (a kernel may have only one of them).
load() { kexec -l "$@" || kexec -s -l "$@"; }
ktap_check "kexec loads the second kernel" load /boot/vmlinuz --initrd=/tmp/second.cpio \
	--append="$args hypervive.tests=/tests2 hypervive.kexec=second"
ktap_expect_eq "and the kernel says so" "$(cat /sys/kernel/kexec_loaded)" 1
touch /run/hypervive-kexec

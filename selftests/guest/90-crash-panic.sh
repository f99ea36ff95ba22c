#!/bin/sh
# Ends the boot: a real panic (sysrq 'c') with crash reporting armed and
# VMBus connected.  The
# harness expects this panic (EXPECT_PANIC in 90-crash.boot) and
# selftests/boots/90-crash-check.sh reads the model's record of P0-P4 and the
# message from the console afterwards; the marker below must be in it.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan 3
hv_unload_all
hv_load_sim
hv_load_core mode=active
# With the SynIC on: the panic puts this CPU's back (hv_vmbus/leave.c).
hv_load_vmbus
ktap_expect_eq "crash reporting armed" "$(cat $CORE/crash/armed)" 1
ktap_expect_eq "the model has seen no notification yet" "$(sim_get crash/notifications)" 0
marker="hvcrash-$(cut -c1-8 /proc/sys/kernel/random/uuid)"
echo "hypervive-crash-test: marker $marker" >/dev/kmsg
ktap_check "marker logged" dmesg_has "hypervive-crash-test: marker $marker"
ktap_diag "crash-marker: $marker"
# Let the results port drain before the machine stops (tcsetattr TCSADRAIN).
stty -F /dev/ttyS1 raw 2>/dev/null
sleep 1
echo c >/proc/sysrq-trigger
echo "not ok 4 still alive after sysrq-trigger c"
exit 1

# Allocation fault injection into hypervive_vmbus, against the model.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=faults-vmbus
TESTS='selftests/debug-kernel/guest/11-debug-faultinj-vmbus.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

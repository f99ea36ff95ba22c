# Allocation fault injection into the TLFS model.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=faults-sim
TESTS='selftests/debug-kernel/guest/13-debug-faultinj-sim.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

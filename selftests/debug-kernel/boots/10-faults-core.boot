# Allocation fault injection into hypervive_common, hypervive_core and the test client.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=faults-core
TESTS='selftests/debug-kernel/guest/10-debug-faultinj-core.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

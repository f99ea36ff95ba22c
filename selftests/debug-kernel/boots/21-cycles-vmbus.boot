# Load/unload cycles of hypervive_vmbus, connected to the model.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=cycles-vmbus
TESTS='selftests/debug-kernel/guest/21-debug-cycles-vmbus.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

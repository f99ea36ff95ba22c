# Load/unload cycles of hypervive_common and hypervive_core.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=cycles-core
TESTS='selftests/debug-kernel/guest/20-debug-cycles-core.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

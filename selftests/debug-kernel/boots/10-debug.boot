# The debug kernel's own tests (make check-debug only): allocation fault
# injection into every module's init, then 1,000 load/unload cycles of
# each module, each judged by kmemleak.  Same format as selftests/boots/.
NAME=faults-cycles
TESTS='selftests/debug-kernel/guest/[12][0-9]-debug-*.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback"
APPEND=""
EXPECT_PANIC=""
EXTRA=()

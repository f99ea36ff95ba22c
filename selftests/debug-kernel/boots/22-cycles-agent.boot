# Load/unload cycles of hypervive_agent, hostd over vsock_loopback.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=cycles-agent
TESTS='selftests/debug-kernel/guest/22-debug-cycles-agent.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback"
APPEND=""
EXPECT_PANIC=""
EXTRA=()

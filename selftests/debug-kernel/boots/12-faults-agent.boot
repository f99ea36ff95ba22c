# Allocation fault injection into hypervive_agent, hostd over vsock_loopback.
# Debug kernel only (make check-debug, make check); same format as
# selftests/boots/.
NAME=faults-agent
TESTS='selftests/debug-kernel/guest/12-debug-faultinj-agent.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback"
APPEND=""
EXPECT_PANIC=""
EXTRA=()

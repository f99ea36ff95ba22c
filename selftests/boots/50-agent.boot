# hypervive_agent and hypervive-hostd over vsock_loopback (cid=1), with four
# ext4 virtio disks made on the host by the runner, and socat from this
# machine.  RUNNER and HOSTPROGS: see selftests/run-guest-tests.sh.
NAME=agent
TESTS='selftests/guest/8[0-9]-agent-*.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback ext4 virtio_blk virtio_pci loop"
APPEND=""
EXPECT_PANIC=""
RUNNER=selftests/agent-guest.sh
HOSTPROGS="socat"
EXTRA=(--ext4 4)

# The demo's path (selftests/demo/run.sh) as a boot: the model, core, vmbus,
# hostd and the agent; a freeze, a query and a thaw; savevm while frozen and
# -loadvm with a new VM generation ID.  The kernel matrix boots it on rows
# whose `guest` is demo (selftests/kernels/matrix).
NAME=demo
TESTS='selftests/demo/guest-demo.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback ext4 virtio_blk virtio_pci"
APPEND="hypervive.restore=1"
EXPECT_PANIC=""
RUNNER=selftests/agent-guest.sh
HOSTPROGS=""
EXTRA=(--ext4 1 --restore)

# A real restore from a checkpoint: savevm in one QEMU, -loadvm with another
# vmgenid GUID in a second one (selftests/agent-guest.sh --restore).
NAME=agent-restore
TESTS='selftests/guest/90-agent-restore.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback ext4 virtio_blk virtio_pci"
APPEND="hypervive.restore=1"
EXPECT_PANIC=""
RUNNER=selftests/agent-guest.sh
HOSTPROGS=""
EXTRA=(--ext4 1 --restore)

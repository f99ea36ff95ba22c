# The documentation check: 95-docs-sysfs.sh loads the model and the three
# modules in their full configuration (VMBus connected with offers, the
# agent connected to hypervive-hostd over vsock_loopback) and lists every
# file under /sys/kernel/hypervive and /sys/module/hypervive_*/parameters
# with its mode; CHECK compares that list with docs/ABI/ and the README.
NAME=docs
TESTS='selftests/guest/95-docs-*.sh'
KMODS="vsock vmw_vsock_virtio_transport_common vsock_loopback"
APPEND=""
EXPECT_PANIC=""
CHECK=selftests/boots/95-docs-check.sh
EXTRA=()

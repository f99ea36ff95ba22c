# One QEMU boot of the hypervive_vmbus tests (SynIC model, VMBus host,
# hotplug of cpu1 with -smp 2): sourced by selftests/check.sh.
NAME=vmbus
TESTS='selftests/guest/[0-9]*-vmbus-*.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=(--smp 2)

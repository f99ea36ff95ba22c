# Reference time: the TSC-page clocksource against the TLFS model.
# tsc=reliable: QEMU TCG's CPU is an AMD without constant_tsc, so with two
# CPUs the kernel assumes unsynchronized TSCs and drops the tsc clocksource.
# TCG derives every vCPU's TSC from one monotonic host counter, so they are
# in sync; the tests compare our clock with tsc and switch between them.
NAME=tsc
TESTS='selftests/guest/[0-9]*-tsc-*.sh'
KMODS=""
APPEND="tsc=reliable"
EXPECT_PANIC=""
EXTRA=()

# Guest crash reporting, ending with a deliberate panic (90-crash-panic.sh).
# EXPECT_PANIC: that panic is the expected end of this boot; any other
# panic, or a problem logged before it, still fails.  CHECK: a host-side
# script run by check.sh after the boot; it finds the model's record of
# P0-P4 and the crash message on the console.
NAME=crash
TESTS='selftests/guest/[0-9]*-crash-*.sh'
KMODS=""
APPEND=""
EXPECT_PANIC='sysrq triggered crash'
CHECK=selftests/boots/90-crash-check.sh
EXTRA=()

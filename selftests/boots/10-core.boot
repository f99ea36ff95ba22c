# One QEMU boot of the in-guest tests: sourced by selftests/check.sh.
# NAME: label; TESTS: glob under the repo; KMODS: kernel modules from the
# image (with dependencies); APPEND: extra kernel cmdline; EXPECT_PANIC:
# regex of a deliberate panic that ends the boot; EXTRA: run-guest.sh args.
NAME=core
TESTS='selftests/guest/[0-9]*-core-*.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
EXTRA=()

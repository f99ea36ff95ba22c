# kexec with the suite active (selftests/guest/91-kexec-jump.sh): the first
# kernel loads a second and guest-init.sh jumps into it after the tests; the
# second runs the test the first wrote (KEXEC=1: the kernel image goes into
# the guest, and no other test runs after the jump's).  CHECK: a host-side script run by
# check.sh after the boot; it reads the model's shutdown report (what was
# still enabled as the first kernel went) and the second kernel's boot.
NAME=kexec
TESTS='selftests/guest/[0-9]*-kexec-*.sh'
KMODS=""
APPEND=""
EXPECT_PANIC=""
CHECK=selftests/boots/92-kexec-check.sh
HOSTPROGS="kexec"
KEXEC=1
EXTRA=(--smp 2)

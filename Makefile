# SPDX-License-Identifier: GPL-2.0
# HyperVive Guest.  This Makefile is for people and for dkms; kbuild reads
# Kbuild.  It never tests KERNELRELEASE to decide what it is: dkms passes
# KERNELRELEASE=<version> on the command line, which breaks that idiom.
#
#   make                  build the modules for KVER (default: running kernel,
#                         else the newest /lib/modules/*/build)
#   make demo             the suite at work in a QEMU guest (a minute or two)
#   make check            install what is missing, build, unit tests, QEMU tests,
#                         then the debug-kernel pass (about fifty minutes)
#   make check-quick      build, unit tests, gates, the QEMU boots (no matrix,
#                         demo or debug pass; about ten minutes)
#   make check-debug      the QEMU tests on a debug kernel (KASAN, lockdep, ...)
#   make check-kernels    the kernel matrix: build against every Debian kernel
#                         of selftests/kernels/matrix (W=1 -Werror, objtool, sparse)
#   make unit             user-space unit tests only
#   make bench            benchmarks (selftests/bench/*.sh), figures printed
#   make clean

KVER ?= $(or $(KERNELRELEASE),$(shell uname -r))
ifeq ($(KDIR),)
  ifneq ($(wildcard /lib/modules/$(KVER)/build),)
    KDIR := /lib/modules/$(KVER)/build
  else
    KDIR := $(lastword $(sort $(wildcard /lib/modules/*/build)))
    ifneq ($(KDIR),)
      KVER := $(notdir $(patsubst %/build,%,$(KDIR)))
      $(shell echo "hypervive: no headers for the running kernel; building for $(KVER) ($(KDIR))" >&2)
    endif
  endif
endif
CACHE ?= /var/cache/hypervive
export KVER KDIR CACHE

KBUILD_ARGS := -C $(KDIR) M=$(CURDIR)

.PHONY: all modules modules-test unit demo check check-quick check-debug check-kernels bench clean print-kver

all: modules

modules:
	@test -n "$(KDIR)" || { echo "hypervive: no kernel headers found: apt-get install linux-headers-amd64" >&2; exit 1; }
	$(MAKE) $(KBUILD_ARGS) modules

# The modules plus the TLFS model and test client, warnings as errors.
modules-test:
	$(MAKE) $(KBUILD_ARGS) W=1 KCFLAGS=-Werror HYPERVIVE_SELFTESTS=1 modules

unit:
	$(MAKE) -C selftests/unit run

demo:
	bash selftests/demo/run.sh

check:
	bash selftests/check.sh

# For iterating: build, unit tests, gates and the boots on Debian's kernel.
check-quick:
	HYPERVIVE_CHECK_QUICK=1 bash selftests/check.sh

# The in-guest tests, fault injection and load/unload cycles on a kernel with
# KASAN, lockdep, kmemleak and UBSAN (built once, cached; selftests/debug-kernel/).
check-debug:
	bash selftests/debug-kernel/check-debug.sh

# The kernel matrix alone (selftests/kernels/): each Debian suite's kernel
# fetched into CACHE (never installed), the modules built against it.
check-kernels:
	bash selftests/kernels/check-kernels.sh "$(CACHE)" "$(CURDIR)/.check/kernels"

bench: modules-test
	bash selftests/bench.sh

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) $(KBUILD_ARGS) HYPERVIVE_SELFTESTS=1 clean; fi
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/guest/bin clean
	rm -rf .check .check-debug .demo

# For scripts: the KVER/KDIR this Makefile resolved, as shell assignments.
print-kver:
	@echo "KVER='$(KVER)' KDIR='$(KDIR)'"

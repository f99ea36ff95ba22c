# shellcheck shell=bash
# vars.sh - the debug kernel's location, for check-debug.sh and check.sh
# (sourced).

# debug_kernel_vars CACHE LOG: build the debug kernel (or find it in CACHE)
# with build.sh, its messages to LOG; then set DEBUG_KVER, DEBUG_KDIR and
# DEBUG_IMAGE and return 0, or leave them empty, say why on stderr and
# return 1.  build.sh's stdout is that one assignment; anything else (make's
# "Entering directory" lines under `make -C DIR check` once were) is
# refused, never evaluated.  DEBUG_KERNEL_BUILD names another build.sh (the
# harness self-test's stubs).
debug_kernel_vars() {
	local build=${DEBUG_KERNEL_BUILD:-$(dirname "${BASH_SOURCE[0]}")/build.sh} vars
	# shellcheck disable=SC2034 # the caller's variables
	DEBUG_KVER="" DEBUG_KDIR="" DEBUG_IMAGE=""
	if ! vars=$(bash "$build" "$1" 2>"$2"); then
		echo "debug kernel: $build failed (its messages: $2)" >&2
		return 1
	fi
	if [[ ! $vars =~ ^DEBUG_KVER=[0-9][^[:space:]]*\ DEBUG_KDIR=/[^[:space:]]+\ DEBUG_IMAGE=/[^[:space:]]+$ ]]; then
		echo "debug kernel: $build said something other than DEBUG_KVER=... DEBUG_KDIR=... DEBUG_IMAGE=...: $vars" >&2
		return 1
	fi
	eval "$vars"
}

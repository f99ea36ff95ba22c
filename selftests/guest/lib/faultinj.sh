# shellcheck shell=dash
# faultinj.sh - allocation fault injection aimed at one module's code, through
# hypervive_faultinj.ko (the debug kernel's tests; busybox sh).  Source after
# ktap.sh, hv.sh and kmemleak.sh.

FI=/sys/module/hypervive_faultinj/parameters
FI_MAX=${FI_MAX:-3000}

# How many allocations of each call path a run counts: kernel option
# hypervive.fi_per_site=K (check-debug.sh passes HYPERVIVE_DEBUG_FI_PER_SITE;
# make check sweeps with 2), else 0: every allocation.
FI_PER_SITE=0
# shellcheck disable=SC2013 # one line of words
for _arg in $(cat /proc/cmdline); do
	case "$_arg" in hypervive.fi_per_site=*) FI_PER_SITE=${_arg#*=} ;; esac
done

# fi_setup: load hypervive_faultinj (it fails allocations itself, through
# the kernel's failslab and fail_page_alloc hooks, without their debugfs
# settings: nothing to configure there).
fi_setup() {
	[ -e "$HV_KO/hypervive_faultinj.ko" ] || ktap_skip_all "hypervive_faultinj.ko not built (no CONFIG_FAULT_INJECTION)"
	kml_available || ktap_skip_all "no kmemleak in this kernel"
	hv_loaded hypervive_faultinj || hv-insmod "$HV_KO/hypervive_faultinj.ko"
	echo 0 >$FI/nth && echo "$FI_PER_SITE" >$FI/per_site
}

# fi_sweep MODULE ARGS WORKS GONE: load MODULE (file $HV_KO/MODULE.ko, with
# ARGS) and use it (WORKS) with the Nth allocation its code makes failing,
# in any context, for N = 1, 2, ... until a run reaches no Nth allocation.
# After each run: a load that failed returned a negative errno and left no
# module; a load that succeeded passes WORKS (which may accept a degraded
# state the module reported, e.g. a counted drop) and unloads; either way
# GONE (nothing of MODULE left) holds.  One KTAP result, diagnostics with
# where each failure was injected when FI_VERBOSE=1; FI_POINTS is set to the
# number of allocations reached.  With FI_PER_SITE=K only the first K of
# each call path in the module count (hypervive_faultinj.c says why).
fi_sweep() {
	_m=$1 _args=$2 _works=$3 _gone=$4
	_n=1 _bad="" FI_POINTS="" _t0=$(cut -d. -f1 /proc/uptime)
	echo "$_m" >$FI/target
	read -r _missed0 <$FI/missed
	# Each step a shell builtin where it can be (read, echo, test): at TCG
	# with KASAN a fork costs about as much as the module load itself.
	while [ "$_n" -le "$FI_MAX" ]; do
		read -r _inits <$FI/inits
		echo "$_n" >$FI/nth
		# shellcheck disable=SC2086 # ARGS are separate parameters
		if hv-insmod "$HV_KO/$_m.ko" $_args 2>/dev/null; then
			_ok=1
			$_works || _bad="$_bad N=$_n: loaded but does not work;"
		else
			_ok=0
		fi
		echo 0 >$FI/nth
		read -r _inj <$FI/injected
		read -r _ret <$FI/init_ret
		read -r _site <$FI/site
		read -r _inits2 <$FI/inits
		[ "${FI_VERBOSE:-0}" = 0 ] || ktap_diag "N=$_n ok=$_ok init=$_ret at $_site"
		if [ "$_inits2" = "$_inits" ]; then
			_bad="N=$_n: init was never called"; break
		fi
		if [ "$_ok" = 1 ]; then
			rmmod "$_m" || { _bad="$_bad N=$_n: rmmod failed"; break; }
		else
			[ "$_ret" -lt 0 ] && [ "$_ret" -ge -4095 ] ||
				_bad="$_bad N=$_n: load failed but init returned $_ret ($_site);"
			[ ! -e "/sys/module/$_m" ] || { _bad="$_bad N=$_n: failed load left the module"; break; }
		fi
		$_gone || _bad="$_bad N=$_n: something of $_m left after it was gone ($_site);"
		if [ "$_inj" != 1 ]; then
			[ "$_ok" = 1 ] || _bad="$_bad N=$_n: nothing injected, yet the load failed ($_ret);"
			FI_POINTS=$((_n - 1))
			break
		fi
		_n=$((_n + 1))
	done
	[ -n "$FI_POINTS" ] || [ -n "$_bad" ] || _bad="still injecting at N=$FI_MAX"
	# An allocation that interrupts the probe of another on the same CPU is
	# not looked at (the kprobes rule against recursion): a few in a sweep
	# mean one of its points may have been skipped, not that one was wrong.
	read -r _missed <$FI/missed
	_which="each of its $FI_POINTS allocations"
	if [ "$FI_PER_SITE" != 0 ]; then
		read -r _paths <$FI/paths
		[ -z "$FI_POINTS" ] || [ "$FI_POINTS" -le $((FI_PER_SITE * _paths)) ] ||
			_bad="$_bad $FI_POINTS points, more than $FI_PER_SITE for each of $_paths call paths;"
		_which="each of its $FI_POINTS allocations (the first $FI_PER_SITE of each of $_paths call paths)"
	fi
	ktap_diag "$_m: $((_n - 1)) allocation points, $(( $(cut -d. -f1 /proc/uptime) - _t0 )) s, $((_missed - _missed0)) allocations not looked at (nested in a probe)"
	if [ -z "$_bad" ]; then
		ktap_ok "$_m: fails cleanly at $_which, then loads and works"
	else
		ktap_fail "$_m: fails cleanly at each allocation" "$_bad"
	fi
}

# A predicate helper for WORKS and GONE, without a fork.
# fi_is FILE VALUE: FILE's first line is VALUE.
fi_is() { read -r _fi_v <"$1" && [ "$_fi_v" = "$2" ]; }

# fi_leaks MODULE: one KTAP result: kmemleak finds nothing of ours.
fi_leaks() { kml_expect_none "$1: kmemleak finds nothing of ours after the sweep"; }

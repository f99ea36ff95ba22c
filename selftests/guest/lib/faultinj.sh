# shellcheck shell=dash
# faultinj.sh - allocation fault injection into one module's init, through
# hypervive_faultinj.ko (the debug kernel's tests; busybox sh).  Source after
# ktap.sh, hv.sh and kmemleak.sh.

FI=/sys/module/hypervive_faultinj/parameters
FI_MAX=${FI_MAX:-3000}

# fi_setup: load hypervive_faultinj and make failslab and fail_page_alloc
# count every allocation: by default they skip the ones that may sleep
# (GFP_KERNEL, nearly all of ours) and order-0 pages, and print a stack
# for each failure they inject (the console judge would fail on it).
fi_setup() {
	[ -e "$HV_KO/hypervive_faultinj.ko" ] || ktap_skip_all "hypervive_faultinj.ko not built (no CONFIG_FAULT_INJECTION)"
	kml_available || ktap_skip_all "no kmemleak in this kernel"
	for a in failslab fail_page_alloc; do
		echo N >"/sys/kernel/debug/$a/ignore-gfp-wait" || return 1
		echo 0 >"/sys/kernel/debug/$a/verbose" || return 1
	done
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order || return 1
	hv_loaded hypervive_faultinj || hv-insmod "$HV_KO/hypervive_faultinj.ko"
}

# fi_sweep MODULE ARGS WORKS GONE: load MODULE (file $HV_KO/MODULE.ko, with
# ARGS) with the Nth allocation of its init failing, for N = 1, 2, ... until
# a load reaches no Nth allocation.  After each attempt: a load that failed
# returned a negative errno and left no module; a load that succeeded passes
# WORKS and unloads; either way GONE (nothing of MODULE left) holds.  One
# KTAP result; FI_POINTS is set to the number of allocations init makes.
fi_sweep() {
	_m=$1 _args=$2 _works=$3 _gone=$4
	_n=1 _bad="" FI_POINTS=""
	while [ "$_n" -le "$FI_MAX" ]; do
		_armed=$(cat $FI/armed)
		echo "$_m" >$FI/target
		echo "$_n" >$FI/nth
		# shellcheck disable=SC2086 # ARGS are separate parameters
		if hv-insmod "$HV_KO/$_m.ko" $_args 2>/dev/null; then _ok=1; else _ok=0; fi
		echo 0 >$FI/nth
		_inj=$(cat $FI/injected) _ret=$(cat $FI/init_ret)
		if [ "$(cat $FI/armed)" = "$_armed" ]; then
			_bad="N=$_n: the fault was never armed (init not called?)"; break
		fi
		if [ "$_ok" = 1 ]; then
			$_works || _bad="$_bad N=$_n: loaded (init returned $_ret) but does not work;"
			rmmod "$_m" || { _bad="$_bad N=$_n: rmmod failed"; break; }
		else
			[ "$_ret" -lt 0 ] && [ "$_ret" -ge -4095 ] ||
				_bad="$_bad N=$_n: load failed but init returned $_ret;"
			! hv_loaded "$_m" || { _bad="$_bad N=$_n: failed load left the module"; break; }
		fi
		$_gone || _bad="$_bad N=$_n: something of $_m left after it was gone;"
		if [ "$_inj" != 1 ]; then
			[ "$_ok" = 1 ] || _bad="$_bad N=$_n: nothing injected, yet the load failed ($_ret);"
			FI_POINTS=$((_n - 1))
			break
		fi
		_n=$((_n + 1))
	done
	[ -n "$FI_POINTS" ] || [ -n "$_bad" ] || _bad="still injecting at N=$FI_MAX"
	if [ -z "$_bad" ]; then
		ktap_ok "$_m: fails cleanly at each of its $FI_POINTS init allocations, then loads and works"
	else
		ktap_fail "$_m: fails cleanly at each init allocation" "$_bad"
	fi
}

# fi_leaks MODULE: one KTAP result: kmemleak finds nothing of ours.
fi_leaks() { kml_expect_none "$1: kmemleak finds nothing of ours after the sweep"; }

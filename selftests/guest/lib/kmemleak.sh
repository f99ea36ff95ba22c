# shellcheck shell=dash
# kmemleak.sh - kmemleak helpers for the debug kernel's tests (busybox sh).
# The debug kernel scans only when asked (DEBUG_KMEMLEAK_AUTO_SCAN=n), so a
# report always belongs to the scan a test requested.

KMEMLEAK=/sys/kernel/debug/kmemleak

kml_available() { [ -w "$KMEMLEAK" ]; }

# kml_scan: an object is reported once it is older than 5 s and was found
# unreferenced; two scans, as Documentation/dev-tools/kmemleak.rst advises,
# so a pointer only hidden for a moment (in a register, a per-CPU list)
# during the first one does not count.
kml_scan() {
	sleep 6
	echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"
}

# kml_clear: forget what is reported now (the kernel's own boot-time leaks),
# so the next report is only what happened since.
kml_clear() { echo clear >"$KMEMLEAK"; }

# kml_ours: print the reported objects allocated by one of our modules: a
# backtrace frame in hypervive_*, or a bare address (a frame in a module
# that is no longer loaded: every module of ours is unloaded by then).
kml_ours() {
	awk '
	/^unreferenced object/ { if (hit) print blk; blk = $0; hit = 0; next }
	{ blk = blk "\n" $0 }
	/\[hypervive_[a-z_]+\]|\] 0x[0-9a-f]+$/ { hit = 1 }
	END { if (hit) print blk }' "$KMEMLEAK"
}

# kml_count: how many objects kmemleak reports in all.
kml_count() { grep -c '^unreferenced object' "$KMEMLEAK"; }

# kml_expect_none DESCRIPTION: scan, then one KTAP result: nothing reported
# is ours; on failure the first objects follow as diagnostics.
kml_expect_none() {
	kml_scan
	_kml_ours=$(kml_ours)
	if [ -z "$_kml_ours" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
		printf '%s\n' "$_kml_ours" | head -n 60 | sed 's/^/# /'
	fi
}

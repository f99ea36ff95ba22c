#!/bin/sh
# Debug kernel only: 1,000 load/unload cycles (kernel option
# hypervive.cycles=N) of hypervive_agent with hypervive-hostd listening over
# vsock_loopback: every tenth waits until it is connected, the others unload
# while it connects; then kmemleak finds nothing of ours.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/cycles.sh"
kml_available || ktap_skip_all "no kmemleak in this kernel"
ag_vsock || ktap_skip_all "no vsock_loopback"

ktap_plan 3
hv_unload_all
ag_unload
hostd_start || ktap_fail "hostd starts"
hv-insmod "$HV_KO/hypervive_common.ko"
cycles_run hypervive_agent -c "$AG/state" -w "$AG/state=open" -k 10 \
	-- cid=1 reconnect_min_ms=100 reconnect_max_ms=1000
started=$(ev_lines 4200 | wc -l)
ktap_check "hostd logged AgentStarted (4200) at least once per waited cycle ($started)" \
	[ "$started" -ge $((CYCLES / 10)) ]
hostd_stop
hv_unload_all
cycles_leaks hypervive_agent
ktap_done

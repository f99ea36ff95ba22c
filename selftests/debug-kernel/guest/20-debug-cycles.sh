#!/bin/sh
# Debug kernel only: N load/unload cycles (kernel option hypervive.cycles=N,
# default 1,000) each of hypervive_core (on the
# model), hypervive_vmbus (connected to the model's VMBus host, nine
# channels) and hypervive_agent (hostd listening: some cycles connect, some
# unload mid-connect), then kmemleak finds nothing of ours.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
hv_require_model
kml_available || ktap_skip_all "no kmemleak in this kernel"
N=1000
for arg in $(cat /proc/cmdline); do
	case "$arg" in hypervive.cycles=*) N=${arg#*=} ;; esac
done

# cycles COUNT LOAD CHECK MODULE: COUNT times LOAD, CHECK, rmmod MODULE.
cycles() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		$2 || { echo "cycle $_i: load failed"; return 1; }
		$3 || { echo "cycle $_i: loaded but does not work"; return 1; }
		rmmod "$4" || { echo "cycle $_i: rmmod failed"; return 1; }
		_i=$((_i + 1))
	done
}

leaks() { kml_expect_none "$1: kmemleak finds nothing of ours after $N cycles"; }

core_load() { hv_load_core mode=active; }
core_check() { cat $CORE/hypervisor/vendor >/dev/null; }
vmbus_check() { [ "$(cat $VMB/channel_count)" = 9 ]; }
agent_load() { ag_load; }
agent_check() { [ -r "$AG/state" ]; }

ktap_plan 7
hv_unload_all
ag_unload
hv_load_sim
t0=$(cut -d. -f1 /proc/uptime)
ktap_check "hypervive_core: $N load/unload cycles" cycles $N core_load core_check hypervive_core
ktap_diag "hypervive_core: $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
leaks hypervive_core

core_load
u0=$(cat $HOST/unloads)
t0=$(cut -d. -f1 /proc/uptime)
ktap_check "hypervive_vmbus: $N load/unload cycles" cycles $N hv_load_vmbus vmbus_check hypervive_vmbus
ktap_diag "hypervive_vmbus: $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
ktap_expect_eq "the model's host saw an UNLOAD for every cycle" \
	"$(( $(cat $HOST/unloads) - u0 ))" "$N"
hv_unload_all
leaks hypervive_vmbus

ag_vsock || ktap_fail "vsock_loopback"
hostd_start || ktap_fail "hostd starts"
t0=$(cut -d. -f1 /proc/uptime)
ktap_check "hypervive_agent: $N load/unload cycles" cycles $N agent_load agent_check hypervive_agent
ktap_diag "hypervive_agent: $(( $(cut -d. -f1 /proc/uptime) - t0 )) s, hostd saw $(ctl list 2>/dev/null | wc -l) guests"
hostd_stop
hv_unload_all
leaks hypervive_agent
ktap_done

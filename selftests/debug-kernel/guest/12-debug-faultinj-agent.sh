#!/bin/sh
# Debug kernel only: the Nth allocation made by hypervive_agent's code fails
# (in its init or its thread: the socket, the HELLO, the first heartbeat),
# for every N it reaches, with hypervive-hostd listening through
# vsock_loopback; each load fails cleanly (an errno, no module, no sysfs, no
# kernel thread left) or connects to hostd (after a failed connect, by its
# reconnect), and kmemleak finds nothing afterwards.
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
. "${HV_LIB:-/lib/hypervive}/agent.sh"
. "${HV_LIB:-/lib/hypervive}/kmemleak.sh"
. "${HV_LIB:-/lib/hypervive}/faultinj.sh"
fi_setup || ktap_fail "fault injection set up"
ag_vsock || ktap_skip_all "no vsock_loopback"

agent_works() { wait_for 30 ag_open; }
agent_gone() { [ ! -e "$AG" ] && ! ag_pid >/dev/null; }

ktap_plan 2
hv_unload_all
ag_unload
hostd_start || ktap_fail "hostd starts"
hv-insmod "$HV_KO/hypervive_common.ko"
fi_sweep hypervive_agent "cid=1 reconnect_min_ms=100 reconnect_max_ms=1000" agent_works agent_gone
hostd_stop
hv_unload_all
fi_leaks hypervive_agent
ktap_done

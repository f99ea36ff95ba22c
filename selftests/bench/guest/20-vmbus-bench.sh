#!/bin/sh
# In-guest half of selftests/bench/20-vmbus.sh: messages per second through
# the SynIC path (model host -> SIM slot -> hypervive_vmbus), interrupt vs
# polling, and the handler's cost per message.  Prints "# bench ..." lines.
. /lib/hypervive/ktap.sh
. /lib/hypervive/hv.sh

N=$(sed -n 's/.*hypervive\.bench_n=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-20000}
ktap_plan 1
hv_unload_all
hv_load_sim
hv_load_core
ctr() { cat "$VMB/counters/$1"; }

# run LABEL VP HOSTCPU: one storm of N probe messages to VP, posted by the
# model's host from a task pinned to HOSTCPU; figures on one line
run() {
	m0=$(ctr messages)
	h0=$(ctr handler_ns)
	i0=$(ctr interrupts)
	p0=$(ctr polls)
	e0=$(ctr eoms)
	io0=$(ctr probe_in_order)
	taskset -c "$3" sh -c "echo '$N $2' >$HOST/storm"
	r=$(cat $HOST/storm)
	ns=$(field ns "$r")
	m=$(( $(ctr messages) - m0 ))
	h=$(( $(ctr handler_ns) - h0 ))
	echo "# bench $1 vp=$2 host_cpu=$3 n=$N sent=$(field sent "$r") in_order=$(( $(ctr probe_in_order) - io0 )) ns=$ns msgs_per_s=$(( N * 1000000000 / ns )) handler_ns_per_msg=$(( h / m )) interrupts=$(( $(ctr interrupts) - i0 )) polls=$(( $(ctr polls) - p0 )) eoms=$(( $(ctr eoms) - e0 ))"
}

# The guest's CPU 0 takes the messages; the host posts from CPU 1 (the
# interrupt is an IPI) or from CPU 0 itself (a self-IPI, the host and the
# guest's handler share the CPU).
hv_load_vmbus
for _ in 1 2 3; do run interrupt 0 1; done
for _ in 1 2 3; do run interrupt_samecpu 0 0; done
rmmod hypervive_vmbus
for ms in 1 10; do
	hv_load_vmbus delivery=poll poll_ms=$ms
	for _ in 1 2 3; do run "poll_${ms}ms" 0 1; done
	rmmod hypervive_vmbus
done
hv_unload_all
ktap_ok "benchmark ran"
ktap_done

# shellcheck shell=dash
# agent.sh - helpers for the in-guest tests of hypervive_agent (busybox sh).
# The agent talks to a host peer in the same guest through vsock_loopback
# (cid=1): hypervive-hostd, hv-fakehost or socat.  Source after hv.sh.

# shellcheck disable=SC2034 # used by the tests that source this
AG=/sys/kernel/hypervive/agent
# shellcheck disable=SC2034
AG_PARAM=/sys/module/hypervive_agent/parameters
HOSTD_LOG=/tmp/hostd.log
HOSTD_CTL=/run/hostd.sock
HOSTD_PID=""
RAISE=/sys/kernel/debug/hypervive_agent/raise

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	_wf_n=$(($1 * 10))
	shift
	while [ "$_wf_n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
	return 1
}

ag_vsock() {
	for m in vsock vmw_vsock_virtio_transport_common vsock_loopback; do
		grep -q "^$m " /proc/modules || modprobe "$m" || return 1
	done
}

# ag_load [param=value ...]: cid=1 and quick reconnects unless given.
ag_load() {
	hv_loaded hypervive_common || hv-insmod "$HV_KO/hypervive_common.ko" || return 1
	hv-insmod "$HV_KO/hypervive_agent.ko" cid=1 reconnect_min_ms=100 \
		reconnect_max_ms=1000 "$@"
}

ag_unload() { rmmod hypervive_agent 2>/dev/null; return 0; }
ag_get() { cat "$AG/$1"; }
ag_cnt() { cat "$AG/counters/$1"; }
ag_open() { [ "$(cat "$AG/state" 2>/dev/null)" = open ]; }
ag_queue_empty() { [ "$(cat "$AG/queue")" = 0 ]; }
ag_raise() { echo "$*" >"$RAISE"; }

# The agent's kernel thread.
ag_pid() {
	for c in /proc/[0-9]*/comm; do
		# read, not $(cat): no fork per process (0.2 s each on the debug kernel)
		read -r _comm 2>/dev/null <"$c" && [ "$_comm" = hypervive_agent ] &&
			{ c=${c%/comm}; echo "${c#/proc/}"; return 0; }
	done
	return 1
}

# hostd_start [options]: hypervive-hostd on vsock port 2761, text log.
hostd_start() {
	hypervive-hostd --listen vsock --control "$HOSTD_CTL" "$@" >>"$HOSTD_LOG" 2>&1 &
	HOSTD_PID=$!
	wait_for 10 [ -S "$HOSTD_CTL" ] && wait_for 10 ctl list >/dev/null
}

# hostd_stop [SIGNAL]
hostd_stop() {
	[ -n "$HOSTD_PID" ] || return 0
	kill "-${1:-TERM}" "$HOSTD_PID" 2>/dev/null
	wait "$HOSTD_PID" 2>/dev/null
	HOSTD_PID=""
	return 0
}

ctl() { hypervive-hostd ctl --control "$HOSTD_CTL" "$@"; }

# How hostd names this guest: its boot ID.
me() { cat /proc/sys/kernel/random/boot_id; }

# Lines of hostd's log with event ID $1 (text format: TIME LEVEL ID NAME ...).
ev_lines() { grep -E "^[^ ]+ [A-Za-z]+ $1 " "$HOSTD_LOG"; }
ev_count() { ev_lines "$1" | wc -l; }
ev_has() { ev_lines "$1" | grep -q -- "$2"; }

# disks_ready N: the virtio disk driver and ext4 loaded, /dev/vdN there
# (no udev in the guest: nothing loads drivers by itself).
disks_ready() {
	for m in virtio_pci virtio_blk ext4; do
		grep -q "^$m " /proc/modules || modprobe "$m" 2>/dev/null
	done
	wait_for 10 [ -b "/dev/vd$(echo "$1" | tr 1-9 a-i)" ]
}

# An ext4 disk mounted at /mnt/dN (the runner attaches /dev/vda...).
disk_mount() {
	mkdir -p "/mnt/d$1"
	grep -q " /mnt/d$1 " /proc/mounts || mount -t ext4 "/dev/vd$(echo "$1" | tr 1-9 a-i)" "/mnt/d$1"
}

# A writer that blocks while /mnt/dN is frozen: writes, then syncs the file.
writer_start() {
	rm -f "/tmp/writer$1.done"
	(dd if=/dev/zero of="/mnt/d$1/w.$$" bs=4k count=8 conv=fsync 2>/dev/null &&
		touch "/tmp/writer$1.done") &
	# shellcheck disable=SC2034 # for the tests
	WRITER_PID=$!
}
writer_done() { [ -e "/tmp/writer$1.done" ]; }

# Checksum of what is on the disk itself, bypassing the page cache.
disk_sum() { dd if="/dev/vd$(echo "$1" | tr 1-9 a-i)" bs=1M iflag=direct 2>/dev/null | sha1sum | cut -d' ' -f1; }

# Checks on a command's output: the first line, any line, a count of lines.
first_has() { echo "$1" | head -n1 | grep -Eq -- "$2"; }
has_line() { echo "$1" | grep -Eq -- "$2"; }
count_lines() { echo "$1" | grep -Ec -- "$2"; }
# The major:minor of /dev/vdN's disk.
disk_dev() { cat "/sys/block/vd$(echo "$1" | tr 1-9 a-i)/dev"; }

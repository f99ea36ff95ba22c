#!/bin/sh
# Version negotiation on every version the host may accept, the connection
# IDs of linux/hyperv.h, failures that must leave nothing behind, the
# timeouts, and coexistence (modes, another SynIC owner, the kernel's own
# hv_vmbus).
. "${HV_LIB:-/lib/hypervive}/ktap.sh"
. "${HV_LIB:-/lib/hypervive}/hv.sh"
hv_require_model

ktap_plan $((65 + 7 * 2 + 5))
hv_unload_all
hv_load_sim
hv_load_core

# synic_reset: every CPU's SynIC as at creation (nothing left behind)
synic_reset() {
	for c in 0 1; do
		[ "$(syn_get $c scontrol) $(syn_get $c simp) $(syn_get $c siefp) $(syn_get $c sint2)" = \
		  "$(hex 0) $(hex 0) $(hex 0) $(hex 0x10000)" ] || return 1
	done
}

# --- each version alone: the guest walks down its list to it ---
# A host below 5.0 has no connection 4: the guest's 5.x contacts fail there
# with HV_STATUS_INVALID_CONNECTION_ID, which means "try an older version"
# (drivers/hv/connection.c vmbus_post_msg()), not "fail".
GUEST_VERSIONS="0x50003 0x50002 0x50001 0x50000 0x40001 0x40000 0x30000 0x20004"
i=0
for v in $GUEST_VERSIONS; do
	echo "$v" >$HOST/versions
	conn=$((0x100 + i))
	echo $conn >$HOST/msg_conn_id
	r0=$(cat $HOST/contacts_refused)
	n0=$(cat $HOST/no_conn4)
	u0=$(cat $HOST/unloads)
	name="$((v >> 16)).$((v & 0xffff))"
	if ! hv_load_vmbus; then
		ktap_fail "VMBus $name: load"
		ktap_skip "VMBus $name: details" "not loaded"
		ktap_skip "VMBus $name: unload" "not loaded"
		i=$((i + 1))
		continue
	fi
	if [ $((v)) -ge $((0x50000)) ]; then
		want_c=4; want_m=$(printf '0x%x' $conn); want_r=$i; want_n=0
	else
		want_c=1; want_m=0x1; want_r=$((i - 4)); want_n=4
	fi
	ktap_expect_eq "VMBus $name: negotiated after $want_r refusals and $want_n contacts on a connection 4 the host lacks" \
		"$(vmb version) $(( $(cat $HOST/contacts_refused) - r0 )) $(( $(cat $HOST/no_conn4) - n0 ))" \
		"$name $want_r $want_n"
	ktap_expect_eq "VMBus $name: INITIATE_CONTACT on $want_c, messages on $want_m, as the host saw" \
		"$(vmb contact_conn_id) $(vmb msg_conn_id) $(sed -n 's/^contact_conn_id //p;s/^request_conn_id //p' $HOST/state | tr '\n' ' ')" \
		"$want_c $want_m $(printf '0x%x' $want_c) $want_m "
	rmmod hypervive_vmbus
	if [ $((v)) -ge $((0x30000)) ]; then want_u=1; else want_u=0; fi
	ktap_expect_eq "VMBus $name: UNLOAD on removal: $want_u (none before 3.0)" \
		"$(( $(cat $HOST/unloads) - u0 ))" $want_u
	i=$((i + 1))
done
echo 0x2a >$HOST/msg_conn_id
ktap_expect_eq "no host protocol errors, no message on a wrong connection" \
	"$(cat $HOST/protocol_errors) $(cat $HOST/wrong_conn)" "0 0"

# --- one host per Windows release: it speaks its newest version and every
# older one (the names are linux/hyperv.h's VERSION_*).  Expected: the
# newest in common, each newer proposal refused (by the host, or as
# INVALID_CONNECTION_ID on connection 4 where the host is older than 5.0),
# UNLOAD answered from 3.0 on and not sent below.
for rel in "0x20004 WIN8 (Windows 8, Server 2012)" \
	   "0x30000 WIN8_1 (Windows 8.1, Server 2012 R2)" \
	   "0x40000 WIN10 (Windows 10, Server 2016)" \
	   "0x40001 WIN10_V4_1" "0x50000 WIN10_V5" "0x50002 WIN10_V5_2" "0x50003 WIN10_V5_3"; do
	newest=${rel%% *}
	label=${rel#* }
	list="" want_r=0 want_n=0
	for g in $GUEST_VERSIONS; do
		if [ $((g)) -le $((newest)) ]; then
			list="$list $g"
		elif [ $((g)) -ge $((0x50000)) ] && [ $((newest)) -lt $((0x50000)) ]; then
			want_n=$((want_n + 1))
		else
			want_r=$((want_r + 1))
		fi
	done
	echo "$list" >$HOST/versions
	r0=$(cat $HOST/contacts_refused) n0=$(cat $HOST/no_conn4)
	u0=$(cat $HOST/unloads) k0=$(cat $HOST/unknown)
	name="$((newest >> 16)).$((newest & 0xffff))"
	dmesg_mark
	if ! hv_load_vmbus unload_timeout_ms=2000; then
		ktap_fail "$label host: loads"
		ktap_skip "$label host: unload" "not loaded"
		continue
	fi
	ktap_expect_eq "$label host: $name after $want_r refusals, $want_n on the missing connection 4" \
		"$(vmb version) $(( $(cat $HOST/contacts_refused) - r0 )) $(( $(cat $HOST/no_conn4) - n0 ))" \
		"$name $want_r $want_n"
	rmmod hypervive_vmbus
	if [ $((newest)) -ge $((0x30000)) ]; then want_u=1; else want_u=0; fi
	ktap_expect_eq "$label host: $want_u UNLOAD, no unknown message, no UNLOAD timeout" \
		"$(( $(cat $HOST/unloads) - u0 )) $(( $(cat $HOST/unknown) - k0 )) $(dmesg_has 'no UNLOAD_RESPONSE' && echo timeout)" \
		"$want_u 0 "
done
echo "$GUEST_VERSIONS" >$HOST/versions

# Header-only messages (ALLOFFERS_DELIVERED, UNLOAD_RESPONSE) sent with just
# their 4-byte type: the kernel's channel_message_table takes them at any
# payload size (min_payload_len 0).
echo 4 >$HOST/header_len
dmesg_mark
ktap_check "header-only messages of 4 bytes: loads" hv_load_vmbus unload_timeout_ms=2000
ktap_expect_eq "ALLOFFERS_DELIVERED of 4 bytes completes the offers, nothing dropped" \
	"$(vmb offers_complete) $(cat $VMB/counters/drops_short)" "1 0"
rmmod hypervive_vmbus
ktap_check "UNLOAD_RESPONSE of 4 bytes ends the unload at once" sh -c \
	". /lib/hypervive/hv.sh; ! dmesg_has 'no UNLOAD_RESPONSE'"
echo 8 >$HOST/header_len

# HV_STATUS_INVALID_CONNECTION_ID on any other message is transient (the
# kernel's vmbus_post_msg(): "We could get this if we send messages too
# frequently") and retried: here REQUESTOFFERS, the load's second post.
sim_set fail_hypercall_status 0x12
sim_set fail_hypercall_nth 2
ktap_check "REQUESTOFFERS refused once with INVALID_CONNECTION_ID: loads" hv_load_vmbus
ktap_expect_eq "retried: offers complete, no post failure" \
	"$(vmb offers_complete) $(cat $VMB/counters/post_failures)" "1 0"
rmmod hypervive_vmbus
sim_set fail_hypercall_nth 0
sim_set fail_hypercall_status 0

echo "0x50003 0x50002 0x50001 0x50000 0x40001 0x40000 0x30000 0x20004" >$HOST/versions
ktap_check "max_version=0x40001 caps the proposal" hv_load_vmbus max_version=0x40001
ktap_expect_eq "4.1 on connection 1" "$(vmb version) $(vmb contact_conn_id)" "4.1 1"
rmmod hypervive_vmbus
dmesg_mark
if hv_load_vmbus max_version=0x10001 2>/dev/null; then
	ktap_fail "max_version below 2.4 is refused"
	rmmod hypervive_vmbus
else
	ktap_ok "max_version below 2.4 is refused"
fi
ktap_check "and says why" dmesg_has "max_version=0x10001: expected 0x20004 (2.4, the oldest version spoken) or above"

# --- no version in common: the load fails and leaves nothing ---
echo 0x10001 >$HOST/versions
dmesg_mark
if hv_load_vmbus 2>/dev/null; then
	ktap_fail "no version in common: the load fails"
	rmmod hypervive_vmbus
else
	ktap_ok "no version in common: the load fails"
fi
ktap_check "one line says what was tried" \
	dmesg_has "no VMBus version in common with the host: tried 5.3 5.2 5.1 5.0 4.1 4.0 3.0 2.4"
ktap_check "every CPU's SynIC is back to reset" synic_reset
ktap_expect_eq "no sysfs left, host not connected" \
	"$( [ -e $VMB ] && echo left) $(sed -n 's/^connected //p' $HOST/state)" " 0"
echo "0x50003 0x50002" >$HOST/versions
ktap_check "a later load connects" hv_load_vmbus
rmmod hypervive_vmbus

# --- the host does not answer ---
echo 0 >$HOST/answer_contact
dmesg_mark
if hv_load_vmbus connect_timeout_ms=300 2>/dev/null; then
	ktap_fail "no VERSION_RESPONSE: the load fails after the timeout"
	rmmod hypervive_vmbus
else
	ktap_ok "no VERSION_RESPONSE: the load fails after the timeout"
fi
ktap_check "and says so" dmesg_has "no VERSION_RESPONSE to INITIATE_CONTACT 5.3 on connection 4 within 300 ms"
ktap_check "nothing left behind" synic_reset
echo 1 >$HOST/answer_contact

echo 0 >$HOST/send_alloffers
dmesg_mark
ktap_check "no ALLOFFERS_DELIVERED: loads after the timeout" \
	hv_load_vmbus offers_timeout_ms=300 unload_timeout_ms=400
ktap_expect_eq "offers_complete 0, the offers made are listed" \
	"$(vmb offers_complete) $(vmb channel_count)" "0 9"
ktap_check "a warning says the list may be incomplete" dmesg_has "no ALLOFFERS_DELIVERED within 300 ms"
echo 1 >$HOST/send_alloffers
echo 0 >$HOST/answer_unload
u0=$(cat $HOST/unloads)
dmesg_mark
ktap_check "no UNLOAD_RESPONSE: unload still completes" rmmod hypervive_vmbus
ktap_check "after the timeout, with a line" dmesg_has "no UNLOAD_RESPONSE within 400 ms: unloading anyway"
ktap_expect_eq "the host got the UNLOAD" "$(cat $HOST/unloads)" $((u0 + 1))
ktap_check "SynIC torn down" synic_reset
echo 1 >$HOST/answer_unload

ktap_check "unload_timeout_ms is a runtime parameter" hv_load_vmbus unload_timeout_ms=200
echo 0 >$HOST/answer_unload
echo 150 >/sys/module/hypervive_vmbus/parameters/unload_timeout_ms
dmesg_mark
rmmod hypervive_vmbus
ktap_check "changed at run time to 150 ms" dmesg_has "no UNLOAD_RESPONSE within 150 ms"
echo 1 >$HOST/answer_unload
if hv_load_vmbus connect_timeout_ms=5 2>/dev/null; then
	ktap_fail "connect_timeout_ms=5 (below 10) is refused"
	rmmod hypervive_vmbus
else
	ktap_ok "connect_timeout_ms=5 (below 10) is refused"
fi

# --- modes ---
rmmod hypervive_core
hv_load_core mode=observe
w0=$(sim_get msr_writes)
h0=$(sim_get hypercalls)
ktap_check "observe: loads" hv_load_vmbus
ktap_expect_eq "observe, because core observes" \
	"$(vmb effective_mode)|$(vmb observe_reason)|$(vmb delivery)" "observe|hypervive_core observes|none"
ktap_expect_eq "the SynIC registers are readable" "$(vmb cpus/cpu1/scontrol)" "$(hex 0)"
rmmod hypervive_vmbus
ktap_expect_eq "observe wrote no MSR and made no hypercall" \
	"$(sim_get msr_writes) $(sim_get hypercalls)" "$w0 $h0"
rmmod hypervive_core
rmmod hypervive_sim

# Another owner (Linux's hv_vmbus) enabled the SynIC; the hypercall page is free.
hv_load_sim synic_owned=1
hv_load_core
before="$(syn_get 0 scontrol) $(syn_get 0 simp) $(syn_get 1 simp) $(syn_get 0 sint2)"
ktap_check "SynIC owned: auto loads" hv_load_vmbus
ktap_expect_eq "and observes, saying why" "$(vmb effective_mode)|$(vmb observe_reason)" \
	"observe|the SynIC of CPU 0 is already enabled by another owner (SCONTROL 0x1, SIMP $(printf '0x%x' "$(syn_get 0 simp)"))"
ktap_expect_eq "sysfs shows the other owner's SIMP" "$(vmb cpus/cpu0/simp)" "$(syn_get 0 simp)"
rmmod hypervive_vmbus
rmmod hypervive_core
hv_load_core mode=active
w0=$(sim_get msr_writes)
dmesg_mark
if hv_load_vmbus 2>/dev/null; then
	ktap_fail "SynIC owned, mode=active: refused"
	rmmod hypervive_vmbus
else
	ktap_ok "SynIC owned, mode=active: refused"
fi
ktap_check "with one line" \
	dmesg_has "hypervive_vmbus: mode=active refused: the SynIC of CPU 0 is already enabled by another owner"
ktap_expect_eq "the other owner's SynIC is untouched, nothing written" \
	"$(syn_get 0 scontrol) $(syn_get 0 simp) $(syn_get 1 simp) $(syn_get 0 sint2) $(( $(sim_get msr_writes) - w0 ))" \
	"$before 0"
rmmod hypervive_core
rmmod hypervive_sim

# The kernel's hv_vmbus is loaded (a stand-in exporting its symbol), where
# it is a module.  Where VMBus is built into the kernel (sid's 7.2) there is
# no stand-in: its symbols are always there, but it started only if the
# kernel found Hyper-V at boot (vmbus_drv.c's init returns -ENODEV unless
# hv_is_hyperv_initialized()), which under the model it did not, so it owns
# nothing and hypervive_vmbus goes active.
if [ -e "$HV_KO/hypervive_fakevmbus.ko" ]; then
	hv_load_sim
	hv_load_core mode=active
	hv-insmod "$HV_KO/hypervive_fakevmbus.ko"
	dmesg_mark
	if hv_load_vmbus 2>/dev/null; then
		ktap_fail "hv_vmbus loaded, mode=active: refused"
		rmmod hypervive_vmbus
	else
		ktap_ok "hv_vmbus loaded, mode=active: refused"
	fi
	ktap_check "with one line" dmesg_has "mode=active refused: the kernel's hv_vmbus is loaded"
	ktap_check "hv_vmbus was probed, not pinned" rmmod hypervive_fakevmbus
	hv-insmod "$HV_KO/hypervive_fakevmbus.ko"
	rmmod hypervive_core
	hv_load_core
	ktap_check "hv_vmbus loaded, auto: loads" hv_load_vmbus
	ktap_expect_eq "and observes" "$(vmb effective_mode)|$(vmb observe_reason)" \
		"observe|the kernel's hv_vmbus is loaded"
	ktap_expect_eq "no SynIC enabled" "$(syn_get 0 scontrol) $(syn_get 1 scontrol)" "$(hex 0) $(hex 0)"
	rmmod hypervive_vmbus
	rmmod hypervive_fakevmbus
	rmmod hypervive_core
	rmmod hypervive_sim
else
	ktap_check "VMBus is built into this kernel (vmbus_driver_unregister in vmlinux)" \
		grep -qE ' vmbus_driver_unregister$' /proc/kallsyms
	ktap_check "and did not start (no /sys/bus/vmbus)" test ! -e /sys/bus/vmbus
	hv_load_sim
	hv_load_core mode=active
	ktap_check "built-in VMBus that did not start, mode=active: loads" hv_load_vmbus
	ktap_expect_eq "and is active" "$(vmb effective_mode)" active
	rmmod hypervive_vmbus
	rmmod hypervive_core
	hv_load_core
	ktap_check "auto: loads" hv_load_vmbus
	ktap_expect_eq "and is active" "$(vmb effective_mode)" active
	rmmod hypervive_vmbus
	rmmod hypervive_core
	rmmod hypervive_sim
fi

# No AccessSynicRegs privilege (CPUID 0x40000003 EAX bit 2).
hv_load_sim priv_eax=0x2e7b
hv_load_core
ktap_check "without the SynIC privilege: loads" hv_load_vmbus
ktap_expect_eq "observes, saying why; registers unavailable" \
	"$(vmb effective_mode)|$(vmb observe_reason)|$(vmb cpus/cpu0/scontrol)" \
	"observe|the partition lacks the AccessSynicRegs privilege|unavailable"
hv_unload_all
ktap_done

// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls as the TLFS "Hypercall Interface" defines them: the control
 * word checks, the alignment rules for memory parameters, rep calls with
 * continuation, and a few calls with their own status codes:
 *   0x0003 HvCallFlushVirtualAddressList (rep)
 *   0x0013 HvCallFlushVirtualAddressSpaceEx (simple, variable header)
 *   0x0014 HvCallFlushVirtualAddressListEx (rep, variable header)
 *   0x0008 HvCallNotifyLongSpinWait      (simple, fast or memory)
 *   0x005C HvCallPostMessage             (simple, memory)
 *   0x005D HvCallSignalEvent             (simple, fast)
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/mshyperv.h>
#include "sim.h"
#include "sim_vmbus.h"

#define HC_CODE(c)		((c) & 0xffff)
#define HC_IS_FAST(c)		((c) & HV_HYPERCALL_FAST_BIT)
#define HC_VARHEAD(c)		(((c) & HV_HYPERCALL_VARHEAD_MASK) >> 17)
#define HC_REP_COUNT(c)		(((c) & HV_HYPERCALL_REP_COMP_MASK) >> 32)
#define HC_REP_START(c)		(((c) & HV_HYPERCALL_REP_START_MASK) >> 48)
/* Bit 31 (nested) is not reserved, but no nested hypervisor is modelled. */
#define HC_RSVD_MASK		(GENMASK_ULL(30, 27) | GENMASK_ULL(47, 44) | \
				 GENMASK_ULL(63, 60))

/*
 * Connection IDs are the VMBus host's (sim_vmbus_host.c): messages on 1,
 * 4 (on a host that speaks 5.0) and the ID it returned; events on VMBUS_EVENT_CONNECTION_ID (2, not
 * 1: drivers/hv/hyperv_vmbus.h) and on the offered channels' IDs.
 */

#define FLUSH_HDR_SIZE		24	/* address space, flags, processor mask */
/* address space, flags, HV_VP_SET's format and valid_bank_mask; then banks */
#define FLUSH_EX_HDR		32
/* connection ID, reserved, message type, payload size; then the payload */
#define POST_MSG_SIZE		(16 + HV_MESSAGE_PAYLOAD_BYTE_COUNT)
#define FLUSH_FLAGS_KNOWN	GENMASK_ULL(3, 0)

enum hc_kind { HC_SIMPLE, HC_REP };

struct hc_def {
	u16 code;
	enum hc_kind kind;
	bool fast_ok, slow_ok;
	u32 in_fixed;		/* bytes of input header (its fixed part) */
	u32 in_elem;		/* bytes per rep input element */
	/*
	 * TLFS "Variable Sized Hypercall Input Headers": only calls
	 * documented so may have a variable header size in the control word.
	 */
	bool varhead_ok;
};

static const struct hc_def hc_defs[] = {
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, HC_REP, false, true, FLUSH_HDR_SIZE, 8, false },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HC_SIMPLE, false, true, FLUSH_EX_HDR, 0, true },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, HC_REP, false, true, FLUSH_EX_HDR, 8, true },
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, HC_SIMPLE, true, true, 8, 0, false },
	{ HVCALL_POST_MESSAGE, HC_SIMPLE, false, true, POST_MSG_SIZE, 0, false },
	{ HVCALL_SIGNAL_EVENT, HC_SIMPLE, true, false, 8, 0, false },
};

static u64 result(u16 status, u32 reps)
{
	return status | (u64)reps << HV_HYPERCALL_REP_COMP_OFFSET;
}

static const struct hc_def *find_def(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hc_defs); i++)
		if (hc_defs[i].code == code)
			return &hc_defs[i];
	return NULL;
}

/* TLFS "Alignment Requirements": 8-byte aligned, in RAM, within one page. */
static void *map_gpa(u64 gpa, u32 size, u16 *status)
{
	if (gpa & 7 || (gpa & ~HV_HYP_PAGE_MASK) + size > HV_HYP_PAGE_SIZE ||
	    !pfn_valid(gpa >> PAGE_SHIFT)) {
		*status = HV_STATUS_INVALID_ALIGNMENT;
		return NULL;
	}
	return phys_to_virt(gpa);
}

static bool has_priv_ebx(u32 bit)
{
	return sim_cfg.priv_ebx & bit;
}

static u16 post_message(const u8 *in)
{
	u32 conn, type, size;

	if (!has_priv_ebx(HV_POST_MESSAGES))
		return HV_STATUS_ACCESS_DENIED;
	memcpy(&conn, in, 4);
	memcpy(&type, in + 8, 4);
	memcpy(&size, in + 12, 4);
	if (!sim_host_msg_conn_valid(conn))
		return HV_STATUS_INVALID_CONNECTION_ID;
	/* Types with bit 31 set belong to the hypervisor; 0 is "none". */
	if (!type || type & BIT(31) || size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	if (!READ_ONCE(sim.post_buffers))
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	atomic64_inc(&sim.posted_messages);
	return sim_host_post(conn, type, in + 16, size);
}

static u16 signal_event(u64 input)
{
	u32 conn = input & 0xffffffff;
	u64 rsvd = input & GENMASK_ULL(63, 48);
	u16 status;

	if (!has_priv_ebx(HV_SIGNAL_EVENTS))
		return HV_STATUS_ACCESS_DENIED;
	if (rsvd)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	status = sim_host_signal(conn);
	if (status)
		return status;
	atomic64_inc(&sim.signalled_events);
	return HV_STATUS_SUCCESS;
}

static u64 flush_list(u64 control, const u8 *in)
{
	u32 count = HC_REP_COUNT(control), start = HC_REP_START(control);
	u32 batch = READ_ONCE(sim.rep_batch), done = start;
	u64 flags;

	memcpy(&flags, in + 8, 8);
	if (flags & ~FLUSH_FLAGS_KNOWN)
		return result(HV_STATUS_INVALID_PARAMETER, start);
	if (HC_CODE(control) != HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST) {
		u64 banks;

		/*
		 * The variable header is the HV_VP_SET's bank contents, one
		 * qword per bit of valid_bank_mask; KVM refuses any other size
		 * (arch/x86/kvm/hyperv.c kvm_hv_flush_tlb(): hc->var_cnt !=
		 * hweight64(valid_bank_mask)), and so does the model.
		 */
		memcpy(&banks, in + 24, 8);
		if (HC_VARHEAD(control) != hweight64(banks))
			return result(HV_STATUS_INVALID_HYPERCALL_INPUT, start);
		atomic64_add(HC_VARHEAD(control), &sim.varhead_qwords);
	}
	/* Continuation: stop after @batch reps, the caller resumes. */
	while (done < count && (!batch || done - start < batch))
		done++;
	atomic64_add(done - start, &sim.flushed_gvas);
	return result(HV_STATUS_SUCCESS, done);
}

/* Checks shared by both conventions; 0 when the call may proceed. */
static u16 check_control(u64 control, const struct hc_def *def, bool fast)
{
	if (!def)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (control & HC_RSVD_MASK || (HC_VARHEAD(control) && !def->varhead_ok))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (fast ? !def->fast_ok : !def->slow_ok)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (def->kind == HC_SIMPLE &&
	    (HC_REP_COUNT(control) || HC_REP_START(control)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (def->kind == HC_REP &&
	    (!HC_REP_COUNT(control) || HC_REP_START(control) >= HC_REP_COUNT(control)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/* Before any decoding: page enabled, and the injected failure. */
static bool entry(u64 *res)
{
	atomic64_inc(&sim.hypercalls);
	if (!(READ_ONCE(sim.hypercall) & SIM_HC_ENABLE)) {
		/* A real guest would have called into a page that isn't there. */
		atomic64_inc(&sim.hypercalls_no_page);
		*res = result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
		return false;
	}
	if (sim_fault_due(&sim.fail_hypercall_nth)) {
		*res = result(READ_ONCE(sim.fail_hypercall_status), 0);
		return false;
	}
	return true;
}

static u64 dispatch_slow(u64 control, const struct hc_def *def, u64 input_gpa)
{
	u16 status;
	u32 in_size;
	void *in;

	status = check_control(control, def, false);
	if (status)
		return result(status, 0);
	/* TLFS: rep elements follow the whole header, fixed and variable. */
	in_size = def->in_fixed + 8 * HC_VARHEAD(control) +
		  def->in_elem * HC_REP_COUNT(control);
	in = map_gpa(input_gpa, in_size, &status);
	if (!in)
		return result(status, HC_REP_START(control));

	switch (def->code) {
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST:
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX:
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX:	/* a list of 0 */
		return flush_list(control, in);
	case HVCALL_NOTIFY_LONG_SPIN_WAIT:
		atomic64_inc(&sim.spin_waits);
		return result(HV_STATUS_SUCCESS, 0);
	case HVCALL_POST_MESSAGE:
		return result(post_message(in), 0);
	}
	return result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
}

static u64 dispatch_fast(u64 control, const struct hc_def *def, u64 input1)
{
	u16 status;

	status = check_control(control & ~HV_HYPERCALL_FAST_BIT, def, true);
	if (status)
		return result(status, 0);
	switch (def->code) {
	case HVCALL_NOTIFY_LONG_SPIN_WAIT:
		atomic64_inc(&sim.spin_waits);
		return result(HV_STATUS_SUCCESS, 0);
	case HVCALL_SIGNAL_EVENT:
		return result(signal_event(input1), 0);
	}
	return result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
}

/* The register convention: RCX control, RDX and R8 the two parameters. */
static u64 dispatch(u64 control, u64 rdx, u64 r8)
{
	const struct hc_def *def = find_def(HC_CODE(control));
	u64 res;

	if (!entry(&res))
		return res;
	if (HC_IS_FAST(control))
		return dispatch_fast(control, def, rdx);
	return dispatch_slow(control, def, rdx);
}

u64 sim_hypercall(u64 control, u64 input_gpa, u64 output_gpa)
{
	return dispatch(control, input_gpa, output_gpa);
}

/* Like the native op, the fast entry sets the Fast bit itself. */
u64 sim_hypercall_fast(u64 control, u64 input1, u64 input2)
{
	return dispatch(control | HV_HYPERCALL_FAST_BIT, input1, input2);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic MSRs with their TLFS rules:
 * - an MSR whose privilege bit (CPUID 0x40000003) is clear faults (#GP);
 * - read-only MSRs fault on write, unknown synthetic MSRs fault;
 * - the hypercall page stays disabled while the guest OS ID is zero, and
 *   zeroing the ID disables it;
 * - RsvdP bits of the hypercall MSR keep their value: a write that changes
 *   them is counted as a guest bug (rsvd_violations);
 * - a locked hypercall MSR is immutable: writes are ignored;
 * - the TSC invariant control takes bit 0 only and, once set, cannot be
 *   cleared by the guest (KVM, arch/x86/kvm/hyperv.c kvm_hv_set_msr_pw();
 *   its privilege, AccessTscInvariantControls, from hv_check_msr_access()).
 * A fault is reported as -EIO, the way rdmsrq_safe()/wrmsrq_safe() do.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/mshyperv.h>
#include <asm/tsc.h>
#include "sim.h"
#include "sim_vmbus.h"

static bool privileged(u32 msr)
{
	u32 p = sim_cfg.priv_eax;

	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
		return p & HV_MSR_HYPERCALL_AVAILABLE;
	case HV_X64_MSR_VP_INDEX:
		return p & HV_MSR_VP_INDEX_AVAILABLE;
	case HV_X64_MSR_RESET:
		return p & HV_MSR_RESET_AVAILABLE;
	case HV_X64_MSR_TIME_REF_COUNT:
		return p & HV_MSR_TIME_REF_COUNT_AVAILABLE;
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		return p & HV_ACCESS_FREQUENCY_MSRS;
	case HV_X64_MSR_REFERENCE_TSC:
		return p & HV_MSR_REFERENCE_TSC_AVAILABLE;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		return p & HV_ACCESS_TSC_INVARIANT;
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_CTL:
		return sim_cfg.features_edx & HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE;
	default:
		if (msr == HV_X64_MSR_EOI)
			return p & HV_MSR_APIC_ACCESS_AVAILABLE;
		if (sim_synic_msr(msr))
			return p & HV_MSR_SYNIC_AVAILABLE;
		return false;	/* not modelled: faults like an unknown MSR */
	}
}

static bool fault(void)
{
	atomic64_inc(&sim.msr_faults);
	return true;
}

int sim_read_msr(u32 msr, u64 *val)
{
	unsigned long flags;

	atomic64_inc(&sim.msr_reads);
	if (sim_fault_due(&sim.fail_msr_nth) || !privileged(msr)) {
		fault();
		return -EIO;
	}
	if (sim_synic_msr(msr))
		return sim_synic_read(msr, val);
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		spin_lock_irqsave(&sim.lock, flags);
		*val = sim.guest_os_id;
		spin_unlock_irqrestore(&sim.lock, flags);
		return 0;
	case HV_X64_MSR_HYPERCALL:
		spin_lock_irqsave(&sim.lock, flags);
		*val = sim.hypercall;
		spin_unlock_irqrestore(&sim.lock, flags);
		return 0;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		spin_lock_irqsave(&sim.lock, flags);
		*val = sim.tsc_invariant_control;
		spin_unlock_irqrestore(&sim.lock, flags);
		return 0;
	case HV_X64_MSR_VP_INDEX:
		*val = smp_processor_id();
		return 0;
	case HV_X64_MSR_RESET:
		*val = 0;
		return 0;
	case HV_X64_MSR_TIME_REF_COUNT:
	case HV_X64_MSR_REFERENCE_TSC:
		return sim_tsc_read_msr(msr, val);	/* sim_tsc.c */
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_CTL:
		return sim_crash_read_msr(msr, val);	/* sim_crash.c */
	case HV_X64_MSR_TSC_FREQUENCY:
		*val = (u64)tsc_khz * 1000;
		return 0;
	case HV_X64_MSR_APIC_FREQUENCY:
		*val = 200000000;	/* 200 MHz, as Hyper-V reports */
		return 0;
	}
	fault();
	return -EIO;
}

static int write_hypercall_msr(u64 val)
{
	u64 old = sim.hypercall;

	if (old & SIM_HC_LOCKED)
		return 0;		/* immutable until reset */
	if ((val ^ old) & SIM_HC_RSVDP)
		atomic64_inc(&sim.rsvd_violations);
	/* The GPA must be in the guest's RAM, or the write faults. */
	if ((val & SIM_HC_ENABLE) && !pfn_valid(val >> HV_HYP_PAGE_SHIFT))
		return -EIO;
	val = (val & ~SIM_HC_RSVDP) | (old & SIM_HC_RSVDP);
	if (!sim.guest_os_id)
		val &= ~SIM_HC_ENABLE;
	sim.hypercall = val;
	return 0;
}

int sim_write_msr(u32 msr, u64 val)
{
	unsigned long flags;
	int ret = 0;

	atomic64_inc(&sim.msr_writes);
	sim_power_msr_written(msr, val);
	if (sim_fault_due(&sim.fail_msr_nth) || !privileged(msr)) {
		fault();
		return -EIO;
	}
	if (sim_synic_msr(msr)) {
		ret = sim_synic_write(msr, val);
		if (ret)
			fault();
		return ret;
	}
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		spin_lock_irqsave(&sim.lock, flags);
		sim.guest_os_id = val;
		if (!val)
			sim.hypercall &= ~SIM_HC_ENABLE;
		spin_unlock_irqrestore(&sim.lock, flags);
		return 0;
	case HV_X64_MSR_HYPERCALL:
		spin_lock_irqsave(&sim.lock, flags);
		ret = write_hypercall_msr(val);
		spin_unlock_irqrestore(&sim.lock, flags);
		break;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		spin_lock_irqsave(&sim.lock, flags);
		if ((val & ~SIM_EXPOSE_INVARIANT_TSC) ||
		    (sim.tsc_invariant_control && !val))
			ret = -EIO;
		else
			sim.tsc_invariant_control = val;
		spin_unlock_irqrestore(&sim.lock, flags);
		break;
	case HV_X64_MSR_RESET:
		return 0;	/* a model never resets the machine it runs on */
	case HV_X64_MSR_REFERENCE_TSC:
		ret = sim_tsc_write_msr(msr, val);
		break;
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_CTL:
		return sim_crash_write_msr(msr, val);
	default:
		ret = -EIO;	/* read-only: VP_INDEX, TIME_REF_COUNT, ... */
		break;
	}
	if (ret)
		fault();
	return ret;
}

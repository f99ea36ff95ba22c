// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall interface: the hypercall page (TLFS "Establishing the
 * Hypercall Interface", steps 4-9) and the calls themselves (TLFS
 * "Hypercall Interface": memory and register conventions, rep calls).
 */
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/nmi.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <hypervive/tlfs.h>
#include "core_internal.h"
#include "hcpage_check.h"
#include "hv_status.h"

extern u8 hypervive_hcpage[];

/* Per-CPU input and output pages: aligned, never crossing a page. */
static DEFINE_PER_CPU(void *, hc_input);
static DEFINE_PER_CPU(void *, hc_output);

u64 hypervive_hcpage_pfn(void)
{
	return vmalloc_to_pfn(hypervive_hcpage);
}

/* Reads the hypercall MSR and tells who owns the page. */
int hypervive_hcpage_read(void)
{
	int ret;

	ret = hv_core.ops->read_msr(HVT_X64_MSR_HYPERCALL, &hv_core.hcpage_msr_found);
	if (ret) {
		pr_err("cannot read the hypercall MSR 0x%x: %d\n",
		       HVT_X64_MSR_HYPERCALL, ret);
		return ret;
	}
	hv_core.hcpage_owner = (hv_core.hcpage_msr_found & HVT_HYPERCALL_MSR_ENABLE) ?
			       HYPERVIVE_OWNER_OTHER : HYPERVIVE_OWNER_NONE;
	return 0;
}

static void free_buffers(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(hc_input, cpu));
		free_page((unsigned long)per_cpu(hc_output, cpu));
		per_cpu(hc_input, cpu) = NULL;
		per_cpu(hc_output, cpu) = NULL;
	}
}

static int alloc_buffers(void)
{
	int cpu;

	/*
	 * Every possible CPU, not just online ones: a page per CPU is cheap
	 * and it spares a hotplug callback that could fail half-way.
	 */
	for_each_possible_cpu(cpu) {
		per_cpu(hc_input, cpu) = (void *)get_zeroed_page(GFP_KERNEL);
		per_cpu(hc_output, cpu) = (void *)get_zeroed_page(GFP_KERNEL);
		if (!per_cpu(hc_input, cpu) || !per_cpu(hc_output, cpu)) {
			free_buffers();
			return -ENOMEM;
		}
	}
	return 0;
}

static int enable_page(void)
{
	u64 found = hv_core.hcpage_msr_found;
	u64 pfn = hypervive_hcpage_pfn();
	u64 val, now = 0;
	int ret;

	if (found & HVT_HYPERCALL_MSR_LOCKED) {
		pr_err("the hypercall MSR is locked (0x%016llx) with the page disabled: cannot enable hypercalls\n",
		       found);
		return -EPERM;
	}
	val = (found & HVT_HYPERCALL_MSR_RSVDP) | (pfn << HVT_HYP_PAGE_SHIFT) |
	      HVT_HYPERCALL_MSR_ENABLE;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_HYPERCALL, val);
	if (ret) {
		pr_err("writing the hypercall MSR 0x%016llx failed: %d\n", val, ret);
		return ret;
	}
	hv_core.hcpage_owner = HYPERVIVE_OWNER_US;
	ret = hv_core.ops->read_msr(HVT_X64_MSR_HYPERCALL, &now);
	if (ret || !(now & HVT_HYPERCALL_MSR_ENABLE)) {
		/* TLFS: the enable bit stays 0 while no guest OS ID is set. */
		pr_err("the hypercall page did not enable: wrote 0x%016llx, read 0x%016llx (%d)\n",
		       val, now, ret);
		return ret ?: -EIO;
	}
	return 0;
}

static void disable_page(void)
{
	int ret;

	if (hv_core.hcpage_owner != HYPERVIVE_OWNER_US)
		return;
	/* Drop the pointer before clearing the MSR, as the kernel does. */
	WRITE_ONCE(hv_core.hc_ready, false);
	synchronize_rcu();	/* callers run with interrupts off */
	ret = hv_core.ops->write_msr(HVT_X64_MSR_HYPERCALL, hv_core.hcpage_msr_found);
	if (ret)
		pr_err("restoring the hypercall MSR to 0x%016llx failed: %d\n",
		       hv_core.hcpage_msr_found, ret);
	hv_core.hcpage_owner = HYPERVIVE_OWNER_NONE;
}

/*
 * Leaving (leave.c): the page off and kept, hypercalls refused.
 * @may_sleep: wait for calls in flight (they run with interrupts off); on
 * panic and at syscore suspend no other CPU runs, so there are none.
 */
void hypervive_hcpage_leave(bool may_sleep)
{
	int ret;

	if (hv_core.hcpage_owner != HYPERVIVE_OWNER_US || hv_core.hcpage_away)
		return;
	hv_core.hc_was_ready = hv_core.hc_ready;
	WRITE_ONCE(hv_core.hc_ready, false);
	if (may_sleep)
		synchronize_rcu();
	ret = hv_core.ops->write_msr(HVT_X64_MSR_HYPERCALL, hv_core.hcpage_msr_found);
	if (ret)
		pr_err("leaving: restoring the hypercall MSR to 0x%016llx failed: %d\n",
		       hv_core.hcpage_msr_found, ret);
	hv_core.hcpage_away = true;
}

/* Back from hibernation: the same page enabled again (Linux: hv_resume()). */
int hypervive_hcpage_return(void)
{
	int ret;

	if (!hv_core.hcpage_away)
		return 0;
	hv_core.hcpage_away = false;
	ret = enable_page();
	if (ret)
		return ret;	/* hypercalls stay refused */
	WRITE_ONCE(hv_core.hc_ready, hv_core.hc_was_ready);
	return 0;
}

int hypervive_hypercall_init(void)
{
	int ret;

	ret = alloc_buffers();
	if (ret)
		return ret;
	ret = enable_page();
	if (ret)
		goto err_page;

	if (!hypervive_hcpage_callable(IS_ENABLED(CONFIG_X86_KERNEL_IBT) &&
				       cpu_feature_enabled(X86_FEATURE_IBT),
				       hypervive_hcpage)) {
		pr_err("IBT is enforced and the hypercall page does not start with ENDBR64: hypercalls refused\n");
		hv_core.hcpage_ibt_refused = true;
		return 0;
	}
	WRITE_ONCE(hv_core.hc_ready, true);
	return 0;

err_page:
	disable_page();
	free_buffers();
	return ret;
}

void hypervive_hypercall_exit(void)
{
	disable_page();
	free_buffers();
}

/* Common accounting; returns 0 or the errno for the status. */
static int hc_result(u16 code, u64 result, u16 *hv_status)
{
	u16 status = result & HVT_HYPERCALL_RESULT_MASK;

	atomic64_inc(&hv_core.hc_calls);
	if (hv_status)
		*hv_status = status;
	if (status == HVT_STATUS_SUCCESS)
		return 0;
	atomic64_inc(&hv_core.hc_failures);
	pr_debug("hypercall 0x%04x: %s\n", code, hypervive_hv_status_name(status));
	return hypervive_hv_status_to_errno(status);
}

int hypervive_hypercall(u16 code, const void *input, size_t in_size,
			void *output, size_t out_size, u16 *hv_status)
{
	unsigned long flags;
	void *in, *out;
	u64 result;

	if (in_size > HVT_HYP_PAGE_SIZE || out_size > HVT_HYP_PAGE_SIZE)
		return -EINVAL;
	local_irq_save(flags);
	if (!READ_ONCE(hv_core.hc_ready)) {
		local_irq_restore(flags);
		return -ENODEV;
	}
	in = *this_cpu_ptr(&hc_input);
	out = *this_cpu_ptr(&hc_output);
	if (in_size)
		memcpy(in, input, in_size);
	result = hv_core.ops->hypercall(code, in_size ? virt_to_phys(in) : 0,
					out_size ? virt_to_phys(out) : 0);
	if (out_size)
		memcpy(output, out, out_size);
	local_irq_restore(flags);
	return hc_result(code, result, hv_status);
}
EXPORT_SYMBOL_NS_GPL(hypervive_hypercall, "HYPERVIVE");

int hypervive_hypercall_fast(u16 code, u64 input1, u64 input2, u16 *hv_status)
{
	unsigned long flags;
	u64 result;

	local_irq_save(flags);
	if (!READ_ONCE(hv_core.hc_ready)) {
		local_irq_restore(flags);
		return -ENODEV;
	}
	result = hv_core.ops->hypercall_fast(code, input1, input2);
	local_irq_restore(flags);
	return hc_result(code, result, hv_status);
}
EXPORT_SYMBOL_NS_GPL(hypervive_hypercall_fast, "HYPERVIVE");

/*
 * The loop of a rep call.  The hypervisor's reps-completed count is
 * untrusted: it must grow on every successful return and never pass the
 * rep count, or we stop instead of looping forever.  @call: the code and
 * the variable header size, the control word's other fields.
 */
static u64 rep_loop(u64 call, u16 rep_count, u64 in_pa, u64 out_pa, u16 *done)
{
	u64 control = call | (u64)rep_count << HVT_HYPERCALL_REP_COMP_OFFSET;
	u16 code = call & HVT_HYPERCALL_CODE_MASK;
	u16 start = 0;
	u64 result;

	for (;;) {
		u16 completed;

		result = hv_core.ops->hypercall(control, in_pa, out_pa);
		completed = (result & HVT_HYPERCALL_REP_COMP_MASK) >>
			    HVT_HYPERCALL_REP_COMP_OFFSET;
		if ((result & HVT_HYPERCALL_RESULT_MASK) != HVT_STATUS_SUCCESS) {
			*done = min(completed, rep_count);
			return result;
		}
		if (completed <= start || completed > rep_count) {
			atomic64_inc(&hv_core.hc_bad_results);
			pr_err_ratelimited("rep hypercall 0x%04x: reps completed %u after %u of %u breaks the TLFS\n",
					   code, completed, start, rep_count);
			*done = start;
			return U64_MAX;
		}
		if (completed == rep_count) {
			*done = completed;
			return result;
		}
		start = completed;
		control &= ~HVT_HYPERCALL_REP_START_MASK;
		control |= (u64)start << HVT_HYPERCALL_REP_START_OFFSET;
		touch_nmi_watchdog();
	}
}

int hypervive_hypercall_rep(u16 code, const void *header, size_t hdr_size,
			    u16 varhead_size, const void *in_elems, size_t in_elem_size,
			    void *out_elems, size_t out_elem_size,
			    u16 rep_count, u16 *reps_done, u16 *hv_status)
{
	size_t in_size = hdr_size + in_elem_size * rep_count;
	size_t out_size = out_elem_size * rep_count;
	u64 varhead = (u64)varhead_size << HVT_HYPERCALL_VARHEAD_OFFSET;
	unsigned long flags;
	u16 done = 0;
	void *in, *out;
	u64 result;

	/*
	 * TLFS "Variable Sized Hypercall Input Headers": the variable part is
	 * the header's last varhead_size qwords, its size fits the control
	 * word's field, and the header (whose end is where rep elements
	 * start, 8-byte aligned) is a multiple of 8.
	 */
	if (rep_count > (HVT_HYPERCALL_REP_COMP_MASK >> HVT_HYPERCALL_REP_COMP_OFFSET) ||
	    (varhead & ~HVT_HYPERCALL_VARHEAD_MASK) || (size_t)varhead_size * 8 > hdr_size ||
	    (hdr_size % 8 && (varhead_size || rep_count)) ||
	    (!rep_count && !varhead_size) ||
	    in_size > HVT_HYP_PAGE_SIZE || out_size > HVT_HYP_PAGE_SIZE)
		return -EINVAL;
	local_irq_save(flags);
	if (!READ_ONCE(hv_core.hc_ready)) {
		local_irq_restore(flags);
		return -ENODEV;
	}
	in = *this_cpu_ptr(&hc_input);
	out = *this_cpu_ptr(&hc_output);
	memcpy(in, header, hdr_size);
	if (!rep_count) {
		/* A simple call with a variable header (hv_do_rep_hypercall's too). */
		result = hv_core.ops->hypercall(code | varhead, virt_to_phys(in), 0);
		local_irq_restore(flags);
		if (reps_done)
			*reps_done = 0;
		return hc_result(code, result, hv_status);
	}
	if (in_elem_size)
		memcpy(in + hdr_size, in_elems, in_elem_size * rep_count);
	result = rep_loop(code | varhead, rep_count, virt_to_phys(in),
			  out_size ? virt_to_phys(out) : 0, &done);
	if (out_size)
		memcpy(out_elems, out, out_elem_size * done);
	local_irq_restore(flags);
	if (reps_done)
		*reps_done = done;
	if (result == U64_MAX) {
		if (hv_status)
			*hv_status = U16_MAX;	/* no status: the result was bogus */
		atomic64_inc(&hv_core.hc_calls);
		atomic64_inc(&hv_core.hc_failures);
		return -EIO;
	}
	return hc_result(code, result, hv_status);
}
EXPORT_SYMBOL_NS_GPL(hypervive_hypercall_rep, "HYPERVIVE");

const char *hypervive_status_name(u16 status)
{
	return hypervive_hv_status_name(status);
}
EXPORT_SYMBOL_NS_GPL(hypervive_status_name, "HYPERVIVE");

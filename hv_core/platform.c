// SPDX-License-Identifier: GPL-2.0
/*
 * The platform boundary: native ops (the real instructions) and the
 * lookup of the TLFS model's ops for platform=sim.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <hypervive/tlfs.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include "core_internal.h"

extern u8 hypervive_hcpage[];

static void hv_native_cpuid(u32 leaf, u32 regs[4])
{
	cpuid_count(leaf, 0, &regs[0], &regs[1], &regs[2], &regs[3]);
}

static int hv_native_read_msr(u32 msr, u64 *val)
{
	return rdmsrq_safe(msr, val);
}

static int hv_native_write_msr(u32 msr, u64 val)
{
	return wrmsrq_safe(msr, val);
}

/* Register convention from TLFS "Hypercall Inputs": RCX, RDX, R8 -> RAX. */
static u64 hv_native_hypercall(u64 control, u64 input_gpa, u64 output_gpa)
{
	register u64 r8 asm("r8") = output_gpa;
	u64 status;

	asm volatile(CALL_NOSPEC
		     : "=a" (status), ASM_CALL_CONSTRAINT,
		       "+c" (control), "+d" (input_gpa), "+r" (r8)
		     : THUNK_TARGET(hypervive_hcpage)
		     : "cc", "memory", "r9", "r10", "r11");
	return status;
}

static u64 hv_native_hypercall_fast(u64 control, u64 input1, u64 input2)
{
	register u64 r8 asm("r8") = input2;
	u64 status;

	control |= HVT_HYPERCALL_FAST_BIT;
	asm volatile(CALL_NOSPEC
		     : "=a" (status), ASM_CALL_CONSTRAINT,
		       "+c" (control), "+d" (input1), "+r" (r8)
		     : THUNK_TARGET(hypervive_hcpage)
		     : "cc", "memory", "r9", "r10", "r11");
	return status;
}

static const struct hypervive_platform_ops native_ops = {
	.name = "native",
	.owner = THIS_MODULE,
	.cpuid = hv_native_cpuid,
	.read_msr = hv_native_read_msr,
	.write_msr = hv_native_write_msr,
	.hypercall = hv_native_hypercall,
	.hypercall_fast = hv_native_hypercall_fast,
	.sint_handler_install = hypervive_native_sint_install,
	.sint_handler_remove = hypervive_native_sint_remove,
};

int hypervive_platform_get(const char *name)
{
	const struct hypervive_platform_ops *ops;

	if (!strcmp(name, "native")) {
		hv_core.ops = &native_ops;
		return 0;
	}
	/*
	 * The model is looked up at run time, never linked: the modules dkms
	 * installs are the ones the tests load, and they have no dependency
	 * on test code.
	 */
	ops = symbol_get(hypervive_sim_platform_ops);
	if (!ops) {
		pr_err("platform=sim needs the TLFS model: load hypervive_sim first\n");
		return -ENOENT;
	}
	hv_core.ops = ops;
	hv_core.ops_from_sim = true;
	return 0;
}

void hypervive_platform_put(void)
{
	if (hv_core.ops_from_sim)
		symbol_put(hypervive_sim_platform_ops);
	hv_core.ops = NULL;
	hv_core.ops_from_sim = false;
}

int hypervive_rdmsr(u32 msr, u64 *val)
{
	return hv_core.ops->read_msr(msr, val);
}
EXPORT_SYMBOL_NS_GPL(hypervive_rdmsr, "HYPERVIVE");

int hypervive_wrmsr(u32 msr, u64 val)
{
	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE)
		return -EPERM;
	return hv_core.ops->write_msr(msr, val);
}
EXPORT_SYMBOL_NS_GPL(hypervive_wrmsr, "HYPERVIVE");

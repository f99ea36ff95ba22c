// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V discovery, TLFS "Feature and Interface Discovery": the
 * hypervisor-present bit, the vendor and interface leaves, then every
 * documented leaf the max leaf allows.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/string.h>
#include <hypervive/tlfs.h>
#include "core_internal.h"
#include "tlfs_decode.h"

#define CPUID1_ECX_HYPERVISOR	BIT(31)

/*
 * Our bit tables (tlfs_decode.c) and tlfs.h must agree where both name a bit
 * (tlfs_check.c holds tlfs.h against the kernel's header); the minimum
 * leaf is the one the "no Hyper-V" message names.
 */
static_assert(HVT_MSR_HYPERCALL_AVAILABLE & BIT(5));
static_assert(HVT_MSR_REFERENCE_TSC_AVAILABLE & BIT(9));
static_assert(HVT_POST_MESSAGES & BIT(4));	/* privilege bit 36 */
static_assert(HVT_FEATURE_GUEST_CRASH_MSR_AVAILABLE & BIT(10));
static_assert(HVT_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE & BIT(15));
static_assert(HVT_DEPRECATING_AEOI_RECOMMENDED & BIT(9));
static_assert(HVT_X64_ENLIGHTENED_VMCS_RECOMMENDED & BIT(14));
static_assert(HVT_X64_NESTED_ENLIGHTENED_TLB & BIT(22));
static_assert(HVT_PARAVISOR_PRESENT & BIT(0));
static_assert(HVT_CPUID_ISOLATION_CONFIG == HYPERVIVE_LEAF_LAST);
static_assert(HVT_CPUID_MIN == 0x40000005);

bool hypervive_has_privilege(u64 bit)
{
	return hv_core.info.privileges & bit;
}

/*
 * KVM with Hyper-V enlightenments keeps its own leaves above Hyper-V's, and
 * Linux then runs as a KVM guest.  Found as Linux's kvm_cpuid_base() finds
 * them (hypervisor_cpuid_base(): every 0x100 up to 0x40010000, the
 * signature in EBX, ECX, EDX); 0x40000000 is Hyper-V's here.
 */
static u32 kvm_leaves(const struct hypervive_platform_ops *ops)
{
	static const char sig[] = KVM_SIGNATURE;	/* 12 bytes and a NUL */
	u32 regs[4], base;

	for (base = HVT_CPUID_VENDOR_AND_MAX_FUNCTIONS + 0x100; base < 0x40010000;
	     base += 0x100) {
		ops->cpuid(base, regs);
		if (!memcmp(&regs[1], sig, 12))
			return base;
	}
	return 0;
}

int hypervive_discover(struct hypervive_info *info)
{
	const struct hypervive_platform_ops *ops = hv_core.ops;
	struct hypervive_leaf *l;
	u32 regs[4];
	u32 leaf, last;

	memset(info, 0, sizeof(*info));
	ops->cpuid(1, regs);
	if (!(regs[2] & CPUID1_ECX_HYPERVISOR)) {
		pr_info("no hypervisor: CPUID.1:ECX[31] (hypervisor present) is clear\n");
		return -ENODEV;
	}

	ops->cpuid(HVT_CPUID_VENDOR_AND_MAX_FUNCTIONS, regs);
	info->max_leaf = regs[0];
	hypervive_regs_to_ascii(&regs[1], 3, info->vendor);
	ops->cpuid(HVT_CPUID_INTERFACE, regs);
	info->interface = regs[0];
	hypervive_regs_to_ascii(&regs[0], 1, info->interface_str);

	if (info->interface != HYPERVIVE_INTERFACE_HV1 ||
	    info->max_leaf < HVT_CPUID_MIN ||
	    info->max_leaf > HVT_CPUID_MAX) {
		pr_info("no Hyper-V: CPUID 0x40000000 vendor \"%s\" max leaf 0x%08x, 0x40000001 interface 0x%08x \"%s\"; need \"Hv#1\" and max leaf >= 0x40000005\n",
			info->vendor, info->max_leaf, info->interface,
			info->interface_str);
		return -ENODEV;
	}

	last = min(info->max_leaf, HYPERVIVE_LEAF_LAST);
	for (leaf = HYPERVIVE_LEAF_BASE; leaf <= last; leaf++) {
		l = &info->leaf[leaf - HYPERVIVE_LEAF_BASE];
		ops->cpuid(leaf, regs);
		l->eax = regs[0];
		l->ebx = regs[1];
		l->ecx = regs[2];
		l->edx = regs[3];
		l->present = true;
	}

	l = &info->leaf[HVT_CPUID_VERSION - HYPERVIVE_LEAF_BASE];
	info->build = l->eax;
	info->major = l->ebx >> 16;
	info->minor = l->ebx & 0xffff;
	info->service_pack = l->ecx;
	info->service_branch = l->edx >> 24;
	info->service_number = l->edx & 0xffffff;

	l = &info->leaf[HVT_CPUID_FEATURES - HYPERVIVE_LEAF_BASE];
	info->privileges = (u64)l->ebx << 32 | l->eax;
	info->features_ecx = l->ecx;
	info->features_edx = l->edx;

	l = &info->leaf[HVT_CPUID_ENLIGHTMENT_INFO - HYPERVIVE_LEAF_BASE];
	info->recommendations = l->eax;
	info->spinlock_retries = l->ebx;
	info->phys_addr_bits = l->ecx & 0x7f;
	info->kvm_base = kvm_leaves(ops);
	return 0;
}

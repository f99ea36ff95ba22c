// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the configured hypervisor reports it.  Leaves below the
 * hypervisor range come from the real CPU with the hypervisor-present bit
 * set as configured; hypervisor leaves above max_leaf read as zero.
 */
#include <linux/string.h>
#include <asm/mshyperv.h>
#include <asm/processor.h>
#include "sim.h"

static u32 sig(const char *s)
{
	return s[0] | s[1] << 8 | s[2] << 16 | (u32)s[3] << 24;
}

void sim_cpuid(u32 leaf, u32 regs[4])
{
	const struct sim_config *c = &sim_cfg;

	memset(regs, 0, 4 * sizeof(u32));
	if (leaf < HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS) {
		cpuid_count(leaf, 0, &regs[0], &regs[1], &regs[2], &regs[3]);
		if (leaf == 1) {
			regs[2] &= ~BIT(31);
			regs[2] |= c->present ? BIT(31) : 0;
		}
		return;
	}
	if (!c->present || sim_kvm_cpuid(leaf, regs) || leaf > c->max_leaf)
		return;

	switch (leaf) {
	case HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
		regs[0] = c->max_leaf;
		regs[1] = sig(c->vendor);
		regs[2] = sig(c->vendor + 4);
		regs[3] = sig(c->vendor + 8);
		break;
	case HYPERV_CPUID_INTERFACE:
		regs[0] = c->interface;
		break;
	case HYPERV_CPUID_VERSION:
		memcpy(regs, c->leaf2, sizeof(c->leaf2));
		break;
	case HYPERV_CPUID_FEATURES:
		regs[0] = c->priv_eax;
		regs[1] = c->priv_ebx;
		regs[2] = c->features_ecx;
		regs[3] = c->features_edx;
		break;
	case HYPERV_CPUID_ENLIGHTMENT_INFO:
		regs[0] = c->recommendations;
		regs[1] = c->spin_retries;
		regs[2] = c->phys_bits & 0x7f;
		break;
	case HYPERV_CPUID_IMPLEMENT_LIMITS:
		memcpy(regs, c->limits, sizeof(c->limits));
		break;
	case 0x40000006:
		regs[0] = c->hw_features;
		break;
	case HYPERV_CPUID_CPU_MANAGEMENT_FEATURES:
		regs[0] = c->cpu_mgmt;
		break;
	case 0x40000009:
		regs[0] = c->nested_eax;
		regs[3] = c->nested_edx;
		break;
	case HYPERV_CPUID_NESTED_FEATURES:
		regs[0] = c->nested_feat_eax;
		regs[1] = c->nested_feat_ebx;
		break;
	case HYPERV_CPUID_ISOLATION_CONFIG:
		regs[0] = c->isolation_eax;
		regs[1] = c->isolation_ebx;
		break;
	default:
		break;	/* reserved leaves read as zero */
	}
}

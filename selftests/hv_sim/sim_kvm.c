// SPDX-License-Identifier: GPL-2.0
/*
 * preset=kvm: the partition is KVM with Hyper-V enlightenments (QEMU's
 * -cpu ...,hv-*), the common setup for Windows guests that Linux guests
 * get too.  KVM then keeps its own CPUID leaves above Hyper-V's, at
 * 0x40000100 (QEMU's KVM_CPUID_SIGNATURE_NEXT), so Linux picks the KVM
 * platform (detect_hypervisor_vendor(): kvm_detect() returns that base,
 * above ms_hyperv_platform()'s 1) and uses KVM's PV hypercalls: PV IPIs
 * (KVM_HC_SEND_IPI), spinlock kicks (KVM_HC_KICK_CPU), yields
 * (KVM_HC_SCHED_YIELD), all VMCALLs.  KVM routes every VMCALL to its
 * Hyper-V emulation once the guest OS ID is not zero
 * (arch/x86/kvm/x86.c kvm_emulate_hypercall(): "if
 * (kvm_hv_hypercall_enabled(vcpu)) return kvm_hv_hypercall(vcpu);",
 * arch/x86/kvm/hyperv.h: hyperv_enabled && hv_guest_os_id), which reads
 * the call from RCX, not RAX: the PV call is lost.
 *
 * The guest kernel under TCG makes no KVM PV calls, so the tests make them
 * here (debugfs kvm_pv_hypercall: "NR COUNT"), and the model counts each
 * as handled or as misrouted by the rule above.
 */
#include <linux/debugfs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/kvm_para.h>
#include "sim.h"

/* QEMU: KVM's leaves after Hyper-V's 0x40000000-0x400000ff. */
#define SIM_KVM_BASE		0x40000100

/* The features KVM gives a Linux guest that use VMCALL, and its clock. */
#define SIM_KVM_FEATURES	(BIT(KVM_FEATURE_CLOCKSOURCE2) | BIT(KVM_FEATURE_PV_UNHALT) | \
				 BIT(KVM_FEATURE_PV_SEND_IPI) | BIT(KVM_FEATURE_PV_SCHED_YIELD))

static atomic64_t pv_handled, pv_misrouted;

bool sim_kvm_cpuid(u32 leaf, u32 regs[4])
{
	static const char sig[] = KVM_SIGNATURE;	/* 12 bytes and a NUL */

	if (!sim_cfg.kvm || (leaf & ~0xffU) != SIM_KVM_BASE)
		return false;
	memset(regs, 0, 4 * sizeof(u32));
	switch (leaf - SIM_KVM_BASE) {
	case 0:		/* KVM_CPUID_SIGNATURE: the max leaf, the signature */
		regs[0] = SIM_KVM_BASE + 1;
		memcpy(&regs[1], sig, 12);
		break;
	case 1:		/* KVM_CPUID_FEATURES */
		regs[0] = SIM_KVM_FEATURES;
		break;
	}
	return true;
}

/* One VMCALL of the guest kernel's KVM PV ABI (its number in RAX). */
static void kvm_pv_vmcall(void)
{
	unsigned long flags;
	u64 os_id;

	spin_lock_irqsave(&sim.lock, flags);
	os_id = sim.guest_os_id;
	spin_unlock_irqrestore(&sim.lock, flags);
	if (os_id)
		atomic64_inc(&pv_misrouted);	/* kvm_hv_hypercall() has it */
	else
		atomic64_inc(&pv_handled);
}

static ssize_t pv_write(struct file *f, const char __user *ubuf, size_t len, loff_t *ppos)
{
	unsigned int nr, count, i;
	char buf[32];

	if (!sim_cfg.kvm)
		return -ENODEV;		/* no KVM PV ABI on this partition */
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &nr, &count) != 2 || count > 100000 ||
	    (nr != KVM_HC_KICK_CPU && nr != KVM_HC_SEND_IPI && nr != KVM_HC_SCHED_YIELD))
		return -EINVAL;
	for (i = 0; i < count; i++)
		kvm_pv_vmcall();
	return len;
}

static ssize_t pv_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[64];
	int n = scnprintf(buf, sizeof(buf), "handled=%lld misrouted=%lld\n",
			  atomic64_read(&pv_handled), atomic64_read(&pv_misrouted));

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations pv_fops = {
	.owner = THIS_MODULE,
	.write = pv_write,
	.read = pv_read,
	.llseek = default_llseek,
};

void sim_kvm_debugfs(struct dentry *parent)
{
	debugfs_create_file("kvm_pv_hypercall", 0600, parent, NULL, &pv_fops);
}

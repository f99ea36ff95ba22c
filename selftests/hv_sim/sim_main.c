// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_sim: the TLFS model behind hypervive_core's platform=sim.
 * Configured with load-time parameters (what CPUID reports, a preset
 * partition state), driven and inspected through debugfs.  Test-only:
 * never built for dkms.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/version.h>
#include <asm/mshyperv.h>
#include <hypervive/platform.h>
#include "sim.h"
#include "sim_vmbus.h"

struct sim_config sim_cfg;
struct sim_state sim;

/* Defaults describe a Generation 2 guest on Windows Server 2022. */
static bool present = true;
static char *vendor = "Microsoft Hv";
static uint interface = 0x31237648;	/* "Hv#1" */
static uint max_leaf = 0x4000000C;
static uint build = 20348;
static uint version_major = 10;
static uint version_minor;
static uint service_pack;
static uint service_branch_number;	/* EDX of 0x40000002 */
static uint priv_eax = 0x2e7f;		/* RunTime..VpIndex, RefTsc, Idle, Freq, Reenl */
static uint priv_ebx = 0x3b8030;	/* PostMessages, SignalEvents, ... */
static uint features_ecx;
static uint features_edx = 0xbed7b2;	/* incl. GuestCrashMsrs (10) */
static uint recommendations = 0xa0e24;
static uint spin_retries = 0xffffffff;
static uint phys_bits = 46;
static uint max_vps = 2048, max_lps = 512, max_irq_vectors;
static uint hw_features = 0x2000b;	/* nesting level 13:10 is 0 */
static uint cpu_mgmt, nested_eax, nested_edx, nested_feat_eax, nested_feat_ebx;
static uint isolation_eax, isolation_ebx;
static uint hypercall_rsvdp;		/* initial RsvdP bits 11:2 of HV_X64_MSR_HYPERCALL */
static char *preset = "none";

module_param(present, bool, 0444);
MODULE_PARM_DESC(present, "CPUID.1:ECX[31], hypervisor present (default 1)");
module_param(vendor, charp, 0444);
MODULE_PARM_DESC(vendor, "CPUID 0x40000000 vendor signature, 12 characters");
module_param(interface, uint, 0444);
MODULE_PARM_DESC(interface, "CPUID 0x40000001 EAX (default 0x31237648, \"Hv#1\")");
module_param(max_leaf, uint, 0444);
MODULE_PARM_DESC(max_leaf, "CPUID 0x40000000 EAX, the highest hypervisor leaf");
module_param(build, uint, 0444);
MODULE_PARM_DESC(build, "CPUID 0x40000002 EAX");
module_param(version_major, uint, 0444);
MODULE_PARM_DESC(version_major, "CPUID 0x40000002 EBX[31:16]");
module_param(version_minor, uint, 0444);
MODULE_PARM_DESC(version_minor, "CPUID 0x40000002 EBX[15:0]");
module_param(service_pack, uint, 0444);
MODULE_PARM_DESC(service_pack, "CPUID 0x40000002 ECX");
module_param(service_branch_number, uint, 0444);
MODULE_PARM_DESC(service_branch_number, "CPUID 0x40000002 EDX");
module_param(priv_eax, uint, 0444);
MODULE_PARM_DESC(priv_eax, "CPUID 0x40000003 EAX, privilege mask bits 31:0");
module_param(priv_ebx, uint, 0444);
MODULE_PARM_DESC(priv_ebx, "CPUID 0x40000003 EBX, privilege mask bits 63:32");
module_param(features_ecx, uint, 0444);
MODULE_PARM_DESC(features_ecx, "CPUID 0x40000003 ECX");
module_param(features_edx, uint, 0444);
MODULE_PARM_DESC(features_edx, "CPUID 0x40000003 EDX");
module_param(recommendations, uint, 0444);
MODULE_PARM_DESC(recommendations, "CPUID 0x40000004 EAX");
module_param(spin_retries, uint, 0444);
MODULE_PARM_DESC(spin_retries, "CPUID 0x40000004 EBX");
module_param(phys_bits, uint, 0444);
MODULE_PARM_DESC(phys_bits, "CPUID 0x40000004 ECX[6:0]");
module_param(max_vps, uint, 0444);
MODULE_PARM_DESC(max_vps, "CPUID 0x40000005 EAX");
module_param(max_lps, uint, 0444);
MODULE_PARM_DESC(max_lps, "CPUID 0x40000005 EBX");
module_param(max_irq_vectors, uint, 0444);
MODULE_PARM_DESC(max_irq_vectors, "CPUID 0x40000005 ECX");
module_param(hw_features, uint, 0444);
MODULE_PARM_DESC(hw_features, "CPUID 0x40000006 EAX");
module_param(cpu_mgmt, uint, 0444);
MODULE_PARM_DESC(cpu_mgmt, "CPUID 0x40000007 EAX");
module_param(nested_eax, uint, 0444);
MODULE_PARM_DESC(nested_eax, "CPUID 0x40000009 EAX");
module_param(nested_edx, uint, 0444);
MODULE_PARM_DESC(nested_edx, "CPUID 0x40000009 EDX");
module_param(nested_feat_eax, uint, 0444);
MODULE_PARM_DESC(nested_feat_eax, "CPUID 0x4000000A EAX");
module_param(nested_feat_ebx, uint, 0444);
MODULE_PARM_DESC(nested_feat_ebx, "CPUID 0x4000000A EBX");
module_param(isolation_eax, uint, 0444);
MODULE_PARM_DESC(isolation_eax, "CPUID 0x4000000C EAX");
module_param(isolation_ebx, uint, 0444);
MODULE_PARM_DESC(isolation_ebx, "CPUID 0x4000000C EBX");
module_param(hypercall_rsvdp, uint, 0444);
MODULE_PARM_DESC(hypercall_rsvdp, "initial RsvdP bits 11:2 of the hypercall MSR (a guest must preserve them)");
module_param(preset, charp, 0444);
MODULE_PARM_DESC(preset, "partition state at load: none; owned (another OS set the guest ID and hypercall page); locked (hypercall MSR locked, page off); kvm (KVM with Hyper-V enlightenments: KVM's CPUID leaves at 0x40000100, its PV hypercalls misrouted once a guest OS ID is set)");

const struct hypervive_platform_ops hypervive_sim_platform_ops = {
	.name = "sim",
	.owner = THIS_MODULE,
	.cpuid = sim_cpuid,
	.read_msr = sim_read_msr,
	.write_msr = sim_write_msr,
	.hypercall = sim_hypercall,
	.hypercall_fast = sim_hypercall_fast,
	.sint_handler_install = sim_sint_handler_install,
	.sint_handler_remove = sim_sint_handler_remove,
};
EXPORT_SYMBOL_GPL(hypervive_sim_platform_ops);

/* The "other owner" of preset=owned keeps its hypercall page here. */
static unsigned long other_owner_page;

static int apply_preset(void)
{
	if (!strcmp(preset, "none"))
		return 0;
	if (!strcmp(preset, "locked")) {
		sim.hypercall |= SIM_HC_LOCKED;
		return 0;
	}
	if (!strcmp(preset, "kvm")) {
		sim_cfg.kvm = true;
		return 0;
	}
	if (strcmp(preset, "owned")) {
		pr_err("preset=%s: expected none, owned, locked or kvm\n", preset);
		return -EINVAL;
	}
	other_owner_page = get_zeroed_page(GFP_KERNEL);
	if (!other_owner_page)
		return -ENOMEM;
	/* What Linux's own hyperv_init() leaves: its ID, its page enabled. */
	sim.guest_os_id = 0x8100ULL << 48 | (u64)LINUX_VERSION_CODE << 16;
	sim.hypercall |= (u64)PHYS_PFN(__pa(other_owner_page)) <<
			 HV_HYP_PAGE_SHIFT | SIM_HC_ENABLE;
	return 0;
}

static int configure(void)
{
	struct sim_config *c = &sim_cfg;

	if (strlen(vendor) != 12) {
		pr_err("vendor=\"%s\": the signature is 12 characters\n", vendor);
		return -EINVAL;
	}
	c->present = present;
	strscpy(c->vendor, vendor, sizeof(c->vendor));
	c->interface = interface;
	c->max_leaf = max_leaf;
	c->leaf2[0] = build;
	c->leaf2[1] = version_major << 16 | (version_minor & 0xffff);
	c->leaf2[2] = service_pack;
	c->leaf2[3] = service_branch_number;
	c->priv_eax = priv_eax;
	c->priv_ebx = priv_ebx;
	c->features_ecx = features_ecx;
	c->features_edx = features_edx;
	c->recommendations = recommendations;
	c->spin_retries = spin_retries;
	c->phys_bits = phys_bits;
	c->limits[0] = max_vps;
	c->limits[1] = max_lps;
	c->limits[2] = max_irq_vectors;
	c->hw_features = hw_features;
	c->cpu_mgmt = cpu_mgmt;
	c->nested_eax = nested_eax;
	c->nested_edx = nested_edx;
	c->nested_feat_eax = nested_feat_eax;
	c->nested_feat_ebx = nested_feat_ebx;
	c->isolation_eax = isolation_eax;
	c->isolation_ebx = isolation_ebx;

	spin_lock_init(&sim.lock);
	sim.hypercall = (u64)hypercall_rsvdp & SIM_HC_RSVDP;
	sim.post_buffers = 1;
	sim.fail_hypercall_status = HV_STATUS_INSUFFICIENT_MEMORY;
	return apply_preset();
}

static int __init hypervive_sim_init(void)
{
	int ret;

	ret = configure();
	if (ret)
		goto err;
	ret = sim_tsc_init();
	if (ret)
		goto err;
	ret = sim_synic_init();
	if (ret)
		goto err_tsc;
	ret = sim_host_init();
	if (ret)
		goto err_synic;
	ret = sim_debugfs_init();
	if (ret)
		goto err_host;
	sim_power_init();
	pr_info("TLFS model ready: vendor \"%s\" max leaf 0x%08x, preset %s\n",
		sim_cfg.vendor, sim_cfg.max_leaf, preset);
	return 0;
err_host:
	sim_host_exit();
err_synic:
	sim_synic_exit();
err_tsc:
	sim_tsc_exit();
err:
	free_page(other_owner_page);
	return ret;
}

static void __exit hypervive_sim_exit(void)
{
	sim_power_exit();
	sim_debugfs_exit();
	sim_host_exit();
	sim_synic_exit();
	sim_tsc_exit();
	free_page(other_owner_page);
}

module_init(hypervive_sim_init);
module_exit(hypervive_sim_exit);
MODULE_DESCRIPTION("HyperVive Guest: TLFS model for tests (never install)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_core: Hyper-V discovery, the guest OS identity, the hypercall
 * interface, and the platform boundary the other HyperVive modules use.
 *
 * Modes (ARCHITECTURE.md decision 3): "active" takes the hypercall
 * interface, "observe" only reads, "auto" is active where nobody owns the
 * interface and observe where someone does (Debian's kernel sets it up at
 * boot on Hyper-V).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <hypervive/tlfs.h>
#include "core_internal.h"

struct hypervive_core hv_core;

static const char * const mode_names[] = {
	[HYPERVIVE_MODE_AUTO] = "auto",
	[HYPERVIVE_MODE_ACTIVE] = "active",
	[HYPERVIVE_MODE_OBSERVE] = "observe",
};

static const char * const platform_names[] = { "native", "sim" };

const char *hypervive_mode_name(enum hypervive_mode mode)
{
	return mode_names[mode];
}

const char *hypervive_owner_name(enum hypervive_owner owner)
{
	switch (owner) {
	case HYPERVIVE_OWNER_NONE:
		return "none";
	case HYPERVIVE_OWNER_US:
		return "hypervive";
	case HYPERVIVE_OWNER_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

/* Load-time parameters: a value outside the list fails the load. */
static int mode_param;
static int platform_param;

static int choice_set(const char *val, const struct kernel_param *kp,
		      const char * const *names, unsigned int n)
{
	int i = __sysfs_match_string(names, n, val);

	if (i < 0) {
		pr_err("%s=%s: not one of the accepted values\n", kp->name, val);
		return -EINVAL;
	}
	*(int *)kp->arg = i;
	return 0;
}

static int mode_set(const char *val, const struct kernel_param *kp)
{
	return choice_set(val, kp, mode_names, ARRAY_SIZE(mode_names));
}

static int mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mode_names[*(int *)kp->arg]);
}

static int platform_set(const char *val, const struct kernel_param *kp)
{
	return choice_set(val, kp, platform_names, ARRAY_SIZE(platform_names));
}

static int platform_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", platform_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_set,
	.get = mode_get,
};

static const struct kernel_param_ops platform_ops = {
	.set = platform_set,
	.get = platform_get,
};

module_param_cb(mode, &mode_ops, &mode_param, 0444);
MODULE_PARM_DESC(mode, "auto (default): active unless another owner set up Hyper-V; active: take ownership, refuse if owned; observe: read-only");
module_param_cb(platform, &platform_ops, &platform_param, 0444);
MODULE_PARM_DESC(platform, "native (default): the real CPU; sim: the TLFS model hypervive_sim (tests only)");

/* Which mode we run in, or an error when mode=active cannot be honoured. */
#define AUTO_ON_KVM "the kernel runs on KVM, which would take its KVM PV hypercalls (IPIs, spinlock kicks, yields) as Hyper-V ones once a guest OS ID is set; mode=active overrides"

static int choose_mode(void)
{
	bool msrs = hypervive_has_privilege(HVT_MSR_HYPERCALL_AVAILABLE);
	const char *busy = NULL;
	int ret;

	hv_core.mode = mode_param;
	hv_core.guest_id_owner = HYPERVIVE_OWNER_UNKNOWN;
	hv_core.hcpage_owner = HYPERVIVE_OWNER_UNKNOWN;
	if (msrs) {
		ret = hypervive_guest_id_read();
		if (ret)
			return ret;
		ret = hypervive_hcpage_read();
		if (ret)
			return ret;
		if (hv_core.hcpage_owner == HYPERVIVE_OWNER_OTHER)
			busy = "the hypercall page is already enabled by another owner";
	} else {
		busy = "the partition lacks the AccessHypercallMsrs privilege";
	}

	/*
	 * KVM with Hyper-V enlightenments: Linux runs as a KVM guest there and
	 * makes KVM's PV hypercalls, and once a guest OS ID is set KVM takes
	 * every VMCALL as a Hyper-V hypercall (arch/x86/kvm/x86.c
	 * kvm_emulate_hypercall(): kvm_hv_hypercall_enabled() first), so
	 * those are lost.  auto leaves such a partition alone.
	 */
	if (!busy && hv_core.info.kvm_base && hv_core.mode == HYPERVIVE_MODE_AUTO)
		busy = AUTO_ON_KVM;

	switch (hv_core.mode) {
	case HYPERVIVE_MODE_OBSERVE:
		hv_core.effective = HYPERVIVE_MODE_OBSERVE;
		hv_core.observe_reason = "requested";
		return 0;
	case HYPERVIVE_MODE_ACTIVE:
		if (busy) {
			pr_err("mode=active refused: %s (HV_X64_MSR_HYPERCALL 0x%016llx); use mode=auto or mode=observe\n",
			       busy, hv_core.hcpage_msr_found);
			return msrs ? -EBUSY : -EOPNOTSUPP;
		}
		if (hv_core.info.kvm_base)
			pr_warn("mode=active on KVM (its CPUID leaves at 0x%08x): with our guest OS ID set, KVM takes every VMCALL as a Hyper-V hypercall, so the kernel's KVM_HC_SEND_IPI, KVM_HC_KICK_CPU and KVM_HC_SCHED_YIELD are lost (missed IPIs, stalled spinlocks) until hypervive_core unloads\n",
				hv_core.info.kvm_base);
		break;
	default:
		if (busy) {
			hv_core.effective = HYPERVIVE_MODE_OBSERVE;
			hv_core.observe_reason = busy;
			return 0;
		}
		break;
	}
	hv_core.effective = HYPERVIVE_MODE_ACTIVE;
	return 0;
}

static void report(void)
{
	const struct hypervive_info *i = &hv_core.info;

	if (hv_core.effective == HYPERVIVE_MODE_OBSERVE) {
		pr_info("%s (%s) %u.%u build %u, platform %s, mode %s -> observe (%s): read-only\n",
			i->vendor, i->interface_str, i->major, i->minor, i->build,
			hv_core.ops->name, mode_names[hv_core.mode],
			hv_core.observe_reason);
		return;
	}
	pr_info("%s (%s) %u.%u build %u, platform %s, mode %s -> active: guest OS ID %s, hypercall page enabled at pfn 0x%llx%s\n",
		i->vendor, i->interface_str, i->major, i->minor, i->build,
		hv_core.ops->name, mode_names[hv_core.mode],
		hv_core.guest_id_owner == HYPERVIVE_OWNER_US ? "set" : "kept",
		hypervive_hcpage_pfn(),
		hv_core.hcpage_ibt_refused ? " (hypercalls refused: IBT)" : "");
}

static int __init hypervive_core_init(void)
{
	int ret;

	ret = hypervive_platform_get(platform_names[platform_param]);
	if (ret)
		return ret;
	ret = hypervive_discover(&hv_core.info);
	if (ret)
		goto err_platform;
	ret = choose_mode();
	if (ret)
		goto err_platform;

	if (hv_core.effective == HYPERVIVE_MODE_ACTIVE) {
		ret = hypervive_guest_id_claim();
		if (ret)
			goto err_platform;
		ret = hypervive_hypercall_init();
		if (ret)
			goto err_guest_id;
	}

	ret = hypervive_tsc_init();
	if (ret)
		goto err_hypercall;
	ret = hypervive_crash_init();
	if (ret)
		goto err_tsc;
	ret = hypervive_leave_init();
	if (ret)
		goto err_crash;
	ret = hypervive_core_sysfs_init();
	if (ret)
		goto err_leave;
	report();
	return 0;

err_leave:
	hypervive_leave_exit();
err_crash:
	hypervive_crash_exit();
err_tsc:
	hypervive_tsc_exit();
err_hypercall:
	if (hv_core.effective == HYPERVIVE_MODE_ACTIVE)
		hypervive_hypercall_exit();
err_guest_id:
	hypervive_guest_id_release();
err_platform:
	hypervive_platform_put();
	return ret;
}

static void __exit hypervive_core_exit(void)
{
	hypervive_core_sysfs_exit();
	hypervive_leave_exit();
	hypervive_crash_exit();
	hypervive_tsc_exit();
	if (hv_core.effective == HYPERVIVE_MODE_ACTIVE) {
		/* Reverse of init: the page needs the ID, so it goes first. */
		hypervive_hypercall_exit();
		hypervive_guest_id_release();
	}
	hypervive_platform_put();
	pr_info("unloaded\n");
}

const struct hypervive_info *hypervive_get_info(void)
{
	return &hv_core.info;
}
EXPORT_SYMBOL_NS_GPL(hypervive_get_info, "HYPERVIVE");

bool hypervive_is_active(void)
{
	return hv_core.effective == HYPERVIVE_MODE_ACTIVE;
}
EXPORT_SYMBOL_NS_GPL(hypervive_is_active, "HYPERVIVE");

module_init(hypervive_core_init);
module_exit(hypervive_core_exit);
MODULE_DESCRIPTION("HyperVive Guest: Hyper-V discovery, guest identity and hypercalls");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);
MODULE_IMPORT_NS("HYPERVIVE");

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest crash reporting (TLFS "Guest Crash Enlightenment Interface").
 *
 * Where the partition offers the crash MSRs (CPUID 0x40000003 EDX[10]) and
 * HV_X64_MSR_CRASH_CTL reads back CrashNotify, a panic notifier writes
 * P0-P4 and then, once, CRASH_CTL:
 *   P0  format marker "HVPANIC" + version 1 (0x0143494e41505648)
 *   P1  the CPU that panicked
 *   P2  the kernel's taint mask (bit N: taint flag N)
 *   P3  GPA of the message page (with CrashMessage), else bytes 0-7 of
 *       the panic reason
 *   P4  message length, at most 4096 (with CrashMessage), else bytes 8-15
 * The message page holds the youngest kernel log lines that fit, filled
 * on the panic path by kmsg_dump_get_buffer() (lockless).  The page is
 * allocated at load: the panic path allocates nothing, takes no lock and
 * never sleeps.  Active mode only: observe mode writes no MSR.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/kmsg_dump.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <hypervive/tlfs.h>
#include "core_internal.h"

#define HYPERVIVE_CRASH_MAGIC	0x0143494e41505648ULL	/* "HVPANIC", 1 */
#define CRASH_MSG_MAX		4096			/* TLFS: P4 <= 4096 */

static bool crash_report = true;
static bool offered;		/* CPUID 0x40000003 EDX[10] */
static u64 capabilities;	/* HV_X64_MSR_CRASH_CTL as read at load */
static bool registered;		/* our panic notifier is on the list */
static const char *reason = "not set up";
static struct page *msg_page;
static atomic_t reported = ATOMIC_INIT(0);

static int crash_report_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("crash_report=%s: expected 0 or 1\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(crash_report, on);
	return 0;
}

static int crash_report_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(crash_report));
}

static const struct kernel_param_ops crash_report_ops = {
	.set = crash_report_set,
	.get = crash_report_get,
};

module_param_cb(crash_report, &crash_report_ops, NULL, 0644);
MODULE_PARM_DESC(crash_report, "1 (default): report a panic to the hypervisor through the crash MSRs where the partition offers them (active mode); 0: don't; may be changed at run time");

/* get_taint() is not exported; test_taint() is. */
static u64 taint_mask(void)
{
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < TAINT_FLAGS_COUNT && i < 64; i++)
		if (test_taint(i))
			mask |= BIT_ULL(i);
	return mask;
}

static void write_crash_msr(u32 msr, u64 val)
{
	/* Nothing to do about a fault while panicking: carry on. */
	hv_core.ops->write_msr(msr, val);
}

static int crash_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	const char *why = data;
	u64 ctl = HVT_CRASH_CTL_CRASH_NOTIFY, p3 = 0, p4 = 0;
	struct kmsg_dump_iter iter;
	char head[16] = { 0 };
	size_t len = 0;

	/* TLFS: at most one CRASH_CTL write per crash. */
	if (!READ_ONCE(crash_report) || atomic_xchg(&reported, 1))
		return NOTIFY_DONE;

	if (msg_page) {
		kmsg_dump_rewind(&iter);
		kmsg_dump_get_buffer(&iter, false, page_address(msg_page),
				     CRASH_MSG_MAX, &len);
	}
	if (len) {
		ctl |= HVT_CRASH_CTL_CRASH_NOTIFY_MSG;
		p3 = page_to_phys(msg_page);
		p4 = min_t(size_t, len, CRASH_MSG_MAX);
	} else if (why) {
		memcpy(head, why, strnlen(why, sizeof(head)));
		memcpy(&p3, head, 8);
		memcpy(&p4, head + 8, 8);
	}
	write_crash_msr(HVT_X64_MSR_CRASH_P0, HYPERVIVE_CRASH_MAGIC);
	write_crash_msr(HVT_X64_MSR_CRASH_P1, raw_smp_processor_id());
	write_crash_msr(HVT_X64_MSR_CRASH_P2, taint_mask());
	write_crash_msr(HVT_X64_MSR_CRASH_P3, p3);
	write_crash_msr(HVT_X64_MSR_CRASH_P4, p4);
	write_crash_msr(HVT_X64_MSR_CRASH_CTL, ctl);
	return NOTIFY_DONE;
}

static struct notifier_block crash_nb = {
	.notifier_call = crash_notify,
};

int hypervive_crash_init(void)
{
	int ret;

	offered = hv_core.info.features_edx & HVT_FEATURE_GUEST_CRASH_MSR_AVAILABLE;
	capabilities = 0;
	atomic_set(&reported, 0);
	if (!offered) {
		reason = "the partition does not offer the crash MSRs (CPUID 0x40000003 EDX[10])";
		return 0;
	}
	/* Reading is allowed in observe mode too: it only reports. */
	ret = hv_core.ops->read_msr(HVT_X64_MSR_CRASH_CTL, &capabilities);
	if (ret) {
		pr_err("cannot read the crash control MSR 0x%x: %d\n",
		       HVT_X64_MSR_CRASH_CTL, ret);
		return ret;
	}
	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE) {
		reason = "observe mode: read-only";
		return 0;
	}
	if (!(capabilities & HVT_CRASH_CTL_CRASH_NOTIFY)) {
		reason = "HV_X64_MSR_CRASH_CTL offers no CrashNotify";
		return 0;
	}
	if (capabilities & HVT_CRASH_CTL_CRASH_NOTIFY_MSG) {
		msg_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!msg_page)
			return -ENOMEM;
	}
	atomic_notifier_chain_register(&panic_notifier_list, &crash_nb);
	registered = true;
	reason = "";
	pr_info("crash reporting armed: CRASH_CTL offers 0x%016llx (%s)\n", capabilities,
		msg_page ? "notify, message" : "notify");
	return 0;
}

void hypervive_crash_exit(void)
{
	if (registered)
		atomic_notifier_chain_unregister(&panic_notifier_list, &crash_nb);
	registered = false;
	if (msg_page)
		__free_page(msg_page);
	msg_page = NULL;
	reason = "not set up";
}

/* /sys/kernel/hypervive/core/crash/ */
static ssize_t offered_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", offered);
}

static ssize_t caps_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%016llx\n", capabilities);
}

/* Named bits, then any other set bit as bitN, so nothing is hidden. */
static ssize_t caps_names_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	int bit, n = 0;

	for (bit = 63; bit >= 0; bit--) {
		if (!(capabilities & BIT_ULL(bit)))
			continue;
		if (BIT_ULL(bit) == HVT_CRASH_CTL_CRASH_NOTIFY)
			n += sysfs_emit_at(buf, n, "%sCrashNotify", n ? " " : "");
		else if (BIT_ULL(bit) == HVT_CRASH_CTL_CRASH_NOTIFY_MSG)
			n += sysfs_emit_at(buf, n, "%sCrashMessage", n ? " " : "");
		else
			n += sysfs_emit_at(buf, n, "%sbit%d", n ? " " : "", bit);
	}
	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t armed_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", registered && READ_ONCE(crash_report));
}

static ssize_t reason_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	if (registered && !READ_ONCE(crash_report))
		return sysfs_emit(buf, "crash_report=0\n");
	return sysfs_emit(buf, "%s\n", reason);
}

static ssize_t msg_pfn_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%lx\n", msg_page ? page_to_pfn(msg_page) : 0UL);
}

static struct kobj_attribute offered_attr = __ATTR(offered, 0444, offered_show, NULL);
static struct kobj_attribute caps_attr = __ATTR(capabilities, 0444, caps_show, NULL);
static struct kobj_attribute caps_names_attr =
	__ATTR(capability_names, 0444, caps_names_show, NULL);
static struct kobj_attribute armed_attr = __ATTR(armed, 0444, armed_show, NULL);
static struct kobj_attribute reason_attr = __ATTR(reason, 0444, reason_show, NULL);
static struct kobj_attribute msg_pfn_attr = __ATTR(message_page_pfn, 0444, msg_pfn_show, NULL);

static struct attribute *crash_attrs[] = {
	&offered_attr.attr, &caps_attr.attr, &caps_names_attr.attr, &armed_attr.attr,
	&reason_attr.attr, &msg_pfn_attr.attr, NULL,
};

const struct attribute_group hypervive_crash_group = {
	.name = "crash",
	.attrs = crash_attrs,
};

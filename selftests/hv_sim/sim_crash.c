// SPDX-License-Identifier: GPL-2.0
/*
 * The guest crash MSRs (TLFS "Guest Crash Enlightenment Interface"):
 * HV_X64_MSR_CRASH_P0..P4 hold what the guest writes; reading
 * HV_X64_MSR_CRASH_CTL returns the capabilities (load parameter crash_ctl);
 * writing it with CrashNotify is the notification: the model prints its
 * record of P0-P4 on the console, and with CrashMessage (if offered) the
 * P4 bytes at guest physical address P3 (at most 4096), so the harness can
 * read them after the guest died.  The MSRs fault when CPUID 0x40000003
 * EDX[10] is clear (sim_msr.c).
 *
 * This runs on the guest's panic path, other CPUs stopped: no locks, no
 * allocation; the message is copied with copy_from_kernel_nofault().
 */
#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/uaccess.h>
#include <asm/mshyperv.h>
#include "sim.h"

#define CRASH_MSG_MAX	4096	/* TLFS: P4 at most 4096 bytes */

static unsigned long long crash_ctl = HV_CRASH_CTL_CRASH_NOTIFY | HV_CRASH_CTL_CRASH_NOTIFY_MSG;
module_param(crash_ctl, ullong, 0444);
MODULE_PARM_DESC(crash_ctl, "HV_X64_MSR_CRASH_CTL as read: the crash actions offered (default 0xc000000000000000: CrashNotify | CrashMessage)");

static u64 p[HV_X64_MSR_CRASH_PARAMS];
static atomic64_t notifications, bad_ctl_bits;
static char msg[CRASH_MSG_MAX];

/* One console line per message line, unprintable bytes shown as '?'. */
static void print_message(u64 gpa, u64 len)
{
	size_t i, start = 0;

	if (len > CRASH_MSG_MAX) {
		pr_info("crash message: length %llu over the TLFS maximum of %d: ignored\n",
			len, CRASH_MSG_MAX);
		return;
	}
	if (!pfn_valid(PHYS_PFN(gpa)) || !pfn_valid(PHYS_PFN(gpa + len - 1)) ||
	    copy_from_kernel_nofault(msg, phys_to_virt(gpa), len)) {
		pr_info("crash message: GPA 0x%llx length %llu is not guest RAM: ignored\n",
			gpa, len);
		return;
	}
	pr_info("crash message begin: %llu bytes at GPA 0x%llx\n", len, gpa);
	for (i = 0; i < len; i++) {
		if (msg[i] == '\n') {
			pr_info("crash message| %.*s\n", (int)(i - start), msg + start);
			start = i + 1;
		} else if (!isprint(msg[i])) {
			msg[i] = '?';
		}
	}
	if (start < len)
		pr_info("crash message| %.*s\n", (int)(len - start), msg + start);
	pr_info("crash message end\n");
}

static void notify(u64 ctl)
{
	u64 n = atomic64_inc_return(&notifications);

	pr_info("guest crash notification %llu: CRASH_CTL=0x%016llx P0=0x%016llx P1=0x%016llx P2=0x%016llx P3=0x%016llx P4=0x%016llx\n",
		n, ctl, p[0], p[1], p[2], p[3], p[4]);
	if (n > 1)
		pr_info("guest crash notification %llu: the TLFS allows one CRASH_CTL write per crash\n",
			n);
	if ((ctl & HV_CRASH_CTL_CRASH_NOTIFY_MSG) && p[4])
		print_message(p[3], p[4]);
}

int sim_crash_read_msr(u32 msr, u64 *val)
{
	if (msr == HV_X64_MSR_CRASH_CTL) {
		*val = crash_ctl;
		return 0;
	}
	*val = READ_ONCE(p[msr - HV_X64_MSR_CRASH_P0]);
	return 0;
}

int sim_crash_write_msr(u32 msr, u64 val)
{
	if (msr != HV_X64_MSR_CRASH_CTL) {
		WRITE_ONCE(p[msr - HV_X64_MSR_CRASH_P0], val);
		return 0;
	}
	/* Actions not offered are not performed; the guest's mistake is counted. */
	if (val & ~crash_ctl)
		atomic64_inc(&bad_ctl_bits);
	val &= crash_ctl;
	if (val & HV_CRASH_CTL_CRASH_NOTIFY)
		notify(val);
	return 0;
}

static int a64_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}

static int a64_set(void *data, u64 val)
{
	atomic64_set(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(count_fops, a64_get, a64_set, "%llu\n");

static int reg_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u64 *)data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(reg_fops, reg_get, NULL, "0x%016llx\n");

void sim_crash_debugfs(struct dentry *parent)
{
	struct dentry *d = debugfs_create_dir("crash", parent);
	static const char * const names[] = { "p0", "p1", "p2", "p3", "p4" };
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		debugfs_create_file_unsafe(names[i], 0400, d, &p[i], &reg_fops);
	debugfs_create_file_unsafe("ctl", 0400, d, &crash_ctl, &reg_fops);
	debugfs_create_file_unsafe("notifications", 0600, d, &notifications, &count_fops);
	debugfs_create_file_unsafe("bad_ctl_bits", 0600, d, &bad_ctl_bits, &count_fops);
}

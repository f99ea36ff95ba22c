// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving the hypervisor as we found it when the kernel stops or sleeps:
 * reboot and power-off, kexec, panic (and so kdump), hibernation.
 *
 * After a kexec the next kernel runs on memory this one gave back, and
 * the hypervisor still writes the reference TSC page and may run the
 * hypercall page (our module text) wherever the MSRs point; Linux tears
 * both down on the way (hyperv_cleanup() from hv_machine_shutdown() and
 * hv_machine_crash_shutdown(), arch/x86/kernel/cpu/mshyperv.c), and so do
 * we, from the hooks a module has:
 * - the reboot notifier (restart, halt, power-off, and kexec: kernel_kexec()
 *   runs kernel_restart_prepare()), with every CPU still online;
 * - the panic notifier.  It runs before a kdump kernel starts only with
 *   crash_kexec_post_notifiers=1, which Linux sets itself on Hyper-V (for
 *   its crash MSRs) but a module cannot; without it the kdump kernel finds
 *   our pages enabled, in memory outside its own reserved region;
 * - syscore suspend and resume for hibernation (and suspend to RAM):
 *   Linux's hv_suspend()/hv_resume() (arch/x86/hyperv/hv_init.c).  The
 *   restored kernel runs in a partition started afresh, so the ID and the
 *   pages are set again on resume, the TSC page by our clocksource's
 *   .resume when it reads the page (clocksource.c), before timekeeping
 *   reads it.
 * hypervive_vmbus does the same for the SynIC and the VMBus connection
 * (hv_vmbus/leave.c), first (HYPERVIVE_LEAVE_PRIO_VMBUS).
 */
#include <linux/notifier.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <hypervive/core.h>
#include "core_internal.h"
#include "tsc.h"

/* In reverse of the order they were set up in. */
static void leave(bool may_sleep)
{
	hypervive_tsc_page_leave();
	hypervive_hcpage_leave(may_sleep);
	hypervive_guest_id_leave();
}

static int leave_reboot(struct notifier_block *nb, unsigned long code, void *cmd)
{
	leave(true);
	pr_info("%s: the reference TSC page, the hypercall page and the guest OS ID are put back as found\n",
		code == SYS_RESTART ? "restart or kexec" :
		code == SYS_HALT ? "halt" : "power off");
	return NOTIFY_DONE;
}

static struct notifier_block reboot_nb = {
	.notifier_call = leave_reboot,
	.priority = HYPERVIVE_LEAVE_PRIO_CORE,
};

/* Other CPUs are stopped: no hypercall is in flight, no printk needed. */
static int leave_panic(struct notifier_block *nb, unsigned long code, void *unused)
{
	leave(false);
	return NOTIFY_DONE;
}

static struct notifier_block panic_nb = {
	.notifier_call = leave_panic,
	.priority = HYPERVIVE_LEAVE_PRIO_CORE,
};

/*
 * One CPU, interrupts off.  A page our clocksource reads stays on until its
 * .suspend: timekeeping's suspend, after this one, reads the clock last.
 */
static int leave_suspend(void *unused)
{
	if (!hypervive_clocksource_reads_page())
		hypervive_tsc_page_leave();
	hypervive_hcpage_leave(false);
	hypervive_guest_id_leave();
	return 0;
}

static void leave_resume(void *unused)
{
	int ret;

	ret = hypervive_guest_id_return();
	if (!ret)
		ret = hypervive_hcpage_return();
	if (ret)
		pr_err("back from sleep: the guest OS ID or the hypercall page could not be set again (%d): hypercalls refused\n",
		       ret);
	hypervive_tsc_page_return();
}

HYPERVIVE_SYSCORE(leave_syscore, leave_suspend, leave_resume);

/* Active mode only: in observe mode nothing of ours is set up. */
int hypervive_leave_init(void)
{
	int ret;

	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE)
		return 0;
	ret = register_reboot_notifier(&reboot_nb);
	if (ret)
		return ret;
	atomic_notifier_chain_register(&panic_notifier_list, &panic_nb);
	register_syscore(&leave_syscore);
	return 0;
}

void hypervive_leave_exit(void)
{
	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE)
		return;
	unregister_syscore(&leave_syscore);
	atomic_notifier_chain_unregister(&panic_notifier_list, &panic_nb);
	unregister_reboot_notifier(&reboot_nb);
}

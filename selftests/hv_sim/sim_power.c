// SPDX-License-Identifier: GPL-2.0
/*
 * Power events as the hypervisor sees them.
 *
 * Shutdown (reboot, power-off, kexec) and panic: the model dies with the
 * kernel, so it says on the console what the guest left enabled, last in
 * the reboot and panic notifier chains (priority INT_MIN, after every
 * HyperVive module's notifier).  A real hypervisor keeps exactly this
 * state across a kexec into the next kernel, which is why Linux tears it
 * down first (hyperv_cleanup() from hv_machine_shutdown() and
 * hv_machine_crash_shutdown(), arch/x86/kernel/cpu/mshyperv.c; the SynIC
 * in hv_kexec_handler() and hv_crash_handler(), drivers/hv/vmbus_drv.c).
 * selftests/boots/92-kexec-check.sh and 90-crash-check.sh read the lines.
 * An MSR write after the report is counted and logged: it came after the
 * guest said it was done.
 *
 * Hibernation: the image is written and the VM powered off; the restored
 * kernel runs in a partition started afresh, every synthetic MSR at its
 * reset value (TLFS "SynIC MSRs": SCONTROL, SIEFP and SIMP read 0 "at
 * virtual processor creation time and upon processor reset", the SIM and
 * SIEF pages are cleared, the message queues empty; Linux re-enables its
 * hypercall page in hv_resume(), arch/x86/hyperv/hv_init.c, "as it is
 * going to be invalidated across hibernation", and its TSC page in
 * resume_hv_clock_tsc()).  The model resets at its syscore suspend while
 * hibernating: after hypervive_core's (loaded later, so suspended
 * earlier), before timekeeping's.  /sys/power/pm_test's "core" mode, which
 * runs the suspend callbacks and comes back without writing an image,
 * then meets the partition a real restore meets.
 */
#include <linux/notifier.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <linux/suspend.h>
#include <asm/mshyperv.h>
#include "sim.h"
#include "sim_vmbus.h"

static bool hibernating, was_reset;

/*
 * One report; what it counts as still enabled is its last line.  @final:
 * the guest is done, so any MSR write after this one is late.
 */
static void report_state(const char *when, bool final)
{
	unsigned int on = 0;
	u64 tsc = sim_tsc_msr();

	on += !!sim.guest_os_id + !!(sim.hypercall & SIM_HC_ENABLE) + !!(tsc & BIT_ULL(0));
	pr_info("%s: GUEST_OS_ID=0x%llx HYPERCALL=0x%llx REFERENCE_TSC=0x%llx\n",
		when, sim.guest_os_id, sim.hypercall, tsc);
	on += sim_synic_report(when);
	on += sim_host_report(when);
	pr_info("%s: report end: %u enabled\n", when, on);
	if (final)
		WRITE_ONCE(sim.reported, true);
}

static int reboot_notify(struct notifier_block *nb, unsigned long code, void *cmd)
{
	report_state(code == SYS_RESTART ? "shutdown (restart or kexec)" :
	       code == SYS_HALT ? "shutdown (halt)" : "shutdown (power off)", true);
	return NOTIFY_DONE;
}

static struct notifier_block reboot_nb = {
	.notifier_call = reboot_notify,
	.priority = INT_MIN,
};

static int panic_notify(struct notifier_block *nb, unsigned long code, void *unused)
{
	report_state("panic", true);
	return NOTIFY_DONE;
}

static struct notifier_block panic_nb = {
	.notifier_call = panic_notify,
	.priority = INT_MIN,
};

static int pm_notify(struct notifier_block *nb, unsigned long code, void *unused)
{
	if (code == PM_HIBERNATION_PREPARE)
		WRITE_ONCE(hibernating, true);
	else if (code == PM_POST_HIBERNATION)
		WRITE_ONCE(hibernating, false);
	return NOTIFY_DONE;
}

static struct notifier_block pm_nb = {
	.notifier_call = pm_notify,
};

/* Interrupts off, one CPU left: the machine "powers off" here. */
static int sim_power_suspend(void *unused)
{
	unsigned long flags;

	if (!READ_ONCE(hibernating))
		return 0;
	report_state("hibernation: before the partition reset", false);
	spin_lock_irqsave(&sim.lock, flags);
	sim.guest_os_id = 0;
	sim.hypercall &= SIM_HC_RSVDP;		/* the lock bit goes too */
	sim.tsc_invariant_control = 0;
	spin_unlock_irqrestore(&sim.lock, flags);
	sim_tsc_reset();
	sim_synic_reset();
	sim_host_reset();
	atomic64_inc(&sim.partition_resets);
	was_reset = true;
	pr_info("hibernation: partition reset, every synthetic MSR at its reset value\n");
	return 0;
}

/* The partition runs again: said for the console's order of events. */
static void sim_power_resume(void *unused)
{
	if (!was_reset)
		return;
	was_reset = false;
	pr_info("hibernation: the partition runs again\n");
}

HYPERVIVE_SYSCORE(sim_power_syscore, sim_power_suspend, sim_power_resume);

/* sim_msr.c calls this for every MSR write. */
void sim_power_msr_written(u32 msr, u64 val)
{
	if (!READ_ONCE(sim.reported))
		return;
	atomic64_inc(&sim.late_msr_writes);
	pr_warn_ratelimited("MSR 0x%x written (0x%llx) after the shutdown report\n", msr, val);
}

void sim_power_init(void)
{
	register_reboot_notifier(&reboot_nb);
	atomic_notifier_chain_register(&panic_notifier_list, &panic_nb);
	register_pm_notifier(&pm_nb);
	register_syscore(&sim_power_syscore);
}

void sim_power_exit(void)
{
	unregister_syscore(&sim_power_syscore);
	unregister_pm_notifier(&pm_nb);
	atomic_notifier_chain_unregister(&panic_notifier_list, &panic_nb);
	unregister_reboot_notifier(&reboot_nb);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving the host when the kernel stops or sleeps, and coming back.
 *
 * - Reboot, power-off and kexec (the reboot notifier, every CPU online):
 *   UNLOAD, then every CPU's SynIC back as found, as Linux's
 *   hv_kexec_handler() does (vmbus_initiate_unload(), then
 *   cpuhp_remove_state(); drivers/hv/vmbus_drv.c).  A kexec'd kernel then
 *   finds no SynIC page pointing into memory it reuses, and its own
 *   INITIATE_CONTACT meets a host that is not connected.
 * - Panic: this CPU's SynIC only, as hv_crash_handler() does; no UNLOAD,
 *   whose answer needs the workqueue of a kernel that has stopped (the
 *   next INITIATE_CONTACT is a reconnect, which hosts from 2012 R2 take).
 * - Suspend and hibernation (a PM notifier, before processes freeze and
 *   after they thaw): the same way out as a reboot, then a new connection
 *   with the channels offered again, as Linux's vmbus_bus_suspend() and
 *   vmbus_bus_resume() do; a hibernated guest resumes in a partition
 *   whose host knows nothing of the old connection.
 * hypervive_core leaves after us (HYPERVIVE_LEAVE_PRIO_*), on the same hooks.
 */
#include <linux/notifier.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <linux/suspend.h>
#include <hypervive/core.h>
#include "vmbus.h"

static void leave(const char *why)
{
	if (hvv.away)
		return;
	hvv_disconnect();
	hvv_synic_stop();
	/* The offers after a reconnect are the list again, not news. */
	hvv.offers_complete = false;
	hvv.away = true;
	pr_info("%s: the host is unloaded and every CPU's SynIC is put back as found\n", why);
}

static void come_back(void)
{
	int ret;

	if (!hvv.away)
		return;
	hvv.away = false;
	hvv_channels_clear();
	ret = hvv_synic_start();
	if (!ret)
		ret = hvv_connect();
	if (!ret)
		ret = hvv_request_offers();
	if (ret) {
		pr_err("back from sleep: reconnecting to the host failed (%d): no VMBus until reloaded\n",
		       ret);
		return;
	}
	pr_info("back from sleep: VMBus %u.%u connected again, %u channels\n",
		hvv.version >> 16, hvv.version & 0xffff, hvv.nr_channels);
}

static int leave_reboot(struct notifier_block *nb, unsigned long code, void *cmd)
{
	leave(code == SYS_RESTART ? "restart or kexec" :
	      code == SYS_HALT ? "halt" : "power off");
	return NOTIFY_DONE;
}

static struct notifier_block reboot_nb = {
	.notifier_call = leave_reboot,
	.priority = HYPERVIVE_LEAVE_PRIO_VMBUS,
};

static int leave_panic(struct notifier_block *nb, unsigned long code, void *unused)
{
	hvv_synic_panic_off();
	return NOTIFY_DONE;
}

static struct notifier_block panic_nb = {
	.notifier_call = leave_panic,
	.priority = HYPERVIVE_LEAVE_PRIO_VMBUS,
};

static int leave_pm(struct notifier_block *nb, unsigned long code, void *unused)
{
	switch (code) {
	case PM_HIBERNATION_PREPARE:
		leave("hibernation");
		break;
	case PM_SUSPEND_PREPARE:
		leave("suspend");
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_SUSPEND:
		come_back();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block pm_nb = {
	.notifier_call = leave_pm,
};

/* Active mode only, once the connection is up. */
int hvv_leave_init(void)
{
	int ret;

	ret = register_reboot_notifier(&reboot_nb);
	if (ret)
		return ret;
	ret = register_pm_notifier(&pm_nb);
	if (ret) {
		unregister_reboot_notifier(&reboot_nb);
		return ret;
	}
	atomic_notifier_chain_register(&panic_notifier_list, &panic_nb);
	return 0;
}

void hvv_leave_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &panic_nb);
	unregister_pm_notifier(&pm_nb);
	unregister_reboot_notifier(&reboot_nb);
}

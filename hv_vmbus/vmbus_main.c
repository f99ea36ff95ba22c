// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_vmbus: the SynIC of every CPU, message and event-flag
 * dispatch, the VMBus connection and the channel inventory, on top of
 * hypervive_core's platform boundary.
 *
 * Mode follows hypervive_core (ARCHITECTURE.md decision 3): where core
 * observes, we observe; where core is active we take the SynIC unless the
 * kernel's own hv_vmbus is loaded or another owner has enabled the SynIC,
 * in which case core's mode=active makes us refuse with one line and
 * mode=auto makes us observe.  Observing reads the SynIC registers for
 * sysfs and writes nothing.
 */
#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/mshyperv.h>
#include <hypervive/tlfs.h>
#include <hypervive/core.h>
#include "vmbus.h"

struct hvv_state hvv;

/*
 * Never raised: polling mode sets the SINT's polling bit, where the
 * hypervisor offers SintPollingModeAvailable (setup_delivery()).  Still a
 * valid vector, because the TLFS faults an unmasked SINT with one below 16.
 */
#define HVV_POLL_VECTOR		0xf3

static int delivery_param = HVV_DELIVERY_AUTO;

static const char * const delivery_names[] = {
	[HVV_DELIVERY_AUTO] = "auto",
	[HVV_DELIVERY_INTERRUPT] = "interrupt",
	[HVV_DELIVERY_POLL] = "poll",
};

static int delivery_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(delivery_names, val);

	if (i < 0) {
		pr_err("delivery=%s: expected auto, interrupt or poll\n", val);
		return -EINVAL;
	}
	*(int *)kp->arg = i;
	return 0;
}

static int delivery_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", delivery_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops delivery_ops = {
	.set = delivery_set,
	.get = delivery_get,
};

module_param_cb(delivery, &delivery_ops, &delivery_param, 0444);
MODULE_PARM_DESC(delivery, "auto (default): the platform's SynIC interrupt where there is one, else polling; interrupt: refuse to load without one; poll: always poll");

/*
 * The kernel's VMBus driver, probed by name so that we never load it.
 * Built into the kernel (HYPERVIVE_VMBUS_BUILTIN, as in sid's 7.2) its
 * symbols are always there, but it started only if the kernel found
 * Hyper-V at boot: vmbus_drv.c's init returns -ENODEV unless
 * hv_is_hyperv_initialized(), and built in it runs once.  Started, it also
 * owns the SynIC (synic_owned()).
 */
static bool kernel_vmbus_loaded(void)
{
	if (!__symbol_get("vmbus_driver_unregister"))
		return false;
	__symbol_put("vmbus_driver_unregister");
	if (HYPERVIVE_VMBUS_BUILTIN)
		return hv_is_hyperv_initialized();
	return true;
}

static char busy_buf[160];

/* An online CPU whose SynIC someone else enabled, described in busy_buf. */
static bool synic_owned(void)
{
	u64 sc, simp, siefp;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (hvv_read_cpu_msr(cpu, HVT_X64_MSR_SCONTROL, &sc) ||
		    hvv_read_cpu_msr(cpu, HVT_X64_MSR_SIMP, &simp) ||
		    hvv_read_cpu_msr(cpu, HVT_X64_MSR_SIEFP, &siefp))
			continue;
		if ((sc & HVT_SYNIC_CONTROL_ENABLE) || (simp & HVT_SYNIC_PAGE_ENABLE) ||
		    (siefp & HVT_SYNIC_PAGE_ENABLE)) {
			snprintf(busy_buf, sizeof(busy_buf),
				 "the SynIC of CPU %u is already enabled by another owner (SCONTROL 0x%llx, SIMP 0x%llx)",
				 cpu, sc, simp);
			return true;
		}
	}
	return false;
}

static int choose_mode(void)
{
	const struct hypervive_info *info = hypervive_get_info();
	const char *busy = NULL;

	if (!hypervive_is_active()) {
		hvv.observe_reason = "hypervive_core observes";
		return 0;
	}
	if (!(info->privileges & HVT_MSR_SYNIC_AVAILABLE))
		busy = "the partition lacks the AccessSynicRegs privilege";
	else if (!(info->privileges & ((u64)HVT_POST_MESSAGES << 32)))
		busy = "the partition lacks the PostMessages privilege";
	else if (kernel_vmbus_loaded())
		busy = "the kernel's hv_vmbus is loaded";
	else if (synic_owned())
		busy = busy_buf;
	if (!busy) {
		hvv.active = true;
		return 0;
	}
	if (hypervive_active_requested()) {
		pr_err("mode=active refused: %s; load hypervive_core with mode=auto or mode=observe\n",
		       busy);
		return -EBUSY;
	}
	hvv.observe_reason = busy;
	return 0;
}

static int setup_delivery(void)
{
	const struct hypervive_info *info = hypervive_get_info();
	int ret;

	hvv.aeoi = !(info->recommendations & HVT_DEPRECATING_AEOI_RECOMMENDED);
	if (delivery_param == HVV_DELIVERY_POLL) {
		hvv.poll_reason = "delivery=poll";
	} else {
		ret = hypervive_sint_handler_install(hvv_isr, &hvv.vector);
		if (!ret) {
			hvv.delivery = HVV_DELIVERY_INTERRUPT;
			return 0;
		}
		if (delivery_param == HVV_DELIVERY_INTERRUPT) {
			pr_err("delivery=interrupt: no SynIC interrupt to be had here (%d)\n", ret);
			return ret;
		}
		hvv.poll_reason = ret == -EBUSY ? "the interrupt handler slot is taken" :
						  "the platform offers no SynIC interrupt";
	}
	/*
	 * The polling bit is the hypervisor's promise not to interrupt, and
	 * only SintPollingModeAvailable makes it: KVM ignores the bit and
	 * raises the vector (0xf3 is its async-PF vector), and a masked SINT
	 * is no way out, since HvSignalEvent then refuses the host's event
	 * flags (TLFS "SIEF Page": HV_STATUS_INVALID_SYNIC_STATE).
	 */
	if (!(info->features_edx & HVT_SINT_POLLING_AVAILABLE)) {
		pr_err("cannot poll (%s): the hypervisor does not offer SintPollingModeAvailable (CPUID 0x40000003 EDX bit 17), so a polling SINT would still be interrupted\n",
		       hvv.poll_reason);
		return -EOPNOTSUPP;
	}
	hvv.delivery = HVV_DELIVERY_POLL;
	hvv.vector = HVV_POLL_VECTOR;
	return 0;
}

/* The VP index the host knows the connect CPU by (HV_X64_MSR_VP_INDEX). */
static void choose_connect_cpu(void)
{
	const struct hypervive_info *info = hypervive_get_info();
	u64 vp;

	hvv.connect_cpu = cpumask_first(cpu_online_mask);
	hvv.target_vp = hvv.connect_cpu;
	if ((info->privileges & HVT_MSR_VP_INDEX_AVAILABLE) &&
	    !hvv_read_cpu_msr(hvv.connect_cpu, HVT_X64_MSR_VP_INDEX, &vp) && vp <= U32_MAX)
		hvv.target_vp = vp;
}

static void report(void)
{
	unsigned int cpu, on = 0;
	char how[96];

	if (!hvv.active) {
		pr_info("observe (%s): read-only\n", hvv.observe_reason);
		return;
	}
	for_each_possible_cpu(cpu)
		on += per_cpu(hvv_cpus, cpu).state == HVV_CPU_ON;
	if (hvv.delivery == HVV_DELIVERY_INTERRUPT)
		snprintf(how, sizeof(how), "interrupts on vector 0x%02x (%s)", hvv.vector,
			 hvv.aeoi ? "AutoEOI" : "AutoEOI deprecated: EOI after the handler");
	else
		snprintf(how, sizeof(how), "polling every %u ms (%s)", hvv_poll_ms,
			 hvv.poll_reason);
	pr_info("VMBus %u.%u connected (INITIATE_CONTACT on connection %u, messages on 0x%x), %u channels%s; SynIC on %u CPUs, %s\n",
		hvv.version >> 16, hvv.version & 0xffff, hvv.contact_conn_id,
		hvv.msg_conn_id, hvv.nr_channels,
		hvv.offers_complete ? "" : " (ALLOFFERS_DELIVERED missing)", on, how);
}

static int __init hypervive_vmbus_init(void)
{
	int ret;

	ret = hvv_check_kernel_tables();
	if (ret)
		return ret;
	spin_lock_init(&hvv.probe_lock);
	ret = choose_mode();
	if (ret)
		return ret;
	hvv.wq = alloc_ordered_workqueue("hypervive_vmbus", 0);
	if (!hvv.wq)
		return -ENOMEM;
	ret = hvv_sysfs_init();
	if (ret)
		goto err_wq;
	if (!hvv.active) {
		report();
		return 0;
	}

	ret = hvv_channels_init();
	if (ret)
		goto err_sysfs;
	ret = hvv_conn_init();
	if (ret)
		goto err_channels;
	ret = hvv_synic_alloc();
	if (ret)
		goto err_conn;
	ret = setup_delivery();
	if (ret)
		goto err_synic_free;
	choose_connect_cpu();
	ret = hvv_synic_start();
	if (ret)
		goto err_handler;
	ret = hvv_connect();
	if (ret)
		goto err_synic_stop;
	ret = hvv_request_offers();
	if (ret)
		goto err_disconnect;
	ret = hvv_leave_init();
	if (ret)
		goto err_disconnect;
	report();
	return 0;

err_disconnect:
	hvv_disconnect();
err_synic_stop:
	hvv_synic_stop();
err_handler:
	if (hvv.delivery == HVV_DELIVERY_INTERRUPT)
		hypervive_sint_handler_remove();
err_synic_free:
	hvv_synic_free();
err_conn:
	hvv_conn_exit();
err_channels:
	hvv_channels_exit();
err_sysfs:
	hvv_sysfs_exit();
err_wq:
	destroy_workqueue(hvv.wq);
	return ret;
}

static void __exit hypervive_vmbus_exit(void)
{
	if (hvv.active) {
		hvv_leave_exit();
		/* Reverse of init: the UNLOAD_RESPONSE still needs the SynIC. */
		hvv_disconnect();
		hvv_synic_stop();
		if (hvv.delivery == HVV_DELIVERY_INTERRUPT)
			hypervive_sint_handler_remove();
		hvv_synic_free();
		hvv_conn_exit();
		hvv_channels_exit();
	}
	hvv_sysfs_exit();
	destroy_workqueue(hvv.wq);
	pr_info("unloaded\n");
}

module_init(hypervive_vmbus_init);
module_exit(hypervive_vmbus_exit);
MODULE_DESCRIPTION("HyperVive Guest: SynIC, VMBus connection and channel inventory");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);
MODULE_IMPORT_NS("HYPERVIVE");

// SPDX-License-Identifier: GPL-2.0
/*
 * How a synthetic interrupt reaches a HyperVive module (ARCHITECTURE.md
 * decision 2): the platform's sint_handler_install op behind one exported
 * wrapper, and the native op, the kernel's Hyper-V callback vector.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <asm/hypervisor.h>
#include <hypervive/tlfs.h>
#include <asm/irq_vectors.h>
#include <asm/mshyperv.h>
#include "core_internal.h"

static DEFINE_MUTEX(sint_lock);
static bool sint_installed;

/*
 * The kernel offers HYPERVISOR_CALLBACK_VECTOR only when it found Hyper-V
 * at boot (ms_hyperv_init_platform() installs the gate), and has one
 * handler slot, which its own hv_vmbus takes.  hv_vmbus is probed by name,
 * never linked: a symbol reference would make modprobe load it.
 */
int hypervive_native_sint_install(void (*handler)(void), u8 *vector)
{
#if IS_ENABLED(CONFIG_HYPERV)
	void *vmbus_sym;

	if (!hypervisor_is_type(X86_HYPER_MS_HYPERV))
		return -EOPNOTSUPP;
	vmbus_sym = __symbol_get("vmbus_driver_unregister");
	if (vmbus_sym) {
		__symbol_put("vmbus_driver_unregister");
		return -EBUSY;
	}
	hv_setup_vmbus_handler(handler);
	*vector = HYPERVISOR_CALLBACK_VECTOR;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * The slot has no getter.  hv_vmbus, loaded after us (the order README
 * says to avoid), took it in its init (vmbus_bus_init():
 * hv_setup_vmbus_handler(vmbus_isr)); emptying the slot then would
 * silence hv_vmbus, so it is left to it.
 */
void hypervive_native_sint_remove(void)
{
#if IS_ENABLED(CONFIG_HYPERV)
	void *vmbus_sym = __symbol_get("vmbus_driver_unregister");

	if (vmbus_sym) {
		__symbol_put("vmbus_driver_unregister");
		pr_warn("the kernel's hv_vmbus loaded after us and took the Hyper-V callback vector: left to it\n");
		return;
	}
	hv_remove_vmbus_handler();
#endif
}

int hypervive_sint_handler_install(void (*handler)(void), u8 *vector)
{
	const struct hypervive_platform_ops *ops = hv_core.ops;
	int ret;

	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE)
		return -EPERM;
	if (!ops->sint_handler_install || !ops->sint_handler_remove)
		return -EOPNOTSUPP;
	mutex_lock(&sint_lock);
	if (sint_installed) {
		ret = -EBUSY;
		goto out;
	}
	ret = ops->sint_handler_install(handler, vector);
	if (ret)
		goto out;
	/* TLFS "SINTx Registers": vectors 16-255 only. */
	if (*vector < HVT_SYNIC_FIRST_VALID_VECTOR) {
		pr_err("platform %s offered SINT vector %u, below %u\n",
		       ops->name, *vector, HVT_SYNIC_FIRST_VALID_VECTOR);
		ops->sint_handler_remove();
		synchronize_rcu();
		ret = -EINVAL;
		goto out;
	}
	sint_installed = true;
out:
	mutex_unlock(&sint_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hypervive_sint_handler_install, "HYPERVIVE");

void hypervive_sint_handler_remove(void)
{
	mutex_lock(&sint_lock);
	if (sint_installed) {
		hv_core.ops->sint_handler_remove();
		/*
		 * Both platforms call the handler with interrupts off, so a
		 * grace period covers every call that had already started.
		 */
		synchronize_rcu();
		sint_installed = false;
	}
	mutex_unlock(&sint_lock);
}
EXPORT_SYMBOL_NS_GPL(hypervive_sint_handler_remove, "HYPERVIVE");

bool hypervive_active_requested(void)
{
	return hv_core.mode == HYPERVIVE_MODE_ACTIVE;
}
EXPORT_SYMBOL_NS_GPL(hypervive_active_requested, "HYPERVIVE");

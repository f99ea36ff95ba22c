// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_fakevmbus: stands in for the kernel's own hv_vmbus in tests.
 * The real one will not load without Hyper-V, so this exports the symbol
 * HyperVive probes for (vmbus_driver_unregister) and does nothing else.
 * Test-only: never built for dkms.
 */
#include <linux/hyperv.h>
#include <linux/module.h>

void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
}
EXPORT_SYMBOL_GPL(vmbus_driver_unregister);

MODULE_DESCRIPTION("HyperVive Guest: a stand-in for hv_vmbus in coexistence tests (never install)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest OS identity MSR (TLFS "Reporting the Guest OS Identity").
 * Written only when it reads zero (TLFS step 3), put back on unload.
 */
#include <linux/printk.h>
#include <linux/version.h>
#include <hypervive/tlfs.h>
#include "core_internal.h"
#include "guest_id.h"

/* Build field (15:0) of our identity: the suite, not a distribution. */
#define HYPERVIVE_GUEST_ID_BUILD	0

int hypervive_guest_id_read(void)
{
	int ret;

	ret = hv_core.ops->read_msr(HVT_X64_MSR_GUEST_OS_ID,
				    &hv_core.guest_id_found);
	if (ret) {
		pr_err("cannot read the guest OS ID MSR 0x%x: %d\n",
		       HVT_X64_MSR_GUEST_OS_ID, ret);
		return ret;
	}
	hv_core.guest_id_owner = hv_core.guest_id_found ?
				 HYPERVIVE_OWNER_OTHER : HYPERVIVE_OWNER_NONE;
	return 0;
}

static int write_ours(void)
{
	u64 id = hypervive_guest_id_linux(LINUX_VERSION_CODE,
					  HYPERVIVE_GUEST_ID_BUILD);
	u64 now = 0;
	int ret;

	ret = hv_core.ops->write_msr(HVT_X64_MSR_GUEST_OS_ID, id);
	if (ret) {
		pr_err("writing the guest OS ID 0x%016llx failed: %d\n", id, ret);
		return ret;
	}
	hv_core.guest_id_owner = HYPERVIVE_OWNER_US;
	ret = hv_core.ops->read_msr(HVT_X64_MSR_GUEST_OS_ID, &now);
	if (ret || now != id) {
		pr_err("guest OS ID did not stick: wrote 0x%016llx, read 0x%016llx (%d)\n",
		       id, now, ret);
		hypervive_guest_id_release();
		return ret ?: -EIO;
	}
	return 0;
}

int hypervive_guest_id_claim(void)
{
	if (hv_core.guest_id_found)
		return 0;	/* someone identified the guest: keep theirs */
	return write_ours();
}

/*
 * Leaving (leave.c): the ID as found, as Linux's hyperv_cleanup() zeroes
 * it before a kexec; still ours for hypervive_guest_id_return().
 */
void hypervive_guest_id_leave(void)
{
	if (hv_core.guest_id_owner != HYPERVIVE_OWNER_US)
		return;
	if (hv_core.ops->write_msr(HVT_X64_MSR_GUEST_OS_ID, hv_core.guest_id_found))
		pr_err("leaving: restoring the guest OS ID to 0x%016llx failed\n",
		       hv_core.guest_id_found);
}

/* Back from hibernation, in a partition that started with no ID. */
int hypervive_guest_id_return(void)
{
	if (hv_core.guest_id_owner != HYPERVIVE_OWNER_US)
		return 0;
	return write_ours();
}

void hypervive_guest_id_release(void)
{
	int ret;

	if (hv_core.guest_id_owner != HYPERVIVE_OWNER_US)
		return;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_GUEST_OS_ID,
				     hv_core.guest_id_found);
	if (ret)
		pr_err("restoring the guest OS ID to 0x%016llx failed: %d\n",
		       hv_core.guest_id_found, ret);
	hv_core.guest_id_owner = HYPERVIVE_OWNER_NONE;
}

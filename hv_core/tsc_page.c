// SPDX-License-Identifier: GPL-2.0
/*
 * The reference TSC page (TLFS "Partition Reference Time Enlightenment"):
 * enabled through HV_X64_MSR_REFERENCE_TSC only with the
 * AccessPartitionReferenceTsc privilege and only in active mode, with the
 * RsvdP bits 11:1 kept as found.  A page another owner already enabled is
 * mapped read-only for reporting and never reprogrammed.  On unload the MSR gets back
 * the value found at load.
 */
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <hypervive/tlfs.h>
#include "tsc.h"

struct hypervive_tsc hv_tsc;

/*
 * Our layout (pure code, also built in user space); tlfs_check.c holds it
 * against the kernel's.
 */
static_assert(sizeof(struct hypervive_tsc_page) == HVT_HYP_PAGE_SIZE);
static_assert(HVT_HYP_PAGE_SIZE == PAGE_SIZE);

/* Another owner's page: read it where it is, never write it. */
static void map_other(u64 msr)
{
	u64 pfn = msr >> HVT_HYP_PAGE_SHIFT;

	/* Outside guest RAM the TLFS says the page is not accessible. */
	if (pfn_valid(pfn))
		hv_tsc.mapped = memremap(pfn << HVT_HYP_PAGE_SHIFT, HVT_HYP_PAGE_SIZE,
					 MEMREMAP_WB);
	if (!hv_tsc.mapped) {
		pr_info("reference TSC page of another owner at pfn 0x%llx cannot be mapped: not shown\n",
			pfn);
		return;
	}
	hv_tsc.page = hv_tsc.mapped;
	hv_tsc.page_pfn = pfn;
}

static int enable_ours(void)
{
	u64 found = hv_tsc.msr_found;
	u64 val, now = 0, pfn;
	struct page *page;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	pfn = page_to_pfn(page);
	val = (found & HVT_REFTSC_MSR_RSVDP) | (pfn << HVT_HYP_PAGE_SHIFT) |
	      HVT_REFTSC_MSR_ENABLE;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_REFERENCE_TSC, val);
	if (ret) {
		pr_err("writing the reference TSC MSR 0x%016llx failed: %d\n", val, ret);
		goto err_free;
	}
	ret = hv_core.ops->read_msr(HVT_X64_MSR_REFERENCE_TSC, &now);
	if (ret || (now & ~HVT_REFTSC_MSR_RSVDP) != (val & ~HVT_REFTSC_MSR_RSVDP)) {
		pr_err("the reference TSC page did not enable: wrote 0x%016llx, read 0x%016llx (%d)\n",
		       val, now, ret);
		ret = ret ?: -EIO;
		goto err_restore;
	}
	hv_tsc.owner = HYPERVIVE_OWNER_US;
	hv_tsc.our_page = page;
	hv_tsc.page = page_address(page);
	hv_tsc.page_pfn = pfn;
	return 0;

err_restore:
	if (hv_core.ops->write_msr(HVT_X64_MSR_REFERENCE_TSC, found)) {
		/* The hypervisor may still write it: better leaked than reused. */
		pr_err("restoring the reference TSC MSR to 0x%016llx failed: page leaked\n",
		       found);
		return ret;
	}
err_free:
	__free_page(page);
	return ret;
}

int hypervive_tsc_page_init(void)
{
	int ret;

	memset(&hv_tsc, 0, sizeof(hv_tsc));
	hv_tsc.owner = HYPERVIVE_OWNER_UNKNOWN;
	if (!hypervive_has_privilege(HVT_MSR_REFERENCE_TSC_AVAILABLE))
		return 0;

	ret = hv_core.ops->read_msr(HVT_X64_MSR_REFERENCE_TSC, &hv_tsc.msr_found);
	if (ret) {
		pr_err("cannot read the reference TSC MSR 0x%x: %d\n",
		       HVT_X64_MSR_REFERENCE_TSC, ret);
		return ret;
	}
	if (hv_tsc.msr_found & HVT_REFTSC_MSR_ENABLE) {
		hv_tsc.owner = HYPERVIVE_OWNER_OTHER;
		map_other(hv_tsc.msr_found);
		return 0;
	}
	hv_tsc.owner = HYPERVIVE_OWNER_NONE;
	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE)
		return 0;
	return enable_ours();
}

void hypervive_tsc_page_exit(void)
{
	int ret;

	if (hv_tsc.owner == HYPERVIVE_OWNER_US) {
		ret = hv_core.ops->write_msr(HVT_X64_MSR_REFERENCE_TSC, hv_tsc.msr_found);
		if (ret)
			pr_err("restoring the reference TSC MSR to 0x%016llx failed (%d): page leaked\n",
			       hv_tsc.msr_found, ret);
		else
			__free_page(hv_tsc.our_page);
	}
	if (hv_tsc.mapped)
		memunmap(hv_tsc.mapped);
	memset(&hv_tsc, 0, sizeof(hv_tsc));
	hv_tsc.owner = HYPERVIVE_OWNER_UNKNOWN;
}

/*
 * Leaving (leave.c, or our clocksource's .suspend): the MSR as found, the
 * page kept, and its sequence 0 so that any later read takes the
 * reference counter MSR instead of values the hypervisor no longer keeps.
 */
void hypervive_tsc_page_leave(void)
{
	struct hypervive_tsc_page *p;
	int ret;

	if (hv_tsc.owner != HYPERVIVE_OWNER_US || hv_tsc.away)
		return;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_REFERENCE_TSC, hv_tsc.msr_found);
	if (ret) {
		pr_err("leaving: restoring the reference TSC MSR to 0x%016llx failed: %d\n",
		       hv_tsc.msr_found, ret);
		return;
	}
	hv_tsc.away = true;
	p = page_address(hv_tsc.our_page);
	WRITE_ONCE(p->sequence, 0);
}

/*
 * Back from hibernation (Linux: resume_hv_clock_tsc()): the same page
 * enabled again.  If that fails the page keeps sequence 0: the clock reads
 * the MSR, never the scale and offset of the partition before.
 */
int hypervive_tsc_page_return(void)
{
	u64 val = (hv_tsc.msr_found & HVT_REFTSC_MSR_RSVDP) |
		  (hv_tsc.page_pfn << HVT_HYP_PAGE_SHIFT) | HVT_REFTSC_MSR_ENABLE;
	int ret;

	if (!hv_tsc.away)
		return 0;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_REFERENCE_TSC, val);
	if (ret) {
		pr_err("back from hibernation: re-enabling the reference TSC page (0x%016llx) failed: %d; the clock reads the reference counter MSR\n",
		       val, ret);
		return ret;
	}
	hv_tsc.away = false;
	return 0;
}

/* The page, then the clocksource that reads it; undone in reverse. */
int hypervive_tsc_init(void)
{
	int ret;

	ret = hypervive_tsc_page_init();
	if (ret)
		return ret;
	ret = hypervive_clocksource_init();
	if (ret)
		hypervive_tsc_page_exit();
	return ret;
}

void hypervive_tsc_exit(void)
{
	/* The kernel switches away from our clocksource before the page goes. */
	hypervive_clocksource_exit();
	hypervive_tsc_page_exit();
}

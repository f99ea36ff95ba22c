// SPDX-License-Identifier: GPL-2.0
/*
 * Clocksources on the partition reference time (10 MHz):
 * - hypervive_tsc_page: the reference TSC page, read as the TLFS says
 *   (tsc_page_read.h); sequence 0 falls back to HV_X64_MSR_TIME_REF_COUNT
 *   and is counted;
 * - hypervive_refcount: the MSR alone, where the partition lacks the
 *   AccessPartitionReferenceTsc privilege.
 * Both need AccessPartitionReferenceCounter (the page's fallback), active
 * mode, and no reference TSC page of another owner.  Rating as the
 * kernel's own Hyper-V clock: 500, or 250 (below the kernel's tsc at 300)
 * once the TSC invariant control is set.
 */
#include <linux/clocksource.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>
#include <hypervive/tlfs.h>
#include "tsc.h"

#define RATING_MAX		500
#define RATING_DEFAULT		500
#define RATING_INVARIANT	250

/* Reads that found sequence 0, and MSR reads that faulted. */
static DEFINE_PER_CPU(u64, fallback_reads);
static DEFINE_PER_CPU(u64, refcount_errors);
/* Last value this CPU returned: what a faulting MSR read returns instead. */
static DEFINE_PER_CPU(u64, last_ref);

static DEFINE_MUTEX(cs_lock);		/* cs_registered, rating changes */
static struct clocksource *cs_registered;
static const char *cs_reason = "not set up";
static unsigned int rating_param;	/* 0: auto */

static u64 notrace read_refcount(void)
{
	u64 t;

	if (unlikely(hv_core.ops->read_msr(HVT_X64_MSR_TIME_REF_COUNT, &t))) {
		/*
		 * Cannot happen on a hypervisor that keeps its CPUID promise;
		 * never go backwards, and no printk here: this may run inside
		 * the timekeeping write section.
		 */
		this_cpu_inc(refcount_errors);
		return this_cpu_read(last_ref);
	}
	this_cpu_write(last_ref, t);
	return t;
}

static u64 notrace read_tsc_page(void)
{
	u64 t;

	if (likely(hypervive_tsc_page_read(hv_tsc.page, &t))) {
		this_cpu_write(last_ref, t);
		return t;
	}
	this_cpu_inc(fallback_reads);
	return read_refcount();
}

static u64 notrace tsc_page_cs_read(struct clocksource *cs)
{
	return read_tsc_page();
}

static u64 notrace refcount_cs_read(struct clocksource *cs)
{
	return read_refcount();
}

/*
 * Suspend and hibernation, as Linux's suspend_hv_clock_tsc() and
 * resume_hv_clock_tsc(): timekeeping calls these after its last read and
 * before its first, so the page is re-enabled before anything reads it in
 * the partition that comes back.
 */
static void tsc_page_cs_suspend(struct clocksource *cs)
{
	hypervive_tsc_page_leave();
}

static void tsc_page_cs_resume(struct clocksource *cs)
{
	hypervive_tsc_page_return();
}

/*
 * .owner stays NULL on purpose: with it set, the timekeeping core holds a
 * module reference while the clocksource is current and rmmod refuses.
 * Without it, unload works: module exit unregisters, and the kernel
 * switches to another clocksource before clocksource_unregister() returns.
 */
static struct clocksource tsc_page_cs = {
	.name = "hypervive_tsc_page",
	.read = tsc_page_cs_read,
	.suspend = tsc_page_cs_suspend,
	.resume = tsc_page_cs_resume,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

static struct clocksource refcount_cs = {
	.name = "hypervive_refcount",
	.read = refcount_cs_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

/*
 * Set by set_tsc_invariant(): the hypervisor keeps the TSC invariant and
 * migration-safe, so the kernel's tsc (rating 300) is the better clock.
 */
static bool tsc_invariant;

/*
 * As Linux does it: ms_hyperv_init_platform() (arch/x86/kernel/cpu/
 * mshyperv.c) writes HV_X64_MSR_TSC_INVARIANT_CONTROL bit 0 where the
 * partition has AccessTscInvariantControls, and hv_init_tsc_clocksource()
 * (drivers/clocksource/hyperv_timer.c) lowers the Hyper-V clocks to 250 on
 * that privilege.  Without the write the TSC is not promised to survive a
 * migration, so no rating is lowered without it; a CPU's own constant and
 * nonstop TSC flags promise nothing across hosts.  The bit stays set at
 * unload: a guest cannot clear it (KVM refuses, arch/x86/kvm/hyperv.c), and
 * the kernel never does.
 */
static void set_tsc_invariant(void)
{
	int ret;

	if (!hypervive_has_privilege(HVT_ACCESS_TSC_INVARIANT))
		return;
	ret = hv_core.ops->write_msr(HVT_X64_MSR_TSC_INVARIANT_CONTROL,
				     HVT_EXPOSE_INVARIANT_TSC);
	if (ret) {
		pr_warn("AccessTscInvariantControls offered, but setting the TSC invariant control (MSR 0x%x) failed: %d; rating stays %u\n",
			HVT_X64_MSR_TSC_INVARIANT_CONTROL, ret, RATING_DEFAULT);
		return;
	}
	tsc_invariant = true;
	pr_info("TSC invariant control set (MSR 0x%x): the TSC is migration-safe, our clock rates %u, below tsc\n",
		HVT_X64_MSR_TSC_INVARIANT_CONTROL, RATING_INVARIANT);
}

static unsigned int auto_rating(void)
{
	return tsc_invariant ? RATING_INVARIANT : RATING_DEFAULT;
}

static unsigned int effective_rating(void)
{
	return rating_param ?: auto_rating();
}

/*
 * A new rating takes effect by registering again, which also makes the
 * kernel choose among its clocksources anew.  (clocksource_change_rating()
 * did this in place; it is gone from newer kernels.)  Unregistering is
 * refused while nothing else could keep time; then the old rating stays.
 * Called with cs_lock held.
 */
static int change_rating(struct clocksource *cs, unsigned int rating)
{
	int ret;

	ret = clocksource_unregister(cs);
	if (ret)
		return ret;
	cs->rating = rating;
	ret = clocksource_register_hz(cs, HYPERVIVE_REF_HZ);
	if (ret) {
		cs_registered = NULL;
		cs_reason = "re-registering with a new rating failed";
	}
	return ret;
}

static int rating_set(const char *val, const struct kernel_param *kp)
{
	unsigned int r, old;
	int ret = 0;

	if (kstrtouint(val, 0, &r) || r > RATING_MAX) {
		pr_err("clocksource_rating=%s: expected 0 (auto) or 1-%u\n", val, RATING_MAX);
		return -EINVAL;
	}
	mutex_lock(&cs_lock);
	old = rating_param;
	rating_param = r;
	if (cs_registered) {
		ret = change_rating(cs_registered, effective_rating());
		if (ret) {
			pr_err("clocksource_rating=%s: the clocksource could not be re-registered: %d\n",
			       val, ret);
			rating_param = old;
		}
	}
	mutex_unlock(&cs_lock);
	return ret;
}

static int rating_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(rating_param));
}

static const struct kernel_param_ops rating_ops = {
	.set = rating_set,
	.get = rating_get,
};

module_param_cb(clocksource_rating, &rating_ops, NULL, 0644);
MODULE_PARM_DESC(clocksource_rating, "rating of our clocksource: 0 (default) = auto: 250 when the TSC is invariant (below the kernel's tsc), else 500; 1-500 explicit; may be changed at run time");

int hypervive_clocksource_init(void)
{
	struct clocksource *cs;
	u64 t;
	int cpu, ret;

	if (hv_core.effective != HYPERVIVE_MODE_ACTIVE) {
		cs_reason = "observe mode: read-only";
		return 0;
	}
	if (!hypervive_has_privilege(HVT_MSR_TIME_REF_COUNT_AVAILABLE)) {
		cs_reason = "the partition lacks AccessPartitionReferenceCounter";
		return 0;
	}
	/*
	 * Another owner's page is shown, not used as a clock: if that owner
	 * disabled it, the memory under the overlay would be read as time.
	 * Its owner has its own clocksource on it (the kernel's, say).
	 */
	if (hv_tsc.owner == HYPERVIVE_OWNER_OTHER) {
		cs_reason = "the reference TSC page belongs to another owner";
		return 0;
	}
	/* The fallback must work before anything depends on it. */
	ret = hv_core.ops->read_msr(HVT_X64_MSR_TIME_REF_COUNT, &t);
	if (ret) {
		pr_err("cannot read the reference counter MSR 0x%x: %d\n",
		       HVT_X64_MSR_TIME_REF_COUNT, ret);
		return ret;
	}
	for_each_possible_cpu(cpu)
		per_cpu(last_ref, cpu) = t;

	set_tsc_invariant();
	cs = hv_tsc.page ? &tsc_page_cs : &refcount_cs;
	mutex_lock(&cs_lock);
	cs->rating = effective_rating();
	ret = clocksource_register_hz(cs, HYPERVIVE_REF_HZ);
	if (!ret)
		cs_registered = cs;
	mutex_unlock(&cs_lock);
	if (ret) {
		pr_err("registering clocksource %s failed: %d\n", cs->name, ret);
		return ret;
	}
	cs_reason = "";
	pr_info("clocksource %s registered: 10 MHz, rating %u\n", cs->name, cs->rating);
	return 0;
}

void hypervive_clocksource_exit(void)
{
	int ret;

	/* Under cs_lock so a concurrent clocksource_rating write cannot re-enqueue it. */
	mutex_lock(&cs_lock);
	if (cs_registered) {
		ret = clocksource_unregister(cs_registered);
		if (ret)
			pr_err("clocksource %s could not be unregistered (%d): no other clocksource to switch to\n",
			       cs_registered->name, ret);
		cs_registered = NULL;
	}
	cs_reason = "not set up";
	mutex_unlock(&cs_lock);
}

/* Whether our registered clocksource reads the TSC page (and so suspends it). */
bool hypervive_clocksource_reads_page(void)
{
	return READ_ONCE(cs_registered) == &tsc_page_cs;
}

/* The reference time now, as our clocksource reads it (page, else MSR). */
u64 hypervive_ref_time_now(void)
{
	return hv_tsc.page ? read_tsc_page() : read_refcount();
}

static u64 sum_percpu(u64 __percpu *v)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(v, cpu);
	return sum;
}

u64 hypervive_tsc_fallback_reads(void)
{
	return sum_percpu(&fallback_reads);
}

u64 hypervive_refcount_errors(void)
{
	return sum_percpu(&refcount_errors);
}

const char *hypervive_clocksource_name(void)
{
	struct clocksource *cs = READ_ONCE(cs_registered);

	return cs ? cs->name : "none";
}

unsigned int hypervive_clocksource_rating(void)
{
	struct clocksource *cs = READ_ONCE(cs_registered);

	return cs ? READ_ONCE(cs->rating) : 0;
}

const char *hypervive_clocksource_reason(void)
{
	return READ_ONCE(cs_reason);
}

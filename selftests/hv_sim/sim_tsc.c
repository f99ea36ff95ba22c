// SPDX-License-Identifier: GPL-2.0
/*
 * The partition reference counter and the reference TSC page (TLFS
 * "Timers", "Partition Reference Time Enlightenment"), following the real
 * TSC (QEMU TCG's):
 *
 *   ReferenceTime = ((rdtsc * scale) >> 64) + offset, in 100 ns units.
 *
 * The model keeps (scale, offset) itself; HV_X64_MSR_TIME_REF_COUNT is
 * computed from them, and the page, when enabled, publishes them, so the
 * two sources agree at every instant.  Per the TLFS:
 * - HV_X64_MSR_REFERENCE_TSC needs AccessPartitionReferenceTsc; bits 11:1
 *   are RsvdP (a write that changes them is counted, the old value kept);
 *   bits 63:12 name the page.  The page is an overlay: the guest memory
 *   under it is saved when it is enabled and put back when it is disabled
 *   or moved.  A page number outside guest RAM is accepted and not backed.
 * - TIME_REF_COUNT is read-only (sim_msr.c faults the write) and starts
 *   near 0 when the model loads ("when the partition is created").
 * - TscSequence 0 means "not valid now"; published sequences skip 0 and
 *   0xFFFFFFFF.  An update invalidates the page first, then changes scale
 *   and offset, then publishes a new sequence.
 * A "migration" re-derives the scale with an error of a given ppm (as a new
 * host's TSC calibration would) and picks the offset that keeps the
 * reference time continuous.  A "window" holds sequence 0 for a while.
 * The reads are lockless (a latch: two copies), so they work from any
 * context, NMI included, even while an update runs.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/mshyperv.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include "sim.h"

#define REFTSC_ENABLE	BIT_ULL(0)
#define REFTSC_RSVDP	GENMASK_ULL(11, 1)

static unsigned long long tsc_scale;	/* 0: from tsc_khz */
static long ref_start;
static char *tsc_preset = "none";
static uint tsc_rsvdp;

module_param(tsc_scale, ullong, 0444);
MODULE_PARM_DESC(tsc_scale, "TscScale at load (0, default: 2^64 * 10^7 / TSC Hz, so the reference time runs at 10 MHz)");
module_param(ref_start, long, 0444);
MODULE_PARM_DESC(ref_start, "reference time at load, 100 ns units (default 0: the partition was just created)");
module_param(tsc_preset, charp, 0444);
MODULE_PARM_DESC(tsc_preset, "none (default); owned: another OS already enabled a reference TSC page");
module_param(tsc_rsvdp, uint, 0444);
MODULE_PARM_DESC(tsc_rsvdp, "initial RsvdP bits 11:1 of HV_X64_MSR_REFERENCE_TSC (a guest must preserve them)");

struct ref_params {
	u64 scale;
	s64 offset;
};

static struct {
	raw_spinlock_t lock;		/* writers: params, msr, page, seq */
	seqcount_latch_t latch;
	struct ref_params copy[2];	/* latch copies for the readers */
	struct ref_params cur;		/* the writers' view */
	u64 base_scale;			/* the "true" scale; migrations err around it */
	u64 msr;			/* HV_X64_MSR_REFERENCE_TSC */
	struct ms_hyperv_tsc_page *page;	/* the overlay, or NULL */
	u32 seq;			/* last published sequence */
	bool window;			/* holding sequence 0 */
	u8 saved[PAGE_SIZE];		/* guest memory under the overlay */
} rt;

/* Counters, read by the tests. */
static atomic64_t refcount_reads, migrations, windows, page_enables, unbacked;

/* Churn: every churn_ms a migration (up to churn_ppm off) or a window of churn_window_us. */
static u32 churn_ms, churn_ppm = 100, churn_window_us = 2000;
static struct delayed_work churn_work;
static DEFINE_MUTEX(churn_lock);	/* windows sleep: process context only */
static unsigned long preset_page;

static u64 ref_at(const struct ref_params *p, u64 tsc)
{
	return mul_u64_u64_shr(tsc, p->scale, 64) + (u64)p->offset;
}

/* The partition reference time now: lockless, any context. */
static u64 ref_now(void)
{
	struct ref_params p;
	unsigned int s;
	u64 tsc;

	do {
		s = raw_read_seqcount_latch(&rt.latch);
		p = rt.copy[s & 1];
		tsc = rdtsc_ordered();
	/* read_seqcount_latch_retry(): the one name from 5.10 to 7.2. */
	} while (read_seqcount_latch_retry(&rt.latch, s));
	return ref_at(&p, tsc);
}

/* Caller holds rt.lock. */
static void set_params(const struct ref_params *p)
{
	rt.cur = *p;
	raw_write_seqcount_latch(&rt.latch);
	rt.copy[0] = *p;
	raw_write_seqcount_latch(&rt.latch);
	rt.copy[1] = *p;
}

static void page_invalidate(void)
{
	if (!rt.page)
		return;
	WRITE_ONCE(rt.page->tsc_sequence, 0);
	/* Readers must see 0 before we sample the TSC for new parameters. */
	smp_mb();
}

static void page_publish(void)
{
	if (!rt.page || rt.window)
		return;
	do {
		rt.seq++;
	} while (rt.seq == 0 || rt.seq == U32_MAX);
	WRITE_ONCE(rt.page->tsc_scale, rt.cur.scale);
	WRITE_ONCE(rt.page->tsc_offset, rt.cur.offset);
	/* Scale and offset before the sequence that validates them. */
	smp_wmb();
	WRITE_ONCE(rt.page->tsc_sequence, rt.seq);
}

/* scale = 2^64 * 10^7 / (tsc_khz * 1000) = 2^64 * 10^4 / tsc_khz, by long division. */
static u64 scale_from_khz(u32 khz)
{
	u32 r;
	u64 hi = div_u64_rem(10000ULL << 32, khz, &r);
	u64 lo = div_u64((u64)r << 32, khz);

	return (hi << 32) + lo;
}

static u64 scale_off_by(u64 scale, s32 ppm)
{
	return mul_u64_u32_div(scale, 1000000 + ppm, 1000000);
}

/* A live migration: new scale, offset chosen so the reference time is continuous. */
static void migrate(s32 ppm)
{
	struct ref_params p;
	unsigned long flags;
	u64 tsc, now;

	raw_spin_lock_irqsave(&rt.lock, flags);
	page_invalidate();
	tsc = rdtsc_ordered();
	now = ref_at(&rt.cur, tsc);
	p.scale = scale_off_by(rt.base_scale, ppm);
	p.offset = (s64)(now - mul_u64_u64_shr(tsc, p.scale, 64));
	set_params(&p);
	page_publish();
	raw_spin_unlock_irqrestore(&rt.lock, flags);
	atomic64_inc(&migrations);
}

/* Raw scale and offset, discontinuous: for tests of the arithmetic only. */
static void set_raw(u64 scale, s64 offset)
{
	struct ref_params p = { .scale = scale, .offset = offset };
	unsigned long flags;

	raw_spin_lock_irqsave(&rt.lock, flags);
	page_invalidate();
	set_params(&p);
	page_publish();
	raw_spin_unlock_irqrestore(&rt.lock, flags);
}

static void window_begin(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&rt.lock, flags);
	page_invalidate();
	rt.window = true;
	raw_spin_unlock_irqrestore(&rt.lock, flags);
	atomic64_inc(&windows);
}

static void window_end(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&rt.lock, flags);
	rt.window = false;
	page_publish();
	raw_spin_unlock_irqrestore(&rt.lock, flags);
}

/* Caller holds rt.lock.  Put the guest's memory back under the overlay. */
static void overlay_remove(void)
{
	if (!rt.page)
		return;
	memcpy(rt.page, rt.saved, PAGE_SIZE);
	rt.page = NULL;
}

static void overlay_place(u64 pfn)
{
	if (!pfn_valid(pfn)) {
		/* TLFS: beyond the partition's GPA space, not accessible. */
		atomic64_inc(&unbacked);
		return;
	}
	rt.page = page_address(pfn_to_page(pfn));
	memcpy(rt.saved, rt.page, PAGE_SIZE);
	memset(rt.page, 0, PAGE_SIZE);
	page_publish();
	atomic64_inc(&page_enables);
}

static int write_reference_tsc(u64 val)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&rt.lock, flags);
	if ((val ^ rt.msr) & REFTSC_RSVDP)
		atomic64_inc(&sim.rsvd_violations);
	val = (val & ~REFTSC_RSVDP) | (rt.msr & REFTSC_RSVDP);
	if (val != rt.msr) {
		overlay_remove();
		rt.msr = val;
		if (val & REFTSC_ENABLE)
			overlay_place(val >> HV_HYP_PAGE_SHIFT);
	}
	raw_spin_unlock_irqrestore(&rt.lock, flags);
	return 0;
}

int sim_tsc_read_msr(u32 msr, u64 *val)
{
	switch (msr) {
	case HV_X64_MSR_TIME_REF_COUNT:
		atomic64_inc(&refcount_reads);
		*val = ref_now();
		return 0;
	case HV_X64_MSR_REFERENCE_TSC:
		*val = READ_ONCE(rt.msr);
		return 0;
	}
	return -EIO;
}

int sim_tsc_write_msr(u32 msr, u64 val)
{
	if (msr == HV_X64_MSR_REFERENCE_TSC)
		return write_reference_tsc(val);
	return -EIO;	/* TIME_REF_COUNT: "any attempt to write to it results in a #GP" */
}

u64 sim_tsc_msr(void)
{
	return READ_ONCE(rt.msr);
}

/* Partition reset: the page off (its RsvdP bits stay as the model set them). */
void sim_tsc_reset(void)
{
	write_reference_tsc(rt.msr & REFTSC_RSVDP);
}

/* ---- churn: migrations and sequence-0 windows while tests run ---------- */

static void churn_fn(struct work_struct *w)
{
	static bool odd;
	u32 ms = READ_ONCE(churn_ms), ppm = READ_ONCE(churn_ppm);
	u32 us = READ_ONCE(churn_window_us);

	if (!ms)
		return;
	mutex_lock(&churn_lock);
	odd = !odd;
	if (odd) {
		migrate(ppm ? (s32)(get_random_u32() % (2 * ppm + 1)) - (s32)ppm : 0);
	} else {
		window_begin();
		usleep_range(us, us + us / 4 + 1);
		window_end();
	}
	mutex_unlock(&churn_lock);
	schedule_delayed_work(&churn_work, msecs_to_jiffies(ms));
}

static int churn_ms_set(void *data, u64 val)
{
	if (val > 60000)
		return -EINVAL;
	cancel_delayed_work_sync(&churn_work);
	WRITE_ONCE(churn_ms, val);
	if (val)
		schedule_delayed_work(&churn_work, msecs_to_jiffies(val));
	return 0;
}

static int u32_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(churn_ms_fops, u32_get, churn_ms_set, "%llu\n");

static int bounded_set(void *data, u64 val)
{
	if (val > 100000)	/* 10% or 100 ms: enough for any test */
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(bounded_fops, u32_get, bounded_set, "%llu\n");

/* ---- debugfs: state, one-shot controls, counters ----------------------- */

static int ref_get(void *data, u64 *val)
{
	*val = ref_now();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ref_fops, ref_get, NULL, "%llu\n");

static int scale_get(void *data, u64 *val)
{
	*val = READ_ONCE(rt.cur.scale);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(scale_fops, scale_get, NULL, "0x%016llx\n");

static int offset_get(void *data, u64 *val)
{
	*val = READ_ONCE(rt.cur.offset);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(offset_fops, offset_get, NULL, "%lld\n");

static int seq_get(void *data, u64 *val)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&rt.lock, flags);
	*val = rt.page ? READ_ONCE(rt.page->tsc_sequence) : 0;
	raw_spin_unlock_irqrestore(&rt.lock, flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(seq_fops, seq_get, NULL, "%llu\n");

static int msr_get(void *data, u64 *val)
{
	*val = READ_ONCE(rt.msr);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(msr_fops, msr_get, NULL, "0x%016llx\n");

static int khz_get(void *data, u64 *val)
{
	*val = tsc_khz;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(khz_fops, khz_get, NULL, "%llu\n");

/* "valid": 0 opens a sequence-0 window and holds it; 1 ends it. */
static int valid_get(void *data, u64 *val)
{
	*val = !READ_ONCE(rt.window);
	return 0;
}

static int valid_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	mutex_lock(&churn_lock);
	if (!val && !rt.window)
		window_begin();
	else if (val && rt.window)
		window_end();
	mutex_unlock(&churn_lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(valid_fops, valid_get, valid_set, "%llu\n");

/* "migrate": write a signed ppm error for the new host's scale. */
static ssize_t migrate_write(struct file *f, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	int ppm, ret;

	ret = kstrtoint_from_user(ubuf, len, 0, &ppm);
	if (ret)
		return ret;
	if (ppm < -100000 || ppm > 100000)
		return -EINVAL;
	mutex_lock(&churn_lock);
	migrate(ppm);
	mutex_unlock(&churn_lock);
	return len;
}

static const struct file_operations migrate_fops = {
	.owner = THIS_MODULE,
	.write = migrate_write,
	.llseek = noop_llseek,
};

/* "set": "SCALE OFFSET" raw (hex or decimal), discontinuous. */
static ssize_t set_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	unsigned long long scale;
	long long offset;
	char buf[64];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llx %lli", &scale, &offset) != 2)
		return -EINVAL;
	mutex_lock(&churn_lock);
	set_raw(scale, offset);
	mutex_unlock(&churn_lock);
	return len;
}

static const struct file_operations set_fops = {
	.owner = THIS_MODULE,
	.write = set_write,
	.llseek = noop_llseek,
};

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

void sim_tsc_debugfs(struct dentry *parent)
{
	struct dentry *d = debugfs_create_dir("tsc", parent);

	debugfs_create_file_unsafe("msr", 0400, d, NULL, &msr_fops);
	debugfs_create_file_unsafe("reference_time", 0400, d, NULL, &ref_fops);
	debugfs_create_file_unsafe("scale", 0400, d, NULL, &scale_fops);
	debugfs_create_file_unsafe("offset", 0400, d, NULL, &offset_fops);
	debugfs_create_file_unsafe("sequence", 0400, d, NULL, &seq_fops);
	debugfs_create_file_unsafe("tsc_khz", 0400, d, NULL, &khz_fops);
	debugfs_create_file_unsafe("valid", 0600, d, NULL, &valid_fops);
	debugfs_create_file("migrate", 0200, d, NULL, &migrate_fops);
	debugfs_create_file("set", 0200, d, NULL, &set_fops);
	debugfs_create_file_unsafe("churn_ms", 0600, d, &churn_ms, &churn_ms_fops);
	debugfs_create_file_unsafe("churn_ppm", 0600, d, &churn_ppm, &bounded_fops);
	debugfs_create_file_unsafe("churn_window_us", 0600, d, &churn_window_us,
				   &bounded_fops);
	debugfs_create_file_unsafe("refcount_reads", 0600, d, &refcount_reads, &count_fops);
	debugfs_create_file_unsafe("migrations", 0600, d, &migrations, &count_fops);
	debugfs_create_file_unsafe("windows", 0600, d, &windows, &count_fops);
	debugfs_create_file_unsafe("page_enables", 0600, d, &page_enables, &count_fops);
	debugfs_create_file_unsafe("unbacked", 0600, d, &unbacked, &count_fops);
}

int sim_tsc_init(void)
{
	struct ref_params p;
	u64 tsc;

	if (!tsc_scale && tsc_khz <= 10000) {
		pr_err("tsc_khz %u: the TSC must run faster than the 10 MHz reference time\n",
		       tsc_khz);
		return -EINVAL;
	}
	raw_spin_lock_init(&rt.lock);
	seqcount_latch_init(&rt.latch);
	INIT_DELAYED_WORK(&churn_work, churn_fn);
	rt.base_scale = tsc_scale ?: scale_from_khz(tsc_khz);
	rt.msr = (u64)tsc_rsvdp & REFTSC_RSVDP;
	p.scale = rt.base_scale;
	tsc = rdtsc_ordered();
	p.offset = (s64)((u64)ref_start - mul_u64_u64_shr(tsc, p.scale, 64));
	set_params(&p);

	if (!strcmp(tsc_preset, "none"))
		return 0;
	if (strcmp(tsc_preset, "owned")) {
		pr_err("tsc_preset=%s: expected none or owned\n", tsc_preset);
		return -EINVAL;
	}
	preset_page = get_zeroed_page(GFP_KERNEL);
	if (!preset_page)
		return -ENOMEM;
	/* What Linux's own hv_init_tsc_clocksource() leaves: its page, enabled. */
	write_reference_tsc(rt.msr | ((u64)PHYS_PFN(__pa(preset_page)) << HV_HYP_PAGE_SHIFT) |
			    REFTSC_ENABLE);
	return 0;
}

void sim_tsc_exit(void)
{
	unsigned long flags;

	WRITE_ONCE(churn_ms, 0);
	cancel_delayed_work_sync(&churn_work);
	raw_spin_lock_irqsave(&rt.lock, flags);
	overlay_remove();
	raw_spin_unlock_irqrestore(&rt.lock, flags);
	free_page(preset_page);
	preset_page = 0;
}

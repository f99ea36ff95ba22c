// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_faultinj: fails the Nth memory allocation made on behalf of one
 * module, in any task or interrupt, while armed.  Test-only (the debug-kernel
 * pass, selftests/debug-kernel/): never built for dkms, and only where the
 * kernel has CONFIG_FAULT_INJECTION.
 *
 * The kernel's own tools do not aim well enough.  Per-task fail-nth armed
 * before insmod also counts what load_module() allocates before the module's
 * code runs, and nothing the module does later in its work items, kernel
 * threads or softirq handlers; failslab's stack filter, which would aim by
 * address, is not available on x86_64 (lib/Kconfig.debug).  So this module
 * does the aiming itself: return probes on the two places every allocation
 * passes, should_failslab() (slab) and should_fail_alloc_page() (pages),
 * walk the stack of each allocation while armed and count those with a
 * return address in the target's code (its init and core text, noted by a
 * module notifier when the target is coming).  The Nth such allocation gets
 * "fail" as the hook's return value, exactly as the kernel's own failslab
 * would fail it; the allocator returns NULL to the caller.  __GFP_NOFAIL
 * allocations are never counted.  The count includes allocations the kernel
 * makes for the module (a debugfs file's dentry and inode, a kobject's
 * name) and the debug kernel's own bookkeeping nested in them (kmemleak falls
 * back to its static pool), as fail-nth would.
 *
 * Use, under /sys/module/hypervive_faultinj/parameters/: write target=NAME,
 * then nth=N (N >= 1 arms with the count at 0; 0 disarms); insmod and use
 * the target; write nth=0; then read injected (1: the Nth allocation was
 * reached and failed), reached (allocations counted while armed), site
 * (where the failed one was called from) and missed (allocations the probes
 * could not look at: kprobes skips a probe hit while another probe's
 * handler runs on that CPU, e.g. an interrupt's allocation).
 * init_ret and inits record the target's init calls while armed.
 *
 * per_site=K (written while disarmed) counts only the first K allocations
 * of each call path in a run: the stack from the allocation up to the
 * target's outermost frame, hashed.  So a loop's later rounds (the next
 * channel), and the kernel's loops inside one call of the target (the
 * files of a sysfs group), are not swept again: they take the error path
 * the first K took, with more undone before it.  The kernel's frames are
 * part of the path, so an allocation nested in another (kmemleak's record
 * of it) is a path of its own, and K=2 fails one round after a round that
 * worked.  make check sweeps with 2 for time, make check-debug with 0
 * (every allocation).  paths says how many call paths the last run saw.
 */
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

/*
 * Deep enough for debugfs and kernfs (about 20 frames under the module)
 * plus the probe's own int3 frames.
 */
#define FAULTINJ_DEPTH	48
#define FAULTINJ_SITE	128
/* More call paths than any of our modules has (hypervive_sim: about 300). */
#define FAULTINJ_PATHS	1024

static char target[MODULE_NAME_LEN];
module_param_string(target, target, sizeof(target), 0600);
MODULE_PARM_DESC(target, "name of the module whose allocations are counted (set before it loads)");

static unsigned int nth;
static atomic_t count = ATOMIC_INIT(0);
static unsigned int injected;
static char site[FAULTINJ_SITE];

static struct kretprobe failslab_probe, failpage_probe;
static unsigned long missed_armed, missed_base;

static unsigned int per_site;
static unsigned long path_hash[FAULTINJ_PATHS];	/* 0: free slot */
static atomic_t path_seen[FAULTINJ_PATHS];
static atomic_t paths = ATOMIC_INIT(0);

/*
 * Forget the last run's call paths.  Disarmed first by the caller: a probe
 * that read the old N may still add one path, which costs that path one of
 * its K turns in the next run, never an allocation counted twice.
 */
static void paths_reset(void)
{
	unsigned int i;

	for (i = 0; i < FAULTINJ_PATHS; i++) {
		WRITE_ONCE(path_hash[i], 0);
		atomic_set(&path_seen[i], 0);
	}
	atomic_set(&paths, 0);
}

static unsigned long probes_missed(void)
{
	return failslab_probe.nmissed + failpage_probe.nmissed +
	       failslab_probe.kp.nmissed + failpage_probe.kp.nmissed;
}

static int nth_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	/* Disarm first, so no probe sees the new N with the old count. */
	if (READ_ONCE(nth))
		WRITE_ONCE(missed_armed, missed_armed + probes_missed() - missed_base);
	WRITE_ONCE(nth, 0);
	if (n) {
		missed_base = probes_missed();
		atomic_set(&count, 0);
		WRITE_ONCE(injected, 0);
		site[0] = '\0';
		paths_reset();
	}
	WRITE_ONCE(nth, n);
	return 0;
}

static const struct kernel_param_ops nth_ops = {
	.set = nth_set,
	.get = param_get_uint,
};
module_param_cb(nth, &nth_ops, &nth, 0600);
MODULE_PARM_DESC(nth, "fail the Nth allocation of the target's code (0: off; writing N resets the count)");

module_param(injected, uint, 0400);
MODULE_PARM_DESC(injected, "1 if the Nth allocation was reached since nth was written (it failed)");

static int per_site_set(const char *val, const struct kernel_param *kp)
{
	unsigned int k;
	int ret = kstrtouint(val, 0, &k);

	if (ret)
		return ret;
	if (READ_ONCE(nth))
		return -EBUSY;	/* the run's count would change under it */
	WRITE_ONCE(per_site, k);
	return 0;
}

static const struct kernel_param_ops per_site_ops = {
	.set = per_site_set,
	.get = param_get_uint,
};
module_param_cb(per_site, &per_site_ops, &per_site, 0600);
MODULE_PARM_DESC(per_site, "count only the first K allocations of each call path in a run (0: all; set while nth=0)");

static int paths_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read(&paths));
}

static const struct kernel_param_ops paths_ops = {
	.get = paths_get,
};
module_param_cb(paths, &paths_ops, NULL, 0400);
MODULE_PARM_DESC(paths, "call paths of the target's allocations seen since nth was written (with per_site)");

static int reached_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read(&count));
}

static const struct kernel_param_ops reached_ops = {
	.get = reached_get,
};
module_param_cb(reached, &reached_ops, NULL, 0400);
MODULE_PARM_DESC(reached, "allocations of the target's code counted since nth was written");

module_param_string(site, site, sizeof(site), 0400);
MODULE_PARM_DESC(site, "the target's return address on the failed allocation's stack");

static int init_ret;
module_param(init_ret, int, 0400);
MODULE_PARM_DESC(init_ret, "what the target's last init function returned");

static unsigned int inits;
module_param(inits, uint, 0400);
MODULE_PARM_DESC(inits, "how many times the target's init function was called since load");

/* The target's code while it is loaded: [start, end) of init and core text. */
static unsigned long init_start, init_end, core_start, core_end;

static int faultinj_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (!sysfs_streq(mod->name, target))	/* "echo NAME >target" adds a newline */
		return NOTIFY_DONE;
	switch (state) {
	case MODULE_STATE_COMING:
		WRITE_ONCE(init_start, (unsigned long)mod->init_layout.base);
		WRITE_ONCE(init_end, init_start + mod->init_layout.text_size);
		WRITE_ONCE(core_start, (unsigned long)mod->core_layout.base);
		WRITE_ONCE(core_end, core_start + mod->core_layout.text_size);
		break;
	case MODULE_STATE_LIVE:
		/* Init text is freed next and its addresses may be reused. */
		WRITE_ONCE(init_end, 0);
		break;
	default:
		WRITE_ONCE(init_end, 0);
		WRITE_ONCE(core_end, 0);
	}
	return NOTIFY_DONE;
}

static struct notifier_block faultinj_module_nb = {
	.notifier_call = faultinj_module_event,
};

static bool in_target(unsigned long addr)
{
	return (addr >= READ_ONCE(core_start) && addr < READ_ONCE(core_end)) ||
	       (addr >= READ_ONCE(init_start) && addr < READ_ONCE(init_end));
}

/*
 * The first return address in the target's code on this stack, else 0;
 * *path: a hash of the stack from the allocation up to the outermost of
 * them, never 0.  Not beyond: who called the target (a worker, a softirq
 * over any task) does not make another path.
 */
static unsigned long target_frame(unsigned long *path)
{
	unsigned long entries[FAULTINJ_DEPTH];
	unsigned long first = 0, hash = 0;
	unsigned int n, i, last = 0;

	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; i < n; i++) {
		if (!in_target(entries[i]))
			continue;
		if (!first)
			first = entries[i];
		last = i;
	}
	for (i = 0; first && i <= last; i++)
		hash = hash_long(hash ^ entries[i], BITS_PER_LONG);
	*path = hash | 1;
	return first;
}

/* With per_site=K: is this one of the first K allocations of its path? */
static bool path_counts(unsigned long path)
{
	unsigned int k = READ_ONCE(per_site), i;
	unsigned long h;

	if (!k)
		return true;
	for (i = 0; i < FAULTINJ_PATHS; i++) {
		h = READ_ONCE(path_hash[i]);
		if (!h) {
			h = cmpxchg(&path_hash[i], 0, path);
			if (!h) {
				atomic_inc(&paths);
				h = path;
			}
		}
		if (h == path)
			return atomic_inc_return(&path_seen[i]) <= k;
	}
	return true;	/* table full: counted, as without per_site */
}

/*
 * Entry of should_failslab(s, gfp) or should_fail_alloc_page(gfp, order):
 * 0 (keep the return probe) only for the Nth counted allocation.
 */
static int faultinj_alloc_entry(gfp_t gfp)
{
	unsigned int n = READ_ONCE(nth);
	unsigned long frame, path;

	if (!n || READ_ONCE(injected) || (gfp & __GFP_NOFAIL) || !READ_ONCE(core_end))
		return 1;
	frame = target_frame(&path);
	if (!frame || !path_counts(path) || atomic_inc_return(&count) != n)
		return 1;
	/* No context here: an unoptimized probe runs in int3's NMI-like context. */
	snprintf(site, sizeof(site), "%pS", (void *)frame);
	WRITE_ONCE(injected, 1);
	return 0;
}

static int failslab_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return faultinj_alloc_entry((__force gfp_t)regs_get_kernel_argument(regs, 1));
}

static int failslab_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	regs_set_return_value(regs, (unsigned long)-ENOMEM);
	return 0;
}

static int failpage_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return faultinj_alloc_entry((__force gfp_t)regs_get_kernel_argument(regs, 0));
}

static int failpage_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	regs_set_return_value(regs, true);
	return 0;
}

/* Allocations nest (an interrupt's inside a task's) on every CPU at once. */
#define FAULTINJ_ACTIVE	(4 * NR_CPUS)

static struct kretprobe failslab_probe = {
	.kp.symbol_name = "should_failslab",
	.entry_handler = failslab_entry,
	.handler = failslab_return,
	.maxactive = FAULTINJ_ACTIVE,
};

static struct kretprobe failpage_probe = {
	.kp.symbol_name = "should_fail_alloc_page",
	.entry_handler = failpage_entry,
	.handler = failpage_return,
	.maxactive = FAULTINJ_ACTIVE,
};

/* do_one_initcall(fn): note what the target's init function returns. */
static int initcall_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long fn = regs_get_kernel_argument(regs, 0);

	return !READ_ONCE(init_end) || !in_target(fn);
}

static int initcall_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	WRITE_ONCE(init_ret, (int)regs_return_value(regs));
	WRITE_ONCE(inits, inits + 1);
	return 0;
}

static struct kretprobe initcall_probe = {
	.kp.symbol_name = "do_one_initcall",
	.entry_handler = initcall_entry,
	.handler = initcall_return,
	.maxactive = 4,
};

static int missed_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%lu\n", READ_ONCE(missed_armed));
}

static const struct kernel_param_ops missed_ops = {
	.get = missed_get,
};
module_param_cb(missed, &missed_ops, NULL, 0400);
MODULE_PARM_DESC(missed, "allocations the probes could not look at while armed, since load (nested in another probe hit)");

static struct kretprobe *faultinj_probes[] = {
	&failslab_probe, &failpage_probe, &initcall_probe,
};

static int __init faultinj_init(void)
{
	int ret;

	ret = register_module_notifier(&faultinj_module_nb);
	if (ret)
		return ret;
	ret = register_kretprobes(faultinj_probes, ARRAY_SIZE(faultinj_probes));
	if (ret) {
		pr_err("cannot probe the allocation hooks: %d\n", ret);
		goto err_notifier;
	}
	return 0;

err_notifier:
	unregister_module_notifier(&faultinj_module_nb);
	return ret;
}

static void __exit faultinj_exit(void)
{
	unregister_kretprobes(faultinj_probes, ARRAY_SIZE(faultinj_probes));
	unregister_module_notifier(&faultinj_module_nb);
}

module_init(faultinj_init);
module_exit(faultinj_exit);

MODULE_DESCRIPTION("HyperVive Guest: fails the Nth allocation made by one module's code (test-only, never install)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

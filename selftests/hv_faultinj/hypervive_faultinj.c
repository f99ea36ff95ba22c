// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_faultinj: aims allocation fault injection at one module's init.
 * Test-only (the debug-kernel pass, selftests/debug-kernel/): never built
 * for dkms, and only where the kernel has CONFIG_FAULT_INJECTION.
 *
 * The kernel's per-task fail-nth (/proc/<pid>/task/<tid>/fail-nth) fails the
 * Nth allocation the task makes.  Armed from user space before insmod it also
 * counts everything load_module() allocates before the module's code runs,
 * so small N never reach our code and the count depends on the loader.  A
 * module notifier notes the init function of the module named by target=
 * when it is coming (6.1 exports no address-to-module lookup); a kretprobe
 * on do_one_initcall() arms current->fail_nth exactly when that function is
 * called, and on return records how far the count got and disarms, so
 * nothing after the init function (the loader's own bookkeeping) is failed.
 *
 * Use: write target= and nth= (N >= 1; 0 = off) under
 * /sys/module/hypervive_faultinj/parameters/, insmod the target, read
 * injected (1: the Nth allocation was reached and failed), reached (how many
 * allocations were counted before the count ran out or init returned) and
 * init_ret.  failslab and fail_page_alloc must be told not to ignore
 * sleeping allocations (ignore-gfp-wait = N, min-order = 0 in debugfs), or
 * GFP_KERNEL allocations are never counted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>

static char target[MODULE_NAME_LEN];
module_param_string(target, target, sizeof(target), 0600);
MODULE_PARM_DESC(target, "name of the module whose init function gets the fault");

static unsigned int nth;
module_param(nth, uint, 0600);
MODULE_PARM_DESC(nth, "fail the Nth allocation of the target's init (0: off)");

static unsigned int injected;
module_param(injected, uint, 0400);
MODULE_PARM_DESC(injected, "1 if the last armed init reached its Nth allocation (it failed)");

static unsigned int reached;
module_param(reached, uint, 0400);
MODULE_PARM_DESC(reached, "allocations the last armed init made, up to and including the failed one");

static int init_ret;
module_param(init_ret, int, 0400);
MODULE_PARM_DESC(init_ret, "what the last armed init function returned");

static unsigned int armed;
module_param(armed, uint, 0400);
MODULE_PARM_DESC(armed, "how many init functions were armed since load");

struct faultinj_call {
	unsigned int nth;
};

/* The target's init function while it is loading, else 0. */
static unsigned long target_init;

static int faultinj_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (!sysfs_streq(mod->name, target))	/* "echo NAME >target" adds a newline */
		return NOTIFY_DONE;
	if (state == MODULE_STATE_COMING)
		WRITE_ONCE(target_init, (unsigned long)mod->init);
	else
		WRITE_ONCE(target_init, 0);
	return NOTIFY_DONE;
}

static struct notifier_block faultinj_module_nb = {
	.notifier_call = faultinj_module_event,
};

static int faultinj_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long fn = regs_get_kernel_argument(regs, 0);
	unsigned long want = READ_ONCE(target_init);
	struct faultinj_call *call = (struct faultinj_call *)ri->data;
	unsigned int n = READ_ONCE(nth);

	/* Not the target, or someone else armed this task: no return probe. */
	if (!n || !want || fn != want || current->fail_nth)
		return 1;
	call->nth = n;
	current->fail_nth = n;
	armed++;
	return 0;
}

static int faultinj_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct faultinj_call *call = (struct faultinj_call *)ri->data;
	unsigned int left = current->fail_nth;

	/* should_fail() counts fail_nth down and fails the call that hits 0. */
	current->fail_nth = 0;
	injected = left == 0;
	reached = call->nth - left;
	init_ret = (int)regs_return_value(regs);
	return 0;
}

static struct kretprobe faultinj_probe = {
	.kp.symbol_name = "do_one_initcall",
	.entry_handler = faultinj_entry,
	.handler = faultinj_return,
	.data_size = sizeof(struct faultinj_call),
	.maxactive = 4,
};

static int __init faultinj_init(void)
{
	int ret;

	ret = register_module_notifier(&faultinj_module_nb);
	if (ret)
		return ret;
	ret = register_kretprobe(&faultinj_probe);
	if (ret) {
		pr_err("cannot probe do_one_initcall: %d\n", ret);
		goto err_notifier;
	}
	return 0;

err_notifier:
	unregister_module_notifier(&faultinj_module_nb);
	return ret;
}

static void __exit faultinj_exit(void)
{
	unregister_kretprobe(&faultinj_probe);
	unregister_module_notifier(&faultinj_module_nb);
}

module_init(faultinj_init);
module_exit(faultinj_exit);

MODULE_DESCRIPTION("HyperVive Guest: allocation fault injection aimed at one module's init (test-only, never install)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_testmod: drives hypervive_core's exported hypercall API from
 * the in-guest tests.  Write a command to /sys/kernel/debug/hypervive_test/
 * hypercall, read back "ret=<errno> status=<HV_STATUS name> reps=<n>".
 *   post <conn_id> <msg_type> <payload_size>   HvCallPostMessage
 *   signal <conn_id> <flag>                    HvCallSignalEvent (fast)
 *   spin <count>                               HvCallNotifyLongSpinWait (fast)
 *   spin_slow <count>                          the same, memory convention
 *   flush <reps> [flags]                       HvCallFlushVirtualAddressList (rep)
 *   flush_ex <reps> <bank mask> [varhead]      ...ListEx: the mask's banks as a
 *                                              variable header (varhead qwords,
 *                                              default one per bank)
 *   flush_space_ex <bank mask>                 HvCallFlushVirtualAddressSpaceEx:
 *                                              the same header, a simple call
 *   code <hex>                                 a bare call with that code
 *   post_irq <conn_id> <msg_type> <size>       post from hard-IRQ context
 *   rdmsr <hex msr>                            hypervive_rdmsr; "value=" in the result
 *   wrmsr <hex msr> <hex value>                hypervive_wrmsr
 * Test-only: never built for dkms.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/mshyperv.h>
#include <hypervive/core.h>

MODULE_IMPORT_NS("HYPERVIVE");

#define MAX_FLUSH_REPS	256

static struct dentry *dir;
static DEFINE_MUTEX(lock);
static int last_ret;
static u16 last_status;
static u16 last_reps;
static u64 last_value;

/* HV_INPUT_POST_MESSAGE, TLFS "HvCallPostMessage". */
struct post_message_input {
	u32 connectionid;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
} __packed;

struct post_args {
	struct post_message_input msg;
	int ret;
	u16 status;
};

static void post_on_cpu(void *data)
{
	struct post_args *a = data;

	a->ret = hypervive_hypercall(HVCALL_POST_MESSAGE, &a->msg, sizeof(a->msg),
				     NULL, 0, &a->status);
}

static int do_post(u32 conn, u32 type, u32 size, bool in_irq)
{
	struct post_args *a = kzalloc(sizeof(*a), GFP_KERNEL);
	int ret;

	if (!a)
		return -ENOMEM;
	a->msg.connectionid = conn;
	a->msg.message_type = type;
	a->msg.payload_size = size;
	if (in_irq) {
		/* An IPI handler runs in hard-IRQ context: no sleeping there. */
		ret = smp_call_function_single(cpumask_any(cpu_online_mask),
					       post_on_cpu, a, true);
		if (ret)
			goto out;
	} else {
		post_on_cpu(a);
	}
	ret = a->ret;
	last_status = a->status;
out:
	kfree(a);
	return ret;
}

static int do_flush(u16 reps, u64 flags)
{
	struct hv_tlb_flush hdr = { .address_space = 0, .flags = flags };
	u64 *gvas = kcalloc(reps, sizeof(u64), GFP_KERNEL);
	int ret, i;

	if (!gvas)
		return -ENOMEM;
	for (i = 0; i < reps; i++)
		gvas[i] = (u64)i << PAGE_SHIFT;
	ret = hypervive_hypercall_rep(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, &hdr,
				      offsetof(struct hv_tlb_flush, gva_list), 0,
				      gvas, sizeof(u64), NULL, 0, reps,
				      &last_reps, &last_status);
	kfree(gvas);
	return ret;
}

/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_LIST_EX up to its HV_VP_SET's banks. */
struct flush_ex_input {
	u64 address_space;
	u64 flags;
	u64 format;		/* HV_GENERIC_SET_SPARSE_4K */
	u64 valid_bank_mask;
	u64 bank_contents[];	/* the variable header */
};

/* ...ListEx with @reps addresses, or ...SpaceEx (no list) for 0 reps. */
static int do_flush_ex(u16 reps, u64 mask, u16 varhead)
{
	unsigned int banks = hweight64(mask), i;
	size_t hdr_size = sizeof(struct flush_ex_input) + banks * sizeof(u64);
	struct flush_ex_input *hdr = kzalloc(hdr_size, GFP_KERNEL);
	u64 *gvas = kcalloc(max_t(u16, reps, 1), sizeof(u64), GFP_KERNEL);
	int ret = -ENOMEM;

	if (!hdr || !gvas)
		goto out;
	hdr->valid_bank_mask = mask;
	for (i = 0; i < banks; i++)
		hdr->bank_contents[i] = U64_MAX;	/* every VP of the bank */
	for (i = 0; i < reps; i++)
		gvas[i] = (u64)i << PAGE_SHIFT;
	ret = hypervive_hypercall_rep(reps ? HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX :
				      HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, hdr,
				      hdr_size, varhead, gvas, sizeof(u64), NULL, 0, reps,
				      &last_reps, &last_status);
out:
	kfree(gvas);
	kfree(hdr);
	return ret;
}

static int run(char *cmd)
{
	unsigned int a, b, c;
	unsigned long long x;

	last_status = U16_MAX;
	last_reps = 0;
	last_value = 0;
	if (sscanf(cmd, "rdmsr %x", &a) == 1)
		return hypervive_rdmsr(a, &last_value);
	if (sscanf(cmd, "wrmsr %x %llx", &a, &x) == 2)
		return hypervive_wrmsr(a, x);
	if (sscanf(cmd, "post_irq %u %u %u", &a, &b, &c) == 3)
		return do_post(a, b, c, true);
	if (sscanf(cmd, "post %u %u %u", &a, &b, &c) == 3)
		return do_post(a, b, c, false);
	if (sscanf(cmd, "signal %u %u", &a, &b) == 2)
		return hypervive_hypercall_fast(HVCALL_SIGNAL_EVENT,
						a | (u64)(b & 0xffff) << 32, 0,
						&last_status);
	if (sscanf(cmd, "spin_slow %llu", &x) == 1)
		return hypervive_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT, &x,
					   sizeof(x), NULL, 0, &last_status);
	if (sscanf(cmd, "spin %llu", &x) == 1)
		return hypervive_hypercall_fast(HVCALL_NOTIFY_LONG_SPIN_WAIT, x, 0,
						&last_status);
	x = 0;
	if (sscanf(cmd, "flush %u %llx", &a, &x) >= 1) {
		if (!a || a > MAX_FLUSH_REPS)
			return -EINVAL;
		return do_flush(a, x);
	}
	b = U32_MAX;
	if (sscanf(cmd, "flush_ex %u %llx %u", &a, &x, &b) >= 2) {
		if (!a || a > MAX_FLUSH_REPS)
			return -EINVAL;
		return do_flush_ex(a, x, b == U32_MAX ? hweight64(x) : b);
	}
	if (sscanf(cmd, "flush_space_ex %llx", &x) == 1)
		return do_flush_ex(0, x, hweight64(x));
	if (sscanf(cmd, "code %llx", &x) == 1 && x <= U16_MAX)
		return hypervive_hypercall(x, NULL, 0, NULL, 0, &last_status);
	return -EINVAL;
}

static ssize_t hc_write(struct file *f, const char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[80];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&lock);
	last_ret = run(buf);
	mutex_unlock(&lock);
	return len;
}

static ssize_t hc_read(struct file *f, char __user *ubuf, size_t len,
		       loff_t *ppos)
{
	char buf[128];
	int n;

	mutex_lock(&lock);
	n = scnprintf(buf, sizeof(buf), "ret=%d status=%s reps=%u value=0x%llx\n",
		      last_ret, last_status == U16_MAX ? "none" :
		      hypervive_status_name(last_status), last_reps, last_value);
	mutex_unlock(&lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations hc_fops = {
	.owner = THIS_MODULE,
	.write = hc_write,
	.read = hc_read,
	.llseek = default_llseek,
};

static int __init hypervive_testmod_init(void)
{
	dir = debugfs_create_dir("hypervive_test", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	debugfs_create_file("hypercall", 0600, dir, NULL, &hc_fops);
	return 0;
}

static void __exit hypervive_testmod_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(hypervive_testmod_init);
module_exit(hypervive_testmod_exit);
MODULE_DESCRIPTION("HyperVive Guest: hypercall API driver for tests (never install)");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

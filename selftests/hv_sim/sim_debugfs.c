// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/hypervive_sim/: counters, partition state, fault
 * injection, and "raw_hypercall" to test the model on its own (calls with
 * any control word and buffer offset, which hypervive_core never makes).
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>
#include "sim.h"
#include "sim_vmbus.h"

static struct dentry *dir;
static DEFINE_MUTEX(raw_lock);
static u64 raw_result;

static int u64_get(void *data, u64 *val)
{
	*val = *(u64 *)data;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(msr_fops, u64_get, NULL, "0x%016llx\n");

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
DEFINE_DEBUGFS_ATTRIBUTE(counter_fops, a64_get, a64_set, "%llu\n");

static int a32_get(void *data, u64 *val)
{
	*val = atomic_read(data);
	return 0;
}

static int a32_set(void *data, u64 val)
{
	atomic_set(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(nth_fops, a32_get, a32_set, "%llu\n");

/*
 * "control in_offset [fast_input]": issue a hypercall whose input sits at
 * in_offset in a fresh page pair (the second page follows the first, so an
 * offset near 4096 crosses a page).  Read back the result value.
 */
static ssize_t raw_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	unsigned long long control, offset;
	struct page *pages;
	char buf[64];
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%llx %llu", &control, &offset);
	if (n != 2 || offset >= 2 * PAGE_SIZE)
		return -EINVAL;
	pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!pages)
		return -ENOMEM;
	mutex_lock(&raw_lock);
	raw_result = sim_hypercall(control, page_to_phys(pages) + offset, 0);
	mutex_unlock(&raw_lock);
	__free_pages(pages, 1);
	return len;
}

static ssize_t raw_read(struct file *f, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[64];
	int n;

	mutex_lock(&raw_lock);
	n = scnprintf(buf, sizeof(buf), "status=0x%04llx reps=%llu\n",
		      raw_result & 0xffff, (raw_result >> 32) & 0xfff);
	mutex_unlock(&raw_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations raw_fops = {
	.owner = THIS_MODULE,
	.write = raw_write,
	.read = raw_read,
	.llseek = default_llseek,
};

int sim_debugfs_init(void)
{
	struct dentry *msr;

	dir = debugfs_create_dir("hypervive_sim", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	msr = debugfs_create_dir("msr", dir);
	debugfs_create_file_unsafe("guest_os_id", 0400, msr, &sim.guest_os_id, &msr_fops);
	debugfs_create_file_unsafe("hypercall", 0400, msr, &sim.hypercall, &msr_fops);
	debugfs_create_file_unsafe("tsc_invariant_control", 0400, msr,
				   &sim.tsc_invariant_control, &msr_fops);

	debugfs_create_file_unsafe("msr_reads", 0600, dir, &sim.msr_reads, &counter_fops);
	debugfs_create_file_unsafe("msr_writes", 0600, dir, &sim.msr_writes, &counter_fops);
	debugfs_create_file_unsafe("msr_faults", 0600, dir, &sim.msr_faults, &counter_fops);
	debugfs_create_file_unsafe("rsvd_violations", 0600, dir, &sim.rsvd_violations,
				   &counter_fops);
	debugfs_create_file_unsafe("hypercalls", 0600, dir, &sim.hypercalls, &counter_fops);
	debugfs_create_file_unsafe("hypercalls_no_page", 0600, dir,
				   &sim.hypercalls_no_page, &counter_fops);
	debugfs_create_file_unsafe("posted_messages", 0600, dir, &sim.posted_messages,
				   &counter_fops);
	debugfs_create_file_unsafe("signalled_events", 0600, dir, &sim.signalled_events,
				   &counter_fops);
	debugfs_create_file_unsafe("spin_waits", 0600, dir, &sim.spin_waits, &counter_fops);
	debugfs_create_file_unsafe("flushed_gvas", 0600, dir, &sim.flushed_gvas,
				   &counter_fops);
	debugfs_create_file_unsafe("varhead_qwords", 0600, dir, &sim.varhead_qwords,
				   &counter_fops);

	debugfs_create_file_unsafe("partition_resets", 0600, dir, &sim.partition_resets,
				   &counter_fops);
	debugfs_create_file_unsafe("late_msr_writes", 0600, dir, &sim.late_msr_writes,
				   &counter_fops);

	debugfs_create_file_unsafe("fail_msr_nth", 0600, dir, &sim.fail_msr_nth, &nth_fops);
	debugfs_create_file_unsafe("fail_hypercall_nth", 0600, dir,
				   &sim.fail_hypercall_nth, &nth_fops);
	debugfs_create_u32("fail_hypercall_status", 0600, dir, &sim.fail_hypercall_status);
	debugfs_create_u32("rep_batch", 0600, dir, &sim.rep_batch);
	debugfs_create_u32("post_buffers", 0600, dir, &sim.post_buffers);
	debugfs_create_file("raw_hypercall", 0600, dir, NULL, &raw_fops);
	sim_tsc_debugfs(dir);
	sim_kvm_debugfs(dir);
	sim_crash_debugfs(dir);
	sim_synic_debugfs(dir);
	sim_host_debugfs(dir);
	return 0;
}

void sim_debugfs_exit(void)
{
	debugfs_remove_recursive(dir);
}

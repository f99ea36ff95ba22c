// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/hypervive_agent/raise (root only): writing "N" queues N
 * TestEvent events (4206) with value 0..N-1, "N TEXT" gives them TEXT.  It
 * is how the tests and the benchmark drive the event path end to end, and
 * how an operator can check that events reach the host.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "agent.h"

#define RAISE_MAX	1000000U

static struct dentry *dir;

static ssize_t raise_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[HYPERVIVE_PROTO_TEXT_MAX + 16];
	unsigned int n, i, queued = 0;
	char *text, *end;
	size_t len = min(count, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	text = strchr(buf, ' ');
	end = text ? text++ : buf + strlen(buf);
	*end = '\0';
	if (kstrtouint(buf, 0, &n) || !n || n > RAISE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!agent_event(AGENT_EV_TEST, 0, i, NULL, 0, "%s",
				 text && *text ? text : "test event"))
			queued++;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	agent_dbg("raised %u test events, %u queued\n", i, queued);
	return count;
}

static const struct file_operations raise_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = raise_write,
	.llseek = noop_llseek,
};

void agent_debugfs_init(void)
{
	dir = debugfs_create_dir("hypervive_agent", NULL);
	debugfs_create_file("raise", 0200, dir, NULL, &raise_fops);
}

void agent_debugfs_exit(void)
{
	debugfs_remove_recursive(dir);
	dir = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_common: the /sys/kernel/hypervive/ root and the suite version.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <hypervive/common.h>

static struct kobject *root;

struct kobject *hypervive_sysfs_root(void)
{
	return root;
}
EXPORT_SYMBOL_NS_GPL(hypervive_sysfs_root, "HYPERVIVE");

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", HYPERVIVE_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static int __init hypervive_common_init(void)
{
	int ret;

	root = kobject_create_and_add("hypervive", kernel_kobj);
	if (!root)
		return -ENOMEM;
	ret = sysfs_create_file(root, &version_attr.attr);
	if (ret) {
		kobject_put(root);
		return ret;
	}
	return 0;
}

static void __exit hypervive_common_exit(void)
{
	sysfs_remove_file(root, &version_attr.attr);
	kobject_put(root);
}

module_init(hypervive_common_init);
module_exit(hypervive_common_exit);
MODULE_DESCRIPTION("HyperVive Guest: /sys/kernel/hypervive root");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

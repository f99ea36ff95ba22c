// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive_common: the /sys/kernel/hypervive/ root and the suite version.
 */
#include <linux/atomic.h>
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

static atomic_long_t leaked;

void hypervive_pages_leaked(unsigned int pages)
{
	atomic_long_add(pages, &leaked);
}
EXPORT_SYMBOL_NS_GPL(hypervive_pages_leaked, "HYPERVIVE");

ssize_t hypervive_counter_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	struct hypervive_counter_attr *c = container_of(a, struct hypervive_counter_attr, ka);

	return sysfs_emit(buf, "%lld\n", atomic64_read(c->v));
}
EXPORT_SYMBOL_NS_GPL(hypervive_counter_show, "HYPERVIVE");

static ssize_t leaked_pages_show(struct kobject *kobj, struct kobj_attribute *attr,
				 char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&leaked));
}

static struct kobj_attribute leaked_pages_attr = __ATTR_RO(leaked_pages);

static struct attribute *root_attrs[] = {
	&version_attr.attr, &leaked_pages_attr.attr, NULL,
};

static const struct attribute_group root_group = {
	.attrs = root_attrs,
};

static int __init hypervive_common_init(void)
{
	int ret;

	root = kobject_create_and_add("hypervive", kernel_kobj);
	if (!root)
		return -ENOMEM;
	ret = sysfs_create_group(root, &root_group);
	if (ret) {
		kobject_put(root);
		return ret;
	}
	return 0;
}

static void __exit hypervive_common_exit(void)
{
	sysfs_remove_group(root, &root_group);
	kobject_put(root);
}

module_init(hypervive_common_init);
module_exit(hypervive_common_exit);
MODULE_DESCRIPTION("HyperVive Guest: /sys/kernel/hypervive root");
MODULE_LICENSE("GPL");
MODULE_VERSION(HYPERVIVE_VERSION);

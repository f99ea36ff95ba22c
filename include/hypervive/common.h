/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypervive_common owns /sys/kernel/hypervive/, the directory every
 * HyperVive module puts its own subdirectory in.  It is separate from
 * hypervive_core because the agent must load where there is no Hyper-V
 * (it speaks AF_VSOCK over any transport), and core refuses to load there.
 */
#ifndef HYPERVIVE_COMMON_H
#define HYPERVIVE_COMMON_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

/* /sys/kernel/hypervive; valid while the caller's module holds a reference. */
struct kobject *hypervive_sysfs_root(void);

/*
 * A module that must not free pages the host or hypervisor may still write
 * (a VMBus host that never answered UNLOAD) leaks them and says so here:
 * /sys/kernel/hypervive/leaked_pages counts them while hypervive_common
 * stays loaded, across the other modules' reloads.
 */
void hypervive_pages_leaked(unsigned int pages);

/*
 * Read-only sysfs files, the same way in every module.  A file with its own
 * show function: HYPERVIVE_ATTR_RO(id, file) defines id_attr for
 * id_show().  A counter: HYPERVIVE_COUNTER_ATTR(id, file, &atomic64)
 * defines id_counter, listed as &id_counter.ka.attr, shown by
 * hypervive_counter_show() in decimal.
 */
#define HYPERVIVE_ATTR_RO(id, file)					\
	static struct kobj_attribute id##_attr = __ATTR(file, 0444, id##_show, NULL)

struct hypervive_counter_attr {
	struct kobj_attribute ka;
	atomic64_t *v;
};

ssize_t hypervive_counter_show(struct kobject *kobj, struct kobj_attribute *a, char *buf);

#define HYPERVIVE_COUNTER_ATTR(id, file, counter)			\
	static struct hypervive_counter_attr id##_counter = {		\
		.ka = __ATTR(file, 0444, hypervive_counter_show, NULL),	\
		.v = (counter),						\
	}

#endif /* HYPERVIVE_COMMON_H */

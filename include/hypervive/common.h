/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypervive_common owns /sys/kernel/hypervive/, the directory every
 * HyperVive module puts its own subdirectory in.  It is separate from
 * hypervive_core because the agent must load where there is no Hyper-V
 * (it speaks AF_VSOCK over any transport), and core refuses to load there.
 */
#ifndef HYPERVIVE_COMMON_H
#define HYPERVIVE_COMMON_H

struct kobject;

/* /sys/kernel/hypervive; valid while the caller's module holds a reference. */
struct kobject *hypervive_sysfs_root(void);

/*
 * A module that must not free pages the host or hypervisor may still write
 * (a VMBus host that never answered UNLOAD) leaks them and says so here:
 * /sys/kernel/hypervive/leaked_pages counts them while hypervive_common
 * stays loaded, across the other modules' reloads.
 */
void hypervive_pages_leaked(unsigned int pages);

#endif /* HYPERVIVE_COMMON_H */

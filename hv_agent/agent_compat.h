/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences the agent meets, in one place (ARCHITECTURE.md
 * decision 8).  Everything else in hv_agent/ calls these helpers and never
 * tests LINUX_VERSION_CODE itself.
 *
 * Freezing.  Until 6.5, freeze_super(sb) and thaw_super(sb) take the
 * superblock only, and one freeze at a time exists: a second freezer gets
 * -EBUSY.  6.6 added the holder (FREEZE_HOLDER_KERNEL/USERSPACE) so that a
 * kernel freeze and a user-space freeze (fsfreeze, the Hyper-V VSS daemon)
 * can nest; 6.16 added an owner cookie.  In 6.12's fs/super.c a frozen
 * superblock counts its holds (s_writers.freeze_kcount, freeze_ucount): a
 * freeze by a holder that has none adds one, a thaw removes only the
 * caller's own and answers -EINVAL while another is left (or the caller
 * held none), and the last thaw unfreezes.  So user space can freeze on top
 * of us, and our thaw leaves its hold.  We freeze as a kernel holder, and we
 * never stack our freeze onto someone else's: the caller checks
 * hv_sb_frozen() first and reports such a filesystem as frozen by another,
 * and after a thaw reports one still frozen as frozen by another.
 * A filesystem that implements its own ->freeze_super/->thaw_super gets
 * those, as the FIFREEZE ioctl does.
 */
#ifndef HYPERVIVE_AGENT_COMPAT_H
#define HYPERVIVE_AGENT_COMPAT_H

#include <linux/fs.h>
#include <linux/notifier.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
static inline int hv_freeze_sb(struct super_block *sb)
{
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
}

static inline int hv_thaw_sb(struct super_block *sb)
{
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
}
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static inline int hv_freeze_sb(struct super_block *sb)
{
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FREEZE_HOLDER_KERNEL);
	return freeze_super(sb, FREEZE_HOLDER_KERNEL);
}

static inline int hv_thaw_sb(struct super_block *sb)
{
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FREEZE_HOLDER_KERNEL);
	return thaw_super(sb, FREEZE_HOLDER_KERNEL);
}
#else
static inline int hv_freeze_sb(struct super_block *sb)
{
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb);
	return freeze_super(sb);
}

static inline int hv_thaw_sb(struct super_block *sb)
{
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb);
	return thaw_super(sb);
}
#endif

/* The filesystem can freeze at all (what ioctl_fsfreeze() checks). */
static inline bool hv_sb_can_freeze(const struct super_block *sb)
{
	return sb->s_op->freeze_fs || sb->s_op->freeze_super;
}

/*
 * Frozen, or on its way there, by anybody (any holder, nested or not).
 * s_writers.frozen is written under s_umount; a racy read is fine here:
 * before 6.6 freeze_super() itself refuses (-EBUSY) a superblock someone
 * froze in the meantime, and we report that; since 6.6 our freeze then nests
 * on theirs as a hold of our own, which our thaw alone releases.
 */
static inline bool hv_sb_frozen(const struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.frozen) != SB_UNFROZEN;
}

/*
 * The VM generation ID notifier: drivers/virt/vmgenid.c calls
 * add_vmfork_randomness(), whose notifier chain exists since 5.19 with
 * CONFIG_VMGENID.  Without it only the clock check detects restores.
 */
#if IS_ENABLED(CONFIG_VMGENID) && LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0)
static inline int hv_vmfork_register(struct notifier_block *nb)
{
	return register_random_vmfork_notifier(nb);
}

static inline void hv_vmfork_unregister(struct notifier_block *nb)
{
	unregister_random_vmfork_notifier(nb);
}
#else
static inline int hv_vmfork_register(struct notifier_block *nb)
{
	return -EOPNOTSUPP;
}

static inline void hv_vmfork_unregister(struct notifier_block *nb)
{
}
#endif

/* A random number below @ceil: get_random_u32_below() is 6.2's name. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline u32 hv_random_below(u32 ceil)
{
	return get_random_u32_below(ceil);
}
#else
static inline u32 hv_random_below(u32 ceil)
{
	return prandom_u32_max(ceil);
}
#endif

#endif /* HYPERVIVE_AGENT_COMPAT_H */

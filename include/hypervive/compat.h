/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, in one place for the whole suite (ARCHITECTURE.md
 * decision 8).  Kbuild force-includes this file into every C file (as
 * WireGuard's compat/compat.h is), so the code is written against the newest
 * upstream API and older kernels get those names here.  No .c file tests
 * LINUX_VERSION_CODE; a difference that is not an API (a behaviour, such as
 * 6.6's freeze holders) is described where the code meets it.
 *
 * Each block names the kernel that introduced the upstream form.  The
 * kernel's own headers are included first, so a macro below that takes an
 * upstream name never rewrites their declarations.
 */
#ifndef HYPERVIVE_COMPAT_H
#define HYPERVIVE_COMPAT_H

#include <linux/version.h>
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/kmsg_dump.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/vm_sockets.h>
#include <asm/cpufeatures.h>
#include <asm/msr.h>
#include <asm/mshyperv.h>
#include <asm/processor.h>
/* Newer kernels keep cpuid_count() in asm/cpuid/api.h, not asm/processor.h. */
#ifdef HYPERVIVE_HAVE_CPUID_API_H
#include <asm/cpuid/api.h>
#endif

/*
 * 6.13: symbol namespaces are string literals, EXPORT_SYMBOL_NS_GPL(sym,
 * "NS") and MODULE_IMPORT_NS("NS").  Before, the macros stringified a bare
 * word; here they take the string as it is.  The export's license section
 * was spelt "_gpl" until 6.5 rewrote linux/export.h, "GPL" after.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#undef EXPORT_SYMBOL_NS_GPL
#undef MODULE_IMPORT_NS
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	__EXPORT_SYMBOL(sym, "GPL", ns)
#else
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	__EXPORT_SYMBOL(sym, "_gpl", ns)
#endif
#define MODULE_IMPORT_NS(ns)		MODULE_INFO(import_ns, ns)
#endif

/*
 * Freezing a superblock.  6.16: freeze_super(sb, who, owner) and
 * thaw_super(sb, who, owner), and the same for the super_operations
 * methods.  6.6 added the holder (who) without the owner; before 6.6 there
 * was neither, and FREEZE_HOLDER_KERNEL did not exist.  The macros also
 * apply to sb->s_op->freeze_super(...) calls, whose signatures changed in
 * the same releases.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define FREEZE_HOLDER_KERNEL		BIT(0)
#define FREEZE_HOLDER_USERSPACE		BIT(1)
#define freeze_super(sb, who, owner)	freeze_super(sb)
#define thaw_super(sb, who, owner)	thaw_super(sb)
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define freeze_super(sb, who, owner)	freeze_super(sb, who)
#define thaw_super(sb, who, owner)	thaw_super(sb, who)
#endif

/*
 * 5.19: the VM generation ID notifier (drivers/virt/vmgenid.c calls
 * add_vmfork_randomness()).  Before it nobody is told of a VM fork; callers
 * also test IS_ENABLED(CONFIG_VMGENID), because the kernel's own stub for a
 * kernel without it reports success.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 19, 0)
static inline int register_random_vmfork_notifier(struct notifier_block *nb)
{
	return -EOPNOTSUPP;
}

static inline int unregister_random_vmfork_notifier(struct notifier_block *nb)
{
	return 0;
}
#endif

/*
 * 5.14 moved panic_notifier_list out of linux/kernel.h into
 * linux/panic_notifier.h, and 6.1 panic() and the taint flags into
 * linux/panic.h; before, linux/kernel.h declared them.  Users include
 * linux/kernel.h and get the rest from here.
 */
#include <linux/kernel.h>
#ifdef HYPERVIVE_HAVE_PANIC_NOTIFIER_H
#include <linux/panic_notifier.h>
#endif
#ifdef HYPERVIVE_HAVE_PANIC_H
#include <linux/panic.h>
#endif
/* The same for hex2bin() and friends, in linux/hex.h on newer kernels. */
#ifdef HYPERVIVE_HAVE_HEX_H
#include <linux/hex.h>
#endif

/*
 * 5.13: struct kmsg_dump_iter walks the log.  Before, the iterator was a
 * struct kmsg_dumper, and kmsg_dump_get_buffer() read nothing unless it
 * was marked active.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 13, 0)
struct kmsg_dump_iter {
	struct kmsg_dumper dumper;
};

static inline void hypervive_kmsg_dump_rewind(struct kmsg_dump_iter *iter)
{
	iter->dumper.active = true;
	kmsg_dump_rewind(&iter->dumper);
}

#define kmsg_dump_rewind(iter)		hypervive_kmsg_dump_rewind(iter)
#define kmsg_dump_get_buffer(iter, syslog, buf, size, len)		\
	kmsg_dump_get_buffer(&(iter)->dumper, syslog, buf, size, len)
#endif

/* 6.16: timer_container_of() for from_timer(). */
#ifndef timer_container_of
#define timer_container_of(var, timer, field)	from_timer(var, timer, field)
#endif

/*
 * 5.12: hv_setup_vmbus_handler() and hv_remove_vmbus_handler() install the
 * Hyper-V callback vector's handler; 5.10 called them hv_*_vmbus_irq(), with
 * an IRQ number x86 ignores.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 12, 0)
static inline void hv_setup_vmbus_handler(void (*handler)(void))
{
	hv_setup_vmbus_irq(0, handler);
}

static inline void hv_remove_vmbus_handler(void)
{
	hv_remove_vmbus_irq();
}
#endif

/*
 * 6.16: the 64-bit MSR accessors end in q (rdmsrq_safe(), wrmsrq_safe());
 * they ended in l before.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define rdmsrq_safe(msr, p)		rdmsrl_safe(msr, p)
#define wrmsrq_safe(msr, val)		wrmsrl_safe(msr, val)
#endif

/* 5.11: INIT_CSD(); before, a call_single_data was set up field by field. */
#ifndef INIT_CSD
#define INIT_CSD(csd, fn, data)						\
	(*(csd) = (struct __call_single_data){ .func = (fn), .info = (data) })
#endif

/*
 * 5.14: SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW takes a struct
 * __kernel_sock_timeval.  Before, SO_VM_SOCKETS_CONNECT_TIMEOUT took a
 * struct __kernel_old_timeval, the same 16 bytes on a 64-bit kernel.
 */
#ifndef SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW
#define SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW	SO_VM_SOCKETS_CONNECT_TIMEOUT
static_assert(sizeof(struct __kernel_sock_timeval) == sizeof(struct __kernel_old_timeval));
#endif

/*
 * 5.18: kernel IBT and X86_FEATURE_IBT.  Before it no kernel enables IBT;
 * callers test IS_ENABLED(CONFIG_X86_KERNEL_IBT) first, so the bit (the
 * CPUID.7.0:EDX[20] position upstream gives it) is never read there.
 */
#ifndef X86_FEATURE_IBT
#define X86_FEATURE_IBT			(18 * 32 + 20)
#endif

/*
 * After 6.12 (sid's 7.2 has it) VMBus got its own option,
 * CONFIG_HYPERV_VMBUS; before, CONFIG_HYPERV built it.  1 where the kernel's
 * VMBus driver is part of vmlinux.
 */
#if IS_ENABLED(CONFIG_HYPERV_VMBUS)
#define HYPERVIVE_VMBUS_BUILTIN		IS_BUILTIN(CONFIG_HYPERV_VMBUS)
#else
#define HYPERVIVE_VMBUS_BUILTIN		IS_BUILTIN(CONFIG_HYPERV)
#endif

/*
 * After 6.12 (sid's 7.2 has it): syscore callbacks take the data of their
 * struct syscore, and register_syscore() takes that struct.  Before, a
 * struct syscore_ops of argument-less callbacks was registered itself.
 * Callbacks are written the new way; HYPERVIVE_SYSCORE(name, suspend,
 * resume) defines the struct syscore @name (on older kernels: an ops whose
 * callbacks pass NULL on).
 */
#include <linux/syscore_ops.h>
#ifdef HYPERVIVE_HAVE_STRUCT_SYSCORE
#define HYPERVIVE_SYSCORE(name, suspend_fn, resume_fn)			\
	static const struct syscore_ops name##_ops = {			\
		.suspend = suspend_fn,					\
		.resume = resume_fn,					\
	};								\
	static struct syscore name = { .ops = &name##_ops }
#else
#define HYPERVIVE_SYSCORE(name, suspend_fn, resume_fn)			\
	static int name##_suspend(void) { return suspend_fn(NULL); }	\
	static void name##_resume(void) { resume_fn(NULL); }		\
	static struct syscore_ops name = {				\
		.suspend = name##_suspend,				\
		.resume = name##_resume,				\
	}
#define register_syscore(s)		register_syscore_ops(s)
#define unregister_syscore(s)		unregister_syscore_ops(s)
#endif

/* After 5.10 (6.1 has it): KVM's CPUID signature got a uapi name. */
#ifndef KVM_SIGNATURE
#define KVM_SIGNATURE "KVMKVMKVM\0\0\0"
#endif

/*
 * TLFS names the TLFS model (selftests/hv_sim/) takes from the kernel's
 * header and 5.10's lacks (6.1 has them).  Values from the TLFS; the
 * modules use include/hypervive/tlfs.h instead.
 */
#ifndef HYPERV_CPUID_CPU_MANAGEMENT_FEATURES
#define HYPERV_CPUID_CPU_MANAGEMENT_FEATURES	0x40000007
#endif
#ifndef HYPERV_CPUID_ISOLATION_CONFIG
#define HYPERV_CPUID_ISOLATION_CONFIG		0x4000000C
#endif
#ifndef HV_HYPERCALL_VARHEAD_MASK
#define HV_HYPERCALL_VARHEAD_MASK		GENMASK_ULL(26, 17)
#endif
#ifndef HV_STATUS_ACCESS_DENIED
#define HV_STATUS_ACCESS_DENIED			6
#endif

#endif /* HYPERVIVE_COMPAT_H */

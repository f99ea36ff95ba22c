/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform boundary (ARCHITECTURE.md decision 2).
 *
 * Every instruction that talks to the hypervisor goes through one of these
 * ops: CPUID, the synthetic MSRs and the hypercall.  hypervive_core owns the
 * table in use; the native ops are the real instructions, the TLFS model in
 * selftests/hv_sim provides another table, picked at load time with
 * hypervive_core's platform= parameter.  Nothing above the boundary knows
 * which one is active.
 */
#ifndef HYPERVIVE_PLATFORM_H
#define HYPERVIVE_PLATFORM_H

#include <linux/types.h>

struct module;

struct hypervive_platform_ops {
	const char *name;
	struct module *owner;

	/* CPUID leaf @leaf, subleaf 0, into regs[0..3] = eax, ebx, ecx, edx. */
	void (*cpuid)(u32 leaf, u32 regs[4]);

	/*
	 * Synthetic MSR access on the calling CPU.  0 or -EIO when the access
	 * faults (#GP), as rdmsrl_safe()/wrmsrl_safe() report it.
	 */
	int (*read_msr)(u32 msr, u64 *val);
	int (*write_msr)(u32 msr, u64 val);

	/*
	 * A hypercall through the enabled hypercall page.  Returns the
	 * hypercall result value (status in 15:0, reps completed in 43:32).
	 * Callable with interrupts disabled; never sleeps.
	 */
	u64 (*hypercall)(u64 control, u64 input_gpa, u64 output_gpa);
	u64 (*hypercall_fast)(u64 control, u64 input1, u64 input2);

	/*
	 * How a synthetic interrupt reaches us.  install: from now on
	 * @handler runs in hard-IRQ context on the CPU whose SINT fired, for
	 * SINTs programmed with *vector; -EBUSY when the slot has another
	 * owner, -EOPNOTSUPP when there is no way to be interrupted (the
	 * caller polls).  remove: no new calls start; in-flight ones may
	 * still run until an RCU grace period ends.  NULL: no interrupts.
	 */
	int (*sint_handler_install)(void (*handler)(void), u8 *vector);
	void (*sint_handler_remove)(void);
};

/* The model exports its table under this name; core finds it by symbol_get. */
extern const struct hypervive_platform_ops hypervive_sim_platform_ops;

#endif /* HYPERVIVE_PLATFORM_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypervive_core's interface for the other HyperVive modules.
 * Symbols are exported GPL in the HYPERVIVE namespace:
 * users add MODULE_IMPORT_NS("HYPERVIVE").
 */
#ifndef HYPERVIVE_CORE_H
#define HYPERVIVE_CORE_H

#include <linux/types.h>

#define HYPERVIVE_LEAF_BASE	0x40000000U
#define HYPERVIVE_LEAF_LAST	0x4000000CU
#define HYPERVIVE_NR_LEAVES	(HYPERVIVE_LEAF_LAST - HYPERVIVE_LEAF_BASE + 1)

/* "Hv#1" in CPUID 0x40000001 EAX. */
#define HYPERVIVE_INTERFACE_HV1	0x31237648U

struct hypervive_leaf {
	u32 eax, ebx, ecx, edx;
	bool present;		/* within the reported max leaf */
};

/* What discovery found; filled once at load, read-only afterwards. */
struct hypervive_info {
	u32 max_leaf;
	char vendor[13];
	u32 interface;
	char interface_str[5];
	struct hypervive_leaf leaf[HYPERVIVE_NR_LEAVES];

	/* Decoded from the leaves above, 0 when the leaf is absent. */
	u64 privileges;			/* 0x40000003 EBX:EAX */
	u32 features_ecx;
	u32 features_edx;
	u32 recommendations;		/* 0x40000004 EAX */
	u32 spinlock_retries;		/* 0x40000004 EBX */
	u32 phys_addr_bits;		/* 0x40000004 ECX[6:0] */
	u32 build;			/* 0x40000002 EAX */
	u16 major, minor;		/* 0x40000002 EBX */
	u32 service_pack;		/* 0x40000002 ECX */
	u8 service_branch;		/* 0x40000002 EDX[31:24] */
	u32 service_number;		/* 0x40000002 EDX[23:0] */

	/*
	 * Where KVM's own CPUID leaves are when the hypervisor is KVM with
	 * Hyper-V enlightenments (0x40000100 under QEMU's hv-*), else 0.
	 */
	u32 kvm_base;
};

static inline const struct hypervive_leaf *
hypervive_leaf(const struct hypervive_info *info, u32 leaf)
{
	if (leaf < HYPERVIVE_LEAF_BASE || leaf > HYPERVIVE_LEAF_LAST)
		return NULL;
	return info->leaf[leaf - HYPERVIVE_LEAF_BASE].present ?
	       &info->leaf[leaf - HYPERVIVE_LEAF_BASE] : NULL;
}

const struct hypervive_info *hypervive_get_info(void);

/*
 * Reboot and panic notifier priorities on the way out (higher runs first):
 * hypervive_vmbus leaves the host before hypervive_core takes away the
 * hypercall page its UNLOAD needs, and after the crash report (priority 0,
 * hv_core/crash.c) both tear down.
 */
#define HYPERVIVE_LEAVE_PRIO_VMBUS	2
#define HYPERVIVE_LEAVE_PRIO_CORE	(-1)

/* True when this module owns the hypercall interface (active mode). */
bool hypervive_is_active(void);

/* Synthetic MSRs on the calling CPU, through the platform boundary. */
int hypervive_rdmsr(u32 msr, u64 *val);
/* Refused with -EPERM in observe mode: observe never writes an MSR. */
int hypervive_wrmsr(u32 msr, u64 val);

/*
 * Hypercalls.  Inputs and outputs are copied through per-CPU page-sized
 * buffers (8-byte aligned, never crossing a page, never on the stack), so
 * callers may pass any kernel memory.  Callable in atomic context.
 * Return 0, or the errno for the HV_STATUS (stored in *hv_status when
 * hv_status is not NULL); -ENODEV when hypercalls are not available (observe
 * mode or not enabled), -EINVAL for sizes over a page.
 */
int hypervive_hypercall(u16 code, const void *input, size_t in_size,
			void *output, size_t out_size, u16 *hv_status);
int hypervive_hypercall_fast(u16 code, u64 input1, u64 input2, u16 *hv_status);

/*
 * A rep hypercall over @rep_count elements after a header of @hdr_size
 * bytes.  Resumes from the reps-completed count the hypervisor returns
 * until all are done or an error stops it; *reps_done tells how many
 * completed.  @varhead_size: how many of the header's qwords, at its end,
 * are a variable header (TLFS "Variable Sized Hypercall Input Headers";
 * Linux's hv_do_rep_hypercall() varhead_size), 0 for a fixed header; with
 * one, @hdr_size is a multiple of 8 and @rep_count may be 0 for a simple
 * call.  -EINVAL for a size the control word cannot carry.
 */
int hypervive_hypercall_rep(u16 code, const void *header, size_t hdr_size,
			    u16 varhead_size, const void *in_elems, size_t in_elem_size,
			    void *out_elems, size_t out_elem_size,
			    u16 rep_count, u16 *reps_done, u16 *hv_status);

/* True when hypervive_core was loaded with mode=active (refuse, never observe). */
bool hypervive_active_requested(void);

/*
 * Synthetic interrupts (the platform's sint_handler_install): one handler
 * at a time, active mode only.  *vector is what to program into SINTx.
 * -EOPNOTSUPP: no interrupt path here, poll instead; -EBUSY: taken;
 * -EPERM: observe mode.  remove returns once no call of the handler runs.
 */
int hypervive_sint_handler_install(void (*handler)(void), u8 *vector);
void hypervive_sint_handler_remove(void);

/* HV_STATUS name for logs ("HV_STATUS_INVALID_PARAMETER"). */
const char *hypervive_status_name(u16 status);

#endif /* HYPERVIVE_CORE_H */

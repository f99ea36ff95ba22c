/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hyper-V TLFS as HyperVive's modules read it: CPUID leaves and bits,
 * synthetic MSRs, hypercall codes and input fields, status codes, SynIC
 * fields and sizes.  Values come from the TLFS (shared/seeds/001, sections
 * named beside each group; where the seed has a known error, from the
 * kernel's header, as said there).
 *
 * Why our own copy: the kernel's header is not a stable source.  5.10's
 * asm/hyperv-tlfs.h lacks names 6.1 has; 6.15 removed asm/hyperv-tlfs.h and
 * asm-generic/hyperv-tlfs.h for include/hyperv/hvgdk*.h.  The modules use
 * only these HVT_ names, and hv_core/tlfs_check.c proves each equal to the
 * kernel's at build time wherever the kernel being built for defines it.
 * The TLFS model (selftests/hv_sim/) keeps the kernel's names, so the model
 * and the modules never share one source of a constant.
 *
 * Macros only (no layouts), so the user-space unit tests can include it.
 */
#ifndef HYPERVIVE_TLFS_H
#define HYPERVIVE_TLFS_H

#include <hypervive/types.h>

#ifndef __KERNEL__
#ifndef GENMASK_ULL
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#endif
#ifndef GENMASK
#define GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (8 * sizeof(long) - 1 - (h))))
#endif
#endif

/* Hypervisor pages are 4 KiB whatever the guest's page size. */
#define HVT_HYP_PAGE_SHIFT		12
#define HVT_HYP_PAGE_SIZE		BIT(HVT_HYP_PAGE_SHIFT)
#define HVT_HYP_PAGE_MASK		(~(HVT_HYP_PAGE_SIZE - 1))

/* "Feature and Interface Discovery": the hypervisor CPUID leaves. */
#define HVT_CPUID_VENDOR_AND_MAX_FUNCTIONS	0x40000000
#define HVT_CPUID_INTERFACE			0x40000001
#define HVT_CPUID_VERSION			0x40000002
#define HVT_CPUID_FEATURES			0x40000003
#define HVT_CPUID_ENLIGHTMENT_INFO		0x40000004
#define HVT_CPUID_IMPLEMENT_LIMITS		0x40000005
#define HVT_CPUID_CPU_MANAGEMENT_FEATURES	0x40000007
#define HVT_CPUID_NESTED_FEATURES		0x4000000A
#define HVT_CPUID_ISOLATION_CONFIG		0x4000000C
/* A Hyper-V compatible hypervisor implements at least up to 0x40000005. */
#define HVT_CPUID_MIN				0x40000005
#define HVT_CPUID_MAX				0x4000ffff

/* 0x40000003 EAX: the partition's access to synthetic MSRs. */
#define HVT_MSR_TIME_REF_COUNT_AVAILABLE	BIT(1)
#define HVT_MSR_SYNIC_AVAILABLE			BIT(2)
#define HVT_MSR_APIC_ACCESS_AVAILABLE		BIT(4)
#define HVT_MSR_HYPERCALL_AVAILABLE		BIT(5)
#define HVT_MSR_VP_INDEX_AVAILABLE		BIT(6)
#define HVT_MSR_RESET_AVAILABLE			BIT(7)
#define HVT_MSR_REFERENCE_TSC_AVAILABLE		BIT(9)
#define HVT_ACCESS_FREQUENCY_MSRS		BIT(11)
#define HVT_ACCESS_TSC_INVARIANT		BIT(15)
/* 0x40000003 EBX: privileges, numbered from bit 32 of the privilege mask. */
#define HVT_POST_MESSAGES			BIT(4)
#define HVT_SIGNAL_EVENTS			BIT(5)
/* 0x40000003 EDX. */
#define HVT_FEATURE_GUEST_CRASH_MSR_AVAILABLE	BIT(10)
#define HVT_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE	BIT(15)
#define HVT_SINT_POLLING_AVAILABLE		BIT(17)	/* SintPollingModeAvailable */

/* 0x40000004 EAX: "Implementation Recommendations". */
#define HVT_DEPRECATING_AEOI_RECOMMENDED	BIT(9)
#define HVT_X64_ENLIGHTENED_VMCS_RECOMMENDED	BIT(14)

/* 0x4000000A EAX: nested virtualization features. */
#define HVT_X64_NESTED_ENLIGHTENED_TLB		BIT(22)

/* 0x4000000C: isolation configuration (EAX paravisor, EBX type/boundary). */
#define HVT_PARAVISOR_PRESENT			BIT(0)
#define HVT_ISOLATION_TYPE			GENMASK(3, 0)
#define HVT_SHARED_GPA_BOUNDARY_ACTIVE		BIT(5)
#define HVT_SHARED_GPA_BOUNDARY_BITS		GENMASK(11, 6)

/* "Synthetic MSRs" (x64 numbering). */
#define HVT_X64_MSR_GUEST_OS_ID		0x40000000
#define HVT_X64_MSR_HYPERCALL		0x40000001
/* HV_X64_MSR_HYPERCALL: "Establishing the Hypercall Interface". */
#define HVT_HYPERCALL_MSR_ENABLE	BIT_ULL(0)
#define HVT_HYPERCALL_MSR_LOCKED	BIT_ULL(1)	/* only a reset clears it */
#define HVT_HYPERCALL_MSR_RSVDP		GENMASK_ULL(11, 2)
#define HVT_X64_MSR_VP_INDEX		0x40000002
#define HVT_X64_MSR_RESET		0x40000003
#define HVT_X64_MSR_TIME_REF_COUNT	0x40000020
#define HVT_X64_MSR_REFERENCE_TSC	0x40000021
/* HV_X64_MSR_REFERENCE_TSC: page number 63:12, RsvdP 11:1, enable 0. */
#define HVT_REFTSC_MSR_ENABLE		BIT_ULL(0)
#define HVT_REFTSC_MSR_RSVDP		GENMASK_ULL(11, 1)
#define HVT_X64_MSR_TSC_FREQUENCY	0x40000022
#define HVT_X64_MSR_APIC_FREQUENCY	0x40000023
#define HVT_X64_MSR_EOI			0x40000070
/* SynIC MSRs.  The seed lists every SINTx at 0x40000090; it is 0x40000090 + x. */
#define HVT_X64_MSR_SCONTROL		0x40000080
#define HVT_X64_MSR_SVERSION		0x40000081
#define HVT_X64_MSR_SIEFP		0x40000082
#define HVT_X64_MSR_SIMP		0x40000083
#define HVT_X64_MSR_EOM			0x40000084
#define HVT_X64_MSR_SINT0		0x40000090
#define HVT_X64_MSR_SINT15		0x4000009F
/* "Guest Crash Enlightenment": five parameters, then the control MSR. */
#define HVT_X64_MSR_CRASH_P0		0x40000100
#define HVT_X64_MSR_CRASH_P1		0x40000101
#define HVT_X64_MSR_CRASH_P2		0x40000102
#define HVT_X64_MSR_CRASH_P3		0x40000103
#define HVT_X64_MSR_CRASH_P4		0x40000104
#define HVT_X64_MSR_CRASH_CTL		0x40000105
#define HVT_X64_MSR_CRASH_PARAMS	(HVT_X64_MSR_CRASH_P4 - HVT_X64_MSR_CRASH_P0 + 1)
#define HVT_CRASH_CTL_CRASH_NOTIFY_MSG	BIT_ULL(62)
#define HVT_CRASH_CTL_CRASH_NOTIFY	BIT_ULL(63)
/*
 * TSC invariant control (AccessTscInvariantControls): bit 0 makes the
 * hypervisor expose an invariant TSC (CPUID 0x80000007 EDX[8]) that it keeps
 * migration-safe.  Not in the TLFS seed; the kernel's asm/hyperv-tlfs.h and
 * KVM's arch/x86/kvm/hyperv.c define it (only bit 0; once set, a guest
 * cannot clear it).
 */
#define HVT_X64_MSR_TSC_INVARIANT_CONTROL	0x40000118
#define HVT_EXPOSE_INVARIANT_TSC		BIT_ULL(0)

/* "Hypercall Interface": the input value's fields and the result's. */
#define HVT_HYPERCALL_RESULT_MASK	GENMASK_ULL(15, 0)
#define HVT_HYPERCALL_CODE_MASK		GENMASK_ULL(15, 0)
#define HVT_HYPERCALL_FAST_BIT		BIT(16)
#define HVT_HYPERCALL_VARHEAD_OFFSET	17
#define HVT_HYPERCALL_VARHEAD_MASK	GENMASK_ULL(26, 17)
#define HVT_HYPERCALL_REP_COMP_OFFSET	32
#define HVT_HYPERCALL_REP_COMP_MASK	GENMASK_ULL(43, 32)
#define HVT_HYPERCALL_REP_START_OFFSET	48
#define HVT_HYPERCALL_REP_START_MASK	GENMASK_ULL(59, 48)

/* Hypercall codes ("Hypercall Code Reference"). */
#define HVT_CALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVT_CALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVT_CALL_POST_MESSAGE			0x005c
#define HVT_CALL_SIGNAL_EVENT			0x005d

/* "Hypercall Status Codes" (the ones the code tests by name). */
#define HVT_STATUS_SUCCESS			0
#define HVT_STATUS_INVALID_HYPERCALL_CODE	2
#define HVT_STATUS_INVALID_HYPERCALL_INPUT	3
#define HVT_STATUS_INVALID_ALIGNMENT		4
#define HVT_STATUS_INVALID_PARAMETER		5
#define HVT_STATUS_ACCESS_DENIED		6
#define HVT_STATUS_INSUFFICIENT_MEMORY		11
#define HVT_STATUS_INVALID_CONNECTION_ID	18
#define HVT_STATUS_INSUFFICIENT_BUFFERS		19

/* "Synthetic Interrupt Controller (SynIC)". */
#define HVT_SYNIC_VERSION_1		0x1
#define HVT_SYNIC_CONTROL_ENABLE	BIT_ULL(0)
#define HVT_SYNIC_SIMP_ENABLE		BIT_ULL(0)
#define HVT_SYNIC_SINT_COUNT		16
#define HVT_SYNIC_FIRST_VALID_VECTOR	16
#define HVT_SYNIC_SINT_VECTOR_MASK	0xFF
#define HVT_SYNIC_SINT_MASKED		BIT_ULL(16)
#define HVT_SYNIC_SINT_AUTO_EOI		BIT_ULL(17)
#define HVT_SYNIC_SINT_POLLING		BIT_ULL(18)	/* with SintPollingModeAvailable */
#define HVT_SYNIC_SINT_RSVDP		(GENMASK_ULL(63, 19) | GENMASK_ULL(15, 8))
/* SIMP and SIEFP: page number 63:12, RsvdP 11:1, enable 0. */
#define HVT_SYNIC_PAGE_ENABLE		BIT_ULL(0)
#define HVT_SYNIC_PAGE_RSVDP		GENMASK_ULL(11, 1)
#define HVT_MESSAGE_SIZE		256
#define HVT_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define HVT_MESSAGE_PAYLOAD_QWORD_COUNT	30
#define HVT_EVENT_FLAGS_COUNT		(256 * 8)

#endif /* HYPERVIVE_TLFS_H */

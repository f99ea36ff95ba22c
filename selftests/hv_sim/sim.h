/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypervive_sim: a software model of the Hyper-V TLFS, for tests only.
 *
 * The rules modelled come from the TLFS and the kernel's
 * asm/hyperv-tlfs.h, never from hypervive_core's code: the model and the
 * modules must not share a misunderstanding.
 */
#ifndef HYPERVIVE_SIM_H
#define HYPERVIVE_SIM_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define SIM_HC_ENABLE		BIT_ULL(0)
#define SIM_HC_LOCKED		BIT_ULL(1)
#define SIM_HC_RSVDP		GENMASK_ULL(11, 2)
/* CPUID 0x40000003 EDX: SintPollingModeAvailable (TLFS; no kernel name) */
#define SIM_SINT_POLLING_AVAILABLE	BIT(17)
/* HV_X64_MSR_TSC_INVARIANT_CONTROL's one bit (HV_EXPOSE_INVARIANT_TSC, 6.3+) */
#define SIM_EXPOSE_INVARIANT_TSC	BIT_ULL(0)

struct sim_config {
	bool present;
	bool kvm;			/* preset=kvm: KVM's leaves at 0x40000100 too */
	char vendor[13];
	u32 interface;
	u32 max_leaf;
	u32 leaf2[4];			/* version leaf as configured */
	u32 priv_eax, priv_ebx, features_ecx, features_edx;
	u32 recommendations, spin_retries, phys_bits;
	u32 limits[3];
	u32 hw_features, cpu_mgmt;
	u32 nested_eax, nested_edx, nested_feat_eax, nested_feat_ebx;
	u32 isolation_eax, isolation_ebx;
};

struct sim_state {
	spinlock_t lock;		/* partition MSRs below */
	u64 guest_os_id;
	u64 hypercall;
	u64 tsc_invariant_control;

	/* Fault injection: the Nth access from now fails (0 = off). */
	atomic_t fail_msr_nth;
	atomic_t fail_hypercall_nth;
	u32 fail_hypercall_status;
	u32 rep_batch;			/* reps per call before continuing (0: all) */
	u32 post_buffers;		/* 0: HvPostMessage finds no buffer */

	/* Counters, read by the tests through debugfs. */
	atomic64_t msr_reads;
	atomic64_t msr_writes;
	atomic64_t msr_faults;
	atomic64_t rsvd_violations;	/* a write changed RsvdP bits */
	atomic64_t hypercalls;
	atomic64_t hypercalls_no_page;	/* made while the page was disabled */
	atomic64_t posted_messages;
	atomic64_t signalled_events;
	atomic64_t spin_waits;
	atomic64_t flushed_gvas;
	atomic64_t varhead_qwords;	/* variable header sizes of accepted calls, summed */

	/* sim_power.c */
	bool reported;			/* the shutdown or panic report is out */
	atomic64_t partition_resets;	/* hibernations the partition restarted across */
	atomic64_t late_msr_writes;	/* MSR writes after the report */
};

extern struct sim_config sim_cfg;
extern struct sim_state sim;

/* Returns true once when an armed countdown reaches its target. */
static inline bool sim_fault_due(atomic_t *nth)
{
	int old = atomic_read(nth);

	while (old > 0) {
		if (atomic_try_cmpxchg(nth, &old, old - 1))
			return old == 1;
	}
	return false;
}

void sim_cpuid(u32 leaf, u32 regs[4]);
int sim_read_msr(u32 msr, u64 *val);
int sim_write_msr(u32 msr, u64 val);
u64 sim_hypercall(u64 control, u64 input_gpa, u64 output_gpa);
u64 sim_hypercall_fast(u64 control, u64 input1, u64 input2);

/* sim_tsc.c: reference counter and TSC page; sim_crash.c: crash MSRs */
struct dentry;
int sim_tsc_init(void);
void sim_tsc_exit(void);
void sim_tsc_debugfs(struct dentry *parent);
int sim_tsc_read_msr(u32 msr, u64 *val);
int sim_tsc_write_msr(u32 msr, u64 val);
void sim_crash_debugfs(struct dentry *parent);
int sim_crash_read_msr(u32 msr, u64 *val);
int sim_crash_write_msr(u32 msr, u64 val);

/* sim_kvm.c: preset=kvm, KVM with Hyper-V enlightenments */
bool sim_kvm_cpuid(u32 leaf, u32 regs[4]);
void sim_kvm_debugfs(struct dentry *parent);

/* sim_power.c: shutdown and panic reports, the reset across hibernation */
void sim_power_init(void);
void sim_power_exit(void);
void sim_power_msr_written(u32 msr, u64 val);
/* Each part's reset (hibernation) and report line(s): how many are enabled. */
u64 sim_tsc_msr(void);
void sim_tsc_reset(void);
unsigned int sim_synic_report(const char *when);
void sim_synic_reset(void);
unsigned int sim_host_report(const char *when);
void sim_host_reset(void);

int sim_debugfs_init(void);
void sim_debugfs_exit(void);

#endif /* HYPERVIVE_SIM_H */

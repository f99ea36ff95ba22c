/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the partition reference TSC page (TLFS "Partition Reference TSC
 * Mechanism").  Pure code: the same header is compiled into
 * hypervive_core, the user-space unit tests and the user-space benchmark,
 * so what is tested and measured is what runs.
 *
 *   ReferenceTime = ((VirtualTsc * TscScale) >> 64) + TscOffset
 *
 * in 100 ns units, with a true 64x64->128 multiply.  TscSequence 0 means
 * "not a reliable time source now": the caller falls back to the
 * HV_X64_MSR_TIME_REF_COUNT MSR.  (Old TLFS revisions named 0xFFFFFFFF as
 * the invalid value; the current text and the kernel's hyperv_timer.h say
 * 0, which is what we follow.)
 *
 * A user-space includer may define HYPERVIVE_TSC_RDTSC() before including
 * this header to supply its own TSC (the unit tests use that to simulate a
 * page updated in the middle of a read).
 */
#ifndef HYPERVIVE_TSC_PAGE_READ_H
#define HYPERVIVE_TSC_PAGE_READ_H

#include <hypervive/types.h>

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/msr.h>
#define HVTSC_LOAD(x)		READ_ONCE(x)
/* Orders the sequence loads against the loads they guard (see below). */
#define HVTSC_RMB()		smp_rmb()
#ifndef HYPERVIVE_TSC_RDTSC
#define HYPERVIVE_TSC_RDTSC()	rdtsc_ordered()
#endif
#else /* user space */
#include <x86intrin.h>
#define HVTSC_LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
/* x86 does not reorder loads with loads: a compiler barrier is enough. */
#define HVTSC_RMB()		__atomic_signal_fence(__ATOMIC_ACQUIRE)
#ifndef HYPERVIVE_TSC_RDTSC
/* LFENCE keeps RDTSC from running ahead of the sequence load (as rdtsc_ordered()). */
static inline u64 hypervive_tsc_rdtsc_ordered(void)
{
	_mm_lfence();
	return __rdtsc();
}

#define HYPERVIVE_TSC_RDTSC()	hypervive_tsc_rdtsc_ordered()
#endif
#endif /* __KERNEL__ */

/* HV_REFERENCE_TSC_PAGE (TLFS), one 4 KiB page; checked against the kernel's. */
struct hypervive_tsc_page {
	u32 sequence;
	u32 reserved1;
	u64 scale;
	s64 offset;
	u64 reserved2[509];
};

/*
 * High 64 bits of the 128-bit product a * b, without a 128-bit type: four
 * 32x32->64 partial products.  Used where __int128 is missing, and by the
 * unit tests to check the __int128 path.
 */
static inline u64 hypervive_mul_hi64_portable(u64 a, u64 b)
{
	u64 a_lo = (u32)a, a_hi = a >> 32;
	u64 b_lo = (u32)b, b_hi = b >> 32;
	u64 lo_lo = a_lo * b_lo;
	u64 hi_lo = a_hi * b_lo;
	u64 lo_hi = a_lo * b_hi;
	u64 hi_hi = a_hi * b_hi;
	/* Middle column: at most 3 * (2^32 - 1), no overflow. */
	u64 mid = (lo_lo >> 32) + (u32)hi_lo + (u32)lo_hi;

	return hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (mid >> 32);
}

/* (a * b) >> 64 with a true 64x64->128 multiply. */
static inline u64 hypervive_mul_hi64(u64 a, u64 b)
{
#ifdef __SIZEOF_INT128__
	return (u64)(((__uint128_t)a * b) >> 64);
#else
	return hypervive_mul_hi64_portable(a, b);
#endif
}

/*
 * The TLFS formula.  The offset is signed; the sum wraps modulo 2^64 as
 * the hypervisor's does (done in u64 so the wrap is defined behaviour).
 */
static inline u64 hypervive_ref_time(u64 tsc, u64 scale, s64 offset)
{
	return hypervive_mul_hi64(tsc, scale) + (u64)offset;
}

/*
 * One read of the reference time from @page.  Returns false, leaving *time
 * untouched, when the sequence is 0 (the caller reads
 * HV_X64_MSR_TIME_REF_COUNT instead); retries while the hypervisor changes
 * the page under us.  NMI-safe: no locks, no writes.  (In the kernel,
 * "inline" implies notrace, as a clocksource read must be.)
 */
static inline bool hypervive_tsc_page_read(const struct hypervive_tsc_page *page, u64 *time)
{
	u32 seq;
	u64 scale, tsc;
	s64 offset;

	do {
		seq = HVTSC_LOAD(page->sequence);
		if (!seq)
			return false;
		HVTSC_RMB();	/* the sequence before the values it guards */
		scale = HVTSC_LOAD(page->scale);
		offset = HVTSC_LOAD(page->offset);
		tsc = HYPERVIVE_TSC_RDTSC();
		HVTSC_RMB();	/* the values before the sequence again */
	} while (HVTSC_LOAD(page->sequence) != seq);

	*time = hypervive_ref_time(tsc, scale, offset);
	return true;
}

/* A consistent copy of the fields, for reporting; sequence 0 is returned as is. */
static inline void hypervive_tsc_page_snapshot(const struct hypervive_tsc_page *page,
					       u32 *seq, u64 *scale, s64 *offset)
{
	u32 s;

	do {
		s = HVTSC_LOAD(page->sequence);
		HVTSC_RMB();
		*scale = HVTSC_LOAD(page->scale);
		*offset = HVTSC_LOAD(page->offset);
		HVTSC_RMB();
	} while (HVTSC_LOAD(page->sequence) != s);
	*seq = s;
}

#endif /* HYPERVIVE_TSC_PAGE_READ_H */

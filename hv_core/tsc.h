/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition reference time in hypervive_core: the reference TSC page
 * (tsc_page.c), the clocksources built on it and on the reference counter
 * MSR (clocksource.c), their sysfs files (tsc_sysfs.c).
 */
#ifndef HYPERVIVE_TSC_H
#define HYPERVIVE_TSC_H

#include <linux/types.h>
#include "core_internal.h"
#include "tsc_page_read.h"

/* TLFS: the reference time counts in 100 ns units. */
#define HYPERVIVE_REF_HZ	10000000U

struct page;

struct hypervive_tsc {
	enum hypervive_owner owner;	/* of the reference TSC page */
	u64 msr_found;			/* HV_X64_MSR_REFERENCE_TSC at load */
	/* The page we read: ours, or another owner's mapped read-only; or NULL. */
	const struct hypervive_tsc_page *page;
	u64 page_pfn;			/* its frame (HV_HYP_PAGE units) */
	struct page *our_page;		/* allocated by us (owner == US) */
	void *mapped;			/* memremap() of another owner's page */
	bool away;			/* our page left (leave.c): off, kept */
};

extern struct hypervive_tsc hv_tsc;

/* tsc_page.c */
int hypervive_tsc_page_init(void);
void hypervive_tsc_page_exit(void);
void hypervive_tsc_page_leave(void);
int hypervive_tsc_page_return(void);

/* clocksource.c */
int hypervive_clocksource_init(void);
void hypervive_clocksource_exit(void);
u64 hypervive_ref_time_now(void);
bool hypervive_clocksource_reads_page(void);
u64 hypervive_tsc_fallback_reads(void);
u64 hypervive_refcount_errors(void);
const char *hypervive_clocksource_name(void);
unsigned int hypervive_clocksource_rating(void);
const char *hypervive_clocksource_reason(void);

#endif /* HYPERVIVE_TSC_H */

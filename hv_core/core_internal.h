/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the files of hypervive_core.  One instance, filled at
 * load; after init only the counters and the "ready" flag change.
 */
#ifndef HYPERVIVE_CORE_INTERNAL_H
#define HYPERVIVE_CORE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <hypervive/core.h>
#include <hypervive/platform.h>

enum hypervive_mode {
	HYPERVIVE_MODE_AUTO,
	HYPERVIVE_MODE_ACTIVE,
	HYPERVIVE_MODE_OBSERVE,
};

enum hypervive_owner {
	HYPERVIVE_OWNER_NONE,		/* nobody: the resource is off */
	HYPERVIVE_OWNER_US,
	HYPERVIVE_OWNER_OTHER,
	HYPERVIVE_OWNER_UNKNOWN,	/* could not be read (no privilege) */
};

struct hypervive_core {
	const struct hypervive_platform_ops *ops;
	bool ops_from_sim;		/* symbol_put() on unload */
	enum hypervive_mode mode;	/* as requested */
	enum hypervive_mode effective;	/* ACTIVE or OBSERVE */
	const char *observe_reason;
	struct hypervive_info info;

	/* HV_X64_MSR_GUEST_OS_ID */
	enum hypervive_owner guest_id_owner;
	u64 guest_id_found;		/* value at load, restored on unload */

	/* HV_X64_MSR_HYPERCALL */
	enum hypervive_owner hcpage_owner;
	u64 hcpage_msr_found;		/* value at load, restored on unload */
	bool hcpage_ibt_refused;
	bool hc_ready;			/* hypercalls may be issued */
	bool hcpage_away;		/* left (leave.c): off, ours again on return */
	bool hc_was_ready;		/* hc_ready when we left */
	atomic64_t hc_calls;
	atomic64_t hc_failures;
	atomic64_t hc_bad_results;	/* results that break the TLFS */
};

extern struct hypervive_core hv_core;

const char *hypervive_mode_name(enum hypervive_mode mode);
const char *hypervive_owner_name(enum hypervive_owner owner);

/* platform.c */
int hypervive_platform_get(const char *name);
void hypervive_platform_put(void);

/* discovery.c */
int hypervive_discover(struct hypervive_info *info);
bool hypervive_has_privilege(u64 bit);

/* guest_os_id.c */
int hypervive_guest_id_read(void);
int hypervive_guest_id_claim(void);
void hypervive_guest_id_release(void);
void hypervive_guest_id_leave(void);
int hypervive_guest_id_return(void);

/* hypercall.c */
int hypervive_hcpage_read(void);
int hypervive_hypercall_init(void);
void hypervive_hypercall_exit(void);
u64 hypervive_hcpage_pfn(void);
void hypervive_hcpage_leave(bool may_sleep);
int hypervive_hcpage_return(void);

/* leave.c: reboot, kexec, panic and hibernation */
int hypervive_leave_init(void);
void hypervive_leave_exit(void);

/* tsc_page.c, clocksource.c, tsc_sysfs.c: reference time */
int hypervive_tsc_init(void);
void hypervive_tsc_exit(void);
extern const struct attribute_group hypervive_tsc_group;

/* crash.c: guest crash reporting */
int hypervive_crash_init(void);
void hypervive_crash_exit(void);
extern const struct attribute_group hypervive_crash_group;

/* sint.c */
int hypervive_native_sint_install(void (*handler)(void), u8 *vector);
void hypervive_native_sint_remove(void);

/* core_sysfs.c */
int hypervive_core_sysfs_init(void);
void hypervive_core_sysfs_exit(void);

#endif /* HYPERVIVE_CORE_INTERNAL_H */

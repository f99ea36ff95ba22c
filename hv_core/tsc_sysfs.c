// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/hypervive/core/tsc_page/: the reference TSC MSR and page as
 * they are now (ours or another owner's), the fallback count and the
 * clocksource we registered.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <hypervive/common.h>
#include <hypervive/tlfs.h>
#include "tsc.h"

static int read_msr_now(u64 *val)
{
	if (!hypervive_has_privilege(HVT_MSR_REFERENCE_TSC_AVAILABLE))
		return -EPERM;
	return hypervive_rdmsr(HVT_X64_MSR_REFERENCE_TSC, val);
}

static ssize_t msr_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u64 val;

	if (read_msr_now(&val))
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "0x%016llx\n", val);
}

HYPERVIVE_ATTR_RO(msr, msr);

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	u64 val;

	if (read_msr_now(&val))
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "%d\n", !!(val & HVT_REFTSC_MSR_ENABLE));
}

HYPERVIVE_ATTR_RO(enabled, enabled);

static ssize_t found_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%016llx\n", hv_tsc.msr_found);
}

HYPERVIVE_ATTR_RO(found, found_at_load);

static ssize_t owner_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", hypervive_owner_name(hv_tsc.owner));
}

HYPERVIVE_ATTR_RO(owner, owner);

static ssize_t pfn_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", hv_tsc.page ? hv_tsc.page_pfn : 0ULL);
}

HYPERVIVE_ATTR_RO(pfn, page_pfn);

/* sequence, scale and offset from one consistent snapshot of the page. */
enum { F_SEQ, F_SCALE, F_OFFSET };

static ssize_t show_field(char *buf, int field)
{
	u32 seq;
	u64 scale;
	s64 offset;

	if (!hv_tsc.page)
		return sysfs_emit(buf, "unavailable\n");
	hypervive_tsc_page_snapshot(hv_tsc.page, &seq, &scale, &offset);
	switch (field) {
	case F_SEQ:
		return sysfs_emit(buf, "%u\n", seq);
	case F_SCALE:
		return sysfs_emit(buf, "0x%016llx\n", scale);
	default:
		return sysfs_emit(buf, "%lld\n", offset);
	}
}

static ssize_t sequence_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return show_field(buf, F_SEQ);
}

HYPERVIVE_ATTR_RO(sequence, sequence);

static ssize_t scale_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return show_field(buf, F_SCALE);
}

HYPERVIVE_ATTR_RO(scale, scale);

static ssize_t offset_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return show_field(buf, F_OFFSET);
}

HYPERVIVE_ATTR_RO(offset, offset);

static ssize_t ref_time_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	if (!hv_tsc.page && !hypervive_has_privilege(HVT_MSR_TIME_REF_COUNT_AVAILABLE))
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "%llu\n", hypervive_ref_time_now());
}

HYPERVIVE_ATTR_RO(ref_time, reference_time);

static ssize_t fallbacks_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", hypervive_tsc_fallback_reads());
}

HYPERVIVE_ATTR_RO(fallbacks, fallback_reads);

static ssize_t errors_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", hypervive_refcount_errors());
}

HYPERVIVE_ATTR_RO(errors, refcount_errors);

static ssize_t cs_name_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", hypervive_clocksource_name());
}

HYPERVIVE_ATTR_RO(cs_name, clocksource);

static ssize_t cs_rating_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", hypervive_clocksource_rating());
}

HYPERVIVE_ATTR_RO(cs_rating, rating);

static ssize_t cs_reason_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", hypervive_clocksource_reason());
}

HYPERVIVE_ATTR_RO(cs_reason, clocksource_reason);

static struct attribute *tsc_attrs[] = {
	&enabled_attr.attr, &msr_attr.attr, &found_attr.attr, &owner_attr.attr,
	&pfn_attr.attr, &sequence_attr.attr, &scale_attr.attr, &offset_attr.attr,
	&ref_time_attr.attr, &fallbacks_attr.attr, &errors_attr.attr,
	&cs_name_attr.attr, &cs_rating_attr.attr, &cs_reason_attr.attr, NULL,
};

const struct attribute_group hypervive_tsc_group = {
	.name = "tsc_page",
	.attrs = tsc_attrs,
};

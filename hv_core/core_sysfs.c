// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/hypervive/core/: everything discovery found (raw hex and
 * decoded names) and the state of what we own.  A file for a CPUID leaf
 * above the reported max leaf is not shown at all, so a Hyper-V with fewer
 * leaves has fewer files instead of files full of zeros.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <hypervive/tlfs.h>
#include <hypervive/common.h>
#include "core_internal.h"
#include "guest_id.h"
#include "tlfs_decode.h"

struct hv_attr {
	struct kobj_attribute ka;
	u32 leaf;		/* shown only if this leaf is present; 0: always */
};

#define INFO (&hv_core.info)
#define LEAF(n) (INFO->leaf[(n) - HYPERVIVE_LEAF_BASE])

#define HV_ATTR(cname, fname, need, fmt, ...)				\
static ssize_t cname##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, fmt "\n", ##__VA_ARGS__);		\
}									\
static struct hv_attr cname##_attr = {					\
	.ka = __ATTR(fname, 0444, cname##_show, NULL),			\
	.leaf = (need),							\
}

static ssize_t show_bits(char *buf, const struct hypervive_bit_table *tbl,
			 u64 value, u64 ignore)
{
	/* Decode straight into the sysfs page, leaving room for the newline. */
	size_t n = hypervive_decode_bits(tbl, value, ignore, buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	return n;
}

#define HV_BITS_ATTR(cname, fname, need, tbl, value, ignore)		\
static ssize_t cname##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return show_bits(buf, &(tbl), (value), (ignore));		\
}									\
static struct hv_attr cname##_attr = {					\
	.ka = __ATTR(fname, 0444, cname##_show, NULL),			\
	.leaf = (need),							\
}

static umode_t hv_attr_visible(struct kobject *kobj, struct attribute *attr,
			       int n)
{
	struct hv_attr *a = container_of(attr, struct hv_attr, ka.attr);

	if (a->leaf && !hypervive_leaf(INFO, a->leaf))
		return 0;
	return attr->mode;
}

/* core/ */
HV_ATTR(platform, platform, 0, "%s", hv_core.ops->name);
HV_ATTR(mode, mode, 0, "%s", hypervive_mode_name(hv_core.mode));
HV_ATTR(effective_mode, effective_mode, 0, "%s",
	hypervive_mode_name(hv_core.effective));
HV_ATTR(observe_reason, observe_reason, 0, "%s",
	hv_core.effective == HYPERVIVE_MODE_OBSERVE ? hv_core.observe_reason : "");

static struct attribute *top_attrs[] = {
	&platform_attr.ka.attr, &mode_attr.ka.attr, &effective_mode_attr.ka.attr,
	&observe_reason_attr.ka.attr, NULL,
};

static const struct attribute_group top_group = {
	.attrs = top_attrs,
};

/* core/hypervisor/ */
HV_ATTR(vendor, vendor, 0, "%s", INFO->vendor);
HV_ATTR(interface, interface, 0, "%s 0x%08x", INFO->interface_str,
	INFO->interface);
HV_ATTR(max_leaf, max_leaf, 0, "0x%08x", INFO->max_leaf);
HV_ATTR(version, version, HVT_CPUID_VERSION, "%u.%u", INFO->major,
	INFO->minor);
HV_ATTR(build, build, HVT_CPUID_VERSION, "%u", INFO->build);
HV_ATTR(service_pack, service_pack, HVT_CPUID_VERSION, "%u",
	INFO->service_pack);
HV_ATTR(service_branch, service_branch, HVT_CPUID_VERSION, "%u",
	INFO->service_branch);
HV_ATTR(service_number, service_number, HVT_CPUID_VERSION, "%u",
	INFO->service_number);

/* KVM with Hyper-V enlightenments: where KVM's own leaves are. */
static ssize_t kvm_leaves_show(struct kobject *kobj, struct kobj_attribute *attr,
			       char *buf)
{
	if (!INFO->kvm_base)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "0x%08x\n", INFO->kvm_base);
}

static struct hv_attr kvm_leaves_attr = { .ka = __ATTR_RO(kvm_leaves) };

static struct attribute *hypervisor_attrs[] = {
	&vendor_attr.ka.attr, &interface_attr.ka.attr, &max_leaf_attr.ka.attr,
	&version_attr.ka.attr, &build_attr.ka.attr, &service_pack_attr.ka.attr,
	&service_branch_attr.ka.attr, &service_number_attr.ka.attr,
	&kvm_leaves_attr.ka.attr, NULL,
};

static const struct attribute_group hypervisor_group = {
	.name = "hypervisor",
	.attrs = hypervisor_attrs,
	.is_visible = hv_attr_visible,
};

/* core/cpuid/: raw registers of each present leaf, "eax ebx ecx edx". */
#define CPUID_ATTR(n)							\
	HV_ATTR(cpuid_##n, n, 0x##n, "0x%08x 0x%08x 0x%08x 0x%08x",	\
		LEAF(0x##n).eax, LEAF(0x##n).ebx, LEAF(0x##n).ecx,	\
		LEAF(0x##n).edx)
CPUID_ATTR(40000000);
CPUID_ATTR(40000001);
CPUID_ATTR(40000002);
CPUID_ATTR(40000003);
CPUID_ATTR(40000004);
CPUID_ATTR(40000005);
CPUID_ATTR(40000006);
CPUID_ATTR(40000007);
CPUID_ATTR(40000008);
CPUID_ATTR(40000009);
CPUID_ATTR(4000000a);
CPUID_ATTR(4000000b);
CPUID_ATTR(4000000c);

static struct attribute *cpuid_attrs[] = {
	&cpuid_40000000_attr.ka.attr, &cpuid_40000001_attr.ka.attr,
	&cpuid_40000002_attr.ka.attr, &cpuid_40000003_attr.ka.attr,
	&cpuid_40000004_attr.ka.attr, &cpuid_40000005_attr.ka.attr,
	&cpuid_40000006_attr.ka.attr, &cpuid_40000007_attr.ka.attr,
	&cpuid_40000008_attr.ka.attr, &cpuid_40000009_attr.ka.attr,
	&cpuid_4000000a_attr.ka.attr, &cpuid_4000000b_attr.ka.attr,
	&cpuid_4000000c_attr.ka.attr, NULL,
};

static const struct attribute_group cpuid_group = {
	.name = "cpuid",
	.attrs = cpuid_attrs,
	.is_visible = hv_attr_visible,
};

/* core/features/ */
#define L3 HVT_CPUID_FEATURES
#define L4 HVT_CPUID_ENLIGHTMENT_INFO
#define L5 HVT_CPUID_IMPLEMENT_LIMITS
#define L6 0x40000006
#define L7 HVT_CPUID_CPU_MANAGEMENT_FEATURES
#define L9 0x40000009
#define LA HVT_CPUID_NESTED_FEATURES
#define LC HVT_CPUID_ISOLATION_CONFIG
#define NESTING_LEVEL	GENMASK(13, 10)
#define EVMCS_VERSION	GENMASK(15, 0)

HV_ATTR(privileges, privileges, L3, "0x%016llx", INFO->privileges);
HV_BITS_ATTR(privileges_names, privileges_names, L3, hypervive_tbl_privileges,
	     INFO->privileges, 0);
HV_ATTR(features_ecx, features_ecx, L3, "0x%08x", INFO->features_ecx);
HV_BITS_ATTR(features_ecx_names, features_ecx_names, L3,
	     hypervive_tbl_features_ecx, INFO->features_ecx, 0);
HV_ATTR(features_edx, features_edx, L3, "0x%08x", INFO->features_edx);
HV_BITS_ATTR(features_edx_names, features_edx_names, L3,
	     hypervive_tbl_features_edx, INFO->features_edx, 0);
HV_ATTR(recommendations, recommendations, L4, "0x%08x", INFO->recommendations);
HV_BITS_ATTR(recommendations_names, recommendations_names, L4,
	     hypervive_tbl_recommendations, INFO->recommendations, 0);
HV_ATTR(spinlock_retries, spinlock_retries, L4, "%u", INFO->spinlock_retries);
HV_ATTR(physical_address_bits, physical_address_bits, L4, "%u",
	INFO->phys_addr_bits);
HV_ATTR(max_virtual_processors, max_virtual_processors, L5, "%u",
	LEAF(L5).eax);
HV_ATTR(max_logical_processors, max_logical_processors, L5, "%u",
	LEAF(L5).ebx);
HV_ATTR(max_interrupt_vectors, max_interrupt_vectors, L5, "%u", LEAF(L5).ecx);
HV_ATTR(hw_features, hw_features, L6, "0x%08x", LEAF(L6).eax);
HV_BITS_ATTR(hw_features_names, hw_features_names, L6,
	     hypervive_tbl_hw_features, LEAF(L6).eax, NESTING_LEVEL);
HV_ATTR(nesting_level, nesting_level, L6, "%lu",
	(LEAF(L6).eax & NESTING_LEVEL) >> 10);
HV_ATTR(cpu_management, cpu_management, L7, "0x%08x", LEAF(L7).eax);
HV_BITS_ATTR(cpu_management_names, cpu_management_names, L7,
	     hypervive_tbl_cpu_mgmt, LEAF(L7).eax, 0);
HV_ATTR(nested_eax, nested_eax, L9, "0x%08x", LEAF(L9).eax);
HV_BITS_ATTR(nested_eax_names, nested_eax_names, L9, hypervive_tbl_nested_eax,
	     LEAF(L9).eax, 0);
HV_ATTR(nested_edx, nested_edx, L9, "0x%08x", LEAF(L9).edx);
HV_BITS_ATTR(nested_edx_names, nested_edx_names, L9, hypervive_tbl_nested_edx,
	     LEAF(L9).edx, 0);
HV_ATTR(nested_features, nested_features, LA, "0x%08x 0x%08x", LEAF(LA).eax,
	LEAF(LA).ebx);
HV_ATTR(evmcs_version, evmcs_version, LA, "%u-%u", LEAF(LA).eax & 0xff,
	(LEAF(LA).eax >> 8) & 0xff);
HV_BITS_ATTR(nested_features_names, nested_features_names, LA,
	     hypervive_tbl_nested_feat_eax, LEAF(LA).eax, EVMCS_VERSION);
HV_ATTR(isolation, isolation, LC, "0x%08x 0x%08x", LEAF(LC).eax, LEAF(LC).ebx);
HV_BITS_ATTR(isolation_names, isolation_names, LC, hypervive_tbl_isolation_eax,
	     LEAF(LC).eax, 0);
HV_ATTR(isolation_type, isolation_type, LC, "%s",
	hypervive_isolation_type_name(LEAF(LC).ebx & HVT_ISOLATION_TYPE));
HV_ATTR(shared_gpa_boundary_bits, shared_gpa_boundary_bits, LC, "%lu",
	(LEAF(LC).ebx & HVT_SHARED_GPA_BOUNDARY_ACTIVE) ?
	(LEAF(LC).ebx & HVT_SHARED_GPA_BOUNDARY_BITS) >> 6 : 0UL);

static struct attribute *features_attrs[] = {
	&privileges_attr.ka.attr, &privileges_names_attr.ka.attr,
	&features_ecx_attr.ka.attr, &features_ecx_names_attr.ka.attr,
	&features_edx_attr.ka.attr, &features_edx_names_attr.ka.attr,
	&recommendations_attr.ka.attr, &recommendations_names_attr.ka.attr,
	&spinlock_retries_attr.ka.attr, &physical_address_bits_attr.ka.attr,
	&max_virtual_processors_attr.ka.attr,
	&max_logical_processors_attr.ka.attr,
	&max_interrupt_vectors_attr.ka.attr,
	&hw_features_attr.ka.attr, &hw_features_names_attr.ka.attr,
	&nesting_level_attr.ka.attr,
	&cpu_management_attr.ka.attr, &cpu_management_names_attr.ka.attr,
	&nested_eax_attr.ka.attr, &nested_eax_names_attr.ka.attr,
	&nested_edx_attr.ka.attr, &nested_edx_names_attr.ka.attr,
	&nested_features_attr.ka.attr, &evmcs_version_attr.ka.attr,
	&nested_features_names_attr.ka.attr,
	&isolation_attr.ka.attr, &isolation_names_attr.ka.attr,
	&isolation_type_attr.ka.attr, &shared_gpa_boundary_bits_attr.ka.attr,
	NULL,
};

static const struct attribute_group features_group = {
	.name = "features",
	.attrs = features_attrs,
	.is_visible = hv_attr_visible,
};

/* core/guest_id/ */
static ssize_t guest_id_value_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	u64 val;

	if (hypervive_rdmsr(HVT_X64_MSR_GUEST_OS_ID, &val))
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "0x%016llx\n", val);
}

static ssize_t guest_id_decoded_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct hypervive_guest_id id;
	u64 val;

	if (hypervive_rdmsr(HVT_X64_MSR_GUEST_OS_ID, &val))
		return sysfs_emit(buf, "unavailable\n");
	hypervive_guest_id_decode(val, &id);
	return sysfs_emit(buf, "open_source=%d os_type=%s os_id=%u version=%u.%u.%u build=%u\n",
			  id.open_source, hypervive_guest_os_type_name(id.os_type),
			  id.os_id, id.version >> 16, (id.version >> 8) & 0xff,
			  id.version & 0xff, id.build);
}

static struct hv_attr guest_id_value_attr = {
	.ka = __ATTR(value, 0444, guest_id_value_show, NULL),
};

static struct hv_attr guest_id_decoded_attr = {
	.ka = __ATTR(decoded, 0444, guest_id_decoded_show, NULL),
};

HV_ATTR(guest_id_owner, owner, 0, "%s",
	hypervive_owner_name(hv_core.guest_id_owner));
HV_ATTR(guest_id_found, found_at_load, 0, "0x%016llx", hv_core.guest_id_found);

static struct attribute *guest_id_attrs[] = {
	&guest_id_value_attr.ka.attr, &guest_id_decoded_attr.ka.attr,
	&guest_id_owner_attr.ka.attr, &guest_id_found_attr.ka.attr, NULL,
};

static const struct attribute_group guest_id_group = {
	.name = "guest_id",
	.attrs = guest_id_attrs,
};

/* core/hypercall/ */
static ssize_t hc_msr_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	u64 val;

	if (hypervive_rdmsr(HVT_X64_MSR_HYPERCALL, &val))
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "0x%016llx\n", val);
}

static struct hv_attr hc_msr_attr = {
	.ka = __ATTR(msr, 0444, hc_msr_show, NULL),
};

HV_ATTR(hc_owner, owner, 0, "%s", hypervive_owner_name(hv_core.hcpage_owner));
HV_ATTR(hc_found, found_at_load, 0, "0x%016llx", hv_core.hcpage_msr_found);
HV_ATTR(hc_ready, ready, 0, "%d", READ_ONCE(hv_core.hc_ready));
HV_ATTR(hc_pfn, page_pfn, 0, "0x%llx",
	hv_core.hcpage_owner == HYPERVIVE_OWNER_US ? hypervive_hcpage_pfn() : 0ULL);
HV_ATTR(hc_ibt, ibt_refused, 0, "%d", hv_core.hcpage_ibt_refused);
HV_ATTR(hc_calls, calls, 0, "%lld", atomic64_read(&hv_core.hc_calls));
HV_ATTR(hc_failures, failures, 0, "%lld", atomic64_read(&hv_core.hc_failures));
HV_ATTR(hc_bad, bad_results, 0, "%lld", atomic64_read(&hv_core.hc_bad_results));

static struct attribute *hypercall_attrs[] = {
	&hc_msr_attr.ka.attr, &hc_owner_attr.ka.attr, &hc_found_attr.ka.attr,
	&hc_ready_attr.ka.attr, &hc_pfn_attr.ka.attr, &hc_ibt_attr.ka.attr,
	&hc_calls_attr.ka.attr, &hc_failures_attr.ka.attr, &hc_bad_attr.ka.attr,
	NULL,
};

static const struct attribute_group hypercall_group = {
	.name = "hypercall",
	.attrs = hypercall_attrs,
};

static const struct attribute_group *core_groups[] = {
	&top_group, &hypervisor_group, &cpuid_group, &features_group,
	&guest_id_group, &hypercall_group,
	&hypervive_tsc_group, &hypervive_crash_group, NULL,
};

static struct kobject *core_kobj;

int hypervive_core_sysfs_init(void)
{
	int ret;

	core_kobj = kobject_create_and_add("core", hypervive_sysfs_root());
	if (!core_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(core_kobj, core_groups);
	if (ret) {
		kobject_put(core_kobj);
		return ret;
	}
	return 0;
}

void hypervive_core_sysfs_exit(void)
{
	sysfs_remove_groups(core_kobj, core_groups);
	kobject_put(core_kobj);
}

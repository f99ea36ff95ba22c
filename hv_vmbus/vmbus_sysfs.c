// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/hypervive/vmbus/: the mode, how interrupts arrive, the
 * connection, counters, the SynIC of every CPU (read live, on that CPU)
 * and the channels/ directory the inventory fills.
 */
#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <hypervive/tlfs.h>
#include <hypervive/common.h>
#include "vmbus.h"

static const char *delivery_name(void)
{
	if (!hvv.active)
		return "none";
	return hvv.delivery == HVV_DELIVERY_INTERRUPT ? "interrupt" : "polling";
}

enum top_field {
	T_MODE, T_REASON, T_DELIVERY, T_POLL_REASON, T_AEOI, T_STATE, T_VERSION_RAW,
	T_CONTACT_CONN, T_MSG_CONN, T_TARGET_VP, T_CONNECT_CPU, T_OFFERS_COMPLETE,
	T_CHANNELS,
};

struct top_attr {
	struct kobj_attribute ka;
	enum top_field field;
};

static ssize_t top_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	bool polling = hvv.active && hvv.delivery == HVV_DELIVERY_POLL;

	switch (container_of(a, struct top_attr, ka)->field) {
	case T_MODE:
		return sysfs_emit(buf, "%s\n", hvv.active ? "active" : "observe");
	case T_REASON:
		return sysfs_emit(buf, "%s\n", hvv.active ? "" : hvv.observe_reason);
	case T_DELIVERY:
		return sysfs_emit(buf, "%s\n", delivery_name());
	case T_POLL_REASON:
		return sysfs_emit(buf, "%s\n", polling ? hvv.poll_reason : "");
	case T_AEOI:
		return sysfs_emit(buf, "%d\n", hvv.active && hvv.aeoi);
	case T_STATE:
		return sysfs_emit(buf, "%s\n", hvv_conn_state_name(READ_ONCE(hvv.conn_state)));
	case T_VERSION_RAW:
		return sysfs_emit(buf, "0x%08x\n", hvv.version);
	case T_CONTACT_CONN:
		return sysfs_emit(buf, "%u\n", hvv.contact_conn_id);
	case T_MSG_CONN:
		return sysfs_emit(buf, "0x%x\n", hvv.msg_conn_id);
	case T_TARGET_VP:
		return sysfs_emit(buf, "%u\n", hvv.target_vp);
	case T_CONNECT_CPU:
		return sysfs_emit(buf, "%u\n", hvv.connect_cpu);
	case T_OFFERS_COMPLETE:
		return sysfs_emit(buf, "%d\n", hvv.offers_complete);
	case T_CHANNELS:
		return sysfs_emit(buf, "%u\n", READ_ONCE(hvv.nr_channels));
	}
	return -EINVAL;
}

#define TOP(fname, id)							\
	static struct top_attr fname##_attr = {				\
		.ka = __ATTR(fname, 0444, top_show, NULL),		\
		.field = (id),						\
	}

TOP(effective_mode, T_MODE);
TOP(observe_reason, T_REASON);
TOP(delivery, T_DELIVERY);
TOP(poll_reason, T_POLL_REASON);
TOP(auto_eoi, T_AEOI);
TOP(state, T_STATE);
TOP(version_raw, T_VERSION_RAW);
TOP(contact_conn_id, T_CONTACT_CONN);
TOP(msg_conn_id, T_MSG_CONN);
TOP(target_vp, T_TARGET_VP);
TOP(connect_cpu, T_CONNECT_CPU);
TOP(offers_complete, T_OFFERS_COMPLETE);
TOP(channel_count, T_CHANNELS);

static ssize_t vector_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	if (!hvv.active || hvv.delivery != HVV_DELIVERY_INTERRUPT)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "0x%02x\n", hvv.vector);
}

static struct kobj_attribute vector_attr = __ATTR_RO(vector);

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	if (!hvv.version)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u.%u\n", hvv.version >> 16, hvv.version & 0xffff);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static struct attribute *top_attrs[] = {
	&effective_mode_attr.ka.attr, &observe_reason_attr.ka.attr, &delivery_attr.ka.attr,
	&vector_attr.attr, &auto_eoi_attr.ka.attr, &poll_reason_attr.ka.attr, &state_attr.ka.attr,
	&version_attr.attr, &version_raw_attr.ka.attr, &contact_conn_id_attr.ka.attr,
	&msg_conn_id_attr.ka.attr, &target_vp_attr.ka.attr, &connect_cpu_attr.ka.attr,
	&offers_complete_attr.ka.attr, &channel_count_attr.ka.attr, NULL,
};

static const struct attribute_group top_group = { .attrs = top_attrs };

/* counters/: one file per counter. */
#define CTR(id, file, var)	HYPERVIVE_COUNTER_ATTR(id, file, &hvv.ctr.var)

CTR(messages, messages, messages);
CTR(vmbus, vmbus_messages, vmbus);
CTR(probes, probe_messages, probes);
CTR(events, events, events);
CTR(events_protocol, events_protocol, events_protocol);
CTR(events_unknown, events_unknown, events_unknown);
CTR(interrupts, interrupts, interrupts);
CTR(polls, polls, polls);
CTR(eoms, eoms, eoms);
CTR(eom_failures, eom_failures, eom_failures);
CTR(handler_ns, handler_ns, handler_ns);
CTR(offers, offers, offers);
CTR(rescinds, rescinds, rescinds);
CTR(signals, signals, signals);
CTR(post_failures, post_failures, post_failures);
CTR(drop_bad_type, drops_bad_type, drops[HVV_DROP_BAD_TYPE]);
CTR(drop_oversize, drops_oversize, drops[HVV_DROP_OVERSIZE]);
CTR(drop_short, drops_short, drops[HVV_DROP_SHORT]);
CTR(drop_unknown, drops_unknown, drops[HVV_DROP_UNKNOWN]);
CTR(drop_unexpected, drops_unexpected, drops[HVV_DROP_UNEXPECTED]);
CTR(drop_invalid, drops_invalid, drops[HVV_DROP_INVALID]);
CTR(drop_state, drops_state, drops[HVV_DROP_STATE]);
CTR(drop_nomem, drops_nomem, drops[HVV_DROP_NOMEM]);

/* The probe's sequence check (see HVV_MSGTYPE_PROBE). */
struct probe_attr {
	struct kobj_attribute ka;
	size_t off;
};

static ssize_t probe_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	size_t off = container_of(a, struct probe_attr, ka)->off;
	unsigned long flags;
	u64 v;

	spin_lock_irqsave(&hvv.probe_lock, flags);
	v = *(u64 *)((char *)&hvv.probe + off);
	spin_unlock_irqrestore(&hvv.probe_lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}

#define PROBE(field)							\
static struct probe_attr probe_##field##_attr = {			\
	.ka = __ATTR(probe_##field, 0444, probe_show, NULL),		\
	.off = offsetof(struct hvv_probe_state, field),			\
}

PROBE(last);
PROBE(in_order);
PROBE(gaps);
PROBE(repeats);
PROBE(bad);

static struct attribute *ctr_attrs[] = {
	&messages_counter.ka.attr, &vmbus_counter.ka.attr, &probes_counter.ka.attr,
	&events_counter.ka.attr, &events_protocol_counter.ka.attr, &events_unknown_counter.ka.attr,
	&interrupts_counter.ka.attr, &polls_counter.ka.attr, &eoms_counter.ka.attr,
	&eom_failures_counter.ka.attr, &handler_ns_counter.ka.attr, &offers_counter.ka.attr,
	&rescinds_counter.ka.attr, &signals_counter.ka.attr, &post_failures_counter.ka.attr,
	&drop_bad_type_counter.ka.attr, &drop_oversize_counter.ka.attr,
	&drop_short_counter.ka.attr, &drop_unknown_counter.ka.attr,
	&drop_unexpected_counter.ka.attr, &drop_invalid_counter.ka.attr,
	&drop_state_counter.ka.attr, &drop_nomem_counter.ka.attr, &probe_last_attr.ka.attr,
	&probe_in_order_attr.ka.attr, &probe_gaps_attr.ka.attr, &probe_repeats_attr.ka.attr,
	&probe_bad_attr.ka.attr,
	NULL,
};

static const struct attribute_group ctr_group = { .name = "counters", .attrs = ctr_attrs };

static const struct attribute_group *top_groups[] = { &top_group, &ctr_group, NULL };

/* cpus/cpuN/: the SynIC registers as they are now, and our counters. */
static unsigned int kobj_cpu(struct kobject *kobj)
{
	unsigned int cpu = 0;

	/* Named "cpu%u" by us below. */
	if (kstrtouint(kobject_name(kobj) + 3, 10, &cpu))
		return 0;
	return cpu;
}

struct msr_attr {
	struct kobj_attribute ka;
	u32 msr;
};

static ssize_t msr_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	u32 msr = container_of(a, struct msr_attr, ka)->msr;
	u64 val;
	int ret;

	ret = hvv_read_cpu_msr(kobj_cpu(kobj), msr, &val);
	if (ret == -ENODEV)
		return sysfs_emit(buf, "offline\n");
	if (ret)
		return sysfs_emit(buf, "unavailable\n");
	return sysfs_emit(buf, "0x%016llx\n", val);
}

#define MSR_ATTR(fname, m)						\
static struct msr_attr fname##_msr = {					\
	.ka = __ATTR(fname, 0444, msr_show, NULL),			\
	.msr = (m),							\
}

MSR_ATTR(scontrol, HVT_X64_MSR_SCONTROL);
MSR_ATTR(sversion, HVT_X64_MSR_SVERSION);
MSR_ATTR(simp, HVT_X64_MSR_SIMP);
MSR_ATTR(siefp, HVT_X64_MSR_SIEFP);
MSR_ATTR(sint2, HVT_X64_MSR_SINT0 + HVV_MESSAGE_SINT);

enum cpu_field { C_STATE, C_INTERRUPTS, C_POLLS, C_MESSAGES, C_EVENTS, C_EOMS };

struct cpu_attr {
	struct kobj_attribute ka;
	enum cpu_field field;
};

static ssize_t cpu_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	const struct hvv_cpu *c = per_cpu_ptr(&hvv_cpus, kobj_cpu(kobj));
	u64 v;

	switch (container_of(a, struct cpu_attr, ka)->field) {
	case C_STATE:
		return sysfs_emit(buf, "%s\n", hvv_cpu_state_name(READ_ONCE(c->state)));
	case C_INTERRUPTS:
		v = READ_ONCE(c->interrupts);
		break;
	case C_POLLS:
		v = READ_ONCE(c->polls);
		break;
	case C_MESSAGES:
		v = READ_ONCE(c->messages);
		break;
	case C_EVENTS:
		v = READ_ONCE(c->events);
		break;
	case C_EOMS:
		v = READ_ONCE(c->eoms);
		break;
	default:
		return -EINVAL;
	}
	return sysfs_emit(buf, "%llu\n", v);
}

#define CPU_ATTR(fname, id)						\
	static struct cpu_attr cpu_##fname##_attr = {			\
		.ka = __ATTR(fname, 0444, cpu_show, NULL),		\
		.field = (id),						\
	}

CPU_ATTR(state, C_STATE);
CPU_ATTR(interrupts, C_INTERRUPTS);
CPU_ATTR(polls, C_POLLS);
CPU_ATTR(messages, C_MESSAGES);
CPU_ATTR(events, C_EVENTS);
CPU_ATTR(eoms, C_EOMS);

static struct attribute *cpu_attrs[] = {
	&cpu_state_attr.ka.attr, &scontrol_msr.ka.attr, &sversion_msr.ka.attr,
	&simp_msr.ka.attr, &siefp_msr.ka.attr, &sint2_msr.ka.attr,
	&cpu_interrupts_attr.ka.attr, &cpu_polls_attr.ka.attr, &cpu_messages_attr.ka.attr,
	&cpu_events_attr.ka.attr, &cpu_eoms_attr.ka.attr, NULL,
};

static const struct attribute_group cpu_group = { .attrs = cpu_attrs };

static void remove_cpus(void)
{
	unsigned int cpu;

	if (!hvv.cpu_kobjs)
		return;
	for_each_possible_cpu(cpu) {
		if (!hvv.cpu_kobjs[cpu])
			continue;
		sysfs_remove_group(hvv.cpu_kobjs[cpu], &cpu_group);
		kobject_put(hvv.cpu_kobjs[cpu]);
	}
	kfree(hvv.cpu_kobjs);
	hvv.cpu_kobjs = NULL;
}

static int add_cpus(void)
{
	unsigned int cpu;
	char name[16];
	int ret;

	hvv.cpu_kobjs = kcalloc(nr_cpu_ids, sizeof(*hvv.cpu_kobjs), GFP_KERNEL);
	if (!hvv.cpu_kobjs)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		hvv.cpu_kobjs[cpu] = kobject_create_and_add(name, hvv.cpus_kobj);
		if (!hvv.cpu_kobjs[cpu])
			return -ENOMEM;
		ret = sysfs_create_group(hvv.cpu_kobjs[cpu], &cpu_group);
		if (ret) {
			kobject_put(hvv.cpu_kobjs[cpu]);
			hvv.cpu_kobjs[cpu] = NULL;
			return ret;
		}
	}
	return 0;
}

int hvv_sysfs_init(void)
{
	int ret;

	hvv.kobj = kobject_create_and_add("vmbus", hypervive_sysfs_root());
	if (!hvv.kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(hvv.kobj, top_groups);
	if (ret)
		goto err_kobj;
	hvv.cpus_kobj = kobject_create_and_add("cpus", hvv.kobj);
	hvv.channels_kobj = kobject_create_and_add("channels", hvv.kobj);
	if (!hvv.cpus_kobj || !hvv.channels_kobj) {
		ret = -ENOMEM;
		goto err_dirs;
	}
	ret = add_cpus();
	if (ret)
		goto err_cpus;
	return 0;

err_cpus:
	remove_cpus();
err_dirs:
	kobject_put(hvv.channels_kobj);
	kobject_put(hvv.cpus_kobj);
	sysfs_remove_groups(hvv.kobj, top_groups);
err_kobj:
	kobject_put(hvv.kobj);
	return ret;
}

void hvv_sysfs_exit(void)
{
	remove_cpus();
	kobject_put(hvv.channels_kobj);
	kobject_put(hvv.cpus_kobj);
	sysfs_remove_groups(hvv.kobj, top_groups);
	kobject_put(hvv.kobj);
}

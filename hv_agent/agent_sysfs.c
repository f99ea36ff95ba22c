// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/hypervive/agent/: the connection, the queue, what is frozen,
 * and counters/.  Everything is read-only except debug (root only, like the
 * module parameter of the same name).
 */
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>
#include <hypervive/common.h>
#include "agent.h"

static struct kobject *agent_kobj;

#define AGENT_RO(name)							\
	static struct kobj_attribute name##_attr = __ATTR_RO(name)

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.state);
}

AGENT_RO(state);

static ssize_t peer_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.peer);
}

AGENT_RO(peer);

/* UTC, ISO 8601; empty when not connected. */
static ssize_t connected_since_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	if (!ci.since)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%ptT\n", &ci.since);
}

AGENT_RO(connected_since);

static ssize_t host_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.host);
}

AGENT_RO(host);

static ssize_t protocol_version_show(struct kobject *k,
				     struct kobj_attribute *a, char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%u\n", ci.version);
}

AGENT_RO(protocol_version);

static ssize_t queue_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.depth);
}

AGENT_RO(queue);

static ssize_t queue_capacity_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.capacity);
}

AGENT_RO(queue_capacity);

static ssize_t dropped_pending_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.dropped_pending);
}

AGENT_RO(dropped_pending);

static ssize_t next_event_seq_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%llu\n", qi.next_seq);
}

AGENT_RO(next_event_seq);

static ssize_t frozen_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return agent_fs_show_frozen(buf);
}

AGENT_RO(frozen);

static ssize_t frozen_checkpoint_show(struct kobject *k,
				      struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", agent_fs_frozen_checkpoint());
}

AGENT_RO(frozen_checkpoint);

static ssize_t restore_detection_show(struct kobject *k,
				      struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", agent_restore_has_vmgenid() ?
			  "vmgenid clock" : "clock");
}

AGENT_RO(restore_detection);

static ssize_t debug_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(agent_param.debug));
}

static ssize_t debug_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t count)
{
	bool v;

	if (kstrtobool(buf, &v))
		return -EINVAL;
	WRITE_ONCE(agent_param.debug, v);
	pr_info("debug %s\n", v ? "on" : "off");
	return count;
}

static struct kobj_attribute debug_attr = __ATTR_RW(debug);

static struct attribute *agent_attrs[] = {
	&state_attr.attr,
	&peer_attr.attr,
	&connected_since_attr.attr,
	&host_attr.attr,
	&protocol_version_attr.attr,
	&queue_attr.attr,
	&queue_capacity_attr.attr,
	&dropped_pending_attr.attr,
	&next_event_seq_attr.attr,
	&frozen_attr.attr,
	&frozen_checkpoint_attr.attr,
	&restore_detection_attr.attr,
	&debug_attr.attr,
	NULL,
};

static const struct attribute_group agent_group = {
	.attrs = agent_attrs,
};

/* ---- counters/ ---------------------------------------------------------- */

struct counter_attr {
	struct kobj_attribute kattr;
	atomic64_t *val;
};

static ssize_t counter_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	struct counter_attr *c = container_of(a, struct counter_attr, kattr);

	return sysfs_emit(buf, "%lld\n", atomic64_read(c->val));
}

#define COUNTER(name)							\
	static struct counter_attr name##_counter = {			\
		.kattr = __ATTR(name, 0444, counter_show, NULL),	\
		.val = &agent_stats.name,				\
	}

COUNTER(heartbeats);
COUNTER(events_raised);
COUNTER(events_sent);
COUNTER(events_resent);
COUNTER(events_acked);
COUNTER(events_dropped);
COUNTER(events_renumbered);
COUNTER(bad_frames);
COUNTER(host_frames);
COUNTER(host_errors);
COUNTER(throttled);
COUNTER(connect_attempts);
COUNTER(connects);
COUNTER(disconnects);
COUNTER(version_mismatches);
COUNTER(restores);
COUNTER(clock_jumps);
COUNTER(freezes);
COUNTER(freeze_failures);
COUNTER(thaws);
COUNTER(auto_thaws);
COUNTER(thaw_failures);
COUNTER(requests);
COUNTER(wakeups);

/* Queue-to-ACK latency over the last 1024 acknowledged events. */
static ssize_t ack_latency_us_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	struct agent_queue_info qi;

	agent_queue_latency(&qi);
	return sysfs_emit(buf, "p50 %u p99 %u max %u samples %u\n",
			  qi.ack_p50_us, qi.ack_p99_us, qi.ack_max_us,
			  qi.ack_samples);
}

AGENT_RO(ack_latency_us);

static struct attribute *counter_attrs[] = {
	&heartbeats_counter.kattr.attr,
	&events_raised_counter.kattr.attr,
	&events_sent_counter.kattr.attr,
	&events_resent_counter.kattr.attr,
	&events_acked_counter.kattr.attr,
	&events_dropped_counter.kattr.attr,
	&events_renumbered_counter.kattr.attr,
	&bad_frames_counter.kattr.attr,
	&host_frames_counter.kattr.attr,
	&host_errors_counter.kattr.attr,
	&throttled_counter.kattr.attr,
	&connect_attempts_counter.kattr.attr,
	&connects_counter.kattr.attr,
	&disconnects_counter.kattr.attr,
	&version_mismatches_counter.kattr.attr,
	&restores_counter.kattr.attr,
	&clock_jumps_counter.kattr.attr,
	&freezes_counter.kattr.attr,
	&freeze_failures_counter.kattr.attr,
	&thaws_counter.kattr.attr,
	&auto_thaws_counter.kattr.attr,
	&thaw_failures_counter.kattr.attr,
	&requests_counter.kattr.attr,
	&wakeups_counter.kattr.attr,
	&ack_latency_us_attr.attr,
	NULL,
};

static const struct attribute_group counter_group = {
	.name = "counters",
	.attrs = counter_attrs,
};

static const struct attribute_group *agent_groups[] = {
	&agent_group,
	&counter_group,
	NULL,
};

int agent_sysfs_init(void)
{
	int ret;

	agent_kobj = kobject_create_and_add("agent", hypervive_sysfs_root());
	if (!agent_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(agent_kobj, agent_groups);
	if (ret) {
		kobject_put(agent_kobj);
		agent_kobj = NULL;
	}
	return ret;
}

void agent_sysfs_exit(void)
{
	if (!agent_kobj)
		return;
	sysfs_remove_groups(agent_kobj, agent_groups);
	kobject_put(agent_kobj);
	agent_kobj = NULL;
}

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

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.state);
}

HYPERVIVE_ATTR_RO(state, state);

static ssize_t peer_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.peer);
}

HYPERVIVE_ATTR_RO(peer, peer);

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

HYPERVIVE_ATTR_RO(connected_since, connected_since);

static ssize_t host_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%s\n", ci.host);
}

HYPERVIVE_ATTR_RO(host, host);

static ssize_t protocol_version_show(struct kobject *k,
				     struct kobj_attribute *a, char *buf)
{
	struct agent_conn_info ci;

	agent_conn_info(&ci);
	return sysfs_emit(buf, "%u\n", ci.version);
}

HYPERVIVE_ATTR_RO(protocol_version, protocol_version);

static ssize_t queue_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.depth);
}

HYPERVIVE_ATTR_RO(queue, queue);

static ssize_t queue_capacity_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.capacity);
}

HYPERVIVE_ATTR_RO(queue_capacity, queue_capacity);

static ssize_t dropped_pending_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%u\n", qi.dropped_pending);
}

HYPERVIVE_ATTR_RO(dropped_pending, dropped_pending);

static ssize_t next_event_seq_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	struct agent_queue_info qi;

	agent_queue_info(&qi);
	return sysfs_emit(buf, "%llu\n", qi.next_seq);
}

HYPERVIVE_ATTR_RO(next_event_seq, next_event_seq);

static ssize_t frozen_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return agent_fs_show_frozen(buf);
}

HYPERVIVE_ATTR_RO(frozen, frozen);

static ssize_t frozen_checkpoint_show(struct kobject *k,
				      struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", agent_fs_frozen_checkpoint());
}

HYPERVIVE_ATTR_RO(frozen_checkpoint, frozen_checkpoint);

static ssize_t restore_detection_show(struct kobject *k,
				      struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", agent_restore_has_vmgenid() ?
			  "vmgenid clock" : "clock");
}

HYPERVIVE_ATTR_RO(restore_detection, restore_detection);

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

#define COUNTER(name)	HYPERVIVE_COUNTER_ATTR(name, name, &agent_stats.name)

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

HYPERVIVE_ATTR_RO(ack_latency_us, ack_latency_us);

static struct attribute *counter_attrs[] = {
	&heartbeats_counter.ka.attr,
	&events_raised_counter.ka.attr,
	&events_sent_counter.ka.attr,
	&events_resent_counter.ka.attr,
	&events_acked_counter.ka.attr,
	&events_dropped_counter.ka.attr,
	&events_renumbered_counter.ka.attr,
	&bad_frames_counter.ka.attr,
	&host_frames_counter.ka.attr,
	&host_errors_counter.ka.attr,
	&throttled_counter.ka.attr,
	&connect_attempts_counter.ka.attr,
	&connects_counter.ka.attr,
	&disconnects_counter.ka.attr,
	&version_mismatches_counter.ka.attr,
	&restores_counter.ka.attr,
	&clock_jumps_counter.ka.attr,
	&freezes_counter.ka.attr,
	&freeze_failures_counter.ka.attr,
	&thaws_counter.ka.attr,
	&auto_thaws_counter.ka.attr,
	&thaw_failures_counter.ka.attr,
	&requests_counter.ka.attr,
	&wakeups_counter.ka.attr,
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

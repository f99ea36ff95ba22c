// SPDX-License-Identifier: GPL-2.0
/*
 * The channel inventory: one entry per offer the host made and has not
 * rescinded, as /sys/kernel/hypervive/vmbus/channels/<relid>/, and the
 * relid -> channel map the event-flag scan reads under RCU.  Adds and
 * removes run on the ordered workqueue (or at unload), under chan_lock.
 *
 * Nothing here opens a channel: the inventory only says what the host
 * offers.  debugfs hypervive_vmbus/signal makes an HvSignalEvent on a
 * channel's connection ID, for tests of the hypercall path.
 */
#include <linux/debugfs.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <hypervive/tlfs.h>
#include <hypervive/core.h>
#include "vmbus.h"

#define to_channel(k) container_of(k, struct hvv_channel, kobj)

static const char *channel_name(const struct hvv_offer_info *i)
{
	const char *name;

	if (i->hvsock)
		return "hv_sock";
	name = hvv_class_name(&i->if_type);
	return name ?: "unknown";
}

static ssize_t show_guid(char *buf, const struct hvv_guid *g)
{
	char s[HVV_GUID_STR_LEN];

	hvv_guid_fmt(g, s);
	return sysfs_emit(buf, "%s\n", s);
}

static ssize_t class_guid_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return show_guid(buf, &to_channel(kobj)->info.if_type);
}

static struct kobj_attribute class_guid_attr = __ATTR_RO(class_guid);

static ssize_t instance_guid_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return show_guid(buf, &to_channel(kobj)->info.if_instance);
}

static struct kobj_attribute instance_guid_attr = __ATTR_RO(instance_guid);

/* hv_sock: the class GUID is the guest-side service ID. */
static ssize_t service_guid_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return show_guid(buf, &to_channel(kobj)->info.if_type);
}

static struct kobj_attribute service_guid_attr = __ATTR_RO(service_guid);

static ssize_t port_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	u32 port;

	if (!hvv_hvsock_port(&to_channel(kobj)->info.if_type, &port))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u\n", port);
}

static struct kobj_attribute port_attr = __ATTR_RO(port);

static const struct {
	u16 bit;
	const char *name;
} flag_names[] = {
	{ 0x0001, "enumerate_device_interface" },
	{ 0x0002, "server_supports_transfer_pages" },
	{ 0x0004, "server_supports_gpadls" },
	{ HVV_CHN_NAMED_PIPE_MODE, "named_pipe_mode" },
	{ HVV_CHN_LOOPBACK_OFFER, "loopback_offer" },
	{ HVV_CHN_PARENT_OFFER, "parent_offer" },
	{ HVV_CHN_REQUEST_MONITORED_NOTIFICATION, "request_monitored_notification" },
	{ HVV_CHN_TLNPI_PROVIDER_OFFER, "tlnpi_provider_offer" },
};

static ssize_t flags_names_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	u16 flags = to_channel(kobj)->info.flags, known = 0;
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		known |= flag_names[i].bit;
		if (flags & flag_names[i].bit)
			n += sysfs_emit_at(buf, n, "%s%s", n ? " " : "", flag_names[i].name);
	}
	/* Bits without a name in linux/hyperv.h are shown, not hidden. */
	for (i = 0; i < 16; i++)
		if (flags & ~known & BIT(i))
			n += sysfs_emit_at(buf, n, "%sbit%u", n ? " " : "", i);
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}

static struct kobj_attribute flags_names_attr = __ATTR_RO(flags_names);

/* Plain fields of the offer, one show function for all. */
enum ch_field { CH_NAME, CH_FLAGS, CH_CONN, CH_DEDICATED, CH_SUBCHAN, CH_MMIO, CH_FROM_HOST };

struct ch_attr {
	struct kobj_attribute ka;
	enum ch_field field;
};

static ssize_t field_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	const struct hvv_offer_info *i = &to_channel(kobj)->info;

	switch (container_of(a, struct ch_attr, ka)->field) {
	case CH_NAME:
		return sysfs_emit(buf, "%s\n", channel_name(i));
	case CH_FLAGS:
		return sysfs_emit(buf, "0x%04x\n", i->flags);
	case CH_CONN:
		return sysfs_emit(buf, "0x%x\n", i->connection_id);
	case CH_DEDICATED:
		return sysfs_emit(buf, "%d\n", i->dedicated_interrupt);
	case CH_SUBCHAN:
		return sysfs_emit(buf, "%u\n", i->sub_channel_index);
	case CH_MMIO:
		return sysfs_emit(buf, "%u\n", i->mmio_mb);
	case CH_FROM_HOST:
		return sysfs_emit(buf, "%d\n", i->conn_from_host);
	}
	return -EINVAL;
}

#define CH_FIELD(fname, id)						\
	static struct ch_attr fname##_attr = {				\
		.ka = __ATTR(fname, 0444, field_show, NULL),		\
		.field = (id),						\
	}

CH_FIELD(name, CH_NAME);
CH_FIELD(flags, CH_FLAGS);
CH_FIELD(connection_id, CH_CONN);
CH_FIELD(dedicated_interrupt, CH_DEDICATED);
CH_FIELD(sub_channel_index, CH_SUBCHAN);
CH_FIELD(mmio_megabytes, CH_MMIO);
CH_FIELD(conn_from_host, CH_FROM_HOST);

static ssize_t events_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&to_channel(kobj)->events));
}

static struct kobj_attribute events_attr = __ATTR_RO(events);

static ssize_t monitor_id_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	const struct hvv_offer_info *i = &to_channel(kobj)->info;

	if (!i->monitor_allocated)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u\n", i->monitor_id);
}

static struct kobj_attribute monitor_id_attr = __ATTR_RO(monitor_id);

static struct attribute *channel_attrs[] = {
	&class_guid_attr.attr, &instance_guid_attr.attr, &name_attr.ka.attr,
	&flags_attr.ka.attr, &flags_names_attr.attr, &monitor_id_attr.attr,
	&connection_id_attr.ka.attr, &dedicated_interrupt_attr.ka.attr,
	&sub_channel_index_attr.ka.attr, &mmio_megabytes_attr.ka.attr, &events_attr.attr,
	&service_guid_attr.attr, &port_attr.attr, &conn_from_host_attr.ka.attr,
	NULL,
};

static umode_t channel_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	bool hvsock = to_channel(kobj)->info.hvsock;

	if (attr == &service_guid_attr.attr || attr == &port_attr.attr ||
	    attr == &conn_from_host_attr.ka.attr)
		return hvsock ? attr->mode : 0;
	return attr->mode;
}

static const struct attribute_group channel_group = {
	.attrs = channel_attrs,
	.is_visible = channel_visible,
};

static const struct attribute_group *channel_groups[] = { &channel_group, NULL };

static void channel_release(struct kobject *kobj)
{
	/* The event scan may still hold the pointer until a grace period. */
	kfree_rcu(to_channel(kobj), rcu);
}

static struct kobj_type channel_ktype = {
	.release = channel_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = channel_groups,
};

int hvv_channel_add(const struct hvv_offer_info *info)
{
	struct hvv_channel *ch;
	char guid[HVV_GUID_STR_LEN];
	int ret;

	mutex_lock(&hvv.chan_lock);
	if (rcu_access_pointer(hvv.relid_map[info->relid])) {
		ret = -EEXIST;
		goto out;
	}
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch) {
		ret = -ENOMEM;
		goto out;
	}
	ch->info = *info;
	ret = kobject_init_and_add(&ch->kobj, &channel_ktype, hvv.channels_kobj, "%u",
				   info->relid);
	if (ret) {
		kobject_put(&ch->kobj);
		goto out;
	}
	rcu_assign_pointer(hvv.relid_map[info->relid], ch);
	hvv.nr_channels++;
	hvv_guid_fmt(&info->if_type, guid);
	/* After the initial list, a new offer is news (a hot-added device). */
	if (hvv.offers_complete)
		pr_info("channel %u offered: %s %s\n", info->relid, channel_name(info), guid);
	else
		pr_debug("channel %u: %s %s\n", info->relid, channel_name(info), guid);
out:
	mutex_unlock(&hvv.chan_lock);
	return ret;
}

/* Caller holds chan_lock. */
static void remove_locked(u32 relid)
{
	struct hvv_channel *ch = rcu_dereference_protected(hvv.relid_map[relid],
							   lockdep_is_held(&hvv.chan_lock));

	RCU_INIT_POINTER(hvv.relid_map[relid], NULL);
	hvv.nr_channels--;
	kobject_put(&ch->kobj);
}

bool hvv_channel_remove(u32 relid)
{
	struct hvv_channel *ch;

	if (!relid || relid > HVV_MAX_RELID)
		return false;
	mutex_lock(&hvv.chan_lock);
	ch = rcu_dereference_protected(hvv.relid_map[relid],
				       lockdep_is_held(&hvv.chan_lock));
	if (ch) {
		pr_info("channel %u rescinded (%s)\n", relid, channel_name(&ch->info));
		remove_locked(relid);
	}
	mutex_unlock(&hvv.chan_lock);
	return ch;
}

/* Softirq: event flag @relid was set. */
void hvv_channel_event(u32 relid)
{
	struct hvv_channel *ch;

	rcu_read_lock();
	ch = relid <= HVV_MAX_RELID ? rcu_dereference(hvv.relid_map[relid]) : NULL;
	if (ch) {
		atomic64_inc(&ch->events);
		atomic64_inc(&hvv.ctr.events);
	} else {
		atomic64_inc(&hvv.ctr.events_unknown);
	}
	rcu_read_unlock();
}

/* HvSignalEvent (fast) on the channel's connection ID, event flag 0. */
int hvv_channel_signal(u32 relid)
{
	struct hvv_channel *ch;
	u32 conn = 0;
	u16 status;
	int ret;

	if (!relid || relid > HVV_MAX_RELID)
		return -EINVAL;
	rcu_read_lock();
	ch = rcu_dereference(hvv.relid_map[relid]);
	if (ch)
		conn = ch->info.connection_id;
	rcu_read_unlock();
	if (!ch)
		return -ENOENT;
	ret = hypervive_hypercall_fast(HVT_CALL_SIGNAL_EVENT, conn, 0, &status);
	if (!ret)
		atomic64_inc(&hvv.ctr.signals);
	return ret;
}

static struct dentry *dbg_dir;
static int last_signal;

static ssize_t signal_write(struct file *f, const char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	u32 relid;
	int ret;

	ret = kstrtou32_from_user(ubuf, len, 0, &relid);
	if (ret)
		return ret;
	last_signal = hvv_channel_signal(relid);
	return len;
}

static ssize_t signal_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[24];
	int n = scnprintf(buf, sizeof(buf), "%d\n", last_signal);

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations signal_fops = {
	.owner = THIS_MODULE,
	.write = signal_write,
	.read = signal_read,
	.llseek = default_llseek,
};

int hvv_channels_init(void)
{
	mutex_init(&hvv.chan_lock);
	hvv.relid_map = kcalloc(HVV_MAX_RELID + 1, sizeof(*hvv.relid_map), GFP_KERNEL);
	if (!hvv.relid_map)
		return -ENOMEM;
	dbg_dir = debugfs_create_dir("hypervive_vmbus", NULL);
	debugfs_create_file("signal", 0600, dbg_dir, NULL, &signal_fops);
	return 0;
}

/* After the SynIC is down and the workqueue flushed. */
/* Every channel gone: the host offers them again after a reconnect. */
void hvv_channels_clear(void)
{
	u32 relid;

	if (!hvv.relid_map)
		return;
	mutex_lock(&hvv.chan_lock);
	for (relid = 1; relid <= HVV_MAX_RELID; relid++)
		if (rcu_access_pointer(hvv.relid_map[relid]))
			remove_locked(relid);
	mutex_unlock(&hvv.chan_lock);
}

void hvv_channels_exit(void)
{
	debugfs_remove_recursive(dbg_dir);
	if (!hvv.relid_map)
		return;
	hvv_channels_clear();
	kfree(hvv.relid_map);
	hvv.relid_map = NULL;
}

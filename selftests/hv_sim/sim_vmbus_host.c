// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus host, speaking the channel protocol of linux/hyperv.h to the
 * guest through HvPostMessage (guest to host) and the SynIC message queue
 * (host to guest, sim_synic.c):
 * - INITIATE_CONTACT: accepted when its version is in the configured list
 *   and it came on connection 4 (5.0 and later) or 1 (before); answered
 *   with VERSION_RESPONSE on the VP and SINT the guest named (msg_sint
 *   from 5.0, SINT 2 before), carrying msg_conn_id from 5.0 on;
 * - connection 4 exists only on a host that speaks 5.0 or later: on an
 *   older one (newest version below 5.0: Windows Server 2016 and before)
 *   HvPostMessage on it fails with HV_STATUS_INVALID_CONNECTION_ID, as the
 *   kernel's vmbus_post_msg() says ("on old hosts that only support VMBus
 *   protocol 4.0 or lower, here we get HV_STATUS_INVALID_CONNECTION_ID");
 * - REQUESTOFFERS (on the connection ID the host returned): one
 *   OFFERCHANNEL per configured offer, then ALLOFFERS_DELIVERED;
 * - UNLOAD: UNLOAD_RESPONSE, the connection ends; a host older than 3.0
 *   has no UNLOAD (the kernel's vmbus_initiate_unload() sends none below
 *   VERSION_WIN8_1): it is an unknown message there, never answered;
 * - ALLOFFERS_DELIVERED and UNLOAD_RESPONSE carry nothing but their type;
 *   header_len sets the payload size they go with (default 8, the whole
 *   channel message header), since the kernel takes them at any size
 *   (channel_message_table: min_payload_len 0);
 * - HvSignalEvent: accepted on VMBUS_EVENT_CONNECTION_ID (2) and on the
 *   connection ID of an offered channel, counted per channel.
 * - the pages INITIATE_CONTACT names (the interrupt page before 5.0, both
 *   monitor pages) are the host's to write from an accepted contact until
 *   it answers UNLOAD, and on a host older than 3.0 until the partition
 *   resets: Linux hands them over there (drivers/hv/connection.c
 *   vmbus_connect(): "The 1st page for parent->child") and frees them only
 *   after vmbus_initiate_unload() has waited, with no timeout, for
 *   UNLOAD_RESPONSE (drivers/hv/channel_mgmt.c).  host_pages says whether
 *   the guest still has each of them allocated: a freed one is memory the
 *   real host would write into;
 * Every reply can be withheld to test the guest's timeouts (answer_contact
 * 2: accepted, the VERSION_RESPONSE lost, as one after the guest's
 * timeout would be; answer_unload 0: the UNLOAD not acted on, the host
 * still connected).  debugfs
 * (hypervive_sim/vmbus/) configures the versions and offers, rescinds and
 * hot-adds offers, and injects raw, random (fuzz) and probe (storm)
 * messages and event flags.  Host work runs in an ordered workqueue, the
 * "host partition"; a full guest queue makes it wait, as a host would.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>
#include <asm/mshyperv.h>
#include "sim.h"
#include "sim_vmbus.h"

#define HOST_MAX_VERSIONS	16

struct sim_offer {
	struct list_head node;
	u32 relid;
	guid_t if_type, if_instance;
	u16 flags;
	int monitor_id;		/* < 0: none allocated */
	u32 conn_id;
	u8 from_host;		/* hv_sock: offer.u.pipe.user_def[0] */
	u64 signals;
};

struct inbox_msg {
	struct list_head node;
	u32 conn, type, size;
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

static struct {
	spinlock_t lock;	/* everything below but the counters */
	u32 versions[HOST_MAX_VERSIONS];
	unsigned int nr_versions;
	u32 msg_conn_id;
	bool connected;
	u32 version, target_vp, sint;
	u64 int_page, monitor1, monitor2;
	bool offers_sent;
	u32 contact_conn_id, request_conn_id;
	struct list_head offers;
	struct list_head inbox;
	u64 probe_seq;
	char result[96];	/* of the last inject / storm / event */
} host;

/* Configuration, debugfs-writable; u32 so debugfs can hold them. */
static u32 answer_contact = 1, answer_unload = 1, send_alloffers = 1;
static u32 send_timeout_ms = 10000;
static u32 header_len = sizeof(struct vmbus_channel_message_header);

static struct workqueue_struct *host_wq;
static struct work_struct host_work;
static DEFINE_MUTEX(inject_lock);	/* one injector at a time */

static atomic64_t contacts, contacts_refused, wrong_conn, requests, unloads;
static atomic64_t unknown_msgs, protocol_errors, undeliverable, reconnects;
static atomic64_t event_signals, bad_signals, sent_msgs, fuzz_sent, no_conn4;

static char *vmbus_versions = "0x50003,0x50002,0x50001,0x50000,0x40001,0x40000,0x30000,0x20004";
module_param(vmbus_versions, charp, 0444);
MODULE_PARM_DESC(vmbus_versions, "VMBus versions the host accepts (major << 16 | minor, comma-separated)");
static uint msg_conn_id = 0x2a;
module_param(msg_conn_id, uint, 0444);
MODULE_PARM_DESC(msg_conn_id, "message connection ID the host returns from VMBus 5.0 on (any the host chooses)");

/* ---- offers ---- */

struct default_offer {
	const char *type, *instance;
	u16 flags;
	int monitor_id;
	u8 from_host;
};

#define HVSOCK_FLAGS	(VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER | VMBUS_CHANNEL_NAMED_PIPE_MODE)

/* What a Generation 2 guest with the integration services sees. */
static const struct default_offer default_offers[] = {
	{ "57164f39-9115-4e78-ab55-382f3bd5422d",	/* heartbeat */
	  "fd149e91-82e0-4a7d-afa6-2a4166cbd7c0", 0, 0, 0 },
	{ "0e0b6031-5213-4934-818b-38d90ced39db",	/* shutdown */
	  "b6650ff7-33bc-4840-8048-e0676786f393", 0, 1, 0 },
	{ "9527e630-d0ae-497b-adce-e80ab0175caf",	/* timesync */
	  "2dd1ce17-079e-403c-b352-a1921ee207ee", 0, -1, 0 },
	{ "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6",	/* KVP */
	  "242ff919-07db-4180-9c2e-b86cb68c8c55", 0, 2, 0 },
	{ "35fa2e29-ea23-4236-96ae-3a6ebacba440",	/* VSS */
	  "5ded5cba-3a4d-4d8a-8f56-c4bb5c6e1e12", 0, -1, 0 },
	{ "34d14be3-dee4-41c8-9ae7-6b174977c192",	/* file copy */
	  "cc8f8a81-53c3-4ee3-a4c1-5c0a4c8ad9b0", 0, -1, 0 },
	/* hv_sock: a host connection to the guest's port 2761 (0xAC9) */
	{ "00000ac9-facb-11e6-bd58-64006a7986d3",
	  "b4a6a5c7-2f6c-4e2d-9d0e-1c2b3a495867", HVSOCK_FLAGS, -1, 1 },
	/* hv_sock: a service GUID off the port template */
	{ "999e53d4-3d5c-4c3e-8779-bed06ec056e1",
	  "0b6a1c3e-7d4f-4b8e-9a2c-5e6f7a8b9c0d", HVSOCK_FLAGS, -1, 0 },
	/* a class the guest has no name for */
	{ "6e3a1d2c-4b5f-4a7e-8d9c-0f1e2d3c4b5a",
	  "c0ffee00-1234-4567-89ab-cdef01234567", 0, 5, 0 },
};

/* Caller holds host.lock. */
static struct sim_offer *find_offer(u32 relid)
{
	struct sim_offer *o;

	list_for_each_entry(o, &host.offers, node)
		if (o->relid == relid)
			return o;
	return NULL;
}

static void free_offers(struct list_head *list)
{
	struct sim_offer *o, *tmp;

	list_for_each_entry_safe(o, tmp, list, node)
		kfree(o);
	INIT_LIST_HEAD(list);
}

static int load_default_offers(void)
{
	unsigned long flags;
	LIST_HEAD(list);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(default_offers); i++) {
		const struct default_offer *d = &default_offers[i];
		struct sim_offer *o = kzalloc(sizeof(*o), GFP_KERNEL);

		if (!o) {
			free_offers(&list);
			return -ENOMEM;
		}
		o->relid = i + 1;
		if (guid_parse(d->type, &o->if_type) ||
		    guid_parse(d->instance, &o->if_instance)) {
			kfree(o);
			free_offers(&list);
			return -EINVAL;
		}
		o->flags = d->flags;
		o->monitor_id = d->monitor_id;
		o->conn_id = 0x10 + o->relid;
		o->from_host = d->from_host;
		list_add_tail(&o->node, &list);
	}
	spin_lock_irqsave(&host.lock, flags);
	list_splice_init(&host.offers, &list);	/* old ones out, freed below */
	list_splice_tail_init(&list, &host.offers);
	spin_unlock_irqrestore(&host.lock, flags);
	return 0;
}

/* ---- sending to the guest ---- */

/*
 * Post one message to the guest, waiting while its queue is full or its
 * SynIC is off (the VP may be coming back online); 0 or -ETIMEDOUT.
 */
static int host_send_to(u32 vp, u32 sint, u32 type, const void *payload, u32 size)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(READ_ONCE(send_timeout_ms));
	u16 st;

	for (;;) {
		st = sim_synic_post(vp, sint, type, payload, size, 0);
		if (st == HV_STATUS_SUCCESS) {
			atomic64_inc(&sent_msgs);
			return 0;
		}
		if (st != HV_STATUS_INSUFFICIENT_BUFFERS &&
		    st != SIM_HV_STATUS_INVALID_SYNIC_STATE &&
		    st != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		if (time_after(jiffies, deadline))
			break;
		if (st == HV_STATUS_INSUFFICIENT_BUFFERS)
			sim_synic_wait_room(vp, sint, 10);
		else
			usleep_range(1000, 2000);
	}
	atomic64_inc(&undeliverable);
	return -ETIMEDOUT;
}

/* To the VP and SINT of the current connection. */
static int host_send(const void *payload, u32 size)
{
	unsigned long flags;
	u32 vp, sint;

	spin_lock_irqsave(&host.lock, flags);
	vp = host.target_vp;
	sint = host.sint;
	spin_unlock_irqrestore(&host.lock, flags);
	return host_send_to(vp, sint, SIM_MSGTYPE_VMBUS, payload, size);
}

static void fill_offer(struct vmbus_channel_offer_channel *m, const struct sim_offer *o)
{
	memset(m, 0, sizeof(*m));
	m->header.msgtype = CHANNELMSG_OFFERCHANNEL;
	m->offer.if_type = o->if_type;
	m->offer.if_instance = o->if_instance;
	m->offer.chn_flags = o->flags;
	m->offer.u.pipe.user_def[0] = o->from_host;
	m->child_relid = o->relid;
	m->monitorid = o->monitor_id < 0 ? 0 : o->monitor_id;
	m->monitor_allocated = o->monitor_id >= 0;
	m->connection_id = o->conn_id;
}

/* ---- the guest's messages ---- */

static bool accepted(u32 version)
{
	unsigned int i;

	for (i = 0; i < host.nr_versions; i++)
		if (host.versions[i] == version)
			return true;
	return false;
}

/* The newest version the host speaks; host.lock held or a racy read. */
static u32 host_newest(void)
{
	unsigned int i;
	u32 v = 0;

	for (i = 0; i < host.nr_versions; i++)
		v = max(v, host.versions[i]);
	return v;
}

/* A header-only message, with the payload size header_len says. */
static void host_send_header(u32 msgtype)
{
	struct vmbus_channel_message_header h = { .msgtype = msgtype };

	host_send(&h, min_t(u32, READ_ONCE(header_len), sizeof(h)));
}

static void on_contact(u32 conn, const void *payload, u32 size)
{
	struct vmbus_channel_version_response r = {
		.header.msgtype = CHANNELMSG_VERSION_RESPONSE,
	};
	struct vmbus_channel_initiate_contact c;
	unsigned long flags;
	bool v5, ok, reply;
	u32 sint;

	atomic64_inc(&contacts);
	if (size < sizeof(c)) {
		atomic64_inc(&protocol_errors);
		return;
	}
	memcpy(&c, payload, sizeof(c));
	v5 = c.vmbus_version_requested >= VERSION_WIN10_V5;
	sint = v5 ? c.msg_sint : VMBUS_MESSAGE_SINT;
	if (c.target_vcpu >= nr_cpu_ids || !cpu_possible(c.target_vcpu) ||
	    sint >= HV_SYNIC_SINT_COUNT) {
		atomic64_inc(&protocol_errors);	/* nowhere to answer */
		return;
	}
	spin_lock_irqsave(&host.lock, flags);
	host.contact_conn_id = conn;
	ok = accepted(c.vmbus_version_requested);
	if (conn != (v5 ? VMBUS_MESSAGE_CONNECTION_ID_4 : VMBUS_MESSAGE_CONNECTION_ID)) {
		atomic64_inc(&wrong_conn);
		ok = false;
	}
	if (!READ_ONCE(answer_contact)) {
		spin_unlock_irqrestore(&host.lock, flags);
		return;
	}
	reply = READ_ONCE(answer_contact) == 1;
	if (ok) {
		if (host.connected)
			atomic64_inc(&reconnects);
		host.connected = true;
		host.version = c.vmbus_version_requested;
		host.target_vp = c.target_vcpu;
		host.sint = sint;
		host.int_page = v5 ? 0 : c.interrupt_page;
		host.monitor1 = c.monitor_page1;
		host.monitor2 = c.monitor_page2;
		host.offers_sent = false;
		r.version_supported = 1;
		r.msg_conn_id = v5 ? host.msg_conn_id : 0;
	} else {
		atomic64_inc(&contacts_refused);
	}
	spin_unlock_irqrestore(&host.lock, flags);
	if (reply)
		host_send_to(c.target_vcpu, sint, SIM_MSGTYPE_VMBUS, &r, sizeof(r));
}

static u32 current_conn_id(void)
{
	return host.version >= VERSION_WIN10_V5 ? host.msg_conn_id :
						   VMBUS_MESSAGE_CONNECTION_ID;
}

static void on_request_offers(u32 conn)
{
	struct vmbus_channel_offer_channel *msgs;
	unsigned int n = 0, i, count = 0;
	struct sim_offer *o;
	unsigned long flags;

	spin_lock_irqsave(&host.lock, flags);
	host.request_conn_id = conn;
	if (!host.connected || conn != current_conn_id()) {
		spin_unlock_irqrestore(&host.lock, flags);
		atomic64_inc(host.connected ? &wrong_conn : &protocol_errors);
		return;
	}
	list_for_each_entry(o, &host.offers, node)
		count++;
	spin_unlock_irqrestore(&host.lock, flags);

	atomic64_inc(&requests);
	msgs = kcalloc(count ?: 1, sizeof(*msgs), GFP_KERNEL);
	if (!msgs)
		return;
	spin_lock_irqsave(&host.lock, flags);
	list_for_each_entry(o, &host.offers, node) {
		if (n == count)
			break;
		fill_offer(&msgs[n++], o);
	}
	host.offers_sent = true;
	spin_unlock_irqrestore(&host.lock, flags);

	for (i = 0; i < n; i++)
		host_send(&msgs[i], sizeof(msgs[i]));
	kfree(msgs);
	if (READ_ONCE(send_alloffers))
		host_send_header(CHANNELMSG_ALLOFFERS_DELIVERED);
}

static void on_unload(void)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&host.lock, flags);
	if (host_newest() < VERSION_WIN8_1) {
		spin_unlock_irqrestore(&host.lock, flags);
		atomic64_inc(&unknown_msgs);
		return;
	}
	was = host.connected;
	/*
	 * answer_unload 0: a host that has not acted on the UNLOAD (slow or
	 * hung): no answer, and the connection and its pages still its own.
	 */
	if (READ_ONCE(answer_unload)) {
		host.connected = false;
		host.offers_sent = false;
	}
	spin_unlock_irqrestore(&host.lock, flags);
	if (!was) {
		atomic64_inc(&protocol_errors);
		return;
	}
	atomic64_inc(&unloads);
	if (READ_ONCE(answer_unload))
		host_send_header(CHANNELMSG_UNLOAD_RESPONSE);
}

static void host_handle(struct inbox_msg *m)
{
	struct vmbus_channel_message_header hdr;

	if (m->type != SIM_MSGTYPE_VMBUS || m->size < sizeof(hdr)) {
		atomic64_inc(&unknown_msgs);
		return;
	}
	memcpy(&hdr, m->payload, sizeof(hdr));
	switch (hdr.msgtype) {
	case CHANNELMSG_INITIATE_CONTACT:
		on_contact(m->conn, m->payload, m->size);
		break;
	case CHANNELMSG_REQUESTOFFERS:
		on_request_offers(m->conn);
		break;
	case CHANNELMSG_UNLOAD:
		on_unload();
		break;
	default:
		atomic64_inc(&unknown_msgs);
		break;
	}
}

static void host_work_fn(struct work_struct *w)
{
	struct inbox_msg *m;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&host.lock, flags);
		m = list_first_entry_or_null(&host.inbox, struct inbox_msg, node);
		if (m)
			list_del(&m->node);
		spin_unlock_irqrestore(&host.lock, flags);
		if (!m)
			return;
		host_handle(m);
		kfree(m);
	}
}

bool sim_host_msg_conn_valid(u32 conn)
{
	if (conn == VMBUS_MESSAGE_CONNECTION_ID_4) {
		if (READ_ONCE(host.nr_versions) && host_newest() >= VERSION_WIN10_V5)
			return true;
		atomic64_inc(&no_conn4);	/* an older host has no connection 4 */
		return false;
	}
	return conn == VMBUS_MESSAGE_CONNECTION_ID ||
	       conn == READ_ONCE(host.msg_conn_id);
}

/* From the hypercall, interrupts off: queue it for the host partition. */
u16 sim_host_post(u32 conn, u32 type, const void *payload, u32 size)
{
	struct inbox_msg *m = kzalloc(sizeof(*m), GFP_ATOMIC);
	unsigned long flags;

	if (!m)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	m->conn = conn;
	m->type = type;
	m->size = size;
	memcpy(m->payload, payload, min_t(u32, size, sizeof(m->payload)));
	spin_lock_irqsave(&host.lock, flags);
	list_add_tail(&m->node, &host.inbox);
	spin_unlock_irqrestore(&host.lock, flags);
	queue_work(host_wq, &host_work);
	return HV_STATUS_SUCCESS;
}

u16 sim_host_signal(u32 conn)
{
	u16 status = HV_STATUS_INVALID_CONNECTION_ID;
	struct sim_offer *o;
	unsigned long flags;

	if (conn == VMBUS_EVENT_CONNECTION_ID) {
		atomic64_inc(&event_signals);
		return HV_STATUS_SUCCESS;
	}
	spin_lock_irqsave(&host.lock, flags);
	list_for_each_entry(o, &host.offers, node) {
		if (o->conn_id && o->conn_id == conn) {
			o->signals++;
			status = HV_STATUS_SUCCESS;
			break;
		}
	}
	spin_unlock_irqrestore(&host.lock, flags);
	if (status)
		atomic64_inc(&bad_signals);
	else
		atomic64_inc(&event_signals);
	return status;
}

/* ---- debugfs ---- */

static int versions_show(struct seq_file *sf, void *unused)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&host.lock, flags);
	for (i = 0; i < host.nr_versions; i++)
		seq_printf(sf, "%s0x%x", i ? " " : "", host.versions[i]);
	spin_unlock_irqrestore(&host.lock, flags);
	seq_putc(sf, '\n');
	return 0;
}

static int parse_versions(char *s, u32 *out, unsigned int *n)
{
	char *tok;

	*n = 0;
	while ((tok = strsep(&s, " ,\n"))) {
		if (!*tok)
			continue;
		if (*n == HOST_MAX_VERSIONS || kstrtou32(tok, 0, &out[*n]))
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

static ssize_t versions_write(struct file *f, const char __user *ubuf, size_t len,
			      loff_t *ppos)
{
	u32 v[HOST_MAX_VERSIONS];
	unsigned long flags;
	unsigned int n;
	char buf[256];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (parse_versions(buf, v, &n))
		return -EINVAL;
	spin_lock_irqsave(&host.lock, flags);
	memcpy(host.versions, v, sizeof(v));
	host.nr_versions = n;
	spin_unlock_irqrestore(&host.lock, flags);
	return len;
}

static int versions_open(struct inode *inode, struct file *f)
{
	return single_open(f, versions_show, NULL);
}

static const struct file_operations versions_fops = {
	.owner = THIS_MODULE,
	.open = versions_open,
	.read = seq_read,
	.write = versions_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int offers_show(struct seq_file *sf, void *unused)
{
	struct sim_offer *o;
	unsigned long flags;

	spin_lock_irqsave(&host.lock, flags);
	list_for_each_entry(o, &host.offers, node)
		seq_printf(sf, "%u %pUl %pUl 0x%04x %d 0x%x %u %llu\n", o->relid,
			   &o->if_type, &o->if_instance, o->flags, o->monitor_id,
			   o->conn_id, o->from_host, o->signals);
	spin_unlock_irqrestore(&host.lock, flags);
	return 0;
}

/* "add RELID CLASS INSTANCE FLAGS MONITOR CONN [FROM_HOST]", "clear", "default" */
static int offers_cmd(char *buf)
{
	struct vmbus_channel_offer_channel msg;
	char type[40], inst[40];
	unsigned int relid, fl, conn, from = 0;
	struct sim_offer *o;
	unsigned long flags;
	bool send;
	int mon, n;

	if (!strncmp(buf, "default", 7))
		return load_default_offers();
	if (!strncmp(buf, "clear", 5)) {
		LIST_HEAD(old);

		spin_lock_irqsave(&host.lock, flags);
		list_splice_init(&host.offers, &old);
		spin_unlock_irqrestore(&host.lock, flags);
		free_offers(&old);
		return 0;
	}
	n = sscanf(buf, "add %u %39s %39s %x %d %x %u", &relid, type, inst, &fl, &mon,
		   &conn, &from);
	if (n < 6 || fl > U16_MAX || mon > 255)
		return -EINVAL;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	if (guid_parse(type, &o->if_type) || guid_parse(inst, &o->if_instance)) {
		kfree(o);
		return -EINVAL;
	}
	o->relid = relid;
	o->flags = fl;
	o->monitor_id = mon;
	o->conn_id = conn;
	o->from_host = from;
	spin_lock_irqsave(&host.lock, flags);
	if (find_offer(relid)) {
		spin_unlock_irqrestore(&host.lock, flags);
		kfree(o);
		return -EEXIST;
	}
	list_add_tail(&o->node, &host.offers);
	/* A hot-added device: offered right away to a guest that asked. */
	send = host.connected && host.offers_sent;
	fill_offer(&msg, o);
	spin_unlock_irqrestore(&host.lock, flags);
	return send ? host_send(&msg, sizeof(msg)) : 0;
}

static ssize_t offers_write(struct file *f, const char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	char buf[160];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = offers_cmd(buf);
	return ret ?: len;
}

static int offers_open(struct inode *inode, struct file *f)
{
	return single_open(f, offers_show, NULL);
}

static const struct file_operations offers_fops = {
	.owner = THIS_MODULE,
	.open = offers_open,
	.read = seq_read,
	.write = offers_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* The host's half of the shutdown report: is the guest still connected? */
unsigned int sim_host_report(const char *when)
{
	pr_info("%s: VMBus host connected=%d version 0x%x unloads=%lld\n", when,
		READ_ONCE(host.connected), READ_ONCE(host.version), atomic64_read(&unloads));
	return READ_ONCE(host.connected);
}

/*
 * The partition restarted (hibernation): the host forgets the connection
 * and the pages it was given, and drops what the guest posted.
 */
void sim_host_reset(void)
{
	struct inbox_msg *m, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&host.lock, flags);
	host.connected = false;
	host.offers_sent = false;
	host.version = 0;
	host.int_page = 0;
	host.monitor1 = 0;
	host.monitor2 = 0;
	list_for_each_entry_safe(m, tmp, &host.inbox, node) {
		list_del(&m->node);
		kfree(m);
	}
	spin_unlock_irqrestore(&host.lock, flags);
}

static int state_show(struct seq_file *sf, void *unused)
{
	unsigned long flags;

	spin_lock_irqsave(&host.lock, flags);
	seq_printf(sf, "connected %d\nversion 0x%x\ntarget_vp %u\nsint %u\n",
		   host.connected, host.version, host.target_vp, host.sint);
	seq_printf(sf, "msg_conn_id 0x%x\ncontact_conn_id 0x%x\nrequest_conn_id 0x%x\n",
		   host.msg_conn_id, host.contact_conn_id, host.request_conn_id);
	seq_printf(sf, "interrupt_page 0x%llx\nmonitor_page1 0x%llx\nmonitor_page2 0x%llx\n",
		   host.int_page, host.monitor1, host.monitor2);
	seq_printf(sf, "offers_sent %d\nprobe_seq %llu\n", host.offers_sent, host.probe_seq);
	spin_unlock_irqrestore(&host.lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

/* A guest page the host may write: "in use" while the guest has it. */
static const char *page_state(u64 gpa, unsigned int *freed)
{
	if (!pfn_valid(PHYS_PFN(gpa)))
		return "outside RAM";
	if (page_ref_count(pfn_to_page(PHYS_PFN(gpa))))
		return "in use";
	(*freed)++;
	return "freed";
}

/*
 * The pages this host may write now, each "in use" or "freed" (back in
 * the guest's page allocator: a real host would write into whatever the
 * guest puts there next), then "freed N".
 */
static int host_pages_show(struct seq_file *sf, void *unused)
{
	u64 pages[3], gpa;
	static const char * const names[] = {
		"interrupt_page", "monitor_page1", "monitor_page2",
	};
	unsigned int i, freed = 0;
	unsigned long flags;
	bool connected;

	spin_lock_irqsave(&host.lock, flags);
	connected = host.connected;
	pages[0] = host.int_page;
	pages[1] = host.monitor1;
	pages[2] = host.monitor2;
	spin_unlock_irqrestore(&host.lock, flags);
	for (i = 0; connected && i < ARRAY_SIZE(pages); i++) {
		gpa = pages[i];
		if (gpa)
			seq_printf(sf, "%s 0x%llx %s\n", names[i], gpa, page_state(gpa, &freed));
	}
	seq_printf(sf, "freed %u\n", freed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(host_pages);

static ssize_t result_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&inject_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, host.result, strlen(host.result));
	mutex_unlock(&inject_lock);
	return ret;
}

/* "RELID": the host takes a device away. */
static int rescind_cmd(char *buf)
{
	struct vmbus_channel_rescind_offer r = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
	};
	struct sim_offer *o;
	unsigned long flags;
	bool send;

	if (kstrtou32(strim(buf), 0, &r.child_relid))
		return -EINVAL;
	spin_lock_irqsave(&host.lock, flags);
	o = find_offer(r.child_relid);
	if (o)
		list_del(&o->node);
	send = host.connected && host.offers_sent;
	spin_unlock_irqrestore(&host.lock, flags);
	if (!o)
		return -ENOENT;
	kfree(o);
	return send ? host_send(&r, sizeof(r)) : 0;
}

/* "VP SINT TYPE SIZE [HEXBYTES]": one raw message, no retry. */
static int inject_cmd(char *buf)
{
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT] = { 0 };
	unsigned int vp, sint, type, size;
	char hexs[2 * HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1] = "";
	size_t nbytes;
	u16 st;

	if (sscanf(buf, "%u %u %x %u %480s", &vp, &sint, &type, &size, hexs) < 4)
		return -EINVAL;
	nbytes = strlen(hexs) / 2;
	if (strlen(hexs) % 2 || hex2bin(payload, hexs, nbytes))
		return -EINVAL;
	st = sim_synic_post(vp, sint, type, payload, size, 0);
	scnprintf(host.result, sizeof(host.result), "status=0x%04x\n", st);
	return 0;
}

static u32 biased_size(struct rnd_state *r)
{
	static const u32 sizes[] = { 0, 7, 8, 11, 12, 15, 16, 195, 196, 240, 241, 255 };
	u32 x = prandom_u32_state(r);

	if (x & 1)
		return sizes[(x >> 1) % ARRAY_SIZE(sizes)];
	return (x >> 1) % 256;
}

/* "N SEED VP": N random, mostly malformed VMBus messages. */
static int fuzz_cmd(char *buf)
{
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	unsigned int n, vp, i, j, failed = 0;
	struct rnd_state r;
	u64 seed;

	if (sscanf(buf, "%u %llu %u", &n, &seed, &vp) != 3)
		return -EINVAL;
	prandom_seed_state(&r, seed);
	for (i = 0; i < n; i++) {
		u32 x = prandom_u32_state(&r), type = SIM_MSGTYPE_VMBUS, size, msgtype;

		for (j = 0; j < sizeof(payload); j += 4) {
			u32 v = prandom_u32_state(&r);

			memcpy(payload + j, &v, 4);
		}
		/* Mostly known channel message types, some anything at all. */
		msgtype = x & 0x10 ? (x >> 8) % 32 : prandom_u32_state(&r);
		memcpy(payload, &msgtype, 4);
		if ((x & 7) == 7) {
			type = prandom_u32_state(&r);
			if (type == HVMSG_NONE || type == SIM_MSGTYPE_PROBE)
				type = HVMSG_TIMER_EXPIRED;
		}
		size = biased_size(&r);
		if (host_send_to(vp, VMBUS_MESSAGE_SINT, type, payload, size))
			failed++;
		atomic64_inc(&fuzz_sent);
		cond_resched();
	}
	scnprintf(host.result, sizeof(host.result), "sent=%u failed=%u\n", n - failed, failed);
	return 0;
}

/* "N VP": N probe messages, then wait until the guest took them all. */
static int storm_cmd(char *buf)
{
	u8 payload[16] = { 0 };
	unsigned int n, vp, i, failed = 0;
	unsigned long deadline;
	u64 first = 0, t0, ns;
	bool drained;

	if (sscanf(buf, "%u %u", &n, &vp) != 2 || vp >= nr_cpu_ids)
		return -EINVAL;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		u64 seq = ++host.probe_seq;

		if (!first)
			first = seq;
		memcpy(payload, &seq, sizeof(seq));
		if (host_send_to(vp, VMBUS_MESSAGE_SINT, SIM_MSGTYPE_PROBE, payload,
				 sizeof(payload)))
			failed++;
		if (!(i % 64))
			cond_resched();
	}
	deadline = jiffies + msecs_to_jiffies(READ_ONCE(send_timeout_ms));
	while (!(drained = sim_synic_drained(vp, VMBUS_MESSAGE_SINT)) &&
	       time_before(jiffies, deadline))
		usleep_range(100, 200);
	ns = ktime_get_ns() - t0;
	scnprintf(host.result, sizeof(host.result),
		  "sent=%u failed=%u first=%llu last=%llu ns=%llu drained=%d\n",
		  n - failed, failed, first, host.probe_seq, ns, drained);
	return 0;
}

/* "VP FLAG": set an event flag in the VMBus SINT of VP. */
static int event_cmd(char *buf)
{
	unsigned int vp, flag;

	if (sscanf(buf, "%u %u", &vp, &flag) != 2)
		return -EINVAL;
	scnprintf(host.result, sizeof(host.result), "status=0x%04x\n",
		  sim_synic_signal(vp, VMBUS_MESSAGE_SINT, flag));
	return 0;
}

struct host_cmd {
	int (*fn)(char *buf);
};

static ssize_t cmd_write(struct file *f, const char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	const struct host_cmd *c = f->f_inode->i_private;
	char *buf;
	int ret;

	if (len > 1024)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&inject_lock);
	ret = c->fn(buf);
	mutex_unlock(&inject_lock);
	kfree(buf);
	return ret ?: len;
}

static const struct file_operations cmd_fops = {
	.owner = THIS_MODULE,
	.write = cmd_write,
	.read = result_read,
	.llseek = default_llseek,
};

static const struct host_cmd rescind_c = { rescind_cmd }, inject_c = { inject_cmd };
static const struct host_cmd fuzz_c = { fuzz_cmd }, storm_c = { storm_cmd };
static const struct host_cmd event_c = { event_cmd };

static int a64_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(a64_fops, a64_get, NULL, "%llu\n");

void sim_host_debugfs(struct dentry *parent)
{
	static const struct { const char *name; atomic64_t *v; } counters[] = {
		{ "contacts", &contacts }, { "contacts_refused", &contacts_refused },
		{ "wrong_conn", &wrong_conn }, { "requests", &requests },
		{ "unloads", &unloads }, { "unknown", &unknown_msgs },
		{ "protocol_errors", &protocol_errors }, { "undeliverable", &undeliverable },
		{ "reconnects", &reconnects }, { "event_signals", &event_signals },
		{ "bad_signals", &bad_signals }, { "sent", &sent_msgs },
		{ "fuzz_sent", &fuzz_sent }, { "no_conn4", &no_conn4 },
	};
	struct dentry *dir = debugfs_create_dir("vmbus", parent);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		debugfs_create_file_unsafe(counters[i].name, 0400, dir, counters[i].v,
					   &a64_fops);
	debugfs_create_file("versions", 0600, dir, NULL, &versions_fops);
	debugfs_create_file("offers", 0600, dir, NULL, &offers_fops);
	debugfs_create_file("state", 0400, dir, NULL, &state_fops);
	debugfs_create_file("host_pages", 0400, dir, NULL, &host_pages_fops);
	debugfs_create_u32("msg_conn_id", 0600, dir, &host.msg_conn_id);
	debugfs_create_u32("answer_contact", 0600, dir, &answer_contact);
	debugfs_create_u32("answer_unload", 0600, dir, &answer_unload);
	debugfs_create_u32("send_alloffers", 0600, dir, &send_alloffers);
	debugfs_create_u32("send_timeout_ms", 0600, dir, &send_timeout_ms);
	debugfs_create_u32("header_len", 0600, dir, &header_len);
	debugfs_create_file("rescind", 0600, dir, (void *)&rescind_c, &cmd_fops);
	debugfs_create_file("inject", 0600, dir, (void *)&inject_c, &cmd_fops);
	debugfs_create_file("fuzz", 0600, dir, (void *)&fuzz_c, &cmd_fops);
	debugfs_create_file("storm", 0600, dir, (void *)&storm_c, &cmd_fops);
	debugfs_create_file("event", 0600, dir, (void *)&event_c, &cmd_fops);
}

int sim_host_init(void)
{
	char *list;
	int ret;

	spin_lock_init(&host.lock);
	INIT_LIST_HEAD(&host.offers);
	INIT_LIST_HEAD(&host.inbox);
	host.msg_conn_id = msg_conn_id;
	list = kstrdup(vmbus_versions, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ret = parse_versions(list, host.versions, &host.nr_versions);
	kfree(list);
	if (ret) {
		pr_err("hypervive_sim: vmbus_versions=%s: not a list of numbers\n",
		       vmbus_versions);
		return ret;
	}
	ret = load_default_offers();
	if (ret)
		return ret;
	INIT_WORK(&host_work, host_work_fn);
	host_wq = alloc_ordered_workqueue("hypervive_sim_host", 0);
	if (!host_wq) {
		free_offers(&host.offers);
		return -ENOMEM;
	}
	return 0;
}

void sim_host_exit(void)
{
	struct inbox_msg *m, *tmp;

	destroy_workqueue(host_wq);
	list_for_each_entry_safe(m, tmp, &host.inbox, node)
		kfree(m);
	free_offers(&host.offers);
}

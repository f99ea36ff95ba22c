// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus connection (channel protocol of linux/hyperv.h):
 * INITIATE_CONTACT with each version of the kernel's list, newest first,
 * up to max_version, on connection ID 4 from 5.0 on and 1 before, until
 * the host says yes; then every message goes to the connection ID the
 * host returned (1 before 5.0).  REQUESTOFFERS, OFFERCHANNEL until
 * ALLOFFERS_DELIVERED, RESCIND at any time, UNLOAD on removal.  Every
 * wait has a timeout; a reply nobody waits for is dropped and counted.
 *
 * Host messages arrive here already copied and length-checked (synic.c),
 * and are handled one at a time, in arrival order, on an ordered
 * workqueue: offers create sysfs directories, which needs process context.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <hypervive/tlfs.h>
#include <hypervive/common.h>
#include <hypervive/core.h>
#include "vmbus.h"

/* A VMBus message waiting for the workqueue. */
struct hvv_inmsg {
	struct list_head node;
	u32 msgtype;
	u32 size;
	u8 payload[];
};

/*
 * A host that sends faster than the workqueue handles gets its messages
 * dropped (counted as nomem) past this many waiting, instead of growing
 * the queue without bound.
 */
#define HVV_INBOX_MAX	4096

/* HvCallPostMessage input (TLFS; hv_input_post_message). */
struct hvv_post_input {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u8 payload[HVV_PAYLOAD_MAX];
} __packed;

/* The connection's parameters: what it proposes and how long it waits. */
static unsigned int max_version = HVV_VERSION_NEWEST;
static unsigned int connect_timeout_ms = 5000;
static unsigned int offers_timeout_ms = 10000;
static unsigned int unload_timeout_ms = 5000;

/* An unsigned parameter within [r->min, r->max], named in the error (synic.c too). */
int hvv_range_set(const char *val, const struct kernel_param *kp,
		  const struct hvv_range *r)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < r->min || v > r->max) {
		pr_err("%s=%s: expected %u to %u\n", kp->name, val, r->min, r->max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct hvv_range timeout_range = { 10, 600000 };

static int timeout_set(const char *val, const struct kernel_param *kp)
{
	return hvv_range_set(val, kp, &timeout_range);
}

static int version_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < HVV_VERSION_WIN8) {
		pr_err("max_version=%s: expected 0x20004 (2.4, the oldest version spoken) or above\n",
		       val);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops timeout_ops = {
	.set = timeout_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops version_ops = {
	.set = version_set,
	.get = param_get_uint,
};

module_param_cb(max_version, &version_ops, &max_version, 0444);
MODULE_PARM_DESC(max_version, "newest VMBus version to propose, major << 16 | minor (default 0x50003 = 5.3; at least 0x20004)");
module_param_cb(connect_timeout_ms, &timeout_ops, &connect_timeout_ms, 0644);
MODULE_PARM_DESC(connect_timeout_ms, "wait for each VERSION_RESPONSE (10-600000, default 5000)");
module_param_cb(offers_timeout_ms, &timeout_ops, &offers_timeout_ms, 0644);
MODULE_PARM_DESC(offers_timeout_ms, "wait for ALLOFFERS_DELIVERED (10-600000, default 10000)");
module_param_cb(unload_timeout_ms, &timeout_ops, &unload_timeout_ms, 0644);
MODULE_PARM_DESC(unload_timeout_ms, "wait for UNLOAD_RESPONSE on removal (10-600000, default 5000)");

const char *hvv_conn_state_name(enum hvv_conn_state s)
{
	static const char * const names[] = {
		[HVV_DISCONNECTED] = "disconnected",
		[HVV_CONNECTING] = "connecting",
		[HVV_CONNECTED] = "connected",
		[HVV_UNLOADING] = "unloading",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

void hvv_drop(enum hvv_verdict v, u32 type, u32 size, u32 msgtype)
{
	/* The host decides how often this happens: a few lines, then silence. */
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);

	atomic64_inc(&hvv.ctr.drops[v]);
	if (__ratelimit(&rs))
		pr_warn("dropped a host message (%s): type 0x%08x, payload %u bytes, channel message %u (%s)\n",
			hvv_verdict_name(v), type, size, msgtype, hvv_chanmsg_name(msgtype));
}

/* Softirq: keep a copy of the payload for the workqueue. */
void hvv_conn_queue(const struct hvv_message *copy, u32 msgtype)
{
	u32 size = copy->header.payload_size;
	struct hvv_inmsg *m;
	unsigned long flags;

	m = READ_ONCE(hvv.inbox_len) < HVV_INBOX_MAX ?
	    kmalloc(struct_size(m, payload, size), GFP_ATOMIC) : NULL;
	if (!m) {
		hvv_drop(HVV_DROP_NOMEM, copy->header.message_type, size, msgtype);
		return;
	}
	m->msgtype = msgtype;
	m->size = size;
	memcpy(m->payload, copy->payload, size);
	atomic64_inc(&hvv.ctr.vmbus);
	spin_lock_irqsave(&hvv.inbox_lock, flags);
	list_add_tail(&m->node, &hvv.inbox);
	hvv.inbox_len++;
	spin_unlock_irqrestore(&hvv.inbox_lock, flags);
	queue_work(hvv.wq, &hvv.inbox_work);
}

/* Hand a reply to whoever waits for @want; false if nobody does. */
static bool deliver_reply(enum hvv_wait want, const void *payload, u32 size)
{
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&hvv.wait_lock, flags);
	if (hvv.wait == want) {
		if (want == HVV_WAIT_VERSION)
			memcpy(&hvv.resp, payload, sizeof(hvv.resp));
		hvv.wait = HVV_WAIT_NONE;
		complete(&hvv.reply);
		taken = true;
	}
	spin_unlock_irqrestore(&hvv.wait_lock, flags);
	return taken;
}

static void on_offer(const struct hvv_inmsg *m)
{
	struct hvv_offer_info info;
	enum hvv_verdict v;
	int ret;

	v = hvv_parse_offer(m->payload, m->size, &info);
	if (v != HVV_OK) {
		hvv_drop(v, HVV_MSGTYPE_VMBUS, m->size, m->msgtype);
		return;
	}
	if (READ_ONCE(hvv.conn_state) != HVV_CONNECTED || !READ_ONCE(hvv.offers_requested)) {
		hvv_drop(HVV_DROP_STATE, HVV_MSGTYPE_VMBUS, m->size, m->msgtype);
		return;
	}
	ret = hvv_channel_add(&info);
	if (ret == -EEXIST)
		hvv_drop(HVV_DROP_STATE, HVV_MSGTYPE_VMBUS, m->size, m->msgtype);
	else if (ret)
		hvv_drop(HVV_DROP_NOMEM, HVV_MSGTYPE_VMBUS, m->size, m->msgtype);
	else
		atomic64_inc(&hvv.ctr.offers);
}

static void on_rescind(const struct hvv_inmsg *m)
{
	struct hvv_rescind_offer r;

	memcpy(&r, m->payload, sizeof(r));
	if (hvv_channel_remove(r.child_relid))
		atomic64_inc(&hvv.ctr.rescinds);
	else
		hvv_drop(HVV_DROP_STATE, HVV_MSGTYPE_VMBUS, m->size, m->msgtype);
}

/*
 * What the connection does with each channel message the host sends: its
 * handler, or the request it answers (as OpenBSD's hv_msg_dispatch[] rows
 * say).  Name and least length are the rows of vmbus_proto.c's table,
 * whose "taken" types are exactly these.
 */
static const struct {
	void (*handler)(const struct hvv_inmsg *m);
	enum hvv_wait answers;
} dispatch[HVV_CHANMSG_COUNT] = {
	[HVV_CHANMSG_OFFERCHANNEL] = { .handler = on_offer },
	[HVV_CHANMSG_RESCIND_CHANNELOFFER] = { .handler = on_rescind },
	[HVV_CHANMSG_VERSION_RESPONSE] = { .answers = HVV_WAIT_VERSION },
	[HVV_CHANMSG_ALLOFFERS_DELIVERED] = { .answers = HVV_WAIT_OFFERS },
	[HVV_CHANMSG_UNLOAD_RESPONSE] = { .answers = HVV_WAIT_UNLOAD },
};

static void handle(const struct hvv_inmsg *m)
{
	u32 t = m->msgtype;

	if (t < ARRAY_SIZE(dispatch) && dispatch[t].handler) {
		dispatch[t].handler(m);
		return;
	}
	if (t >= ARRAY_SIZE(dispatch) || dispatch[t].answers == HVV_WAIT_NONE) {
		hvv_drop(HVV_DROP_UNEXPECTED, HVV_MSGTYPE_VMBUS, m->size, t);
		return;
	}
	if (!deliver_reply(dispatch[t].answers, m->payload, m->size))
		hvv_drop(HVV_DROP_STATE, HVV_MSGTYPE_VMBUS, m->size, t);
}

static void inbox_work_fn(struct work_struct *w)
{
	struct hvv_inmsg *m;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&hvv.inbox_lock, flags);
		m = list_first_entry_or_null(&hvv.inbox, struct hvv_inmsg, node);
		if (m) {
			list_del(&m->node);
			hvv.inbox_len--;
		}
		spin_unlock_irqrestore(&hvv.inbox_lock, flags);
		if (!m)
			return;
		handle(m);
		kfree(m);
	}
}

/*
 * HvPostMessage of one channel message, retried as the kernel's
 * vmbus_post_msg() retries: while the host is out of buffers or memory for
 * a moment, and on HV_STATUS_INVALID_CONNECTION_ID ("we could get this if
 * we send messages too frequently"), except for INITIATE_CONTACT, where it
 * means the host is older than VMBus 5.0 and has no connection 4: the
 * caller tries an older version (-ENOENT, at once).  The kernel's 100 tries
 * but not its pause, which doubles to 4 s (minutes in all): ours grows to
 * 16-32 ms, so a host that never recovers fails a load within about 3 s
 * instead of holding modprobe for minutes.
 */
#define POST_TRIES	100

int hvv_post(u32 conn, const void *msg, u32 size)
{
	struct hvv_post_input in = {
		.connection_id = conn,
		.message_type = HVV_MSGTYPE_VMBUS,
		.payload_size = size,
	};
	u32 msgtype = *(const u32 *)msg;
	unsigned int tries;
	bool bad_conn;
	u16 status = 0;
	int ret;

	if (size > HVV_PAYLOAD_MAX)
		return -EINVAL;
	memcpy(in.payload, msg, size);
	for (tries = 1; ; tries++) {
		ret = hypervive_hypercall(HVT_CALL_POST_MESSAGE, &in, sizeof(in), NULL, 0,
					  &status);
		bad_conn = ret == -ENOENT && status == HVT_STATUS_INVALID_CONNECTION_ID;
		if (bad_conn && msgtype == HVV_CHANMSG_INITIATE_CONTACT)
			return ret;	/* not a failure: no connection 4 here */
		if ((ret != -EAGAIN && ret != -ENOMEM && !bad_conn) || tries == POST_TRIES)
			break;
		usleep_range(1000 << min(tries - 1, 4U), 2000 << min(tries - 1, 4U));
	}
	if (ret) {
		atomic64_inc(&hvv.ctr.post_failures);
		pr_err_ratelimited("HvPostMessage of %s on connection %u failed: %d (%s)\n",
				   hvv_chanmsg_name(*(const u32 *)msg), conn, ret,
				   hypervive_status_name(status));
	}
	return ret;
}

/* Post @msg and wait for the reply @want; 0, -ETIMEDOUT or the post's error. */
static int request(u32 conn, const void *msg, u32 size, enum hvv_wait want,
		   unsigned int timeout_ms)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&hvv.wait_lock, flags);
	hvv.wait = want;
	reinit_completion(&hvv.reply);
	spin_unlock_irqrestore(&hvv.wait_lock, flags);

	ret = hvv_post(conn, msg, size);
	if (!ret)
		wait_for_completion_timeout(&hvv.reply, msecs_to_jiffies(timeout_ms));

	spin_lock_irqsave(&hvv.wait_lock, flags);
	if (hvv.wait == want) {		/* nothing came: a late reply is dropped */
		hvv.wait = HVV_WAIT_NONE;
		if (!ret)
			ret = -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&hvv.wait_lock, flags);
	return ret;
}

static int try_version(u32 version, bool *accepted)
{
	struct hvv_initiate_contact msg = {
		.header.msgtype = HVV_CHANMSG_INITIATE_CONTACT,
		.vmbus_version_requested = version,
		.target_vcpu = hvv.target_vp,
		.monitor_page1 = virt_to_phys(hvv.monitor_pages[0]),
		.monitor_page2 = virt_to_phys(hvv.monitor_pages[1]),
	};
	u32 conn = hvv_contact_conn_id(version);
	int ret;

	/* From 5.0 the host needs no interrupt page, only our SINT. */
	if (version >= HVV_VERSION_WIN10_V5)
		msg.interrupt_page = HVV_MESSAGE_SINT;
	else
		msg.interrupt_page = virt_to_phys(hvv.int_page);
	hvv.contact_conn_id = conn;
	ret = request(conn, &msg, sizeof(msg), HVV_WAIT_VERSION, connect_timeout_ms);
	if (ret == -ENOENT && conn == HVV_MESSAGE_CONNECTION_ID_4) {
		/* A host older than 5.0: none of the 5.x versions will do. */
		*accepted = false;
		return 0;
	}
	if (ret == -ETIMEDOUT) {
		pr_err("no VERSION_RESPONSE to INITIATE_CONTACT %u.%u on connection %u within %u ms\n",
		       version >> 16, version & 0xffff, conn, connect_timeout_ms);
		/* Posted: the host may have taken the pages, its answer lost or late. */
		hvv.host_pages |= HVV_HOST_MONITORS |
				  (msg.interrupt_page == HVV_MESSAGE_SINT ? 0 : HVV_HOST_INT_PAGE);
		hvv.host_pages_why = "no VERSION_RESPONSE: the host may have accepted";
	}
	if (ret)
		return ret;
	*accepted = hvv.resp.version_supported;
	if (*accepted) {
		hvv.host_pages = HVV_HOST_MONITORS |
				 (msg.interrupt_page == HVV_MESSAGE_SINT ? 0 : HVV_HOST_INT_PAGE);
		hvv.host_pages_why = "it accepted INITIATE_CONTACT and saw no UNLOAD";
	}
	return 0;
}

int hvv_connect(void)
{
	char tried[80] = "";
	size_t len = 0;
	unsigned int i;
	int ret;

	mutex_lock(&hvv.conn_lock);
	WRITE_ONCE(hvv.conn_state, HVV_CONNECTING);
	for (i = 0; i < hvv_nr_versions; i++) {
		u32 v = hvv_versions[i];
		bool ok = false;

		if (v > max_version)
			continue;
		len += scnprintf(tried + len, sizeof(tried) - len, " %u.%u", v >> 16, v & 0xffff);
		ret = try_version(v, &ok);
		if (ret)
			goto fail;
		if (!ok)
			continue;
		/* Before 5.0 the message connection stays 1. */
		hvv.msg_conn_id = v >= HVV_VERSION_WIN10_V5 ? hvv.resp.msg_conn_id :
							      HVV_MESSAGE_CONNECTION_ID;
		if (!hvv.msg_conn_id || hvv.msg_conn_id & ~HVV_CONN_ID_MASK) {
			pr_err("the host accepted VMBus %u.%u with message connection ID 0x%x, which is not a connection ID\n",
			       v >> 16, v & 0xffff, hvv.msg_conn_id);
			ret = -EPROTO;
			goto fail;
		}
		hvv.version = v;
		WRITE_ONCE(hvv.conn_state, HVV_CONNECTED);
		mutex_unlock(&hvv.conn_lock);
		return 0;
	}
	pr_err("no VMBus version in common with the host: tried%s (max_version 0x%x)\n",
	       tried, max_version);
	ret = -EPROTONOSUPPORT;
fail:
	WRITE_ONCE(hvv.conn_state, HVV_DISCONNECTED);
	mutex_unlock(&hvv.conn_lock);
	return ret;
}

int hvv_request_offers(void)
{
	struct hvv_chan_hdr msg = { .msgtype = HVV_CHANMSG_REQUESTOFFERS };
	int ret;

	mutex_lock(&hvv.conn_lock);
	WRITE_ONCE(hvv.offers_requested, true);
	ret = request(hvv.msg_conn_id, &msg, sizeof(msg), HVV_WAIT_OFFERS,
		      offers_timeout_ms);
	hvv.offers_complete = !ret;
	if (ret == -ETIMEDOUT) {
		pr_warn("no ALLOFFERS_DELIVERED within %u ms: the channel list may be incomplete\n",
			offers_timeout_ms);
		ret = 0;
	}
	mutex_unlock(&hvv.conn_lock);
	return ret;
}

/* On removal: UNLOAD, and wait for UNLOAD_RESPONSE with a timeout. */
void hvv_disconnect(void)
{
	struct hvv_chan_hdr msg = { .msgtype = HVV_CHANMSG_UNLOAD };
	int ret;

	mutex_lock(&hvv.conn_lock);
	if (hvv.conn_state != HVV_CONNECTED)
		goto out;
	WRITE_ONCE(hvv.conn_state, HVV_UNLOADING);
	/* Like the kernel: hosts before 2012 R2 (3.0) cannot reconnect. */
	if (hvv.version < HVV_VERSION_WIN8_1) {
		pr_info("VMBus %u.%u: no UNLOAD (the host cannot take a new connection)\n",
			hvv.version >> 16, hvv.version & 0xffff);
		hvv.host_pages_why = "a host before VMBus 3.0 has no UNLOAD";
		goto out;
	}
	/*
	 * Linux waits for UNLOAD_RESPONSE with no timeout before it frees the
	 * pages (vmbus_initiate_unload()); we give up waiting, not the pages.
	 */
	ret = request(hvv.msg_conn_id, &msg, sizeof(msg), HVV_WAIT_UNLOAD,
		      unload_timeout_ms);
	if (!ret)
		hvv.host_pages = 0;
	else if (ret == -ETIMEDOUT)
		hvv.host_pages_why = "no UNLOAD_RESPONSE";
	else
		hvv.host_pages_why = "UNLOAD could not be posted";
	if (ret == -ETIMEDOUT)
		pr_warn("no UNLOAD_RESPONSE within %u ms: unloading anyway\n",
			unload_timeout_ms);
	else if (ret)
		pr_warn("UNLOAD failed: %d: unloading anyway\n", ret);
out:
	WRITE_ONCE(hvv.conn_state, HVV_DISCONNECTED);
	WRITE_ONCE(hvv.offers_requested, false);
	mutex_unlock(&hvv.conn_lock);
}

int hvv_conn_init(void)
{
	mutex_init(&hvv.conn_lock);
	spin_lock_init(&hvv.wait_lock);
	init_completion(&hvv.reply);
	spin_lock_init(&hvv.inbox_lock);
	INIT_LIST_HEAD(&hvv.inbox);
	INIT_WORK(&hvv.inbox_work, inbox_work_fn);
	hvv.int_page = (void *)get_zeroed_page(GFP_KERNEL);
	hvv.monitor_pages[0] = (void *)get_zeroed_page(GFP_KERNEL);
	hvv.monitor_pages[1] = (void *)get_zeroed_page(GFP_KERNEL);
	if (!hvv.int_page || !hvv.monitor_pages[0] || !hvv.monitor_pages[1]) {
		hvv_conn_exit();
		return -ENOMEM;
	}
	return 0;
}

/* After the SynIC is down: nothing can queue any more. */
void hvv_conn_exit(void)
{
	struct hvv_inmsg *m, *tmp;

	if (hvv.wq)
		flush_workqueue(hvv.wq);
	list_for_each_entry_safe(m, tmp, &hvv.inbox, node)
		kfree(m);
	INIT_LIST_HEAD(&hvv.inbox);
	hvv.inbox_len = 0;
	/* Never free a page the host may still write: leak it, and say so. */
	if (hvv.host_pages) {
		unsigned int n = (hvv.host_pages & HVV_HOST_INT_PAGE ? 1 : 0) +
				 (hvv.host_pages & HVV_HOST_MONITORS ? 2 : 0);

		pr_warn("kept %u pages the host may still write (%s): leaked until reboot\n",
			n, hvv.host_pages_why);
		hypervive_pages_leaked(n);
	}
	if (!(hvv.host_pages & HVV_HOST_INT_PAGE))
		free_page((unsigned long)hvv.int_page);
	if (!(hvv.host_pages & HVV_HOST_MONITORS)) {
		free_page((unsigned long)hvv.monitor_pages[0]);
		free_page((unsigned long)hvv.monitor_pages[1]);
	}
	hvv.host_pages = 0;
	hvv.int_page = NULL;
	hvv.monitor_pages[0] = NULL;
	hvv.monitor_pages[1] = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded event queue (docs/PROTOCOL.md section 7).
 *
 * An event gets its sequence number when it is queued and stays, encoded as
 * its EVENT payload, until a cumulative ACK covers it.  A cursor marks the
 * next one to send; a new connection rewinds it, so everything unacknowledged
 * is sent again.  A full queue drops the new event without a number and
 * counts it; the count goes out as event 4203 before any later event as soon
 * as there is room.  That event is built in a spare entry allocated ahead of
 * time, so reporting an overflow never needs memory.
 *
 * Allocations use GFP_NOIO: events are raised while filesystems are frozen,
 * and reclaim must not wait for I/O to them.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include "agent.h"

#define SPARE_CAP	(HYPERVIVE_PROTO_EVENT_FIXED + 2 + 96)
#define LAT_SAMPLES	1024

struct agent_ev {
	struct list_head node;
	u64 seq;
	u64 queued_ns;			/* ktime_get_ns() when queued */
	bool sent;			/* sent before: RESENT from now on */
	u16 len;
	u8 data[];			/* EVENT payload; seq at offset 0 */
};

static struct {
	spinlock_t lock;		/* everything here */
	struct list_head list;		/* oldest first */
	struct agent_ev *cursor;	/* next to send, NULL if none */
	unsigned int depth, cap;
	u64 next_seq;
	u64 max_sent;			/* highest sequence ever sent */
	u32 dropped;			/* lost, not yet reported */
	struct agent_ev *spare;		/* for event 4203 */
	u32 lat_us[LAT_SAMPLES];	/* queue-to-ACK latency, a ring */
	unsigned int lat_pos, lat_n;
} q;

/* Encoding scratch for agent_event(): 4 KiB is too much for the stack. */
static DEFINE_MUTEX(encode_lock);
static u8 *scratch;
static struct hypervive_proto_event scratch_ev;

int agent_queue_init(unsigned int capacity)
{
	spin_lock_init(&q.lock);
	INIT_LIST_HEAD(&q.list);
	q.cap = capacity;
	q.next_seq = 1;
	scratch = kmalloc(HYPERVIVE_PROTO_MAX_PAYLOAD, GFP_KERNEL);
	q.spare = kmalloc(struct_size(q.spare, data, SPARE_CAP), GFP_KERNEL);
	if (!scratch || !q.spare) {
		kfree(scratch);
		kfree(q.spare);
		return -ENOMEM;
	}
	return 0;
}

void agent_queue_exit(void)
{
	struct agent_ev *e, *tmp;

	list_for_each_entry_safe(e, tmp, &q.list, node)
		kfree(e);
	INIT_LIST_HEAD(&q.list);
	q.cursor = NULL;
	q.depth = 0;
	kfree(q.spare);
	q.spare = NULL;
	kfree(scratch);
	scratch = NULL;
}

static void ev_set_seq(struct agent_ev *e, u64 seq)
{
	e->seq = seq;
	hypervive_proto_put_u64(e->data, seq);
}

static void append_locked(struct agent_ev *e)
{
	ev_set_seq(e, q.next_seq++);
	e->queued_ns = ktime_get_ns();
	e->sent = false;
	list_add_tail(&e->node, &q.list);
	q.depth++;
	if (!q.cursor)
		q.cursor = e;
}

/*
 * Room again after an overflow: event 4203 goes first, built in the spare.
 * Returns true if it was queued (the caller replaces the spare).
 */
static bool report_overflow_locked(void)
{
	struct hypervive_proto_event ev = {
		.event_seq = 1,		/* placeholder, numbered on append */
		.event_id = HYPERVIVE_PROTO_EV_QUEUE_OVERFLOW,
		.level = HYPERVIVE_PROTO_LEVEL_WARNING,
	};
	struct agent_ev *e = q.spare;
	int len;

	if (!q.dropped || q.depth >= q.cap || !e)
		return false;
	ev.timestamp_ns = ktime_get_real_ns();
	ev.value = q.dropped;
	snprintf(ev.text, sizeof(ev.text),
		 "%u events lost: the queue of %u events was full", q.dropped,
		 q.cap);
	len = hypervive_proto_event_encode(e->data, SPARE_CAP, &ev, NULL);
	if (WARN_ON_ONCE(len < 0))
		return false;
	e->len = len;
	q.spare = NULL;
	q.dropped = 0;
	append_locked(e);
	return true;
}

/* Give the queue a spare again after one was used (process context). */
static void refill_spare(void)
{
	struct agent_ev *e;

	if (READ_ONCE(q.spare))
		return;
	e = kmalloc(struct_size(e, data, SPARE_CAP), GFP_NOIO);
	if (!e)
		return;		/* retried on the next event or ACK */
	spin_lock(&q.lock);
	if (!q.spare) {
		q.spare = e;
		e = NULL;
	}
	spin_unlock(&q.lock);
	kfree(e);
}

static int push(struct agent_ev *e)
{
	bool reported, queued = false;
	u32 dropped = 0;

	spin_lock(&q.lock);
	reported = report_overflow_locked();
	if (q.depth < q.cap) {
		append_locked(e);
		queued = true;
	} else {
		dropped = ++q.dropped;
	}
	spin_unlock(&q.lock);
	if (reported) {
		agent_count(events_raised);
		refill_spare();
	}
	if (!queued) {
		kfree(e);
		agent_count(events_dropped);
		if (dropped == 1)
			pr_warn_ratelimited("event queue full (%u): dropping events until the host acknowledges some; they will be reported as event 4203\n",
					    q.cap);
		agent_kick();
		return -ENOSPC;
	}
	agent_count(events_raised);
	agent_kick();
	return 0;
}

int agent_event(u32 id, u64 checkpoint_id, s64 value,
		const struct hypervive_proto_fs *fs, unsigned int nfs,
		const char *fmt, ...)
{
	struct hypervive_proto_event *ev = &scratch_ev;
	struct agent_ev *e;
	va_list ap;
	u16 level;
	int len;

	if (nfs > HYPERVIVE_PROTO_FS_MAX)
		return -EINVAL;
	refill_spare();
	mutex_lock(&encode_lock);
	memset(ev, 0, sizeof(*ev));
	ev->event_seq = 1;	/* placeholder, numbered in push() */
	ev->timestamp_ns = ktime_get_real_ns();
	ev->event_id = id;
	ev->level = hypervive_proto_event_name(id, &level) ? level :
		    HYPERVIVE_PROTO_LEVEL_INFO;
	ev->fs_count = nfs;
	ev->checkpoint_id = checkpoint_id;
	ev->value = value;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	agent_str_clean(ev->text, HYPERVIVE_PROTO_TEXT_MAX);
	len = hypervive_proto_event_encode(scratch, HYPERVIVE_PROTO_MAX_PAYLOAD,
					   ev, fs);
	if (len < 0) {
		mutex_unlock(&encode_lock);
		pr_warn_ratelimited("event %u not encodable (%d)\n", id, len);
		return len;
	}
	e = kmalloc(struct_size(e, data, len), GFP_NOIO);
	if (e) {
		memcpy(e->data, scratch, len);
		e->len = len;
	}
	mutex_unlock(&encode_lock);
	if (!e) {
		/* Counted like an overflow, so it is still reported. */
		spin_lock(&q.lock);
		q.dropped++;
		spin_unlock(&q.lock);
		agent_count(events_dropped);
		return -ENOMEM;
	}
	return push(e);
}

void agent_queue_rewind(void)
{
	spin_lock(&q.lock);
	q.cursor = list_first_entry_or_null(&q.list, struct agent_ev, node);
	spin_unlock(&q.lock);
}

static void renumber_locked(u64 last)
{
	u64 first = last + 1;
	struct agent_ev *e;

	list_for_each_entry(e, &q.list, node) {
		ev_set_seq(e, first++);
		agent_count(events_renumbered);
	}
	q.next_seq = first;
	q.max_sent = last;	/* what the host has seen, in its history */
}

/*
 * After the host's HELLO with @last = the highest sequence it has logged for
 * our boot ID (section 7.3).  @renumber: this agent instance was never OPEN
 * before, or the VM was restored since.  Then the host's numbers and ours
 * may overlap: continue after @last.  Otherwise what the host has logged was
 * sent by us, and its ACK was lost: drop it.  A host that knows numbers we
 * never sent has seen another history of this boot (a restore we did not
 * notice): renumber then too rather than lose events as duplicates.
 * Returns the number of events renumbered or dropped; rewinds the cursor.
 */
u64 agent_queue_hello(u64 last, bool renumber)
{
	struct agent_ev *e, *tmp;
	LIST_HEAD(gone);
	u64 n = 0, first;

	spin_lock(&q.lock);
	e = list_first_entry_or_null(&q.list, struct agent_ev, node);
	first = e ? e->seq : q.next_seq;
	if (last > q.max_sent)
		renumber = true;
	if (renumber) {
		if (last && last >= first) {
			n = q.depth;
			renumber_locked(last);
		}
	} else {
		list_for_each_entry_safe(e, tmp, &q.list, node) {
			if (e->seq > last)
				break;
			list_move_tail(&e->node, &gone);
			q.depth--;
			n++;
		}
	}
	q.cursor = list_first_entry_or_null(&q.list, struct agent_ev, node);
	spin_unlock(&q.lock);
	list_for_each_entry_safe(e, tmp, &gone, node)
		kfree(e);
	if (!renumber)
		agent_add(events_acked, n);
	return n;
}

/* Is there an event not sent on this connection yet? */
bool agent_queue_unsent(void)
{
	return !!READ_ONCE(q.cursor);
}

/*
 * Copy the next event to send into @buf.  Returns its length, 0 if there is
 * none, -ENOSPC if it does not fit (send what is buffered first).
 */
int agent_queue_take(u8 *buf, size_t cap, u64 *seq, bool *resent)
{
	struct agent_ev *e;
	int len;

	spin_lock(&q.lock);
	e = q.cursor;
	if (!e) {
		len = 0;
	} else if (e->len > cap) {
		len = -ENOSPC;
	} else {
		memcpy(buf, e->data, e->len);
		len = e->len;
		*seq = e->seq;
		*resent = e->sent;
		e->sent = true;
		q.max_sent = max(q.max_sent, e->seq);
		q.cursor = list_is_last(&e->node, &q.list) ? NULL :
			   list_next_entry(e, node);
	}
	spin_unlock(&q.lock);
	return len;
}

/* A cumulative ACK: drop every event up to @seq.  Returns how many. */
unsigned int agent_queue_ack(u64 seq)
{
	struct agent_ev *e, *tmp;
	LIST_HEAD(gone);
	unsigned int n = 0;
	bool reported;
	u64 now = ktime_get_ns();

	refill_spare();
	spin_lock(&q.lock);
	list_for_each_entry_safe(e, tmp, &q.list, node) {
		if (e->seq > seq)
			break;
		if (q.cursor == e)	/* cannot happen: ACKs follow sends */
			q.cursor = list_is_last(&e->node, &q.list) ? NULL :
				   list_next_entry(e, node);
		q.lat_us[q.lat_pos] = min_t(u64, (now - e->queued_ns) / 1000,
					    U32_MAX);
		q.lat_pos = (q.lat_pos + 1) % LAT_SAMPLES;
		if (q.lat_n < LAT_SAMPLES)
			q.lat_n++;
		list_move_tail(&e->node, &gone);
		q.depth--;
		n++;
	}
	reported = report_overflow_locked();
	spin_unlock(&q.lock);
	list_for_each_entry_safe(e, tmp, &gone, node)
		kfree(e);
	agent_add(events_acked, n);
	if (reported) {
		agent_count(events_raised);
		refill_spare();
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

void agent_queue_info(struct agent_queue_info *qi)
{
	memset(qi, 0, sizeof(*qi));
	spin_lock(&q.lock);
	qi->depth = q.depth;
	qi->capacity = q.cap;
	qi->dropped_pending = q.dropped;
	qi->next_seq = q.next_seq;
	spin_unlock(&q.lock);
}

/* Percentiles of the queue-to-ACK latency (sysfs; may sleep). */
void agent_queue_latency(struct agent_queue_info *qi)
{
	u32 *lat;
	unsigned int n;

	agent_queue_info(qi);
	lat = kmalloc_array(LAT_SAMPLES, sizeof(*lat), GFP_KERNEL);
	if (!lat)
		return;
	spin_lock(&q.lock);
	n = q.lat_n;
	memcpy(lat, q.lat_us, n * sizeof(*lat));
	spin_unlock(&q.lock);
	if (n) {
		sort(lat, n, sizeof(*lat), cmp_u32, NULL);
		qi->ack_samples = n;
		qi->ack_p50_us = lat[(n - 1) / 2];
		qi->ack_p99_us = lat[(n - 1) * 99 / 100];
		qi->ack_max_us = lat[n - 1];
	}
	kfree(lat);
}

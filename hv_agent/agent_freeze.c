// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint consistency: the host's FREEZE, THAW and QUERY, and the thaws
 * nobody asked for (docs/PROTOCOL.md 8.3, ARCHITECTURE.md decision 7:
 * freezing is dangerous, thawing is guaranteed).
 *
 * Requests run one at a time, in the order received, on an ordered
 * workqueue, so the connection worker never blocks in a sync.  The same
 * queue runs the thaw after a lost connection (behind the requests of that
 * connection, which it makes moot) and the freeze timeout; unload waits for
 * it and thaws whatever is left.  Every thaw goes in reverse freeze order.
 *
 * We never touch a filesystem someone else froze (fsfreeze, the Hyper-V VSS
 * daemon): it is reported as frozen by another and left as it is.  While we
 * hold filesystems frozen we write nothing to disk: replies and events live
 * in memory (GFP_NOIO), logs go to the ring buffer.
 */
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include "agent.h"

/*
 * Freeze holders (6.6, fs/super.c): a frozen superblock counts its holds
 * (s_writers.freeze_kcount, freeze_ucount).  A freeze by a holder that has
 * none adds one, a thaw removes only the caller's own and answers -EINVAL
 * while another is left (or the caller held none), and the last thaw
 * unfreezes.  So user space can freeze on top of us, and our thaw leaves its
 * hold.  Before 6.6 there is one freeze at a time: a second freezer gets
 * -EBUSY, and any thaw unfreezes.
 *
 * We freeze as a kernel holder and never stack our freeze onto someone
 * else's: callers check sb_frozen() first and report such a filesystem as
 * frozen by another, and after our thaw report one still frozen as frozen by
 * another.  A filesystem with its own ->freeze_super/->thaw_super gets
 * those, as the FIFREEZE ioctl does.
 */
static int freeze_sb(struct super_block *sb)
{
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
}

static int thaw_sb(struct super_block *sb)
{
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
}

/* The filesystem can freeze at all (what ioctl_fsfreeze() checks). */
static bool sb_can_freeze(const struct super_block *sb)
{
	return sb->s_op->freeze_fs || sb->s_op->freeze_super;
}

/*
 * Frozen, or on its way there, by anybody (any holder, nested or not).
 * s_writers.frozen is written under s_umount; a racy read is fine here:
 * before 6.6 freeze_super() itself refuses (-EBUSY) a superblock someone
 * froze in the meantime, and we report that; since 6.6 our freeze then nests
 * on theirs as a hold of our own, which our thaw alone releases.
 */
static bool sb_frozen(const struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.frozen) != SB_UNFROZEN;
}

struct fs_req {
	struct work_struct work;
	u16 type;
	u64 seq;		/* header seq of the request */
	u64 gen;		/* its connection */
	u64 checkpoint_id;
	u32 timeout_ms;
};

static struct {
	struct mutex lock;	/* everything here; held across freeze/thaw */
	bool active;		/* a checkpoint is frozen (maybe 0 filesystems) */
	u64 checkpoint_id;
	u64 gen;		/* connection that froze */
	u32 timeout_ms;
	unsigned long deadline;	/* jiffies of the automatic thaw */
	unsigned int n;		/* held[], in freeze order */
	struct agent_target held[HYPERVIVE_PROTO_FS_MAX];
	u32 other[HYPERVIVE_PROTO_FS_MAX];	/* last reported by 4106 */
	unsigned int nother;
	/* scratch, used under the lock only */
	struct agent_target t[AGENT_TARGETS_MAX];
	struct hypervive_proto_fs rec[HYPERVIVE_PROTO_FS_MAX];	/* FREEZE, QUERY */
	struct hypervive_proto_fs trec[HYPERVIVE_PROTO_FS_MAX];	/* thaws */
	u8 payload[HYPERVIVE_PROTO_MAX_PAYLOAD];
} fz = {
	.lock = __MUTEX_INITIALIZER(fz.lock),
};

/*
 * What sysfs shows, copied under a spinlock: reading sysfs must not wait
 * for fz.lock (held across a sync), and fz.lock is held while the mount
 * table is read through seq_file, so taking it under sysfs's seq_file
 * locks would order the two classes both ways.
 */
static DEFINE_SPINLOCK(snap_lock);
static struct hypervive_proto_fs snap[HYPERVIVE_PROTO_FS_MAX];
static unsigned int nsnap;

static struct workqueue_struct *fs_wq;
static struct delayed_work timeout_work;
static struct work_struct lost_work;
static DEFINE_SPINLOCK(req_lock);
static bool closed;
static unsigned int outstanding;

/* Publish what we hold to sysfs (under fz.lock). */
static void snapshot(void)
{
	unsigned int i;

	spin_lock(&snap_lock);
	for (i = 0; i < fz.n; i++)
		snap[i] = fz.held[i].rec;
	nsnap = fz.n;
	spin_unlock(&snap_lock);
}

static u32 remaining_ms(void)
{
	long left;

	if (!fz.active)
		return 0;
	left = (long)(fz.deadline - jiffies);
	if (left <= 0)
		return 0;
	return min_t(u32, jiffies_to_msecs(left), HYPERVIVE_PROTO_FREEZE_MS_MAX);
}

static void reply(const struct fs_req *req, s32 status, u64 checkpoint_id,
		  const struct hypervive_proto_fs *rec, unsigned int nrec)
{
	struct hypervive_proto_report m = {
		.request_seq = req->seq,
		.checkpoint_id = checkpoint_id,
		.status = status,
		.remaining_ms = remaining_ms(),
		.fs_count = nrec,
	};
	struct agent_reply *r;
	int len;

	len = hypervive_proto_report_encode(fz.payload, sizeof(fz.payload), &m,
					    rec);
	if (WARN_ON_ONCE(len < 0))
		return;
	r = kmalloc(struct_size(r, data, len), GFP_NOIO);
	if (!r) {
		pr_warn_ratelimited("no memory to answer request %llu\n",
				    req->seq);
		return;
	}
	r->gen = req->gen;
	r->type = req->type + 1;	/* FREEZE 5 -> FREEZE_REPLY 6, ... */
	r->len = len;
	memcpy(r->data, fz.payload, len);
	agent_conn_post_reply(r);
}

static void set_state(struct hypervive_proto_fs *r, u8 state, u8 reason,
		      int err)
{
	r->state = state;
	r->reason = reason;
	r->error = err < 0 ? -err : 0;
}

/* The records of what we hold, in freeze order. */
static unsigned int held_records(void)
{
	unsigned int i;

	for (i = 0; i < fz.n; i++) {
		fz.rec[i] = fz.held[i].rec;
		set_state(&fz.rec[i], HYPERVIVE_PROTO_FS_FROZEN, 0, 0);
	}
	return fz.n;
}

/*
 * Thaw everything we hold, last frozen first; @out (in freeze order) says
 * how each went.  Returns the first error, 0 if all thawed.
 */
static int thaw_all(struct hypervive_proto_fs *out, unsigned int *nrec)
{
	unsigned int i;
	int ret, err = 0;

	cancel_delayed_work(&timeout_work);
	for (i = fz.n; i-- > 0;) {
		struct agent_target *t = &fz.held[i];

		out[i] = t->rec;
		/*
		 * Someone thawed it behind our back (FITHAW): nothing left
		 * to do.  (Before 6.6 nothing tells us whether they froze it
		 * again since.)  -EINVAL: not frozen by us, or (6.12's
		 * thaw_super()) our hold released while another freezer's
		 * is left.
		 */
		ret = sb_frozen(t->sb) ? thaw_sb(t->sb) : 0;
		if (ret && ret != -EINVAL) {
			set_state(&out[i], HYPERVIVE_PROTO_FS_FAILED, 0, ret);
			agent_count(thaw_failures);
			pr_err("thaw of %s (%s) failed: %pe; it may still be frozen\n",
			       t->rec.mount, t->rec.fstype, ERR_PTR(ret));
			err = err ?: ret;
		} else if (sb_frozen(t->sb)) {
			/*
			 * Our hold is gone, another freezer's is left (since
			 * 6.6 user space can freeze on top of us): say so
			 * rather than "thawed".
			 */
			set_state(&out[i], HYPERVIVE_PROTO_FS_FROZEN_OTHER, 0, 0);
			agent_dbg("thawed %s (%s); still frozen by another\n",
				  t->rec.mount, t->rec.fstype);
		} else {
			set_state(&out[i], HYPERVIVE_PROTO_FS_THAWED, 0, 0);
			agent_dbg("thawed %s (%s)\n", t->rec.mount, t->rec.fstype);
		}
		agent_target_put(t);
	}
	*nrec = fz.n;
	fz.n = 0;
	fz.active = false;
	snapshot();
	agent_count(thaws);
	return err;
}

/*
 * Event 4106 for the filesystems of @rec frozen by someone else: always
 * after a FREEZE, after a QUERY only when the set changed.
 */
static void report_other(unsigned int nrec, bool always)
{
	struct hypervive_proto_fs *o;
	u32 devs[HYPERVIVE_PROTO_FS_MAX];
	unsigned int i, n = 0;
	bool same;

	for (i = 0; i < nrec; i++)
		if (fz.rec[i].state == HYPERVIVE_PROTO_FS_FROZEN_OTHER)
			devs[n++] = fz.rec[i].dev;
	same = n == fz.nother && !memcmp(devs, fz.other, n * sizeof(u32));
	memcpy(fz.other, devs, n * sizeof(u32));
	fz.nother = n;
	if (!n || (same && !always))
		return;
	o = kmalloc_array(n, sizeof(*o), GFP_NOIO);
	if (!o)
		return;
	for (i = 0, n = 0; i < nrec; i++)
		if (fz.rec[i].state == HYPERVIVE_PROTO_FS_FROZEN_OTHER)
			o[n++] = fz.rec[i];
	pr_info_ratelimited("%u filesystems are frozen by another freezer (first %s); left alone\n",
			    n, o[0].mount);
	agent_event(HYPERVIVE_PROTO_EV_FROZEN_BY_OTHER, fz.checkpoint_id, n, o,
		    n, "%u filesystems frozen by another freezer; left alone", n);
	kfree(o);
}

/* Records from @first on for the collected targets we do not hold. */
static unsigned int state_records(unsigned int first, unsigned int n)
{
	unsigned int i, j, nrec = first;

	for (i = 0; i < n && nrec < HYPERVIVE_PROTO_FS_MAX; i++) {
		struct agent_target *t = &fz.t[i];
		struct hypervive_proto_fs *r;
		bool held = false;

		for (j = 0; j < fz.n; j++)
			held |= fz.held[j].sb == t->sb;
		if (held)
			continue;
		r = &fz.rec[nrec++];
		*r = t->rec;
		if (nrec == HYPERVIVE_PROTO_FS_MAX && i + 1 < n)
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_LIMIT, 0);
		else if (sb_rdonly(t->sb))
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_READ_ONLY, 0);
		else if (!t->sb->s_bdev || !sb_can_freeze(t->sb))
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_NO_FREEZE, 0);
		else if (sb_frozen(t->sb))
			set_state(r, HYPERVIVE_PROTO_FS_FROZEN_OTHER, 0, 0);
		else
			set_state(r, HYPERVIVE_PROTO_FS_THAWED, 0, 0);
	}
	return nrec;
}

static void put_targets(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		agent_target_put(&fz.t[i]);
}

/* Undo a partial freeze; the FREEZE records say how each thaw went. */
static void roll_back(unsigned int nrec)
{
	unsigned int i, j, n;

	thaw_all(fz.trec, &n);
	for (i = 0; i < n; i++)
		for (j = 0; j < nrec; j++)
			if (fz.rec[j].state == HYPERVIVE_PROTO_FS_FROZEN &&
			    fz.rec[j].dev == fz.trec[i].dev)
				fz.rec[j] = fz.trec[i];
}

static void do_freeze(const struct fs_req *req)
{
	unsigned int i, n, nrec = 0, nfrozen = 0, nother = 0;
	int ret, failed = 0;
	u32 tmo;

	if (fz.active) {
		if (req->checkpoint_id == fz.checkpoint_id) {
			reply(req, 0, fz.checkpoint_id, fz.rec, held_records());
			return;
		}
		pr_info_ratelimited("FREEZE for checkpoint %llu refused: frozen for checkpoint %llu\n",
				    req->checkpoint_id, fz.checkpoint_id);
		reply(req, -EBUSY, fz.checkpoint_id, NULL, 0);
		return;
	}
	ret = agent_targets_collect(fz.t, AGENT_TARGETS_MAX, &n);
	if (ret) {
		reply(req, ret, 0, NULL, 0);
		agent_count(freeze_failures);
		agent_event(HYPERVIVE_PROTO_EV_FREEZE_FAILED, req->checkpoint_id,
			    ret, NULL, 0, "cannot list the filesystems (%pe)", ERR_PTR(ret));
		return;
	}
	for (i = 0; i < n && nrec < HYPERVIVE_PROTO_FS_MAX && !failed; i++) {
		struct agent_target *t = &fz.t[i];
		struct hypervive_proto_fs *r = &fz.rec[nrec++];

		*r = t->rec;
		if (nrec == HYPERVIVE_PROTO_FS_MAX && i + 1 < n) {
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_LIMIT, 0);
		} else if (sb_rdonly(t->sb)) {
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_READ_ONLY, 0);
		} else if (!t->sb->s_bdev || !sb_can_freeze(t->sb)) {
			set_state(r, HYPERVIVE_PROTO_FS_SKIPPED,
				  HYPERVIVE_PROTO_SKIP_NO_FREEZE, 0);
		} else if (sb_frozen(t->sb)) {
			set_state(r, HYPERVIVE_PROTO_FS_FROZEN_OTHER, 0, 0);
			nother++;
		} else {
			agent_dbg("freezing %s (%s)\n", r->mount, r->fstype);
			ret = freeze_sb(t->sb);	/* syncs, then freezes */
			if (!ret) {
				set_state(r, HYPERVIVE_PROTO_FS_FROZEN, 0, 0);
				fz.held[fz.n++] = *t;
				t->sb = NULL;	/* the reference is held now */
				nfrozen++;
			} else if (ret == -EBUSY && sb_frozen(t->sb)) {
				/* another freezer came first */
				set_state(r, HYPERVIVE_PROTO_FS_FROZEN_OTHER, 0, 0);
				nother++;
			} else {
				set_state(r, HYPERVIVE_PROTO_FS_FAILED, 0, ret);
				failed = ret;
			}
		}
	}
	put_targets(n);
	if (failed) {
		roll_back(nrec);
		reply(req, failed, 0, fz.rec, nrec);
		agent_count(freeze_failures);
		pr_warn_ratelimited("checkpoint %llu: freeze failed (%pe); thawed the %u frozen before it\n",
				    req->checkpoint_id, ERR_PTR(failed), nfrozen);
		agent_event(HYPERVIVE_PROTO_EV_FREEZE_FAILED, req->checkpoint_id,
			    failed, fz.rec, nrec,
			    "a filesystem failed to freeze (%pe); the %u frozen before it were thawed",
			    ERR_PTR(failed), nfrozen);
		return;
	}
	tmo = req->timeout_ms ?: READ_ONCE(agent_param.freeze_timeout_ms);
	fz.active = true;
	fz.checkpoint_id = req->checkpoint_id;
	fz.gen = req->gen;
	fz.timeout_ms = tmo;
	fz.deadline = jiffies + msecs_to_jiffies(tmo);
	snapshot();
	queue_delayed_work(fs_wq, &timeout_work, msecs_to_jiffies(tmo));
	agent_count(freezes);
	reply(req, 0, fz.checkpoint_id, fz.rec, nrec);
	pr_info("checkpoint %llu: froze %u filesystems (%u frozen by another, %u records); automatic thaw in %u ms\n",
		fz.checkpoint_id, nfrozen, nother, nrec, tmo);
	agent_event(HYPERVIVE_PROTO_EV_FS_FROZEN, fz.checkpoint_id, 0, fz.rec,
		    nrec, "froze %u filesystems (%u frozen by another); automatic thaw in %u ms",
		    nfrozen, nother, tmo);
	report_other(nrec, true);
}

/* Thaw for a reason other than the host's THAW; event @id. */
static void auto_thaw(u32 id, const char *why)
{
	u64 ckpt = fz.checkpoint_id;
	unsigned int nrec;
	int err;

	err = thaw_all(fz.trec, &nrec);
	agent_count(auto_thaws);
	pr_warn("checkpoint %llu: %s; thawed %u filesystems%s\n", ckpt, why,
		nrec, err ? " (some failed)" : "");
	agent_event(id, ckpt, id == HYPERVIVE_PROTO_EV_THAW_TIMEOUT ?
		    fz.timeout_ms : 0, fz.trec, nrec, "%s; thawed %u filesystems",
		    why, nrec);
	if (err)
		agent_event(HYPERVIVE_PROTO_EV_THAW_FAILED, ckpt, err, fz.trec,
			    nrec, "a thaw failed (%pe): a filesystem may still be frozen",
			    ERR_PTR(err));
}

static void do_thaw(const struct fs_req *req)
{
	unsigned int nrec;
	u64 ckpt = fz.checkpoint_id;
	int err;

	if (!fz.active) {
		reply(req, 0, 0, NULL, 0);
		return;
	}
	if (req->checkpoint_id && req->checkpoint_id != ckpt) {
		reply(req, -ESRCH, ckpt, NULL, 0);
		return;
	}
	err = thaw_all(fz.trec, &nrec);
	reply(req, err, ckpt, fz.trec, nrec);
	pr_info("checkpoint %llu: thawed %u filesystems on the host's request\n",
		ckpt, nrec);
	if (err)
		agent_event(HYPERVIVE_PROTO_EV_THAW_FAILED, ckpt, err, fz.trec,
			    nrec, "a thaw failed (%pe): a filesystem may still be frozen",
			    ERR_PTR(err));
	else
		agent_event(HYPERVIVE_PROTO_EV_FS_THAWED, ckpt, 0, fz.trec, nrec,
			    "thawed %u filesystems", nrec);
}

static void do_query(const struct fs_req *req)
{
	unsigned int n, nrec;
	int ret;

	ret = agent_targets_collect(fz.t, AGENT_TARGETS_MAX, &n);
	if (ret) {
		reply(req, ret, fz.active ? fz.checkpoint_id : 0, NULL, 0);
		return;
	}
	nrec = state_records(held_records(), n);
	put_targets(n);
	reply(req, 0, fz.active ? fz.checkpoint_id : 0, fz.rec, nrec);
	report_other(nrec, false);
}

static void req_work(struct work_struct *work)
{
	struct fs_req *req = container_of(work, struct fs_req, work);

	mutex_lock(&fz.lock);
	if (req->gen != agent_conn_gen()) {
		agent_dbg("request %llu of a closed connection dropped\n",
			  req->seq);
	} else if (req->type == HYPERVIVE_PROTO_T_FREEZE) {
		do_freeze(req);
	} else if (req->type == HYPERVIVE_PROTO_T_THAW) {
		do_thaw(req);
	} else {
		do_query(req);
	}
	mutex_unlock(&fz.lock);
	spin_lock(&req_lock);
	outstanding--;
	spin_unlock(&req_lock);
	agent_kick();	/* the worker may wait for a free slot */
	kfree(req);
}

/*
 * The connection that froze is not the live one any more (lost, closed for
 * a bad frame, replaced after a restore): thaw.  No generation is passed,
 * so one static work item covers any number of losses.
 */
static void lost_fn(struct work_struct *work)
{
	mutex_lock(&fz.lock);
	if (fz.active && fz.gen != agent_conn_gen())
		auto_thaw(HYPERVIVE_PROTO_EV_THAW_DISCONNECT,
			  "the connection to the host was lost while frozen");
	mutex_unlock(&fz.lock);
}

static void timeout_fn(struct work_struct *work)
{
	mutex_lock(&fz.lock);
	if (fz.active) {
		long left = (long)(fz.deadline - jiffies);

		if (left > 0)
			queue_delayed_work(fs_wq, &timeout_work, left);
		else
			auto_thaw(HYPERVIVE_PROTO_EV_THAW_TIMEOUT,
				  "no THAW came within the timeout");
	}
	mutex_unlock(&fz.lock);
}

int agent_fs_request(u16 type, u64 req_seq, u64 gen,
		     const struct hypervive_proto_freeze *fr,
		     const struct hypervive_proto_thaw *th)
{
	struct fs_req *req = kzalloc(sizeof(*req), GFP_NOIO);

	if (!req)
		return -ENOMEM;
	req->type = type;
	req->seq = req_seq;
	req->gen = gen;
	if (fr) {
		req->checkpoint_id = fr->checkpoint_id;
		req->timeout_ms = fr->timeout_ms;
	} else if (th) {
		req->checkpoint_id = th->checkpoint_id;
	}
	INIT_WORK(&req->work, req_work);
	spin_lock(&req_lock);
	if (closed) {
		spin_unlock(&req_lock);
		kfree(req);
		return -ESHUTDOWN;
	}
	outstanding++;
	queue_work(fs_wq, &req->work);
	spin_unlock(&req_lock);
	return 0;
}

void agent_fs_conn_lost(void)
{
	spin_lock(&req_lock);
	if (!closed)
		queue_work(fs_wq, &lost_work);
	spin_unlock(&req_lock);
}

unsigned int agent_fs_frozen_count(void)
{
	return READ_ONCE(fz.n);
}

unsigned int agent_fs_outstanding(void)
{
	return READ_ONCE(outstanding);
}

u64 agent_fs_frozen_checkpoint(void)
{
	return READ_ONCE(fz.active) ? READ_ONCE(fz.checkpoint_id) : 0;
}

ssize_t agent_fs_show_frozen(char *buf)
{
	struct hypervive_proto_fs *copy;
	unsigned int i, n;
	int len = 0;

	copy = kmalloc_array(HYPERVIVE_PROTO_FS_MAX, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock(&snap_lock);
	n = nsnap;
	memcpy(copy, snap, n * sizeof(*copy));
	spin_unlock(&snap_lock);
	for (i = 0; i < n; i++)
		len += sysfs_emit_at(buf, len, "%s %s %u:%u\n", copy[i].mount,
				     copy[i].fstype, copy[i].dev >> 20,
				     copy[i].dev & 0xfffff);
	kfree(copy);
	return len;
}

int agent_fs_init(void)
{
	INIT_DELAYED_WORK(&timeout_work, timeout_fn);
	INIT_WORK(&lost_work, lost_fn);
	fs_wq = alloc_ordered_workqueue("hv_agent_freeze", WQ_MEM_RECLAIM);
	return fs_wq ? 0 : -ENOMEM;
}

void agent_fs_exit(void)
{
	spin_lock(&req_lock);
	closed = true;
	spin_unlock(&req_lock);
	flush_workqueue(fs_wq);
	cancel_delayed_work_sync(&timeout_work);
	mutex_lock(&fz.lock);
	if (fz.active)
		auto_thaw(HYPERVIVE_PROTO_EV_THAW_UNLOAD,
			  "the module is unloading while frozen");
	mutex_unlock(&fz.lock);
	destroy_workqueue(fs_wq);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypervive_agent internals: what the files of hv_agent/ share.
 *
 *   agent_main.c     parameters, load and unload order
 *   agent_conn.c     the connection worker: connect, HELLO, frames, heartbeats
 *   agent_queue.c    the bounded event queue: numbering, ACK, resend, overflow
 *   agent_freeze.c   FREEZE/THAW/QUERY and the automatic thaws
 *   agent_mounts.c   which filesystems: freeze_fs types, mount order, references
 *   agent_restore.c  restore detection: VM generation ID and clock jumps
 *   agent_ident.c    who we are in HELLO: hostname, release, boot ID
 *   agent_sysfs.c    /sys/kernel/hypervive/agent/
 *   agent_debugfs.c  /sys/kernel/debug/hypervive_agent/ (raise test events)
 *
 * The wire format is include/hypervive/proto.h (docs/PROTOCOL.md).
 */
#ifndef HYPERVIVE_AGENT_H
#define HYPERVIVE_AGENT_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <hypervive/proto.h>

/* ---- parameters (agent_main.c) ---------------------------------------- */

struct agent_params {
	unsigned int cid;
	unsigned int port;
	unsigned int heartbeat_ms;
	unsigned int queue_len;
	unsigned int freeze_timeout_ms;
	unsigned int connect_timeout_ms;
	unsigned int reconnect_min_ms;
	unsigned int reconnect_max_ms;
	unsigned int clock_jump_s;
	bool debug;
};

extern struct agent_params agent_param;

#define AGENT_FREEZE_FS_MAX	256	/* bytes of the freeze_fs list */
#define AGENT_FREEZE_TYPES_MAX	16	/* types in it */

/* Copy of the freeze_fs list ("ext4,xfs"), consistent even while written. */
void agent_freeze_fs_get(char *buf, size_t len);

/* Log only when the debug parameter is set; it can change at any time. */
#define agent_dbg(fmt, ...)						\
	do {								\
		if (READ_ONCE(agent_param.debug))			\
			pr_info("debug: " fmt, ##__VA_ARGS__);		\
	} while (0)

#define agent_dbg_ratelimited(fmt, ...)					\
	do {								\
		if (READ_ONCE(agent_param.debug))			\
			pr_info_ratelimited("debug: " fmt, ##__VA_ARGS__); \
	} while (0)

/* ---- counters (sysfs counters/) ---------------------------------------- */

struct agent_stats {
	atomic64_t heartbeats;		/* HEARTBEAT frames sent */
	atomic64_t events_raised;	/* events numbered and queued */
	atomic64_t events_sent;		/* EVENT frames sent, resends included */
	atomic64_t events_resent;	/* of which RESENT */
	atomic64_t events_acked;	/* events removed from the queue by ACK */
	atomic64_t events_dropped;	/* lost to a full queue */
	atomic64_t events_renumbered;	/* renumbered after the host's HELLO */
	atomic64_t bad_frames;		/* host frames that failed validation */
	atomic64_t host_frames;		/* host frames accepted */
	atomic64_t host_errors;		/* ERROR frames from the host */
	atomic64_t throttled;		/* times host input was paused (rate) */
	atomic64_t connect_attempts;
	atomic64_t connects;		/* connections that reached OPEN */
	atomic64_t disconnects;		/* OPEN connections lost or closed */
	atomic64_t version_mismatches;	/* no common protocol version */
	atomic64_t restores;		/* VM generation ID changes */
	atomic64_t clock_jumps;
	atomic64_t freezes;		/* FREEZE requests that froze */
	atomic64_t freeze_failures;
	atomic64_t thaws;		/* thaws of our freezes, any cause */
	atomic64_t auto_thaws;		/* of which not requested by the host */
	atomic64_t thaw_failures;
	atomic64_t requests;		/* FREEZE/THAW/QUERY received */
	atomic64_t wakeups;		/* turns of the worker's loop */
};

extern struct agent_stats agent_stats;

#define agent_count(name)	atomic64_inc(&agent_stats.name)
#define agent_add(name, n)	atomic64_add((n), &agent_stats.name)

/* ---- event queue (agent_queue.c) --------------------------------------- */

int agent_queue_init(unsigned int capacity);
void agent_queue_exit(void);

/*
 * Number and queue an event (process context; may sleep).  @fs may be NULL
 * when @nfs is 0.  The level is the one of the event table.  Returns 0, or
 * -ENOSPC when the queue is full (the event is counted as dropped and
 * reported later as event 4203), or another negative errno.
 */
__printf(6, 7)
int agent_event(u32 id, u64 checkpoint_id, s64 value,
		const struct hypervive_proto_fs *fs, unsigned int nfs,
		const char *fmt, ...);

/* Connection side (agent_conn.c only). */
void agent_queue_rewind(void);
u64 agent_queue_hello(u64 last_event_seq, bool renumber);
int agent_queue_take(u8 *buf, size_t cap, u64 *seq, bool *resent);
bool agent_queue_unsent(void);
unsigned int agent_queue_ack(u64 seq);

struct agent_queue_info {
	unsigned int depth;		/* events waiting for an ACK */
	unsigned int capacity;
	u32 dropped_pending;		/* lost, not yet reported */
	u64 next_seq;
	u32 ack_p50_us, ack_p99_us, ack_max_us;
	u32 ack_samples;
};

/* Counts only (any context but IRQ); agent_queue_latency() adds the rest. */
void agent_queue_info(struct agent_queue_info *qi);
void agent_queue_latency(struct agent_queue_info *qi);

/* ---- connection (agent_conn.c) ----------------------------------------- */

int agent_conn_start(void);
/* Last send of the queue, BYE, close; the worker ends. */
void agent_conn_stop(void);
/* Wake the worker: an event was queued, a reply is ready, ... */
void agent_kick(void);

/* A reply to a host request, built by agent_freeze.c, sent by the worker. */
struct agent_reply {
	struct list_head node;
	u64 gen;			/* connection it belongs to */
	u16 type;			/* *_REPLY */
	u16 len;
	u8 data[];			/* payload */
};

void agent_conn_post_reply(struct agent_reply *r);
/* Generation of the connection that is OPEN now, 0 if none. */
u64 agent_conn_gen(void);

struct agent_conn_info {
	const char *state;
	char peer[32];
	char host[HYPERVIVE_PROTO_HOSTNAME_MAX + HYPERVIVE_PROTO_SWVER_MAX + 4];
	time64_t since;			/* realtime seconds, 0 if not OPEN */
	u16 version;
	u32 host_caps;
};

void agent_conn_info(struct agent_conn_info *ci);

/* ---- filesystems (agent_freeze.c, agent_mounts.c) --------------------- */

int agent_fs_init(void);
/* Refuse new requests, finish the running one, thaw (event 4105). */
void agent_fs_exit(void);
/* A request of connection @gen, payload already validated. */
int agent_fs_request(u16 type, u64 req_seq, u64 gen,
		     const struct hypervive_proto_freeze *fr,
		     const struct hypervive_proto_thaw *th);
/* The connection that froze may be gone: thaw if so (event 4104). */
void agent_fs_conn_lost(void);
unsigned int agent_fs_frozen_count(void);
unsigned int agent_fs_outstanding(void);
ssize_t agent_fs_show_frozen(char *buf);
u64 agent_fs_frozen_checkpoint(void);

struct super_block;

/* A filesystem the agent may freeze, with an active reference on its sb. */
struct agent_target {
	struct super_block *sb;
	int order;			/* mount order, -1 if unknown */
	struct hypervive_proto_fs rec;	/* dev, mount, fstype; state unset */
};

#define AGENT_TARGETS_MAX	32

/*
 * The mounted filesystems of the freeze_fs types, latest mounted first
 * (the order to freeze in).  Read-only ones are included (the caller skips
 * them).  Each has an active reference: agent_targets_put() drops them.
 */
int agent_targets_collect(struct agent_target *t, unsigned int max,
			  unsigned int *n);
void agent_target_put(struct agent_target *t);

/* ---- restore detection (agent_restore.c) ------------------------------- */

int agent_restore_init(void);
void agent_restore_exit(void);
/* Called by the worker on every heartbeat tick and after a wakeup. */
void agent_restore_poll(void);
/* The worker's hook: true once per VM generation change. */
bool agent_restore_take(void);
bool agent_restore_has_vmgenid(void);

/* ---- identity (agent_ident.c) ------------------------------------------ */

void agent_ident_fill(struct hypervive_proto_hello *h);
int agent_ident_init(void);
/* Make @s a valid wire string of at most @max bytes ('?' for bad bytes). */
void agent_str_clean(char *s, size_t max);

/* ---- sysfs and debugfs ------------------------------------------------- */

int agent_sysfs_init(void);
void agent_sysfs_exit(void);
void agent_debugfs_init(void);
void agent_debugfs_exit(void);

/* Test events (debugfs "raise"): the event ID of docs/PROTOCOL.md 9.2. */
#define AGENT_EV_TEST	HYPERVIVE_PROTO_EV_TEST

#endif /* HYPERVIVE_AGENT_H */

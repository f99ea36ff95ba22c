// SPDX-License-Identifier: GPL-2.0
/*
 * The connection worker: one kernel thread owns the socket and all protocol
 * state, so nothing here needs a lock except what other contexts hand in
 * (events, replies, the restore flag), which they do through agent_kick().
 *
 * All socket I/O is non-blocking: the socket's callbacks wake the thread,
 * and it sleeps until then or its next deadline (heartbeat, reconnect,
 * connect or HELLO timeout), never polling in between.  A host that stops
 * reading therefore never stalls us: frames wait in our buffer, events in
 * the queue, and the freeze timeout runs elsewhere anyway.
 *
 * Host input is bounded: one frame of at most 4120 bytes is buffered, every
 * header is validated before its payload is read, and frames other than an
 * ACK that advances are limited to HOST_RATE a second (beyond it we stop
 * reading: back-pressure, as the protocol asks).  A bad frame gets an
 * ERROR(BAD_FRAME), the connection closes, and we reconnect with backoff.
 */
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/sched/loadavg.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/vm_sockets.h>
#include <linux/wait.h>
#include <net/sock.h>
#include "agent.h"

#define HDR			HYPERVIVE_PROTO_HDR_SIZE
#define TX_CAP			(16 * 1024)
#define HELLO_TIMEOUT_MS	10000	/* docs/PROTOCOL.md 5, rule 1 */
#define HOST_RATE		50	/* host frames a second, and burst */
#define REQUESTS_MAX		8	/* outstanding host requests */
#define RX_BUDGET		64	/* frames per wakeup before yielding */
#define STOP_FLUSH_MS		5000	/* last send on unload: rmmod waits at most this */

enum phase { C_DOWN, C_CONNECTING, C_HELLO, C_OPEN };

static const char * const phase_names[] = {
	[C_DOWN] = "disconnected",
	[C_CONNECTING] = "connecting",
	[C_HELLO] = "hello",
	[C_OPEN] = "open",
};

struct sk_callbacks {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	void (*error_report)(struct sock *sk);
};

static struct {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kicked;
	struct socket *sock;
	struct sk_callbacks saved;
	enum phase phase;
	struct hypervive_proto_state st;
	u64 gen;			/* connection attempts so far */
	atomic64_t open_gen;		/* gen of the OPEN connection, 0 if none */
	unsigned long deadline;		/* connect or HELLO timeout */
	unsigned long retry_at;
	unsigned int backoff_ms;
	unsigned long next_tick;	/* heartbeat and clock check */
	bool hb_due;
	u64 hb_counter;
	u64 max_sent_seq;		/* highest event seq sent on this conn */
	u64 last_ack;
	u32 host_caps;
	bool ever_open;			/* this instance was OPEN before */
	bool renumber;			/* fresh instance or restored since */
	u64 lost_at_ns;			/* boottime when OPEN was lost */
	bool quiet;			/* a failure was logged: log no more */
	/* rx: one frame */
	u8 *rx;
	u32 rx_len;
	bool rx_hdr_ok;
	struct hypervive_proto_hdr rx_hdr;
	unsigned int tokens;
	unsigned long tokens_at;
	bool throttled;
	/* tx */
	u8 *tx;
	u32 tx_len, tx_off;
	bool want_write;		/* bytes wait for room in the socket */
	/* replies from agent_freeze.c */
	spinlock_t reply_lock;
	struct list_head replies;
	/* for sysfs, under info_lock */
	spinlock_t info_lock;
	char host[HYPERVIVE_PROTO_HOSTNAME_MAX + HYPERVIVE_PROTO_SWVER_MAX + 4];
	time64_t since;
	u16 version;
} conn = {
	/* ready before the worker starts: events are raised during load */
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(conn.wq),
	.reply_lock = __SPIN_LOCK_UNLOCKED(conn.reply_lock),
	.replies = LIST_HEAD_INIT(conn.replies),
	.info_lock = __SPIN_LOCK_UNLOCKED(conn.info_lock),
};

static struct hypervive_proto_hello hello;	/* worker only */

void agent_kick(void)
{
	atomic_set(&conn.kicked, 1);
	wake_up(&conn.wq);
}

u64 agent_conn_gen(void)
{
	return atomic64_read(&conn.open_gen);
}

void agent_conn_post_reply(struct agent_reply *r)
{
	spin_lock(&conn.reply_lock);
	list_add_tail(&r->node, &conn.replies);
	spin_unlock(&conn.reply_lock);
	agent_kick();
}

void agent_conn_info(struct agent_conn_info *ci)
{
	enum phase p = READ_ONCE(conn.phase);

	ci->state = phase_names[p];
	snprintf(ci->peer, sizeof(ci->peer), "vsock:%u:%u", agent_param.cid,
		 agent_param.port);
	spin_lock(&conn.info_lock);
	strscpy(ci->host, p == C_OPEN ? conn.host : "", sizeof(ci->host));
	ci->since = p == C_OPEN ? conn.since : 0;
	ci->version = p == C_OPEN ? conn.version : 0;
	ci->host_caps = p == C_OPEN ? conn.host_caps : 0;
	spin_unlock(&conn.info_lock);
}

/* ---- socket ------------------------------------------------------------ */

static void sk_wake(struct sock *sk)
{
	agent_kick();
}

/*
 * The transport reports room to write after every read of the peer (a
 * credit update per read on 6.1): wake only if something waits for it.
 */
static void sk_write_space(struct sock *sk)
{
	if (READ_ONCE(conn.want_write))
		agent_kick();
}

static void set_callbacks(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	conn.saved.data_ready = sk->sk_data_ready;
	conn.saved.write_space = sk->sk_write_space;
	conn.saved.state_change = sk->sk_state_change;
	conn.saved.error_report = sk->sk_error_report;
	sk->sk_data_ready = sk_wake;
	sk->sk_write_space = sk_write_space;
	sk->sk_state_change = sk_wake;
	sk->sk_error_report = sk_wake;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void restore_callbacks(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = conn.saved.data_ready;
	sk->sk_write_space = conn.saved.write_space;
	sk->sk_state_change = conn.saved.state_change;
	sk->sk_error_report = conn.saved.error_report;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void sock_close(void)
{
	if (!conn.sock)
		return;
	kernel_sock_shutdown(conn.sock, SHUT_RDWR);
	restore_callbacks(conn.sock->sk);
	sock_release(conn.sock);
	conn.sock = NULL;
}

static void drop_replies(void)
{
	struct agent_reply *r, *tmp;
	LIST_HEAD(list);

	spin_lock(&conn.reply_lock);
	list_splice_init(&conn.replies, &list);
	spin_unlock(&conn.reply_lock);
	list_for_each_entry_safe(r, tmp, &list, node)
		kfree(r);
}

/*
 * Wait before the next attempt: the backoff, jittered to [1/2, 1].  The
 * modulo's bias is far below what jitter needs, and get_random_u32() has
 * the same name on every kernel (get_random_u32_below() came in 6.2 and was
 * backported to some 6.1.y only).
 */
static void schedule_retry(void)
{
	unsigned int ms = conn.backoff_ms;

	ms = ms / 2 + get_random_u32() % (ms / 2 + 1);
	conn.retry_at = jiffies + msecs_to_jiffies(ms);
	conn.backoff_ms = min(conn.backoff_ms * 2,
			      READ_ONCE(agent_param.reconnect_max_ms));
	agent_dbg("next connection attempt in %u ms\n", ms);
}

/*
 * Close and plan the next attempt.  @why goes to the log once per outage
 * (rate-limited: the host can make us reconnect at will).
 */
static void conn_close(const char *why, int err, bool retry_now)
{
	bool was_open = conn.phase == C_OPEN;
	bool was_hello = conn.phase == C_HELLO;
	char errs[32] = "";

	atomic64_set(&conn.open_gen, 0);
	sock_close();
	WRITE_ONCE(conn.phase, C_DOWN);
	conn.rx_len = 0;
	conn.rx_hdr_ok = false;
	conn.tx_len = 0;
	conn.tx_off = 0;
	WRITE_ONCE(conn.want_write, false);
	conn.throttled = false;
	drop_replies();
	if (was_open) {
		agent_count(disconnects);
		conn.lost_at_ns = ktime_get_boottime_ns();
		agent_fs_conn_lost();
	}
	if (retry_now) {
		conn.backoff_ms = READ_ONCE(agent_param.reconnect_min_ms);
		conn.retry_at = jiffies;
	} else {
		schedule_retry();
	}
	if (err)
		snprintf(errs, sizeof(errs), " (%pe)", ERR_PTR(err));
	if (was_open || !conn.quiet)
		pr_info_ratelimited("%s vsock:%u:%u: %s%s; retrying%s\n",
				    was_open ? "connection to" :
				    was_hello ? "no HELLO exchange with" :
				    "cannot connect to", agent_param.cid,
				    agent_param.port, why, errs,
				    retry_now ? " now" : " with backoff");
	else
		agent_dbg("connection attempt failed: %s%s\n", why, errs);
	conn.quiet = true;
}

static void start_connect(void)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = agent_param.cid,
		.svm_port = agent_param.port,
	};
	struct __kernel_sock_timeval tv = {
		.tv_sec = agent_param.connect_timeout_ms / 1000,
		.tv_usec = (agent_param.connect_timeout_ms % 1000) * 1000,
	};
	struct socket *sock;
	int ret;

	conn.gen++;
	agent_count(connect_attempts);
	ret = sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock);
	if (ret) {
		conn_close("no AF_VSOCK socket (is the vsock module loaded?)",
			   ret, false);
		return;
	}
	/* vsock's own timer would cut a non-blocking connect at 2 s. */
	ret = sock->ops->setsockopt(sock, AF_VSOCK,
				    SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW,
				    KERNEL_SOCKPTR(&tv), sizeof(tv));
	if (ret)
		agent_dbg("cannot set the vsock connect timeout (%d)\n", ret);
	set_callbacks(sock->sk);
	conn.sock = sock;
	WRITE_ONCE(conn.phase, C_CONNECTING);
	conn.deadline = jiffies +
			msecs_to_jiffies(agent_param.connect_timeout_ms);
	/* void *: the parameter is a struct sockaddr_unsized * on newer kernels. */
	ret = kernel_connect(sock, (void *)&addr, sizeof(addr), O_NONBLOCK);
	if (ret && ret != -EINPROGRESS)
		conn_close("connect failed", ret, false);
}

/* ---- tx ---------------------------------------------------------------- */

/* Seal the payload at tx + tx_len + HDR into a frame. */
static int tx_seal(u16 type, u16 flags, int plen)
{
	int n;

	if (plen < 0)
		return plen;
	n = hypervive_proto_frame_seal(&conn.st, conn.tx + conn.tx_len,
				       TX_CAP - conn.tx_len, type, flags, plen);
	if (n < 0) {
		pr_err_ratelimited("cannot seal a %s frame (%d)\n",
				   hypervive_proto_type_name(type), n);
		return n;
	}
	conn.tx_len += n;
	return 0;
}

static u8 *tx_payload(void)
{
	return conn.tx + conn.tx_len + HDR;
}

static size_t tx_room(void)
{
	return conn.tx_len + HDR < TX_CAP ? TX_CAP - conn.tx_len - HDR : 0;
}

/* Send what is buffered; 0, or a negative errno if the socket failed. */
static int tx_flush(void)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec vec;
	int n;

	/* set before sending: room that comes during the send must wake us */
	WRITE_ONCE(conn.want_write, true);
	while (conn.sock && conn.tx_off < conn.tx_len) {
		vec.iov_base = conn.tx + conn.tx_off;
		vec.iov_len = conn.tx_len - conn.tx_off;
		n = kernel_sendmsg(conn.sock, &msg, &vec, 1, vec.iov_len);
		if (n == -EAGAIN)
			break;
		if (n <= 0)
			return n ? n : -EPIPE;
		conn.tx_off += n;
	}
	if (conn.tx_off == conn.tx_len) {
		conn.tx_off = 0;
		conn.tx_len = 0;
		WRITE_ONCE(conn.want_write, false);
	} else if (conn.tx_off > TX_CAP / 2) {
		memmove(conn.tx, conn.tx + conn.tx_off,
			conn.tx_len - conn.tx_off);
		conn.tx_len -= conn.tx_off;
		conn.tx_off = 0;
	}
	return 0;
}

static void send_error(u32 code, u64 ref_seq, const char *text)
{
	struct hypervive_proto_error e = { .code = code, .ref_seq = ref_seq };

	if (tx_room() < HYPERVIVE_PROTO_ERROR_FIXED + 2 + sizeof(e.text))
		return;		/* best effort: the close says enough */
	strscpy(e.text, text, sizeof(e.text));
	agent_str_clean(e.text, HYPERVIVE_PROTO_TEXT_MAX);
	if (!tx_seal(HYPERVIVE_PROTO_T_ERROR, 0,
		     hypervive_proto_error_encode(tx_payload(), tx_room(), &e)))
		tx_flush();
}

static int send_hello(void)
{
	memset(&hello, 0, sizeof(hello));
	hello.min_version = HYPERVIVE_PROTO_VERSION_MIN;
	hello.max_version = HYPERVIVE_PROTO_VERSION_MAX;
	hello.role = HYPERVIVE_PROTO_ROLE_GUEST;
	hello.capabilities = HYPERVIVE_PROTO_CAP_ALL;
	hello.heartbeat_ms = agent_param.heartbeat_ms;
	hello.queue_capacity = agent_param.queue_len;
	agent_ident_fill(&hello);
	return tx_seal(HYPERVIVE_PROTO_T_HELLO, 0,
		       hypervive_proto_hello_encode(tx_payload(), tx_room(),
						    &hello));
}

static u32 load_x100(unsigned long avg)
{
	/* avenrun is fixed point with FSHIFT bits; round to hundredths */
	return (u32)(((u64)avg * 100 + FIXED_1 / 2) >> FSHIFT);
}

static int send_heartbeat(void)
{
	struct hypervive_proto_heartbeat hb = {
		.counter = ++conn.hb_counter,
		.uptime_ns = ktime_get_boottime_ns(),
		.realtime_ns = ktime_get_real_ns(),
		.frozen_count = agent_fs_frozen_count(),
	};
	struct agent_queue_info qi;
	int ret;

	agent_queue_info(&qi);
	hb.load_x100[0] = load_x100(avenrun[0]);
	hb.load_x100[1] = load_x100(avenrun[1]);
	hb.load_x100[2] = load_x100(avenrun[2]);
	hb.queued_events = qi.depth;
	hb.dropped_events = qi.dropped_pending;
	ret = tx_seal(HYPERVIVE_PROTO_T_HEARTBEAT, 0,
		      hypervive_proto_heartbeat_encode(tx_payload(), tx_room(),
						       &hb));
	if (!ret)
		agent_count(heartbeats);
	return ret;
}

/* Fill the buffer: replies first, then the heartbeat, then events. */
static int tx_fill(void)
{
	struct agent_reply *r;
	bool resent;
	u64 seq;
	int len, ret;

	for (;;) {
		spin_lock(&conn.reply_lock);
		r = list_first_entry_or_null(&conn.replies, struct agent_reply,
					     node);
		if (r && (r->gen != conn.gen || r->len <= tx_room()))
			list_del(&r->node);
		else
			r = NULL;
		spin_unlock(&conn.reply_lock);
		if (!r)
			break;
		ret = 0;
		if (r->gen == conn.gen) {
			memcpy(tx_payload(), r->data, r->len);
			ret = tx_seal(r->type, 0, r->len);
		}
		kfree(r);
		if (ret)
			return ret;
	}
	if (conn.hb_due && tx_room() >= HYPERVIVE_PROTO_HEARTBEAT_LEN) {
		ret = send_heartbeat();
		if (ret)
			return ret;
		conn.hb_due = false;
	}
	for (;;) {
		len = agent_queue_take(tx_payload(), tx_room(), &seq, &resent);
		if (len <= 0)
			break;
		ret = tx_seal(HYPERVIVE_PROTO_T_EVENT,
			      resent ? HYPERVIVE_PROTO_F_RESENT : 0, len);
		if (ret)
			return ret;
		conn.max_sent_seq = max(conn.max_sent_seq, seq);
		agent_count(events_sent);
		if (resent)
			agent_count(events_resent);
	}
	return 0;
}

/* ---- rx ---------------------------------------------------------------- */

static void bad_frame(int err, const char *where)
{
	const struct hypervive_proto_hdr *h = &conn.rx_hdr;
	char text[96];

	agent_count(bad_frames);
	pr_warn_ratelimited("bad %s from the host: %pe; type %u (%s) length %u seq %llu version %u; closing the connection\n",
			    where, ERR_PTR(err), h->type,
			    hypervive_proto_type_name(h->type), h->length, h->seq,
			    h->version);
	snprintf(text, sizeof(text), "bad %s: %pe", where, ERR_PTR(err));
	if (conn.st.phase != HYPERVIVE_PROTO_PHASE_CLOSED)
		send_error(HYPERVIVE_PROTO_ERR_BAD_FRAME, h->seq, text);
	conn_close("closed after a bad frame", err, false);
}

static void on_open(const struct hypervive_proto_hello *h)
{
	u64 n, down_s = 0;

	hypervive_proto_state_open(&conn.st, h->selected_version);
	conn.host_caps = h->capabilities & HYPERVIVE_PROTO_CAP_ALL;
	conn.max_sent_seq = 0;
	conn.last_ack = 0;
	conn.hb_counter = 0;
	conn.tokens = HOST_RATE;
	conn.tokens_at = jiffies;
	n = agent_queue_hello(h->last_event_seq,
			      conn.renumber || !conn.ever_open);
	if (conn.ever_open && conn.lost_at_ns)
		down_s = div_u64(ktime_get_boottime_ns() - conn.lost_at_ns,
				 NSEC_PER_SEC);
	spin_lock(&conn.info_lock);
	snprintf(conn.host, sizeof(conn.host), "%s (%s)", h->hostname,
		 h->sw_version);
	conn.since = ktime_get_real_seconds();
	conn.version = h->selected_version;
	spin_unlock(&conn.info_lock);
	atomic64_set(&conn.open_gen, conn.gen);
	WRITE_ONCE(conn.phase, C_OPEN);
	agent_count(connects);
	conn.backoff_ms = READ_ONCE(agent_param.reconnect_min_ms);
	conn.quiet = false;
	pr_info_ratelimited("connected to %s (%s) at vsock:%u:%u, protocol %u; host has events up to %llu, %llu of ours %s\n",
			    h->hostname, h->sw_version, agent_param.cid,
			    agent_param.port, h->selected_version,
			    h->last_event_seq, n,
			    conn.renumber || !conn.ever_open ?
			    "renumbered" : "already logged");
	if (conn.ever_open)
		agent_event(HYPERVIVE_PROTO_EV_RECONNECTED, 0, down_s, NULL, 0,
			    "reached the host again after %llu s", down_s);
	conn.ever_open = true;
	conn.renumber = false;
	/* first heartbeat now, then one per period */
	conn.hb_due = true;
	conn.next_tick = jiffies + msecs_to_jiffies(agent_param.heartbeat_ms);
}

static int on_hello(u16 type, const u8 *p, u32 len)
{
	int ret;

	ret = hypervive_proto_hello_decode(p, len, &hello);
	if (ret)
		return ret;
	if (hello.role != HYPERVIVE_PROTO_ROLE_HOST)
		return -EPROTO;
	if (hello.selected_version < HYPERVIVE_PROTO_VERSION_MIN ||
	    hello.selected_version > HYPERVIVE_PROTO_VERSION_MAX) {
		agent_count(version_mismatches);
		pr_warn_ratelimited("the host selected protocol version %u; this agent speaks %u..%u\n",
				    hello.selected_version,
				    HYPERVIVE_PROTO_VERSION_MIN,
				    HYPERVIVE_PROTO_VERSION_MAX);
		send_error(HYPERVIVE_PROTO_ERR_VERSION, conn.rx_hdr.seq,
			   "agent speaks protocol version 1 only");
		conn_close("no common protocol version", -EPROTO, false);
		return 0;
	}
	on_open(&hello);
	return 0;
}

static int on_ack(u16 type, const u8 *p, u32 len)
{
	u64 seq;
	int ret;

	ret = hypervive_proto_ack_decode(p, len, &seq);
	if (ret)
		return ret;
	/* docs/PROTOCOL.md 6.3: never beyond what we sent, never backwards */
	if (seq > conn.max_sent_seq || seq < conn.last_ack)
		return -EPROTO;
	conn.last_ack = seq;
	agent_queue_ack(seq);
	return 0;
}

static int on_request(u16 type, const u8 *p, u32 len)
{
	struct hypervive_proto_freeze fr;
	struct hypervive_proto_thaw th;
	u32 need = type == HYPERVIVE_PROTO_T_QUERY ? HYPERVIVE_PROTO_CAP_QUERY :
		   HYPERVIVE_PROTO_CAP_FREEZE;
	int ret;

	if (!(conn.host_caps & need))
		return -EPROTO;		/* the host did not announce it */
	switch (type) {
	case HYPERVIVE_PROTO_T_FREEZE:
		ret = hypervive_proto_freeze_decode(p, len, &fr);
		break;
	case HYPERVIVE_PROTO_T_THAW:
		ret = hypervive_proto_thaw_decode(p, len, &th);
		break;
	default:
		ret = hypervive_proto_query_decode(p, len);
		break;
	}
	if (ret)
		return ret;
	agent_count(requests);
	agent_dbg("%s request %llu\n", hypervive_proto_type_name(type),
		  conn.rx_hdr.seq);
	ret = agent_fs_request(type, conn.rx_hdr.seq, conn.gen,
			       type == HYPERVIVE_PROTO_T_FREEZE ? &fr : NULL,
			       type == HYPERVIVE_PROTO_T_THAW ? &th : NULL);
	if (ret == -ENOMEM) {
		conn_close("out of memory for a request", ret, false);
		return 0;
	}
	return 0;	/* -ESHUTDOWN: unloading, the request dies with us */
}

static int on_error(u16 type, const u8 *p, u32 len)
{
	struct hypervive_proto_error e;
	int ret;

	ret = hypervive_proto_error_decode(p, len, &e);
	agent_count(host_errors);
	if (!ret && e.code == HYPERVIVE_PROTO_ERR_VERSION)
		agent_count(version_mismatches);
	pr_warn_ratelimited("the host sent ERROR %u (%s): %s\n",
			    ret ? 0 : e.code,
			    hypervive_proto_error_name(ret ? 0 : e.code),
			    ret ? "(malformed)" : e.text);
	conn_close("the host sent ERROR", -ECONNREFUSED, false);
	return 0;
}

static int on_bye(u16 type, const u8 *p, u32 len)
{
	struct hypervive_proto_bye b;
	int ret;

	ret = hypervive_proto_bye_decode(p, len, &b);
	pr_info_ratelimited("the host said BYE (reason %u%s)\n",
			    ret ? 0 : b.reason, ret ? ", malformed" : "");
	conn_close("the host said BYE", 0, false);
	return 0;
}

/*
 * What the agent does with each type the host may send (the codec's table,
 * lib/proto.c, says which those are and how long they may be).
 */
static int (* const handlers[HYPERVIVE_PROTO_T_COUNT])(u16 type, const u8 *p, u32 len) = {
	[HYPERVIVE_PROTO_T_HELLO] = on_hello,
	[HYPERVIVE_PROTO_T_ACK] = on_ack,
	[HYPERVIVE_PROTO_T_FREEZE] = on_request,
	[HYPERVIVE_PROTO_T_THAW] = on_request,
	[HYPERVIVE_PROTO_T_QUERY] = on_request,
	[HYPERVIVE_PROTO_T_ERROR] = on_error,
	[HYPERVIVE_PROTO_T_BYE] = on_bye,
};

static int dispatch(const struct hypervive_proto_hdr *h, const u8 *p)
{
	/* hdr_validate lets only host-to-guest types through. */
	if (h->type >= HYPERVIVE_PROTO_T_COUNT || !handlers[h->type])
		return -EPROTO;
	return handlers[h->type](h->type, p, h->length);
}

/* Frames beyond the rate wait in the socket; an advancing ACK is free. */
static bool rate_allows(const struct hypervive_proto_hdr *h, const u8 *p)
{
	unsigned long now = jiffies;
	unsigned int add;

	if (h->type == HYPERVIVE_PROTO_T_ACK &&
	    h->length == HYPERVIVE_PROTO_ACK_LEN &&
	    hypervive_proto_get_u64(p) > conn.last_ack)
		return true;
	/* a second refills the bucket: longer idle must not overflow */
	add = min(jiffies_to_msecs(now - conn.tokens_at), 1000U) * HOST_RATE /
	      1000;
	if (add) {
		conn.tokens = min(conn.tokens + add, (unsigned int)HOST_RATE);
		conn.tokens_at = now;
	}
	if (!conn.tokens) {
		if (!conn.throttled)
			agent_count(throttled);
		conn.throttled = true;
		return false;
	}
	conn.tokens--;
	conn.throttled = false;
	return true;
}

static int recv_some(u8 *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec vec = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(conn.sock, &msg, &vec, 1, len, MSG_DONTWAIT);
}

static void rx_pump(void)
{
	struct hypervive_proto_hdr *h = &conn.rx_hdr;
	unsigned int budget = RX_BUDGET;
	u32 need;
	int ret, n;

	while (conn.phase == C_HELLO || conn.phase == C_OPEN) {
		if (conn.phase == C_OPEN &&
		    agent_fs_outstanding() >= REQUESTS_MAX)
			return;	/* woken when one completes */
		need = conn.rx_hdr_ok ? HDR + h->length : HDR;
		if (conn.rx_len < need) {
			n = recv_some(conn.rx + conn.rx_len, need - conn.rx_len);
			if (n == -EAGAIN)
				return;
			if (n <= 0) {
				conn_close(n ? "receive failed" :
					   "the host closed the connection",
					   n, false);
				return;
			}
			conn.rx_len += n;
			continue;
		}
		if (!conn.rx_hdr_ok) {
			hypervive_proto_hdr_decode(conn.rx, HDR, h);
			ret = hypervive_proto_hdr_validate(h, &conn.st);
			if (ret) {
				bad_frame(ret, "header");
				return;
			}
			conn.rx_hdr_ok = true;
			continue;
		}
		if (!rate_allows(h, conn.rx + HDR))
			return;
		if (!budget--) {
			agent_kick();	/* more after the others had a turn */
			return;
		}
		hypervive_proto_rx_accept(&conn.st, h);
		agent_count(host_frames);
		agent_dbg_ratelimited("host %s seq %llu length %u\n",
				      hypervive_proto_type_name(h->type),
				      h->seq, h->length);
		ret = dispatch(h, conn.rx + HDR);
		if (ret) {
			bad_frame(ret, "payload");
			return;
		}
		conn.rx_len = 0;
		conn.rx_hdr_ok = false;
	}
}

/* ---- the worker -------------------------------------------------------- */

static bool more_to_send(void)
{
	bool replies;

	spin_lock(&conn.reply_lock);
	replies = !list_empty(&conn.replies);
	spin_unlock(&conn.reply_lock);
	return replies || conn.hb_due || agent_queue_unsent();
}

/* Fill and send until the socket is full or nothing is left. */
static void tx_pump(void)
{
	unsigned int rounds;
	int ret;

	for (rounds = 0; rounds < 16; rounds++) {
		if (conn.phase == C_OPEN) {
			ret = tx_fill();
			if (ret) {
				conn_close("cannot build a frame", ret, false);
				return;
			}
		}
		ret = tx_flush();
		if (ret) {
			conn_close("send failed", ret, false);
			return;
		}
		if (conn.tx_len || conn.phase != C_OPEN || !more_to_send())
			return;	/* write_space or the next event wakes us */
		cond_resched();
	}
	agent_kick();	/* more to send: after a turn of the loop */
}

static void step(void)
{
	struct sock *sk;
	int ret;

	switch (conn.phase) {
	case C_DOWN:
		if (time_after_eq(jiffies, conn.retry_at))
			start_connect();
		break;
	case C_CONNECTING:
		sk = conn.sock->sk;
		if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED) {
			hypervive_proto_state_init(&conn.st,
						   HYPERVIVE_PROTO_ROLE_GUEST);
			WRITE_ONCE(conn.phase, C_HELLO);
			conn.deadline = jiffies +
					msecs_to_jiffies(HELLO_TIMEOUT_MS);
			ret = send_hello();
			if (ret)
				conn_close("cannot build HELLO", ret, false);
		} else if (READ_ONCE(sk->sk_err)) {
			conn_close("connect failed", -READ_ONCE(sk->sk_err),
				   false);
		} else if (time_after_eq(jiffies, conn.deadline)) {
			conn_close("connect timed out", -ETIMEDOUT, false);
		}
		break;
	case C_HELLO:
		rx_pump();
		if (conn.phase == C_HELLO &&
		    time_after_eq(jiffies, conn.deadline))
			conn_close("no HELLO from the host in 10 s", -ETIMEDOUT,
				   false);
		break;
	case C_OPEN:
		rx_pump();
		break;
	}
	if (conn.phase == C_HELLO || conn.phase == C_OPEN)
		tx_pump();
}

static void on_restore(void)
{
	conn.renumber = true;
	if (conn.phase != C_DOWN)
		conn_close("the VM was restored from a checkpoint", 0, true);
	else
		conn.retry_at = jiffies;
}

static unsigned long next_wakeup(void)
{
	unsigned long t = conn.next_tick;

	switch (conn.phase) {
	case C_DOWN:
		if (time_before(conn.retry_at, t))
			t = conn.retry_at;
		break;
	case C_CONNECTING:
	case C_HELLO:
		if (time_before(conn.deadline, t))
			t = conn.deadline;
		break;
	case C_OPEN:
		if (conn.throttled) {
			unsigned long r = jiffies + msecs_to_jiffies(1000 / HOST_RATE);

			if (time_before(r, t))
				t = r;
		}
		break;
	}
	return t;
}

/* Unloading: send what is queued (for a while), then BYE, then close. */
static void final_flush(void)
{
	unsigned long end = jiffies + msecs_to_jiffies(STOP_FLUSH_MS);
	struct hypervive_proto_bye bye = { HYPERVIVE_PROTO_BYE_UNLOAD };
	bool bye_sealed = false;

	while (conn.phase == C_OPEN && time_before(jiffies, end)) {
		atomic_set(&conn.kicked, 0);
		if (!bye_sealed && tx_fill())
			break;
		if (tx_flush())
			break;
		if (!conn.tx_len) {
			if (bye_sealed)
				break;		/* BYE is out */
			if (agent_queue_unsent())
				continue;
			if (tx_seal(HYPERVIVE_PROTO_T_BYE, 0,
				    hypervive_proto_bye_encode(tx_payload(),
							       tx_room(), &bye)))
				break;
			bye_sealed = true;
			continue;
		}
		wait_event_idle_timeout(conn.wq, atomic_read(&conn.kicked),
					msecs_to_jiffies(50));
	}
	if (bye_sealed && !conn.tx_len)
		agent_dbg("final flush: everything sent, BYE sent\n");
	else if (conn.phase == C_OPEN)
		pr_info("unloading: the host did not take everything within %u ms (%u bytes unsent%s); it sees the connection close without a BYE\n",
			STOP_FLUSH_MS, conn.tx_len - conn.tx_off,
			agent_queue_unsent() ? ", events unsent" : "");
	atomic64_set(&conn.open_gen, 0);
	sock_close();
	WRITE_ONCE(conn.phase, C_DOWN);
	drop_replies();
}

static int agent_thread(void *unused)
{
	unsigned long now, t;
	unsigned int hb_ms = agent_param.heartbeat_ms;

	conn.retry_at = jiffies;
	conn.next_tick = jiffies + msecs_to_jiffies(hb_ms);
	while (!kthread_should_stop()) {
		agent_count(wakeups);
		atomic_set(&conn.kicked, 0);
		if (agent_restore_take())
			on_restore();
		now = jiffies;
		if (time_after_eq(now, conn.next_tick)) {
			agent_restore_poll();
			if (conn.phase == C_OPEN)
				conn.hb_due = true;
			conn.next_tick += msecs_to_jiffies(hb_ms);
			if (time_after_eq(now, conn.next_tick))	/* fell behind */
				conn.next_tick = now + msecs_to_jiffies(hb_ms);
		}
		step();
		t = next_wakeup();
		now = jiffies;
		wait_event_idle_timeout(conn.wq, atomic_read(&conn.kicked) ||
					kthread_should_stop(),
					time_after(t, now) ? t - now : 0);
	}
	final_flush();
	return 0;
}

int agent_conn_start(void)
{
	struct task_struct *task;

	conn.renumber = true;
	conn.backoff_ms = agent_param.reconnect_min_ms;
	conn.rx = kmalloc(HYPERVIVE_PROTO_MAX_FRAME, GFP_KERNEL);
	conn.tx = kmalloc(TX_CAP, GFP_KERNEL);
	if (!conn.rx || !conn.tx)
		goto err;
	task = kthread_run(agent_thread, NULL, "hypervive_agent");
	if (IS_ERR(task)) {
		kfree(conn.rx);
		kfree(conn.tx);
		return PTR_ERR(task);
	}
	conn.task = task;
	return 0;
err:
	kfree(conn.rx);
	kfree(conn.tx);
	return -ENOMEM;
}

void agent_conn_stop(void)
{
	kthread_stop(conn.task);
	conn.task = NULL;
	kfree(conn.rx);
	kfree(conn.tx);
	conn.rx = NULL;
	conn.tx = NULL;
}

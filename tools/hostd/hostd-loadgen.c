// SPDX-License-Identifier: GPL-2.0
/*
 * hostd-loadgen: N simulated guests speaking the guest side of the agent
 * protocol over unix, tcp or vsock, with the agent's queueing rules
 * (events kept until ACKed, resent after a reconnect, overflow counted and
 * reported), heartbeats, and answers to FREEZE, THAW and QUERY from a
 * simulated set of filesystems.  --malformed and --random turn it into a
 * test peer that sends bad frames (loadgen-peer.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadgen.h"

#define HDR		HYPERVIVE_PROTO_HDR_SIZE
#define RX_CAP		(2 * HYPERVIVE_PROTO_MAX_FRAME)
#define QCAP_MAX	4096
#define GRACE_MS	300

struct qev {
	uint32_t id;
	uint64_t ckpt;
	int64_t value;
};

struct sim {
	int fd;
	unsigned int idx;
	enum { S_DOWN, S_HELLO, S_OPEN, S_DONE } state;
	struct hypervive_proto_state st;
	char boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];
	char hostname[HYPERVIVE_PROTO_HOSTNAME_MAX + 1];
	uint8_t rx[RX_CAP];
	size_t rx_len;
	uint8_t *tx;
	size_t tx_len, tx_cap;
	struct qev *q;			/* ring indexed by seq % queue */
	uint64_t next_seq, q_first, sent_hi, acked;
	uint32_t dropped;		/* overflowed, not yet reported */
	unsigned int round, generated_round;
	bool fresh, opened_once, refused;
	bool broken;			/* send failed; waiting for EOF */
	uint64_t next_hb, next_ev, round_done_at, hb_count;
	bool frozen;
	uint64_t ckpt, thaw_at;
};

struct lg_opts lg = {
	.guests = 1, .heartbeat_ms = 1000, .event_interval_ms = 100,
	.freeze_timeout_ms = 30000, .queue = 256, .first_seq = 1,
	.caps = HYPERVIVE_PROTO_CAP_ALL, .min_version = HYPERVIVE_PROTO_VERSION_MIN,
	.max_version = HYPERVIVE_PROTO_VERSION_MAX, .hostname = "loadgen",
};

static struct sim *sims;
static int epfd;
static uint64_t t_start;
static volatile sig_atomic_t stop;
static uint8_t txbuf[HYPERVIVE_PROTO_MAX_FRAME];
static struct {
	uint64_t connects, events, resent, acked, heartbeats, requests;
	uint64_t overflow, errors, refused, closed_by_host;
} tot;

static const uint32_t wire_ids[] = {
	HYPERVIVE_PROTO_EV_AGENT_STARTED, HYPERVIVE_PROTO_EV_CLOCK_JUMP,
	HYPERVIVE_PROTO_EV_RECONNECTED, HYPERVIVE_PROTO_EV_RESTORED,
};

/* ---- helpers shared with loadgen-peer.c ------------------------------ */

uint32_t lg_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9U;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

void lg_boot_id(unsigned int idx, char out[HYPERVIVE_PROTO_BOOT_ID_LEN + 1])
{
	static uint8_t base[16];
	static bool have;
	uint8_t b[16];
	int i;

	if (!have) {
		if (getrandom(base, sizeof(base), 0) != sizeof(base))
			memset(base, 0x5a, sizeof(base));
		have = true;
	}
	if (lg.boot_id && idx == 0) {
		snprintf(out, HYPERVIVE_PROTO_BOOT_ID_LEN + 1, "%s", lg.boot_id);
		return;
	}
	memcpy(b, base, sizeof(b));
	if (lg.boot_id)		/* derive the others from the given one */
		for (i = 0; i < 16; i++)
			sscanf(lg.boot_id + i * 2 + (i >= 4) + (i >= 6) + (i >= 8) + (i >= 10),
			       "%2hhx", &b[i]);
	b[12] ^= (uint8_t)(idx >> 24);
	b[13] ^= (uint8_t)(idx >> 16);
	b[14] ^= (uint8_t)(idx >> 8);
	b[15] ^= (uint8_t)idx;
	snprintf(out, HYPERVIVE_PROTO_BOOT_ID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
		 b[11], b[12], b[13], b[14], b[15]);
}

int lg_hello(uint8_t *buf, size_t cap, const char *hostname, const char *boot_id,
	     uint16_t min_v, uint16_t max_v)
{
	struct hypervive_proto_hello h;

	memset(&h, 0, sizeof(h));
	h.min_version = min_v;
	h.max_version = max_v;
	h.role = HYPERVIVE_PROTO_ROLE_GUEST;
	h.capabilities = lg.caps;
	h.heartbeat_ms = lg.heartbeat_ms;
	h.queue_capacity = lg.queue;
	snprintf(h.hostname, sizeof(h.hostname), "%s", hostname);
	snprintf(h.release, sizeof(h.release), "loadgen");
	snprintf(h.boot_id, sizeof(h.boot_id), "%s", boot_id);
	snprintf(h.sw_version, sizeof(h.sw_version), "hostd-loadgen 1.0");
	return hypervive_proto_hello_encode(buf, cap, &h);
}

/* Simulated filesystems: "/" freezable, "/boot" read-only, "/srv" frozen
 * by another freezer (e.g. fsfreeze). */
static unsigned int sim_fs(const struct sim *s, struct hypervive_proto_fs *fs,
			   bool thawing)
{
	memset(fs, 0, 3 * sizeof(*fs));
	fs[0].dev = (8U << 20) | 1;
	fs[0].state = s->frozen && !thawing ? HYPERVIVE_PROTO_FS_FROZEN :
		      HYPERVIVE_PROTO_FS_THAWED;
	strcpy(fs[0].mount, "/");
	strcpy(fs[0].fstype, "ext4");
	fs[1].dev = (8U << 20) | 2;
	fs[1].state = HYPERVIVE_PROTO_FS_SKIPPED;
	fs[1].reason = HYPERVIVE_PROTO_SKIP_READ_ONLY;
	strcpy(fs[1].mount, "/boot");
	strcpy(fs[1].fstype, "ext2");
	fs[2].dev = (8U << 20) | 17;
	fs[2].state = HYPERVIVE_PROTO_FS_FROZEN_OTHER;
	strcpy(fs[2].mount, "/srv");
	strcpy(fs[2].fstype, "xfs");
	return 3;
}

static int event_payload(const struct sim *s, uint64_t seq, uint8_t *buf, size_t cap)
{
	const struct qev *q = &s->q[seq % lg.queue];
	struct hypervive_proto_fs fs[3];
	struct hypervive_proto_event ev;
	uint16_t level;

	memset(&ev, 0, sizeof(ev));
	ev.event_seq = seq;
	ev.timestamp_ns = now_realtime_ns();
	ev.event_id = q->id;
	hypervive_proto_event_name(q->id, &level);
	ev.level = level ? level : HYPERVIVE_PROTO_LEVEL_INFO;
	ev.checkpoint_id = q->ckpt;
	ev.value = q->value;
	if (q->id == HYPERVIVE_PROTO_EV_FS_FROZEN) {
		struct sim tmp = *s;

		tmp.frozen = true;
		ev.fs_count = (uint16_t)sim_fs(&tmp, fs, false);
	}
	snprintf(ev.text, sizeof(ev.text), "loadgen %s event %llu", s->hostname,
		 (unsigned long long)seq);
	return hypervive_proto_event_encode(buf, cap, &ev, fs);
}

int lg_event(uint8_t *buf, size_t cap, uint64_t seq, uint32_t id,
	     uint64_t ckpt, int64_t value, const char *text)
{
	struct hypervive_proto_event ev;
	uint16_t level;

	memset(&ev, 0, sizeof(ev));
	ev.event_seq = seq;
	ev.timestamp_ns = now_realtime_ns();
	ev.event_id = id;
	hypervive_proto_event_name(id, &level);
	ev.level = level ? level : HYPERVIVE_PROTO_LEVEL_INFO;
	ev.checkpoint_id = ckpt;
	ev.value = value;
	snprintf(ev.text, sizeof(ev.text), "%s", text);
	return hypervive_proto_event_encode(buf, cap, &ev, NULL);
}

/* ---- one simulated guest -------------------------------------------- */

static void sim_close(struct sim *s, const char *why)
{
	if (s->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
	}
	s->fd = -1;
	s->tx_len = 0;
	s->rx_len = 0;
	s->broken = false;
	if (s->state != S_DONE)
		s->state = S_DOWN;
	if (lg.verbose)
		fprintf(stderr, "loadgen: %s: closed: %s\n", s->hostname, why);
}

static void sim_fail(struct sim *s, const char *why)
{
	tot.errors++;
	fprintf(stderr, "loadgen: %s: error: %s\n", s->hostname, why);
	sim_close(s, why);
	s->state = S_DONE;
}

static void sim_flush(struct sim *s)
{
	struct epoll_event ev = { .data.ptr = s };
	ssize_t w;

	while (s->tx_len) {
		w = send(s->fd, s->tx, s->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* the host closed: read what it said (ERROR?) and the EOF */
			s->tx_len = 0;
			s->broken = true;
			break;
		}
		memmove(s->tx, s->tx + w, s->tx_len - (size_t)w);
		s->tx_len -= (size_t)w;
	}
	ev.events = EPOLLIN | (s->tx_len ? EPOLLOUT : 0);
	epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

static int sim_send(struct sim *s, uint16_t type, uint16_t flags, int plen)
{
	int n;

	if (plen < 0 || s->fd < 0 || s->broken)
		return plen < 0 ? plen : -ENOTCONN;
	n = hypervive_proto_frame_seal(&s->st, txbuf, sizeof(txbuf), type, flags,
				       (size_t)plen);
	if (n < 0)
		return n;
	if (s->tx_len + (size_t)n > s->tx_cap) {
		size_t cap = s->tx_cap ? s->tx_cap * 2 : 16384;
		uint8_t *t;

		while (cap < s->tx_len + (size_t)n)
			cap *= 2;
		t = realloc(s->tx, cap);
		if (!t)
			return -ENOMEM;
		s->tx = t;
		s->tx_cap = cap;
	}
	memcpy(s->tx + s->tx_len, txbuf, (size_t)n);
	s->tx_len += (size_t)n;
	return 0;
}

static void sim_connect(struct sim *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
	int fd = net_connect(&lg.addr);

	if (fd < 0) {
		sim_fail(s, strerror(-fd));
		return;
	}
	net_set_nonblock(fd);
	s->fd = fd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
	hypervive_proto_state_init(&s->st, HYPERVIVE_PROTO_ROLE_GUEST);
	s->state = S_HELLO;
	s->acked = 0;
	tot.connects++;
	if (sim_send(s, HYPERVIVE_PROTO_T_HELLO, 0,
		     lg_hello(txbuf + HDR, sizeof(txbuf) - HDR, s->hostname,
			      s->boot_id, lg.min_version, lg.max_version)))
		sim_fail(s, "cannot encode HELLO");
	else
		sim_flush(s);
}

/* Queue an event as the agent does: a full queue drops and counts it. */
static void sim_queue(struct sim *s, uint32_t id, uint64_t ckpt, int64_t value)
{
	struct qev *q;

	if (s->dropped && s->next_seq - s->q_first < lg.queue) {
		q = &s->q[s->next_seq % lg.queue];
		q->id = HYPERVIVE_PROTO_EV_QUEUE_OVERFLOW;
		q->ckpt = 0;
		q->value = s->dropped;
		s->dropped = 0;
		s->next_seq++;
	}
	if (s->next_seq - s->q_first >= lg.queue) {
		s->dropped++;
		tot.overflow++;
		return;
	}
	q = &s->q[s->next_seq % lg.queue];
	q->id = id;
	q->ckpt = ckpt;
	q->value = value;
	s->next_seq++;
}

/* Send queued events not yet sent on this connection. */
static void sim_send_queue(struct sim *s)
{
	uint64_t seq;

	if (s->state != S_OPEN)
		return;
	for (seq = s->sent_hi + 1; seq < s->next_seq; seq++) {
		if (sim_send(s, HYPERVIVE_PROTO_T_EVENT, 0,
			     event_payload(s, seq, txbuf + HDR, sizeof(txbuf) - HDR)))
			break;
		tot.events++;
		if (lg.dup && !sim_send(s, HYPERVIVE_PROTO_T_EVENT,
					HYPERVIVE_PROTO_F_RESENT,
					event_payload(s, seq, txbuf + HDR,
						      sizeof(txbuf) - HDR)))
			tot.resent++;
		s->sent_hi = seq;
	}
}

static void sim_on_hello(struct sim *s, const uint8_t *p, size_t len)
{
	struct hypervive_proto_hello h;
	uint64_t last, seq;

	if (hypervive_proto_hello_decode(p, len, &h) ||
	    h.role != HYPERVIVE_PROTO_ROLE_HOST ||
	    h.selected_version < lg.min_version || h.selected_version > lg.max_version) {
		sim_fail(s, "bad host HELLO");
		return;
	}
	hypervive_proto_state_open(&s->st, h.selected_version);
	s->state = S_OPEN;
	last = h.last_event_seq;
	if (s->fresh && s->next_seq == s->q_first) {
		/* a fresh agent continues after what the host has seen */
		if (last >= s->next_seq)
			s->next_seq = s->q_first = last + 1;
	} else if (!lg.lose_acks && last >= s->q_first) {
		s->q_first = last + 1 < s->next_seq ? last + 1 : s->next_seq;
	}
	s->fresh = false;
	s->opened_once = true;
	s->hb_count = 0;
	s->next_hb = now_ms();
	/* resend what is queued, in order */
	for (seq = s->q_first; seq < s->next_seq; seq++) {
		if (sim_send(s, HYPERVIVE_PROTO_T_EVENT, HYPERVIVE_PROTO_F_RESENT,
			     event_payload(s, seq, txbuf + HDR, sizeof(txbuf) - HDR)))
			break;
		tot.resent++;
	}
	s->sent_hi = s->next_seq - 1;
	if (lg.verbose)
		fprintf(stderr, "loadgen: %s: open, host last_event_seq=%llu, next=%llu\n",
			s->hostname, (unsigned long long)last,
			(unsigned long long)s->next_seq);
}

static void sim_reply(struct sim *s, uint16_t type, uint64_t req, int32_t status,
		      bool thawing)
{
	struct hypervive_proto_fs fs[3];
	struct hypervive_proto_report r = {
		.request_seq = req, .checkpoint_id = s->frozen ? s->ckpt : 0,
		.status = status,
	};
	uint64_t now = now_ms();

	r.fs_count = (uint16_t)sim_fs(s, fs, thawing);
	if (s->frozen && !thawing && s->thaw_at > now)
		r.remaining_ms = (uint32_t)(s->thaw_at - now);
	tot.requests++;
	sim_send(s, type, 0, hypervive_proto_report_encode(txbuf + HDR,
							   sizeof(txbuf) - HDR, &r, fs));
}

static void sim_thaw(struct sim *s, uint32_t why)
{
	sim_queue(s, why, s->ckpt, 0);
	s->frozen = false;
}

static int sim_frame(struct sim *s, const struct hypervive_proto_hdr *h,
		     const uint8_t *p)
{
	struct hypervive_proto_freeze fr;
	struct hypervive_proto_thaw th;
	struct hypervive_proto_error e;
	uint64_t ack;

	switch (h->type) {
	case HYPERVIVE_PROTO_T_HELLO:
		sim_on_hello(s, p, h->length);
		return 0;
	case HYPERVIVE_PROTO_T_ACK:
		if (hypervive_proto_ack_decode(p, h->length, &ack) ||
		    ack > s->sent_hi || ack < s->acked)
			return -EPROTO;
		s->acked = ack;
		if (!lg.lose_acks && ack >= s->q_first) {
			tot.acked += ack + 1 - s->q_first;
			s->q_first = ack + 1;
		}
		return 0;
	case HYPERVIVE_PROTO_T_FREEZE:
		if (hypervive_proto_freeze_decode(p, h->length, &fr))
			return -EBADMSG;
		if (s->frozen) {	/* same checkpoint: idempotent; else busy */
			sim_reply(s, HYPERVIVE_PROTO_T_FREEZE_REPLY, h->seq,
				  s->ckpt == fr.checkpoint_id ? 0 : -EBUSY, false);
			return 0;
		}
		s->frozen = true;
		s->ckpt = fr.checkpoint_id;
		s->thaw_at = now_ms() + (fr.timeout_ms ? fr.timeout_ms : lg.freeze_timeout_ms);
		sim_queue(s, HYPERVIVE_PROTO_EV_FS_FROZEN, s->ckpt, 0);
		sim_reply(s, HYPERVIVE_PROTO_T_FREEZE_REPLY, h->seq, 0, false);
		return 0;
	case HYPERVIVE_PROTO_T_THAW:
		if (hypervive_proto_thaw_decode(p, h->length, &th))
			return -EBADMSG;
		if (s->frozen && th.checkpoint_id && th.checkpoint_id != s->ckpt) {
			sim_reply(s, HYPERVIVE_PROTO_T_THAW_REPLY, h->seq, -ESRCH, false);
			return 0;
		}
		sim_reply(s, HYPERVIVE_PROTO_T_THAW_REPLY, h->seq, 0, true);
		if (s->frozen)
			sim_thaw(s, HYPERVIVE_PROTO_EV_FS_THAWED);
		return 0;
	case HYPERVIVE_PROTO_T_QUERY:
		if (hypervive_proto_query_decode(p, h->length))
			return -EBADMSG;
		sim_reply(s, HYPERVIVE_PROTO_T_QUERY_REPLY, h->seq, 0, false);
		return 0;
	case HYPERVIVE_PROTO_T_ERROR:
		memset(&e, 0, sizeof(e));
		hypervive_proto_error_decode(p, h->length, &e);
		printf("loadgen: %s: refused by host: code=%u (%s) text=\"%s\"\n",
		       s->hostname, e.code, hypervive_proto_error_name(e.code), e.text);
		tot.refused++;
		s->refused = true;
		sim_close(s, "ERROR from host");
		s->state = S_DONE;
		return 0;
	case HYPERVIVE_PROTO_T_BYE:
		tot.closed_by_host++;
		sim_close(s, "BYE from host");
		s->state = S_DONE;
		return 0;
	}
	return -EPROTO;
}

static void sim_readable(struct sim *s)
{
	struct hypervive_proto_hdr h;
	size_t off = 0;
	ssize_t n;

	n = recv(s->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len, 0);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		tot.closed_by_host++;
		sim_fail(s, "connection closed by host");
		return;
	}
	s->rx_len += (size_t)n;
	while (s->fd >= 0 && s->rx_len - off >= HDR) {
		hypervive_proto_hdr_decode(s->rx + off, s->rx_len - off, &h);
		if (hypervive_proto_hdr_validate(&h, &s->st)) {
			sim_fail(s, "bad frame from host");
			return;
		}
		if (s->rx_len - off < HDR + h.length)
			break;
		hypervive_proto_rx_accept(&s->st, &h);
		if (sim_frame(s, &h, s->rx + off + HDR)) {
			sim_fail(s, "bad message from host");
			return;
		}
		off += HDR + h.length;
	}
	if (s->fd < 0)
		return;
	memmove(s->rx, s->rx + off, s->rx_len - off);
	s->rx_len -= off;
	sim_send_queue(s);
	sim_flush(s);
}

static bool heartbeats_paused(uint64_t now)
{
	uint64_t from = t_start + lg.pause_after_ms;

	return lg.pause_for_ms && now >= from && now < from + lg.pause_for_ms;
}

/* Timers of one guest; returns true once it has nothing more to do. */
static bool sim_tick(struct sim *s, uint64_t now)
{
	struct hypervive_proto_heartbeat hb;

	if (s->state == S_DONE)
		return true;
	if (s->state == S_DOWN) {
		if (s->frozen)		/* the agent thaws when it loses the host */
			sim_thaw(s, HYPERVIVE_PROTO_EV_THAW_DISCONNECT);
		sim_connect(s);
		return false;
	}
	if (s->state != S_OPEN)
		return false;
	if (s->frozen && now >= s->thaw_at)
		sim_thaw(s, HYPERVIVE_PROTO_EV_THAW_TIMEOUT);
	if (now >= s->next_hb) {
		if (!heartbeats_paused(now)) {
			memset(&hb, 0, sizeof(hb));
			hb.counter = ++s->hb_count;
			hb.uptime_ns = (now - t_start) * 1000000ULL;
			hb.realtime_ns = now_realtime_ns();
			hb.load_x100[0] = 42;
			hb.queued_events = (uint32_t)(s->next_seq - s->q_first);
			hb.dropped_events = s->dropped;
			hb.frozen_count = s->frozen;
			if (!sim_send(s, HYPERVIVE_PROTO_T_HEARTBEAT, 0,
				      hypervive_proto_heartbeat_encode(txbuf + HDR,
								       sizeof(txbuf) - HDR, &hb)))
				tot.heartbeats++;
		}
		s->next_hb = now + lg.heartbeat_ms;
	}
	if (s->generated_round < lg.events && now >= s->next_ev) {
		uint32_t id = wire_ids[s->next_seq % (sizeof(wire_ids) / sizeof(wire_ids[0]))];

		sim_queue(s, id, 0, id == HYPERVIVE_PROTO_EV_CLOCK_JUMP ? -5 : 0);
		s->generated_round++;
		s->next_ev = now + lg.event_interval_ms;
		if (s->generated_round == lg.events)
			s->round_done_at = 0;
	}
	sim_send_queue(s);
	if (s->fd >= 0)
		sim_flush(s);
	if (s->fd < 0 || s->generated_round < lg.events)
		return false;
	/* an unloading agent: done once everything is sent, acked or not */
	if (lg.unload)
		return s->sent_hi + 1 == s->next_seq && !s->tx_len;
	/* round finished: all acked (or, losing ACKs, a grace period over) */
	if (!lg.lose_acks && (s->q_first < s->next_seq || s->tx_len))
		return false;
	if (!s->round_done_at)
		s->round_done_at = now;
	if (lg.lose_acks && now - s->round_done_at < GRACE_MS)
		return false;
	if (s->round < lg.reconnects) {
		s->round++;
		s->generated_round = 0;
		sim_close(s, "reconnect round");
		return false;
	}
	return !lg.duration_s && lg.events;
}

static void sim_bye(struct sim *s)
{
	struct hypervive_proto_bye b = {
		lg.unload ? HYPERVIVE_PROTO_BYE_UNLOAD : HYPERVIVE_PROTO_BYE_NORMAL
	};
	int fl;

	if (s->fd < 0 || s->state != S_OPEN)
		return;
	sim_send(s, HYPERVIVE_PROTO_T_BYE, 0,
		 hypervive_proto_bye_encode(txbuf + HDR, sizeof(txbuf) - HDR, &b));
	/* blocking flush of the last bytes */
	fl = 0;
	while (s->tx_len && fl++ < 100) {
		sim_flush(s);
		if (s->tx_len)
			usleep(1000);
	}
	sim_close(s, "done");
	s->state = S_DONE;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: hostd-loadgen --connect SPEC [options]\n"
"  SPEC: unix:PATH | tcp:ADDR:PORT | vsock:CID:PORT (vsock only inside a guest)\n"
"  --guests N              simulated guests (1)\n"
"  --heartbeat-ms MS       heartbeat period announced and kept (1000)\n"
"  --events N              events per connection round (0)\n"
"  --event-interval-ms MS  between events of one guest (100)\n"
"  --reconnects N          after each round, reconnect and resend (0)\n"
"  --lose-acks             ignore ACKs and the host's last_event_seq: every\n"
"                          reconnect resends everything (duplicates)\n"
"  --dup                   send every event twice on the same connection\n"
"  --duration S            run S seconds then say BYE (0: until events acked)\n"
"  --unload                as an unloading agent: every event sent at once,\n"
"                          then BYE(unload) and close, without waiting for ACKs\n"
"  --pause-heartbeats AFTER_MS:FOR_MS  stop heartbeats for a while\n"
"  --hostname NAME         hostname (NAME-i for several guests) (loadgen)\n"
"  --boot-id UUID          boot ID of guest 0 (others derived)\n"
"  --min-version V --max-version V   versions offered in HELLO\n"
"  --caps MASK             capability bits (7)\n"
"  --queue N               event queue capacity (256)\n"
"  --freeze-timeout-ms MS  default auto-thaw of the simulated agent (30000)\n"
"  --malformed KIND|all    test peer: send one bad frame per connection\n"
"  --random N [--seed S]   test peer: N connections with mutated frames\n"
"  -q, --quiet / -v, --verbose\n"
"Exit: 0 ok, 1 errors or unacked events, 2 usage, 3 refused by the host.\n");
}

static int parse_args(int argc, char **argv)
{
	enum { O_GUESTS = 256, O_HB, O_EVENTS, O_EVI, O_RECON, O_LOSE, O_DUP,
	       O_DUR, O_PAUSE, O_HOST, O_BOOT, O_MINV, O_MAXV, O_CAPS, O_QUEUE,
	       O_FTO, O_MAL, O_RAND, O_SEED, O_UNLOAD };
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "guests", required_argument, NULL, O_GUESTS },
		{ "heartbeat-ms", required_argument, NULL, O_HB },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "event-interval-ms", required_argument, NULL, O_EVI },
		{ "reconnects", required_argument, NULL, O_RECON },
		{ "lose-acks", no_argument, NULL, O_LOSE },
		{ "dup", no_argument, NULL, O_DUP },
		{ "duration", required_argument, NULL, O_DUR },
		{ "unload", no_argument, NULL, O_UNLOAD },
		{ "pause-heartbeats", required_argument, NULL, O_PAUSE },
		{ "hostname", required_argument, NULL, O_HOST },
		{ "boot-id", required_argument, NULL, O_BOOT },
		{ "min-version", required_argument, NULL, O_MINV },
		{ "max-version", required_argument, NULL, O_MAXV },
		{ "caps", required_argument, NULL, O_CAPS },
		{ "queue", required_argument, NULL, O_QUEUE },
		{ "freeze-timeout-ms", required_argument, NULL, O_FTO },
		{ "malformed", required_argument, NULL, O_MAL },
		{ "random", required_argument, NULL, O_RAND },
		{ "seed", required_argument, NULL, O_SEED },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *connect_spec = NULL;
	unsigned long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:qvh", opts, NULL)) != -1) {
		v = optarg ? strtoul(optarg, NULL, 0) : 0;
		switch (opt) {
		case 'c': connect_spec = optarg; break;
		case O_GUESTS: lg.guests = (unsigned int)v; break;
		case O_HB: lg.heartbeat_ms = (unsigned int)v; break;
		case O_EVENTS: lg.events = (unsigned int)v; break;
		case O_EVI: lg.event_interval_ms = (unsigned int)v; break;
		case O_RECON: lg.reconnects = (unsigned int)v; break;
		case O_LOSE: lg.lose_acks = true; break;
		case O_DUP: lg.dup = true; break;
		case O_DUR: lg.duration_s = (unsigned int)v; break;
		case O_UNLOAD: lg.unload = true; break;
		case O_PAUSE:
			if (sscanf(optarg, "%u:%u", &lg.pause_after_ms, &lg.pause_for_ms) != 2)
				return -1;
			break;
		case O_HOST: lg.hostname = optarg; break;
		case O_BOOT:
			if (!hypervive_proto_boot_id_valid((const uint8_t *)optarg,
							   strlen(optarg)))
				return -1;
			lg.boot_id = optarg;
			break;
		case O_MINV: lg.min_version = (uint16_t)v; break;
		case O_MAXV: lg.max_version = (uint16_t)v; break;
		case O_CAPS: lg.caps = (uint32_t)v; break;
		case O_QUEUE: lg.queue = (unsigned int)v; break;
		case O_FTO: lg.freeze_timeout_ms = (unsigned int)v; break;
		case O_MAL: lg.malformed = optarg; break;
		case O_RAND: lg.random_n = (unsigned int)v; break;
		case O_SEED: lg.seed = (uint32_t)v; break;
		case 'q': lg.quiet = true; break;
		case 'v': lg.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!connect_spec || optind != argc ||
	    net_parse(connect_spec, &lg.addr, HYPERVIVE_PROTO_VSOCK_PORT))
		return -1;
	if (lg.addr.kind == NET_VSOCK && lg.addr.cid == 0xffffffffU)
		lg.addr.cid = HYPERVIVE_PROTO_HOST_CID;
	if (!lg.guests || lg.guests > 100000 || !lg.queue || lg.queue > QCAP_MAX ||
	    lg.heartbeat_ms < HYPERVIVE_PROTO_HB_MS_MIN ||
	    lg.heartbeat_ms > HYPERVIVE_PROTO_HB_MS_MAX)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	uint64_t now, end = 0, unacked = 0;
	unsigned int i, done, opened = 0;
	int n;

	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (lg.malformed)
		return peer_malformed(lg.malformed);
	if (lg.random_n)
		return peer_random(lg.random_n);

	raise_nofile();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	sims = calloc(lg.guests, sizeof(*sims));
	if (epfd < 0 || !sims)
		return 1;
	t_start = now_ms();
	if (lg.duration_s)
		end = t_start + lg.duration_s * 1000ULL;
	for (i = 0; i < lg.guests; i++) {
		struct sim *s = &sims[i];

		s->fd = -1;
		s->idx = i;
		s->fresh = true;
		s->next_seq = s->q_first = lg.first_seq;
		s->q = calloc(lg.queue, sizeof(*s->q));
		if (!s->q)
			return 1;
		lg_boot_id(i, s->boot_id);
		if (lg.guests == 1)
			snprintf(s->hostname, sizeof(s->hostname), "%s", lg.hostname);
		else
			snprintf(s->hostname, sizeof(s->hostname), "%.50s-%u", lg.hostname, i);
		sim_connect(s);
	}
	while (!stop) {
		n = epoll_wait(epfd, evs, 256, 10);
		for (i = 0; i < (unsigned int)(n > 0 ? n : 0); i++) {
			struct sim *s = evs[i].data.ptr;

			if (s->fd < 0)
				continue;
			if (evs[i].events & EPOLLOUT)
				sim_flush(s);
			if (s->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				sim_readable(s);
		}
		now = now_ms();
		for (i = 0, done = 0; i < lg.guests; i++)
			done += sim_tick(&sims[i], now);
		if (done == lg.guests || (end && now >= end))
			break;
	}
	for (i = 0; i < lg.guests; i++) {
		struct sim *s = &sims[i];

		opened += s->opened_once;
		if (!lg.lose_acks && !lg.unload)
			unacked += s->next_seq - s->q_first;
		sim_bye(s);
	}
	if (!lg.quiet)
		printf("loadgen: guests=%u opened=%u connects=%llu events=%llu resent=%llu acked=%llu unacked=%llu heartbeats=%llu requests=%llu overflow=%llu refused=%llu errors=%llu\n",
		       lg.guests, opened, (unsigned long long)tot.connects,
		       (unsigned long long)tot.events, (unsigned long long)tot.resent,
		       (unsigned long long)tot.acked, (unsigned long long)unacked,
		       (unsigned long long)tot.heartbeats, (unsigned long long)tot.requests,
		       (unsigned long long)tot.overflow, (unsigned long long)tot.refused,
		       (unsigned long long)tot.errors);
	if (tot.refused)
		return 3;
	return (tot.errors || opened < lg.guests || unacked) ? 1 : 0;
}

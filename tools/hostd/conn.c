// SPDX-License-Identifier: GPL-2.0
/*
 * One guest connection: buffered non-blocking I/O, frame validation,
 * dispatch of guest messages, requests to the guest, rate bounding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostd.h"

#define HDR HYPERVIVE_PROTO_HDR_SIZE

struct conn *conns;
unsigned int nconns;
static uint64_t next_conn_id = 1;
static uint8_t txbuf[HYPERVIVE_PROTO_MAX_FRAME];
static struct hypervive_proto_hello host_id;	/* identity in our HELLO */

/* Printable ASCII copy of @src for a HELLO string field. */
static void clean_copy(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < cap && src[i]; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static void host_identity_init(void)
{
	struct utsname u;
	FILE *f;
	char id[64] = "";

	if (host_id.role)
		return;
	host_id.role = HYPERVIVE_PROTO_ROLE_HOST;
	host_id.min_version = HYPERVIVE_PROTO_VERSION_MIN;
	host_id.max_version = HYPERVIVE_PROTO_VERSION_MAX;
	if (!uname(&u)) {
		clean_copy(host_id.hostname, sizeof(host_id.hostname), u.nodename);
		clean_copy(host_id.release, sizeof(host_id.release), u.release);
	}
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f) {
		if (fgets(id, sizeof(id), f)) {
			id[strcspn(id, "\n")] = '\0';
			if (hypervive_proto_boot_id_valid((const uint8_t *)id, strlen(id)))
				strcpy(host_id.boot_id, id);
		}
		fclose(f);
	}
	snprintf(host_id.sw_version, sizeof(host_id.sw_version),
		 "hypervive-hostd %s", HOSTD_VERSION);
}

struct conn *conn_new(int fd, enum net_kind kind)
{
	struct epoll_event ev;
	struct conn *c;

	host_identity_init();
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ep.kind = EP_GUEST;
	c->ep.fd = fd;
	c->id = next_conn_id++;
	c->kind = kind;
	net_peer(fd, kind, c->peer, sizeof(c->peer), &c->cid);
	if (kind != NET_VSOCK) {
		size_t n = strlen(c->peer);

		snprintf(c->peer + n, sizeof(c->peer) - n, "#%llu",
			 (unsigned long long)c->id);
	}
	hypervive_proto_state_init(&c->st, HYPERVIVE_PROTO_ROLE_HOST);
	c->tokens = cfg.rate;
	c->hello_deadline_ms = now_ms() + cfg.hello_timeout_ms;
	ev.events = EPOLLIN;
	ev.data.ptr = &c->ep;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(c);
		return NULL;
	}
	c->ep_events = EPOLLIN;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	nconns++;
	log_debug("connection #%llu from %s", (unsigned long long)c->id, c->peer);
	return c;
}

static void update_events(struct conn *c)
{
	uint32_t want = (c->paused ? 0 : EPOLLIN) | (c->tx_len ? EPOLLOUT : 0);

	if (c->dead || c->hup || want == c->ep_events)
		return;
	c->ep_events = want;
	ep_mod(&c->ep, want);
}

void conn_close(struct conn *c, const char *why)
{
	struct guest *g = c->guest;
	int i;

	if (c->dead)
		return;
	c->dead = true;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->ep.fd, NULL);
	close(c->ep.fd);
	nconns--;
	stats.closed++;
	for (i = 0; i < c->npend; i++)
		control_reply(c->pend[i].ctl_id,
			      "error: guest disconnected before replying");
	c->npend = 0;
	if (g) {
		g->conn = NULL;
		g->last_seen_ms = now_ms();
		c->guest = NULL;
		log_host(HYPERVIVE_PROTO_EV_GUEST_DISCONNECTED, g, c, 0, "%s", why);
	} else {
		log_debug("connection %s closed: %s", c->peer, why);
	}
}

void conn_reap(void)
{
	struct conn *c = conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (!c->dead)
			continue;
		if (c->prev)
			c->prev->next = c->next;
		else
			conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		free(c->tx);
		free(c);
	}
}

static int conn_queue(struct conn *c, const uint8_t *p, size_t n)
{
	ssize_t w;

	if (c->dead)
		return -EPIPE;
	if (c->hup)
		return 0;	/* the peer is gone: nothing we say arrives */
	if (!c->tx_len) {
		w = send(c->ep.fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				conn_close(c, "send failed");
				return -EPIPE;
			}
			w = 0;
		}
		p += w;
		n -= (size_t)w;
		if (!n)
			return 0;
	}
	if (c->tx_len + n > HOSTD_TX_MAX) {
		stats.slow_peers++;
		conn_close(c, "peer too slow: output buffer full");
		return -ENOBUFS;
	}
	if (c->tx_len + n > c->tx_cap) {
		size_t cap = c->tx_cap ? c->tx_cap : 4096;
		uint8_t *t;

		while (cap < c->tx_len + n)
			cap *= 2;
		t = realloc(c->tx, cap);
		if (!t) {
			conn_close(c, "out of memory");
			return -ENOMEM;
		}
		c->tx = t;
		c->tx_cap = cap;
	}
	memcpy(c->tx + c->tx_len, p, n);
	c->tx_len += n;
	update_events(c);
	return 0;
}

void conn_writable(struct conn *c)
{
	ssize_t w;

	if (c->dead || !c->tx_len)
		return;
	w = send(c->ep.fd, c->tx, c->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			conn_close(c, "send failed");
		return;
	}
	memmove(c->tx, c->tx + w, c->tx_len - (size_t)w);
	c->tx_len -= (size_t)w;
	update_events(c);
}

/* Seal the payload already in txbuf + HDR and queue the frame. */
static int send_frame(struct conn *c, uint16_t type, int plen)
{
	int n;

	if (plen < 0)
		return plen;
	n = hypervive_proto_frame_seal(&c->st, txbuf, sizeof(txbuf), type, 0,
				       (size_t)plen);
	if (n < 0)
		return n;
	stats.frames_out++;
	return conn_queue(c, txbuf, (size_t)n);
}

static void send_error(struct conn *c, uint32_t code, uint64_t ref, const char *text)
{
	struct hypervive_proto_error e = { .code = code, .ref_seq = ref };

	snprintf(e.text, sizeof(e.text), "%s", text);
	send_frame(c, HYPERVIVE_PROTO_T_ERROR,
		   hypervive_proto_error_encode(txbuf + HDR, sizeof(txbuf) - HDR, &e));
}

void conn_refuse(int fd, uint32_t code, const char *text)
{
	struct hypervive_proto_state st;
	struct hypervive_proto_error e = { .code = code };
	int n;

	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_HOST);
	snprintf(e.text, sizeof(e.text), "%s", text);
	n = hypervive_proto_error_encode(txbuf + HDR, sizeof(txbuf) - HDR, &e);
	if (n >= 0)
		n = hypervive_proto_frame_seal(&st, txbuf, sizeof(txbuf),
					       HYPERVIVE_PROTO_T_ERROR, 0, (size_t)n);
	if (n > 0 && send(fd, txbuf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("refusal not delivered: %s", strerror(errno));
	close(fd);
}

static void bad_frame(struct conn *c, const struct hypervive_proto_hdr *h,
		      int err, const char *where)
{
	int slot = err == -EBADMSG ? 0 : err == -EPROTO ? 1 :
		   err == -EMSGSIZE ? 2 : 3;

	stats.bad_frames++;
	stats.bad_by_errno[slot]++;
	log_host_limited(HYPERVIVE_PROTO_EV_BAD_FRAME, c->guest, c, err,
			 "bad %s: %s; type=%u (%s) length=%u seq=%llu version=%u; closing",
			 where, strerror(-err), h->type,
			 hypervive_proto_type_name(h->type), h->length,
			 (unsigned long long)h->seq, h->version);
	if (c->st.phase != HYPERVIVE_PROTO_PHASE_CLOSED)
		send_error(c, HYPERVIVE_PROTO_ERR_BAD_FRAME, h->seq, strerror(-err));
	conn_close(c, "bad frame");
}

static int on_hello(struct conn *c, const struct hypervive_proto_hdr *h,
		    const uint8_t *p)
{
	struct hypervive_proto_hello m, r;
	struct guest *g;
	int v, ret;

	ret = hypervive_proto_hello_decode(p, h->length, &m);
	if (ret)
		return ret;
	if (m.role != HYPERVIVE_PROTO_ROLE_GUEST)
		return -EPROTO;
	v = hypervive_proto_negotiate(HYPERVIVE_PROTO_VERSION_MIN,
				      HYPERVIVE_PROTO_VERSION_MAX,
				      m.min_version, m.max_version);
	if (v < 0) {
		char text[128];

		stats.version_refused++;
		log_host_limited(HYPERVIVE_PROTO_EV_VERSION_REFUSED, NULL, c,
				 m.max_version,
				 "guest %s boot_id=%s offers versions %u..%u; host supports %u..%u",
				 m.hostname, m.boot_id, m.min_version, m.max_version,
				 HYPERVIVE_PROTO_VERSION_MIN, HYPERVIVE_PROTO_VERSION_MAX);
		snprintf(text, sizeof(text), "host supports protocol versions %u..%u",
			 HYPERVIVE_PROTO_VERSION_MIN, HYPERVIVE_PROTO_VERSION_MAX);
		send_error(c, HYPERVIVE_PROTO_ERR_VERSION, h->seq, text);
		conn_close(c, "version refused");
		return 0;
	}
	g = guest_get(m.boot_id, true);
	if (!g) {
		send_error(c, HYPERVIVE_PROTO_ERR_BUSY, h->seq, "too many guests");
		conn_close(c, "guest table full");
		return 0;
	}
	if (g->conn) {
		struct conn *old = g->conn;
		struct hypervive_proto_bye bye = { HYPERVIVE_PROTO_BYE_REPLACED };

		stats.replaced++;
		log_host(HYPERVIVE_PROTO_EV_GUEST_REPLACED, g, old, 0,
			 "same boot ID connected again from %s; closing %s",
			 c->peer, old->peer);
		send_frame(old, HYPERVIVE_PROTO_T_BYE,
			   hypervive_proto_bye_encode(txbuf + HDR, sizeof(txbuf) - HDR, &bye));
		conn_close(old, "replaced by a new connection");
	}
	memcpy(g->hostname, m.hostname, sizeof(g->hostname));
	memcpy(g->release, m.release, sizeof(g->release));
	memcpy(g->sw_version, m.sw_version, sizeof(g->sw_version));
	g->cid = c->cid;
	g->caps = m.capabilities & HYPERVIVE_PROTO_CAP_ALL;
	g->version = (uint16_t)v;
	g->heartbeat_ms = m.heartbeat_ms;
	g->said_bye = false;
	g->connects++;
	g->last_seen_ms = now_ms();
	if (!g->silent)
		g->last_hb_ms = g->last_seen_ms;
	g->conn = c;
	c->guest = g;

	r = host_id;
	r.selected_version = (uint16_t)v;
	r.capabilities = g->caps;
	r.heartbeat_ms = m.heartbeat_ms;
	r.last_event_seq = g->last_event_seq;
	ret = send_frame(c, HYPERVIVE_PROTO_T_HELLO,
			 hypervive_proto_hello_encode(txbuf + HDR, sizeof(txbuf) - HDR, &r));
	if (ret) {
		if (!c->dead)
			conn_close(c, "cannot send HELLO");
		return 0;
	}
	hypervive_proto_state_open(&c->st, (uint16_t)v);
	log_host(HYPERVIVE_PROTO_EV_GUEST_CONNECTED, g, c, 0,
		 "version=%d agent=%s release=%s heartbeat_ms=%u caps=0x%x last_event_seq=%llu queue=%u peer=%s",
		 v, g->sw_version, g->release, g->heartbeat_ms, g->caps,
		 (unsigned long long)g->last_event_seq, m.queue_capacity, c->peer);
	return 0;
}

static int on_heartbeat(struct conn *c, const struct hypervive_proto_hdr *h,
			const uint8_t *p)
{
	struct guest *g = c->guest;
	uint64_t now = now_ms();
	int ret;

	ret = hypervive_proto_heartbeat_decode(p, h->length, &g->last_hb);
	if (ret)
		return ret;
	stats.heartbeats++;
	g->heartbeats++;
	if (g->silent) {
		g->silent = false;
		stats.returned++;
		log_host(HYPERVIVE_PROTO_EV_GUEST_RETURNED, g, c,
			 (int64_t)(now - g->last_hb_ms),
			 "heartbeats resumed after %llu ms",
			 (unsigned long long)(now - g->last_hb_ms));
	}
	g->last_hb_ms = now;
	g->last_seen_ms = now;
	log_debug("heartbeat %s #%llu load=%u queued=%u dropped=%u frozen=%u",
		  g->hostname, (unsigned long long)g->last_hb.counter,
		  g->last_hb.load_x100[0], g->last_hb.queued_events,
		  g->last_hb.dropped_events, g->last_hb.frozen_count);
	return 0;
}

static int on_event(struct conn *c, const struct hypervive_proto_hdr *h,
		    const uint8_t *p)
{
	struct hypervive_proto_fs fs[HYPERVIVE_PROTO_FS_MAX];
	struct hypervive_proto_event ev;
	struct guest *g = c->guest;
	struct logrec r;
	int ret;

	ret = hypervive_proto_event_decode(p, h->length, &ev, fs, HYPERVIVE_PROTO_FS_MAX);
	if (ret)
		return ret;
	if (ev.event_seq > c->max_rx_event)
		c->max_rx_event = ev.event_seq;
	if (ev.event_seq <= g->last_event_seq) {
		stats.duplicates++;
		g->duplicates++;
		if (cfg.debug)
			log_host(HYPERVIVE_PROTO_EV_DUPLICATE, g, c, (int64_t)ev.event_seq,
				 "duplicate event %llu (%u) dropped; last logged %llu%s",
				 (unsigned long long)ev.event_seq, ev.event_id,
				 (unsigned long long)g->last_event_seq,
				 (h->flags & HYPERVIVE_PROTO_F_RESENT) ? ", resent" : "");
	} else {
		if (g->last_event_seq && ev.event_seq > g->last_event_seq + 1) {
			stats.gaps++;
			log_host(HYPERVIVE_PROTO_EV_SEQ_GAP, g, c,
				 (int64_t)(ev.event_seq - g->last_event_seq - 1),
				 "events %llu..%llu never arrived",
				 (unsigned long long)g->last_event_seq + 1,
				 (unsigned long long)ev.event_seq - 1);
		}
		memset(&r, 0, sizeof(r));
		r.id = ev.event_id;
		r.level = ev.level;
		r.g = g;
		r.c = c;
		r.seq = ev.event_seq;
		r.checkpoint_id = ev.checkpoint_id;
		r.value = ev.value;
		r.guest_time_ns = ev.timestamp_ns;
		r.fs = fs;
		r.nfs = ev.fs_count;
		r.text = ev.text;
		log_event(&r);
		g->last_event_seq = ev.event_seq;
		stats.events++;
		g->events++;
	}
	c->ack_to = c->max_rx_event < g->last_event_seq ? c->max_rx_event :
		    g->last_event_seq;
	return 0;
}

static uint16_t request_of(uint16_t reply)
{
	switch (reply) {
	case HYPERVIVE_PROTO_T_FREEZE_REPLY:
		return HYPERVIVE_PROTO_T_FREEZE;
	case HYPERVIVE_PROTO_T_THAW_REPLY:
		return HYPERVIVE_PROTO_T_THAW;
	default:
		return HYPERVIVE_PROTO_T_QUERY;
	}
}

static const char *verb_of(uint16_t request)
{
	return request == HYPERVIVE_PROTO_T_FREEZE ? "freeze" :
	       request == HYPERVIVE_PROTO_T_THAW ? "thaw" : "query";
}

static void format_report(char *out, size_t cap, const struct guest *g,
			  uint16_t req, const struct hypervive_proto_report *m,
			  const struct hypervive_proto_fs *fs)
{
	size_t n;
	unsigned int i;
	char dev[32], st[64];

	n = (size_t)snprintf(out, cap,
		"%s %s guest=%s cid=%u boot_id=%s checkpoint_id=%llu status=%d%s%s remaining_ms=%u filesystems=%u\n",
		m->status ? "error" : "ok", verb_of(req), g->hostname, g->cid,
		g->boot_id, (unsigned long long)m->checkpoint_id, m->status,
		m->status ? " " : "", m->status ? strerror(-m->status) : "",
		m->remaining_ms, m->fs_count);
	for (i = 0; i < m->fs_count && n < cap; i++) {
		dev_str(fs[i].dev, dev, sizeof(dev));
		n += (size_t)snprintf(out + n, cap - n,
				      "fs mount=%s dev=%s fstype=%s state=%s\n",
				      fs[i].mount, dev,
				      fs[i].fstype[0] ? fs[i].fstype : "-",
				      fs_state_str(&fs[i], st, sizeof(st)));
	}
}

static int on_report(struct conn *c, const struct hypervive_proto_hdr *h,
		     const uint8_t *p)
{
	struct hypervive_proto_fs fs[HYPERVIVE_PROTO_FS_MAX];
	struct hypervive_proto_report m;
	uint16_t req = request_of(h->type);
	char out[HYPERVIVE_PROTO_FS_MAX * 320 + 512];
	struct logrec r;
	int i, ret;

	ret = hypervive_proto_report_decode(p, h->length, &m, fs, HYPERVIVE_PROTO_FS_MAX);
	if (ret)
		return ret;
	if (m.request_seq > c->st.tx_seq)
		return -EPROTO;		/* a reply to nothing we sent */
	for (i = 0; i < c->npend; i++)
		if (c->pend[i].seq == m.request_seq)
			break;
	if (i == c->npend) {
		stats.late_replies++;
		log_debug("late %s reply from %s for request %llu",
			  verb_of(req), c->guest->hostname,
			  (unsigned long long)m.request_seq);
		return 0;
	}
	if (c->pend[i].type != req)
		return -EPROTO;		/* reply of the wrong kind */
	stats.replies++;
	format_report(out, sizeof(out), c->guest, req, &m, fs);
	control_reply(c->pend[i].ctl_id, out);
	c->pend[i] = c->pend[--c->npend];

	memset(&r, 0, sizeof(r));
	r.id = m.status ? HYPERVIVE_PROTO_EV_REQUEST_FAILED : HYPERVIVE_PROTO_EV_REQUEST_DONE;
	r.g = c->guest;
	r.c = c;
	r.checkpoint_id = m.checkpoint_id;
	r.value = m.status;
	r.fs = fs;
	r.nfs = m.fs_count;
	snprintf(out, sizeof(out), "%s request %llu: %s", verb_of(req),
		 (unsigned long long)m.request_seq,
		 m.status ? strerror(-m.status) : "done");
	r.text = out;
	log_event(&r);
	return 0;
}

static int on_error(struct conn *c, const struct hypervive_proto_hdr *h,
		    const uint8_t *p)
{
	struct hypervive_proto_error e = { 0 };
	char why[HYPERVIVE_PROTO_TEXT_MAX + 64];
	int ret;

	ret = hypervive_proto_error_decode(p, h->length, &e);
	snprintf(why, sizeof(why), "guest sent ERROR %u (%s): %s", e.code,
		 hypervive_proto_error_name(e.code), ret ? "(malformed)" : e.text);
	conn_close(c, why);
	return 0;
}

static int on_bye(struct conn *c, const struct hypervive_proto_hdr *h,
		  const uint8_t *p)
{
	struct hypervive_proto_bye b = { 0 };
	char why[64];
	int ret;

	ret = hypervive_proto_bye_decode(p, h->length, &b);
	if (c->guest)
		c->guest->said_bye = true;
	snprintf(why, sizeof(why), "guest said BYE (reason %u)%s", b.reason,
		 ret ? ", malformed" : "");
	conn_close(c, why);
	return 0;
}

/*
 * What hostd does with each type a guest may send (lib/proto.c's table says
 * which those are and how long they may be).
 */
static int (*const handlers[HYPERVIVE_PROTO_T_COUNT])(struct conn *c,
						     const struct hypervive_proto_hdr *h,
						     const uint8_t *p) = {
	[HYPERVIVE_PROTO_T_HELLO] = on_hello,
	[HYPERVIVE_PROTO_T_HEARTBEAT] = on_heartbeat,
	[HYPERVIVE_PROTO_T_EVENT] = on_event,
	[HYPERVIVE_PROTO_T_FREEZE_REPLY] = on_report,
	[HYPERVIVE_PROTO_T_THAW_REPLY] = on_report,
	[HYPERVIVE_PROTO_T_QUERY_REPLY] = on_report,
	[HYPERVIVE_PROTO_T_ERROR] = on_error,
	[HYPERVIVE_PROTO_T_BYE] = on_bye,
};

static int dispatch(struct conn *c, const struct hypervive_proto_hdr *h,
		    const uint8_t *p)
{
	/* hdr_validate lets only guest-to-host types through. */
	if (h->type >= HYPERVIVE_PROTO_T_COUNT || !handlers[h->type])
		return -EPROTO;
	return handlers[h->type](c, h, p);
}

static void flush_ack(struct conn *c)
{
	if (c->dead || c->ack_to <= c->acked)
		return;
	if (!send_frame(c, HYPERVIVE_PROTO_T_ACK,
			hypervive_proto_ack_encode(txbuf + HDR, sizeof(txbuf) - HDR,
						   c->ack_to)))
		c->acked = c->ack_to;
}

static void process(struct conn *c)
{
	struct hypervive_proto_hdr h;
	size_t off = 0;
	int ret;

	while (!c->dead && c->rx_len - off >= HDR) {
		hypervive_proto_hdr_decode(c->rx + off, c->rx_len - off, &h);
		ret = hypervive_proto_hdr_validate(&h, &c->st);
		if (ret) {
			bad_frame(c, &h, ret, "header");
			return;
		}
		if (c->rx_len - off < HDR + h.length)
			break;
		if (!c->tokens) {
			c->paused = true;
			stats.rate_paused++;
			update_events(c);
			break;
		}
		c->tokens--;
		hypervive_proto_rx_accept(&c->st, &h);
		stats.frames_in++;
		ret = dispatch(c, &h, c->rx + off + HDR);
		if (c->dead)
			return;
		if (ret) {
			bad_frame(c, &h, ret, "payload");
			return;
		}
		off += HDR + h.length;
	}
	if (c->dead)
		return;
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	flush_ack(c);
}

/*
 * The peer hung up while its reads are paused (the rate bound): what it sent
 * before is still in the socket, an unloading agent's last events and BYE
 * among them.  Stop polling the socket (epoll reports a hang-up on every
 * wait, whatever it is asked for) and read the rest as tokens come
 * (conn_tick()), instead of closing on it unread.
 */
void conn_hangup_paused(struct conn *c)
{
	if (c->dead || c->hup)
		return;
	c->hup = true;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->ep.fd, NULL);
	c->ep_events = 0;
}

void conn_readable(struct conn *c)
{
	ssize_t n;

	if (c->dead || c->paused)
		return;
	n = recv(c->ep.fd, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len, 0);
	if (n == 0) {
		conn_close(c, c->rx_len ? "peer closed mid-frame" : "peer closed");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(c, strerror(errno));
		return;
	}
	c->rx_len += (size_t)n;
	process(c);
}

int conn_request(struct conn *c, uint16_t type, const void *msg,
		 uint64_t ctl_id, uint64_t *seq)
{
	struct pending *p;
	uint32_t need;
	int n;

	if (c->dead || c->st.phase != HYPERVIVE_PROTO_PHASE_OPEN)
		return -ENOTCONN;
	if (c->npend >= HOSTD_MAX_PENDING)
		return -EBUSY;
	need = type == HYPERVIVE_PROTO_T_QUERY ? HYPERVIVE_PROTO_CAP_QUERY :
	       HYPERVIVE_PROTO_CAP_FREEZE;
	if (!(c->guest->caps & need))
		return -EOPNOTSUPP;
	switch (type) {
	case HYPERVIVE_PROTO_T_FREEZE:
		n = hypervive_proto_freeze_encode(txbuf + HDR, sizeof(txbuf) - HDR, msg);
		break;
	case HYPERVIVE_PROTO_T_THAW:
		n = hypervive_proto_thaw_encode(txbuf + HDR, sizeof(txbuf) - HDR, msg);
		break;
	case HYPERVIVE_PROTO_T_QUERY:
		n = 0;
		break;
	default:
		return -EINVAL;
	}
	n = send_frame(c, type, n);
	if (n)
		return n;
	p = &c->pend[c->npend++];
	p->seq = c->st.tx_seq;
	p->type = type;
	p->ctl_id = ctl_id;
	p->deadline_ms = now_ms() + cfg.request_timeout_ms;
	p->checkpoint_id = type == HYPERVIVE_PROTO_T_FREEZE ?
		((const struct hypervive_proto_freeze *)msg)->checkpoint_id : 0;
	stats.requests++;
	*seq = p->seq;
	return 0;
}

void conn_tick(uint64_t now)
{
	uint32_t refill = cfg.rate * HOSTD_TICK_MS / 1000;
	struct conn *c;
	int i;

	if (!refill)
		refill = 1;
	for (c = conns; c; c = c->next) {
		if (c->dead)
			continue;
		c->tokens = c->tokens + refill > cfg.rate ? cfg.rate : c->tokens + refill;
		if (c->paused && c->tokens) {
			c->paused = false;
			update_events(c);
			process(c);
			if (c->dead)
				continue;
		}
		/* hung up: read on to its end (EOF closes) while tokens last */
		for (i = 0; c->hup && !c->dead && !c->paused && i < HOSTD_HUP_READS; i++)
			conn_readable(c);
		if (c->hup && !c->dead && !c->paused) {
			conn_close(c, "peer hung up");
			continue;
		}
		if (c->dead)
			continue;
		if (c->st.phase == HYPERVIVE_PROTO_PHASE_HELLO &&
		    now >= c->hello_deadline_ms) {
			stats.hello_timeouts++;
			send_error(c, HYPERVIVE_PROTO_ERR_TIMEOUT, 0, "no HELLO in time");
			conn_close(c, "no HELLO in time");
			continue;
		}
		for (i = 0; i < c->npend; i++) {
			struct pending *p = &c->pend[i];

			if (now < p->deadline_ms)
				continue;
			stats.request_timeouts++;
			log_host(HYPERVIVE_PROTO_EV_REQUEST_FAILED, c->guest, c, -ETIMEDOUT,
				 "%s request %llu: no reply in %u ms", verb_of(p->type),
				 (unsigned long long)p->seq, cfg.request_timeout_ms);
			control_reply(p->ctl_id, "error: timed out waiting for the guest's reply");
			*p = c->pend[--c->npend];
			i--;
		}
	}
}

void conn_bye_all(uint32_t reason)
{
	struct hypervive_proto_bye b = { reason };
	struct conn *c;

	for (c = conns; c; c = c->next) {
		if (c->dead)
			continue;
		send_frame(c, HYPERVIVE_PROTO_T_BYE,
			   hypervive_proto_bye_encode(txbuf + HDR, sizeof(txbuf) - HDR, &b));
		if (c->guest)
			c->guest->said_bye = true;
		conn_close(c, "host shutting down");
	}
}

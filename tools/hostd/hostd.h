/* SPDX-License-Identifier: GPL-2.0 */
/* hypervive-hostd: shared types of the host peer of hypervive_agent.ko. */
#ifndef HOSTD_H
#define HOSTD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hypervive/proto.h"
#include "net.h"

#define HOSTD_VERSION		"1.0"
#define HOSTD_MAX_LISTEN	4
#define HOSTD_RX_CAP		(2 * HYPERVIVE_PROTO_MAX_FRAME)
#define HOSTD_TX_MAX		(256 * 1024)	/* a slower peer is dropped */
#define HOSTD_MAX_PENDING	8		/* requests per guest */
#define HOSTD_MAX_CTL		16		/* control clients at once */
#define HOSTD_TICK_MS		100
#define HOSTD_HUP_READS		64	/* per tick, from a peer that hung up */

/* What an epoll entry points to. */
enum ep_kind { EP_LISTEN = 1, EP_GUEST, EP_CTL_LISTEN, EP_CTL, EP_SIGNAL };

struct ep_item {
	enum ep_kind kind;
	int fd;
};

struct hostd_cfg {
	struct net_addr listen[HOSTD_MAX_LISTEN];
	int nlisten;
	uint32_t port;
	const char *control_path;
	bool json, use_syslog, debug;
	unsigned int max_conns;
	unsigned int max_guests;
	unsigned int rate;		/* frames per second per connection */
	unsigned int hello_timeout_ms;
	unsigned int request_timeout_ms;
	unsigned int silent_periods;
};

struct hostd_stats {
	uint64_t accepted, refused, closed;
	uint64_t frames_in, frames_out, bad_frames;
	uint64_t events, duplicates, gaps, heartbeats;
	uint64_t version_refused, hello_timeouts, rate_paused, slow_peers;
	uint64_t requests, replies, request_timeouts, late_replies;
	uint64_t silent, returned, replaced;
	uint64_t bad_by_errno[4];	/* EBADMSG, EPROTO, EMSGSIZE, other */
};

struct pending {
	uint64_t seq;			/* header sequence of the request */
	uint16_t type;			/* request type */
	uint64_t ctl_id;		/* control client waiting, 0 if gone */
	uint64_t deadline_ms;
	uint64_t checkpoint_id;
};

struct guest;

struct conn {
	struct ep_item ep;
	uint64_t id;
	enum net_kind kind;
	uint32_t cid;
	char peer[64];
	struct hypervive_proto_state st;
	struct guest *guest;
	uint8_t rx[HOSTD_RX_CAP];
	size_t rx_len;
	uint8_t *tx;
	size_t tx_len, tx_cap;
	uint32_t ep_events;		/* currently registered epoll events */
	uint64_t hello_deadline_ms;
	uint32_t tokens;
	bool paused;
	bool hup;			/* hung up while paused: read what is left */
	bool dead;			/* closed, waiting to be freed */
	uint64_t ack_to, acked;		/* cumulative ACK bookkeeping */
	uint64_t max_rx_event;
	struct pending pend[HOSTD_MAX_PENDING];
	int npend;
	struct conn *next, *prev;
};

struct guest {
	char boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];
	char hostname[HYPERVIVE_PROTO_HOSTNAME_MAX + 1];
	char release[HYPERVIVE_PROTO_RELEASE_MAX + 1];
	char sw_version[HYPERVIVE_PROTO_SWVER_MAX + 1];
	uint32_t cid;
	uint32_t caps;
	uint16_t version;
	uint32_t heartbeat_ms;
	uint64_t last_event_seq;	/* highest event sequence logged */
	uint64_t last_hb_ms;		/* monotonic time of the last heartbeat */
	uint64_t last_seen_ms;
	bool silent;
	bool said_bye;			/* left cleanly: no silence watch */
	uint64_t events, duplicates, heartbeats, connects;
	struct hypervive_proto_heartbeat last_hb;
	struct conn *conn;
	struct guest *hnext;
	struct guest *next, *prev;
};

extern struct hostd_cfg cfg;
extern struct hostd_stats stats;
extern struct conn *conns;
extern unsigned int nconns;
extern int epfd;

/* log.c */
struct logrec {
	uint32_t id;
	const struct guest *g;
	const struct conn *c;
	uint64_t seq;			/* event sequence, 0 if none */
	uint64_t checkpoint_id;
	int64_t value;
	uint64_t guest_time_ns;
	const struct hypervive_proto_fs *fs;
	unsigned int nfs;
	uint16_t level;			/* 0: from the event table */
	const char *text;
};

void log_init(void);
void log_event(const struct logrec *r);
void log_host(uint32_t id, const struct guest *g, const struct conn *c,
	      int64_t value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Same, at most a burst of lines per window; the rest counted. */
void log_host_limited(uint32_t id, const struct guest *g, const struct conn *c,
		      int64_t value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fs_state_str(const struct hypervive_proto_fs *f, char *buf, size_t len);
void dev_str(uint32_t dev, char *buf, size_t len);

/* guests.c */
int guests_init(unsigned int max_guests);
struct guest *guest_get(const char *boot_id, bool create);
unsigned int guests_count(void);
struct guest *guests_first(void);
void guests_tick(uint64_t now);
/* Resolve an operator's name: CID, hostname, boot ID or #connection. */
struct guest *guest_resolve(const char *name, const char **err);

/* conn.c */
struct conn *conn_new(int fd, enum net_kind kind);
void conn_readable(struct conn *c);
void conn_hangup_paused(struct conn *c);
void conn_writable(struct conn *c);
void conn_close(struct conn *c, const char *why);
void conn_reap(void);
void conn_tick(uint64_t now);
/* Send a request to a guest; returns 0 and the request sequence, or -errno. */
int conn_request(struct conn *c, uint16_t type, const void *msg,
		 uint64_t ctl_id, uint64_t *seq);
void conn_bye_all(uint32_t reason);
void conn_refuse(int fd, uint32_t code, const char *text);

/* control.c */
int control_listen(const char *path);
void control_accept(int lfd);
void control_event(struct ep_item *ep, uint32_t events);
/* Deliver the outcome of a request to a waiting control client. */
void control_reply(uint64_t ctl_id, const char *text);
void control_tick(uint64_t now);
void control_reap(void);
void control_close_all(void);
int ctl_main(int argc, char **argv, const char *path);

/* main.c */
int ep_mod(struct ep_item *ep, uint32_t events);

#endif /* HOSTD_H */

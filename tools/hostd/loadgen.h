/* SPDX-License-Identifier: GPL-2.0 */
/* hostd-loadgen: simulated guests speaking the agent protocol. */
#ifndef HOSTD_LOADGEN_H
#define HOSTD_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "hypervive/proto.h"
#include "net.h"

struct lg_opts {
	struct net_addr addr;
	unsigned int guests;
	unsigned int heartbeat_ms;
	unsigned int events;		/* per connection round */
	unsigned int event_interval_ms;
	unsigned int duration_s;
	unsigned int reconnects;
	unsigned int pause_after_ms, pause_for_ms;
	unsigned int freeze_timeout_ms;
	unsigned int queue;
	uint64_t first_seq;
	uint32_t caps;
	uint16_t min_version, max_version;
	bool lose_acks, dup, quiet, verbose;
	bool unload;		/* all sent, then BYE(UNLOAD) and close at once */
	const char *hostname;
	const char *boot_id;
	const char *malformed;
	unsigned int random_n;
	uint32_t seed;
};

extern struct lg_opts lg;

/* Boot ID of simulated guest @idx (from --boot-id or random). */
void lg_boot_id(unsigned int idx, char out[HYPERVIVE_PROTO_BOOT_ID_LEN + 1]);
/* HELLO payload of a simulated guest; returns its length or -errno. */
int lg_hello(uint8_t *buf, size_t cap, const char *hostname, const char *boot_id,
	     uint16_t min_v, uint16_t max_v);
/* Payload of a plain event (no filesystem records). */
int lg_event(uint8_t *buf, size_t cap, uint64_t seq, uint32_t id,
	     uint64_t ckpt, int64_t value, const char *text);
uint32_t lg_rand(uint32_t *state);

/* loadgen-peer.c: malformed and random frames, one connection each. */
int peer_malformed(const char *kind);
int peer_random(unsigned int n);

#endif /* HOSTD_LOADGEN_H */

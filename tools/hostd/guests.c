// SPDX-License-Identifier: GPL-2.0
/*
 * Guests known to the host, keyed by boot ID.  A record outlives its
 * connections so that duplicate events are recognised after a reconnect and
 * silence is noticed even when the connection is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "hostd.h"

#define GUEST_BUCKETS	4096

static struct guest *buckets[GUEST_BUCKETS];
static struct guest *all;
static unsigned int count, limit;

static unsigned int hash(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619U;
	return h % GUEST_BUCKETS;
}

int guests_init(unsigned int max_guests)
{
	limit = max_guests;
	return 0;
}

unsigned int guests_count(void)
{
	return count;
}

struct guest *guests_first(void)
{
	return all;
}

static void guest_free(struct guest *g)
{
	struct guest **pp = &buckets[hash(g->boot_id)];

	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	if (g->prev)
		g->prev->next = g->next;
	else
		all = g->next;
	if (g->next)
		g->next->prev = g->prev;
	count--;
	free(g);
}

/* Make room: forget the disconnected guest seen longest ago. */
static bool evict_one(void)
{
	struct guest *g, *old = NULL;

	for (g = all; g; g = g->next)
		if (!g->conn && (!old || g->last_seen_ms < old->last_seen_ms))
			old = g;
	if (!old)
		return false;
	log_debug("forgetting guest %s (%s) to make room", old->hostname, old->boot_id);
	guest_free(old);
	return true;
}

struct guest *guest_get(const char *boot_id, bool create)
{
	unsigned int b = hash(boot_id);
	struct guest *g;

	for (g = buckets[b]; g; g = g->hnext)
		if (!strcmp(g->boot_id, boot_id))
			return g;
	if (!create)
		return NULL;
	if (count >= limit && !evict_one())
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	snprintf(g->boot_id, sizeof(g->boot_id), "%s", boot_id);
	g->hnext = buckets[b];
	buckets[b] = g;
	g->next = all;
	if (all)
		all->prev = g;
	all = g;
	count++;
	return g;
}

void guests_tick(uint64_t now)
{
	struct guest *g;

	for (g = all; g; g = g->next) {
		uint64_t limit_ms = (uint64_t)g->heartbeat_ms * cfg.silent_periods;

		if (g->silent || g->said_bye || !g->heartbeat_ms || !g->last_hb_ms)
			continue;
		if (now - g->last_hb_ms <= limit_ms)
			continue;
		g->silent = true;
		stats.silent++;
		log_host(HYPERVIVE_PROTO_EV_GUEST_SILENT, g, g->conn,
			 (int64_t)(now - g->last_hb_ms),
			 "no heartbeat for %llu ms (%u periods of %u ms)%s",
			 (unsigned long long)(now - g->last_hb_ms),
			 cfg.silent_periods, g->heartbeat_ms,
			 g->conn ? "" : ", not connected");
	}
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

struct guest *guest_resolve(const char *name, const char **err)
{
	struct guest *g, *found = NULL;
	unsigned int matches = 0;

	*err = "no such connected guest";
	if (name[0] == '#' && is_number(name + 1)) {
		uint64_t id = strtoull(name + 1, NULL, 10);

		for (g = all; g; g = g->next)
			if (g->conn && g->conn->id == id)
				return g;
		return NULL;
	}
	g = guest_get(name, false);
	if (g)
		return g->conn ? g : NULL;
	for (g = all; g; g = g->next) {
		if (!g->conn)
			continue;
		if ((is_number(name) && g->cid && g->cid == strtoul(name, NULL, 10)) ||
		    !strcmp(g->hostname, name)) {
			found = g;
			matches++;
		}
	}
	if (matches > 1) {
		*err = "ambiguous: several connected guests match; use the boot ID or #connection";
		return NULL;
	}
	return found;
}

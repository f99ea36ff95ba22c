// SPDX-License-Identifier: GPL-2.0
/*
 * One line per event: text (default), JSON lines (--json) or syslog
 * (--syslog).  JSON lines always carry the same keys.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "hostd.h"

#define LOG_LINE_MAX	8192
#define DEBUG_EVENT_ID	9100	/* HyperVive style: 9xxx is debug */
#define LIMIT_WINDOW_MS	10000
#define LIMIT_BURST	20

#define SB_LIT(b, s)	sb_put((b), (s), strlen(s))

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap)
		n = b->cap - b->len - 1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

/* JSON string with quotes; input is UTF-8 (checked by the codec). */
static void sb_json_str(struct sbuf *b, const char *s)
{
	SB_LIT(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			sb_put(b, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_put(b, (const char *)&c, 1);
		}
	}
	SB_LIT(b, "\"");
}

/* key=value, quoting the value when it holds a space, quote or '='. */
static void sb_kv(struct sbuf *b, const char *key, const char *val)
{
	bool quote = !*val || strpbrk(val, " \"\\=") != NULL;

	sb_printf(b, " %s=", key);
	if (!quote) {
		sb_put(b, val, strlen(val));
		return;
	}
	SB_LIT(b, "\"");
	for (; *val; val++) {
		if (*val == '"' || *val == '\\')
			SB_LIT(b, "\\");
		sb_put(b, val, 1);
	}
	SB_LIT(b, "\"");
}

static void iso_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03uZ",
		 (unsigned int)(ns % 1000000000ULL / 1000000));
}

void dev_str(uint32_t dev, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", dev >> 20, dev & 0xfffff);
}

const char *fs_state_str(const struct hypervive_proto_fs *f, char *buf, size_t len)
{
	if (f->state == HYPERVIVE_PROTO_FS_SKIPPED)
		snprintf(buf, len, "skipped(%s)", hypervive_proto_skip_name(f->reason));
	else if (f->state == HYPERVIVE_PROTO_FS_FAILED)
		snprintf(buf, len, "failed(%s)", strerror(f->error));
	else
		snprintf(buf, len, "%s", hypervive_proto_fs_state_name(f->state));
	return buf;
}

void log_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cfg.use_syslog)
		openlog("hypervive-hostd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static int syslog_prio(uint16_t level)
{
	switch (level) {
	case HYPERVIVE_PROTO_LEVEL_ERROR:
		return LOG_ERR;
	case HYPERVIVE_PROTO_LEVEL_WARNING:
		return LOG_WARNING;
	case HYPERVIVE_PROTO_LEVEL_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

static void emit(uint16_t level, const char *line)
{
	if (cfg.use_syslog)
		syslog(syslog_prio(level), "%s", line);
	else
		printf("%s\n", line);
}

static void format_json(struct sbuf *b, const struct logrec *r, const char *name,
			uint16_t level, const char *when, const char *gtime)
{
	const struct guest *g = r->g;
	uint32_t cid = g ? g->cid : (r->c ? r->c->cid : 0);
	unsigned int i;
	char tmp[64];

	sb_printf(b, "{\"time\":\"%s\",\"level\":\"%s\",\"event_id\":%u,\"name\":",
		  when, level ? hypervive_proto_level_name(level) : "Debug", r->id);
	sb_json_str(b, name);
	SB_LIT(b, ",\"guest\":");
	sb_json_str(b, g ? g->hostname : "");
	sb_printf(b, ",\"cid\":%u,\"boot_id\":", cid);
	sb_json_str(b, g ? g->boot_id : "");
	SB_LIT(b, ",\"peer\":");
	sb_json_str(b, r->c ? r->c->peer : "");
	sb_printf(b, ",\"seq\":%llu,\"checkpoint_id\":%llu,\"value\":%lld,\"guest_time\":",
		  (unsigned long long)r->seq, (unsigned long long)r->checkpoint_id,
		  (long long)r->value);
	sb_json_str(b, gtime);
	SB_LIT(b, ",\"fs\":[");
	for (i = 0; i < r->nfs; i++) {
		const struct hypervive_proto_fs *f = &r->fs[i];

		SB_LIT(b, i ? ",{\"mount\":" : "{\"mount\":");
		sb_json_str(b, f->mount);
		SB_LIT(b, ",\"fstype\":");
		sb_json_str(b, f->fstype);
		dev_str(f->dev, tmp, sizeof(tmp));
		sb_printf(b, ",\"dev\":\"%s\",\"state\":\"%s\",\"reason\":\"%s\",\"error\":%u}",
			  tmp, hypervive_proto_fs_state_name(f->state),
			  hypervive_proto_skip_name(f->reason), f->error);
	}
	SB_LIT(b, "],\"text\":");
	sb_json_str(b, r->text ? r->text : "");
	SB_LIT(b, "}");
}

static void format_text(struct sbuf *b, const struct logrec *r, const char *name,
			uint16_t level, const char *when, const char *gtime)
{
	const struct guest *g = r->g;
	unsigned int i;
	char tmp[64];

	sb_printf(b, "%s %s %u %s", when,
		  level ? hypervive_proto_level_name(level) : "Debug", r->id, name);
	if (g) {
		sb_kv(b, "guest", g->hostname);
		if (g->cid)
			sb_printf(b, " cid=%u", g->cid);
		sb_kv(b, "boot_id", g->boot_id);
	} else if (r->c) {
		sb_kv(b, "peer", r->c->peer);
	}
	if (r->seq)
		sb_printf(b, " seq=%llu", (unsigned long long)r->seq);
	if (r->checkpoint_id)
		sb_printf(b, " checkpoint_id=%llu", (unsigned long long)r->checkpoint_id);
	if (r->value)
		sb_printf(b, " value=%lld", (long long)r->value);
	if (*gtime)
		sb_printf(b, " guest_time=%s", gtime);
	if (r->nfs) {
		struct sbuf fs;
		char fsbuf[HYPERVIVE_PROTO_FS_MAX * (HYPERVIVE_PROTO_MOUNT_MAX + 40)];

		fs.p = fsbuf;
		fs.len = 0;
		fs.cap = sizeof(fsbuf);
		fsbuf[0] = '\0';
		for (i = 0; i < r->nfs; i++)
			sb_printf(&fs, "%s%s:%s", i ? "," : "", r->fs[i].mount,
				  fs_state_str(&r->fs[i], tmp, sizeof(tmp)));
		sb_kv(b, "fs", fsbuf);
	}
	if (r->text && *r->text)
		sb_kv(b, "text", r->text);
}

void log_event(const struct logrec *r)
{
	char line[LOG_LINE_MAX], when[40], gtime[40] = "";
	struct sbuf b = { line, 0, sizeof(line) };
	uint16_t level = 0;
	const char *name;

	line[0] = '\0';
	name = r->id == DEBUG_EVENT_ID ? "Debug" :
	       hypervive_proto_event_name(r->id, &level);
	if (!name)
		name = "Unknown";
	if (r->level)
		level = r->level;
	iso_time(now_realtime_ns(), when, sizeof(when));
	if (r->guest_time_ns)
		iso_time(r->guest_time_ns, gtime, sizeof(gtime));
	if (cfg.json)
		format_json(&b, r, name, level, when, gtime);
	else
		format_text(&b, r, name, level, when, gtime);
	emit(level, line);
}

static void vlog_host(uint32_t id, const struct guest *g, const struct conn *c,
		      int64_t value, const char *suffix, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void vlog_host(uint32_t id, const struct guest *g, const struct conn *c,
		      int64_t value, const char *suffix, const char *fmt, va_list ap)
{
	char text[512];
	struct logrec r;
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	if (suffix)
		snprintf(text + n, sizeof(text) - n, "%s", suffix);
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.g = g;
	r.c = c;
	r.value = value;
	r.text = text;
	log_event(&r);
}

void log_host(uint32_t id, const struct guest *g, const struct conn *c,
	      int64_t value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_host(id, g, c, value, NULL, fmt, ap);
	va_end(ap);
}

void log_host_limited(uint32_t id, const struct guest *g, const struct conn *c,
		      int64_t value, const char *fmt, ...)
{
	static uint64_t window_start;
	static unsigned int in_window;
	static uint64_t suppressed;
	uint64_t now = now_ms();
	char suffix[64] = "";
	va_list ap;

	if (now - window_start >= LIMIT_WINDOW_MS) {
		window_start = now;
		in_window = 0;
	}
	if (in_window >= LIMIT_BURST) {
		suppressed++;
		return;
	}
	in_window++;
	if (suppressed)
		snprintf(suffix, sizeof(suffix), " (%llu similar lines suppressed)",
			 (unsigned long long)suppressed);
	suppressed = 0;
	va_start(ap, fmt);
	vlog_host(id, g, c, value, suffix, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!cfg.debug)
		return;
	va_start(ap, fmt);
	vlog_host(DEBUG_EVENT_ID, NULL, NULL, 0, NULL, fmt, ap);
	va_end(ap);
}

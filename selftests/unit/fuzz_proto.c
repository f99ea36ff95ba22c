// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target of the agent protocol codec (lib/proto.c).
 *
 * The input's first byte picks the receiving side (guest or host) and its
 * phase; the rest is a byte stream cut into frames exactly as a receiver
 * does: header decode, header validation, payload decode.  Every payload
 * that decodes is encoded again and must give back the same bytes, so a
 * decoder that accepts what the encoder would not write (or the reverse)
 * stops the run.  The raw input is also given to each payload decoder.
 *
 * libFuzzer:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I include -I . \
 *         -o fuzz_proto_lf selftests/unit/fuzz_proto.c lib/proto.c
 *   ./fuzz_proto_lf -max_total_time=20 selftests/unit/corpus/proto
 *
 * Plain program (no libFuzzer; deterministic for a given seed):
 *   cc -std=gnu11 -g -O1 -fsanitize=address,undefined \
 *      -fno-sanitize-recover=all -DHYPERVIVE_FUZZ_MAIN -I include -I . \
 *      -o fuzz_proto selftests/unit/fuzz_proto.c lib/proto.c
 *   ./fuzz_proto [-t SECONDS] [-n RUNS] [-s SEED] [FILE|DIR]...
 *   ./fuzz_proto -w DIR          write the seed corpus into DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hypervive/proto.h"

#define HDR HYPERVIVE_PROTO_HDR_SIZE

static u8 out[HYPERVIVE_PROTO_MAX_FRAME];
static unsigned long long frames_ok, payloads_ok;
static struct hypervive_proto_fs fs[HYPERVIVE_PROTO_FS_MAX];

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__,	\
			__LINE__, #c);					\
		abort();						\
	}								\
} while (0)

/* Re-encoding a decoded payload must reproduce @p (for HELLO, a prefix). */
static void same(const u8 *p, size_t len, int n, bool prefix)
{
	FUZZ_ASSERT(n >= 0);
	FUZZ_ASSERT(prefix ? (size_t)n <= len : (size_t)n == len);
	FUZZ_ASSERT(!memcmp(out, p, (size_t)n));
}

/* Decode a payload of @type; returns the decoder's result. */
static int payload(u16 type, const u8 *p, size_t len)
{
	struct hypervive_proto_hello hello;
	struct hypervive_proto_heartbeat hb;
	struct hypervive_proto_event ev;
	struct hypervive_proto_report rep;
	struct hypervive_proto_freeze fr;
	struct hypervive_proto_thaw th;
	struct hypervive_proto_error er;
	struct hypervive_proto_bye bye;
	u64 ack;
	int ret;

	switch (type) {
	case HYPERVIVE_PROTO_T_HELLO:
		ret = hypervive_proto_hello_decode(p, len, &hello);
		if (!ret)
			same(p, len, hypervive_proto_hello_encode(out, sizeof(out), &hello),
			     true);
		return ret;
	case HYPERVIVE_PROTO_T_HEARTBEAT:
		ret = hypervive_proto_heartbeat_decode(p, len, &hb);
		if (!ret)
			same(p, len, hypervive_proto_heartbeat_encode(out, sizeof(out), &hb),
			     false);
		return ret;
	case HYPERVIVE_PROTO_T_EVENT:
		ret = hypervive_proto_event_decode(p, len, &ev, fs, HYPERVIVE_PROTO_FS_MAX);
		if (!ret)
			same(p, len, hypervive_proto_event_encode(out, sizeof(out), &ev, fs),
			     false);
		/* validation without storage must agree */
		FUZZ_ASSERT(hypervive_proto_event_decode(p, len, &ev, NULL, 0) == ret);
		return ret;
	case HYPERVIVE_PROTO_T_ACK:
		ret = hypervive_proto_ack_decode(p, len, &ack);
		if (!ret)
			same(p, len, hypervive_proto_ack_encode(out, sizeof(out), ack), false);
		return ret;
	case HYPERVIVE_PROTO_T_FREEZE:
		ret = hypervive_proto_freeze_decode(p, len, &fr);
		if (!ret)
			same(p, len, hypervive_proto_freeze_encode(out, sizeof(out), &fr),
			     false);
		return ret;
	case HYPERVIVE_PROTO_T_THAW:
		ret = hypervive_proto_thaw_decode(p, len, &th);
		if (!ret)
			same(p, len, hypervive_proto_thaw_encode(out, sizeof(out), &th), false);
		return ret;
	case HYPERVIVE_PROTO_T_QUERY:
		return hypervive_proto_query_decode(p, len);
	case HYPERVIVE_PROTO_T_FREEZE_REPLY:
	case HYPERVIVE_PROTO_T_THAW_REPLY:
	case HYPERVIVE_PROTO_T_QUERY_REPLY:
		ret = hypervive_proto_report_decode(p, len, &rep, fs, HYPERVIVE_PROTO_FS_MAX);
		if (!ret)
			same(p, len, hypervive_proto_report_encode(out, sizeof(out), &rep, fs),
			     false);
		return ret;
	case HYPERVIVE_PROTO_T_ERROR:
		ret = hypervive_proto_error_decode(p, len, &er);
		if (!ret)
			same(p, len, hypervive_proto_error_encode(out, sizeof(out), &er),
			     false);
		return ret;
	case HYPERVIVE_PROTO_T_BYE:
		ret = hypervive_proto_bye_decode(p, len, &bye);
		if (!ret)
			same(p, len, hypervive_proto_bye_encode(out, sizeof(out), &bye), false);
		return ret;
	}
	return -EPROTO;
}

static void stream(const u8 *data, size_t size)
{
	struct hypervive_proto_state st;
	struct hypervive_proto_hdr h;
	size_t off = 1;
	int ret;

	hypervive_proto_state_init(&st, (data[0] & 1) ? HYPERVIVE_PROTO_ROLE_HOST :
				   HYPERVIVE_PROTO_ROLE_GUEST);
	if (data[0] & 2)
		hypervive_proto_state_open(&st, 1);
	while (size - off >= HDR) {
		FUZZ_ASSERT(hypervive_proto_hdr_decode(data + off, size - off, &h) == 0);
		FUZZ_ASSERT(hypervive_proto_hdr_encode(out, sizeof(out), &h) == (int)HDR);
		FUZZ_ASSERT(!memcmp(out, data + off, HDR));
		ret = hypervive_proto_hdr_validate(&h, &st);
		FUZZ_ASSERT(ret == 0 || ret == -EBADMSG || ret == -EPROTO ||
			    ret == -EMSGSIZE);
		if (ret)
			return;
		FUZZ_ASSERT(h.length <= HYPERVIVE_PROTO_MAX_PAYLOAD);
		if (size - off - HDR < h.length)
			return;
		hypervive_proto_rx_accept(&st, &h);
		ret = payload(h.type, data + off + HDR, h.length);
		FUZZ_ASSERT(ret == 0 || ret == -EBADMSG || ret == -ENOBUFS);
		if (ret)
			return;
		frames_ok++;
		if (h.type == HYPERVIVE_PROTO_T_HELLO)
			hypervive_proto_state_open(&st, 1);
		off += HDR + h.length;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u16 t;

	if (!size)
		return 0;
	stream(data, size);
	/* the payload decoders on raw bytes, bounded like a frame */
	if (size - 1 <= HYPERVIVE_PROTO_MAX_PAYLOAD)
		for (t = 1; t < HYPERVIVE_PROTO_T_COUNT; t++)
			payloads_ok += !payload(t, data + 1, size - 1);
	return 0;
}

#ifdef HYPERVIVE_FUZZ_MAIN
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#define FUZZ_MAX_INPUT	(2 * HYPERVIVE_PROTO_MAX_FRAME + 1)
#define MAX_SEEDS	512

static u8 *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static unsigned int nseeds;

static u64 rng_state;

static u64 rnd(void)
{
	u64 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static void add_file(const char *path)
{
	static u8 buf[FUZZ_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);		/* replay */
	if (nseeds < MAX_SEEDS && n) {
		seeds[nseeds] = malloc(n);
		memcpy(seeds[nseeds], buf, n);
		seed_len[nseeds++] = n;
	}
}

static void add_path(const char *path)
{
	char sub[4096];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (stat(path, &sb))
		return;
	if (!S_ISDIR(sb.st_mode)) {
		add_file(path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			add_file(sub);
		}
	closedir(d);
}

/* One input: a mutated seed (flips, byte sets, cuts, splices) or noise. */
static size_t mutate(u8 *buf)
{
	size_t n, i, k;

	if (!nseeds || rnd() % 16 == 0) {
		n = 1 + rnd() % 300;
		for (i = 0; i < n; i++)
			buf[i] = (u8)rnd();
		return n;
	}
	i = rnd() % nseeds;
	n = seed_len[i];
	memcpy(buf, seeds[i], n);
	for (k = 1 + rnd() % 6; k; k--) {
		switch (rnd() % 6) {
		case 0:
			buf[rnd() % n] ^= (u8)(1u << (rnd() % 8));
			break;
		case 1:
			buf[rnd() % n] = (u8)rnd();
			break;
		case 2: {	/* interesting values in a length-like spot */
			static const u8 v[] = { 0, 1, 0x7f, 0x80, 0xff, 0x10, 0x24, 0xc3 };

			buf[rnd() % n] = v[rnd() % sizeof(v)];
			break;
		}
		case 3:
			if (n > 2)
				n -= rnd() % (n / 2);
			break;
		case 4: {	/* append part of another seed */
			size_t j = rnd() % nseeds, m = rnd() % (seed_len[j] + 1);

			if (n + m <= FUZZ_MAX_INPUT) {
				memcpy(buf + n, seeds[j], m);
				n += m;
			}
			break;
		}
		default:	/* receiving side and phase */
			buf[0] = (u8)rnd();
		}
	}
	return n;
}

/* ---- seed corpus ----------------------------------------------------- */

static void put(const char *dir, const char *name, u8 sel, const u8 *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputc(sel, f);
	fwrite(p, 1, n, f);
	fclose(f);
}

static int frame(struct hypervive_proto_state *st, u8 *b, u16 type, u16 flags, int n)
{
	FUZZ_ASSERT(n >= 0);
	n = hypervive_proto_frame_seal(st, b, HYPERVIVE_PROTO_MAX_FRAME, type, flags,
				       (size_t)n);
	FUZZ_ASSERT(n > 0);
	return n;
}

static void write_corpus(const char *dir)
{
	static u8 b[HYPERVIVE_PROTO_MAX_FRAME * 4];
	struct hypervive_proto_state g, h;
	struct hypervive_proto_hello hello = {
		.min_version = 1, .max_version = 1,
		.role = HYPERVIVE_PROTO_ROLE_GUEST, .capabilities = 7,
		.heartbeat_ms = 1000, .queue_capacity = 256,
		.hostname = "vm1", .release = "6.1.0-56-amd64",
		.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
		.sw_version = "1.0",
	};
	struct hypervive_proto_heartbeat hb = { .counter = 1, .uptime_ns = 5 };
	struct hypervive_proto_event ev = {
		.event_seq = 7, .event_id = HYPERVIVE_PROTO_EV_FS_FROZEN,
		.level = 1, .fs_count = 2, .checkpoint_id = 42, .text = "ok \xc3\xa9",
	};
	struct hypervive_proto_report rep = {
		.request_seq = 2, .checkpoint_id = 42, .fs_count = 2,
		.remaining_ms = 1000,
	};
	struct hypervive_proto_freeze fr = { .checkpoint_id = 42, .timeout_ms = 30000 };
	struct hypervive_proto_thaw th = { .checkpoint_id = 42 };
	struct hypervive_proto_error er = { .code = 1, .ref_seq = 1, .text = "no" };
	struct hypervive_proto_bye bye = { .reason = 2 };
	size_t n;

	mkdir(dir, 0755);
	memset(fs, 0, 2 * sizeof(fs[0]));
	fs[0].dev = 0x800001;
	fs[0].state = HYPERVIVE_PROTO_FS_FROZEN;
	strcpy(fs[0].mount, "/");
	strcpy(fs[0].fstype, "ext4");
	fs[1].dev = 0x800002;
	fs[1].state = HYPERVIVE_PROTO_FS_SKIPPED;
	fs[1].reason = HYPERVIVE_PROTO_SKIP_READ_ONLY;
	strcpy(fs[1].mount, "/boot");

	/* guest -> host: hello, heartbeat, event, reply, bye (selector 1: host) */
	hypervive_proto_state_init(&g, HYPERVIVE_PROTO_ROLE_GUEST);
	n = (size_t)frame(&g, b, HYPERVIVE_PROTO_T_HELLO, 0,
			  hypervive_proto_hello_encode(b + HDR, sizeof(b) - HDR, &hello));
	put(dir, "g2h-hello", 1, b, n);
	hypervive_proto_state_open(&g, 1);
	n += (size_t)frame(&g, b + n, HYPERVIVE_PROTO_T_HEARTBEAT, 0,
			   hypervive_proto_heartbeat_encode(b + n + HDR, 100, &hb));
	n += (size_t)frame(&g, b + n, HYPERVIVE_PROTO_T_EVENT, HYPERVIVE_PROTO_F_RESENT,
			   hypervive_proto_event_encode(b + n + HDR, 4096, &ev, fs));
	n += (size_t)frame(&g, b + n, HYPERVIVE_PROTO_T_FREEZE_REPLY, 0,
			   hypervive_proto_report_encode(b + n + HDR, 4096, &rep, fs));
	rep.fs_count = 0;
	n += (size_t)frame(&g, b + n, HYPERVIVE_PROTO_T_QUERY_REPLY, 0,
			   hypervive_proto_report_encode(b + n + HDR, 4096, &rep, NULL));
	n += (size_t)frame(&g, b + n, HYPERVIVE_PROTO_T_BYE, 0,
			   hypervive_proto_bye_encode(b + n + HDR, 100, &bye));
	put(dir, "g2h-stream", 1, b, n);

	/* host -> guest: hello, ack, freeze, thaw, query, error (selector 0) */
	hypervive_proto_state_init(&h, HYPERVIVE_PROTO_ROLE_HOST);
	hello.role = HYPERVIVE_PROTO_ROLE_HOST;
	hello.selected_version = 1;
	hello.queue_capacity = 0;
	hello.last_event_seq = 6;
	n = (size_t)frame(&h, b, HYPERVIVE_PROTO_T_HELLO, 0,
			  hypervive_proto_hello_encode(b + HDR, sizeof(b) - HDR, &hello));
	hypervive_proto_state_open(&h, 1);
	n += (size_t)frame(&h, b + n, HYPERVIVE_PROTO_T_ACK, 0,
			   hypervive_proto_ack_encode(b + n + HDR, 100, 7));
	n += (size_t)frame(&h, b + n, HYPERVIVE_PROTO_T_FREEZE, 0,
			   hypervive_proto_freeze_encode(b + n + HDR, 100, &fr));
	n += (size_t)frame(&h, b + n, HYPERVIVE_PROTO_T_THAW, 0,
			   hypervive_proto_thaw_encode(b + n + HDR, 100, &th));
	n += (size_t)frame(&h, b + n, HYPERVIVE_PROTO_T_QUERY, 0, 0);
	n += (size_t)frame(&h, b + n, HYPERVIVE_PROTO_T_ERROR, 0,
			   hypervive_proto_error_encode(b + n + HDR, 400, &er));
	put(dir, "h2g-stream", 0, b, n);

	/* single payloads, open receivers (selectors 2 and 3) */
	n = (size_t)hypervive_proto_event_encode(b, sizeof(b), &ev, fs);
	put(dir, "event-payload", 3, b, n);
	rep.fs_count = 2;
	n = (size_t)hypervive_proto_report_encode(b, sizeof(b), &rep, fs);
	put(dir, "report-payload", 3, b, n);
	n = (size_t)hypervive_proto_freeze_encode(b, sizeof(b), &fr);
	put(dir, "freeze-payload", 2, b, n);
}

int main(int argc, char **argv)
{
	static u8 buf[FUZZ_MAX_INPUT];
	unsigned long long runs = 0, max_runs = 0;
	double seconds = 0;
	time_t start = time(NULL);
	int i;

	rng_state = 0x853c49e6748fea9bULL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-w") && i + 1 < argc) {
			write_corpus(argv[++i]);
			return 0;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			max_runs = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			rng_state ^= strtoull(argv[++i], NULL, 0) * 0x9e3779b97f4a7c15ULL;
			if (!rng_state)
				rng_state = 1;
		} else {
			add_path(argv[i]);
		}
	}
	printf("fuzz_proto: replayed %u corpus inputs\n", nseeds);
	if (!seconds && !max_runs)
		max_runs = 100000;
	while ((!max_runs || runs < max_runs) &&
	       (!seconds || difftime(time(NULL), start) < seconds)) {
		size_t n = mutate(buf);

		LLVMFuzzerTestOneInput(buf, n);
		runs++;
	}
	printf("fuzz_proto: %llu random inputs, %llu valid frames in streams, %llu valid raw payloads, no failure\n",
	       runs, frames_ok, payloads_ok);
	return 0;
}
#endif /* HYPERVIVE_FUZZ_MAIN */

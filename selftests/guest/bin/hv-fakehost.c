// SPDX-License-Identifier: GPL-2.0
/*
 * hv-fakehost: a deliberately misbehaving host peer for hypervive_agent,
 * for the in-guest tests only (vsock_loopback).  It listens on AF_VSOCK,
 * lets the agent connect, and then does what MODE says:
 *
 *   frames MS          answer HELLO correctly, print every frame for MS ms
 *   version            select protocol version 2 (the agent speaks 1)
 *   refuse             answer HELLO with ERROR(VERSION)
 *   bad KIND           answer HELLO, then send one malformed frame KIND
 *   kinds              print the KINDs, one a line
 *   random N SEED      N connections, each sent one randomly mutated frame
 *   flood N            send N QUERY frames at once; report how fast replies come
 *   freeze-bad         FREEZE (checkpoint 60), then a malformed frame
 *   emit-hello         print a host HELLO frame (seq 1) on stdout and exit
 *
 * Output is one "key=value ..." line per observation, for the shell tests.
 * Exit: 0 when the agent behaved as expected, 1 when not, 2 usage, 3 timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "hypervive/proto.h"

#define HDR	HYPERVIVE_PROTO_HDR_SIZE

static unsigned int port = HYPERVIVE_PROTO_VSOCK_PORT;
static int timeout_ms = 20000;
static int lfd = -1;

struct peer {
	int fd;
	struct hypervive_proto_state st;
	uint64_t max_event;		/* highest event seq received */
	uint64_t acked;
	int agent_error;		/* ERROR code the agent sent, 0 if none */
	uint64_t agent_error_ref;
	unsigned int replies;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_vsock(void)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 4)) {
		perror("hv-fakehost: vsock listen");
		exit(1);
	}
	return fd;
}

static int accept_one(void)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1) {
		printf("result=timeout what=no-connection\n");
		exit(3);
	}
	return accept(lfd, NULL, NULL);
}

/* Read exactly @n bytes within @ms; 0 ok, -1 EOF/error, -2 timeout. */
static int read_full(int fd, uint8_t *buf, size_t n, int ms)
{
	uint64_t end = now_ms() + ms;
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)(end - now_ms());
		ssize_t r;

		if (left <= 0 || poll(&p, 1, left) != 1)
			return -2;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Next frame from the agent, validated with the codec as a host would.
 * Returns the type, 0 on EOF, -1 on an invalid frame, -2 on timeout.
 */
static int read_frame(struct peer *pr, struct hypervive_proto_hdr *h,
		      uint8_t *payload, int ms)
{
	uint8_t hb[HDR];
	int ret;

	ret = read_full(pr->fd, hb, HDR, ms);
	if (ret)
		return ret == -1 ? 0 : -2;
	hypervive_proto_hdr_decode(hb, HDR, h);
	if (hypervive_proto_hdr_validate(h, &pr->st)) {
		printf("result=agent-sent-invalid-header type=%u len=%u seq=%llu\n",
		       h->type, h->length, (unsigned long long)h->seq);
		return -1;
	}
	if (read_full(pr->fd, payload, h->length, ms))
		return 0;
	hypervive_proto_rx_accept(&pr->st, h);
	if (h->type == HYPERVIVE_PROTO_T_EVENT) {
		struct hypervive_proto_event ev;
		static struct hypervive_proto_fs fs[HYPERVIVE_PROTO_FS_MAX];

		if (hypervive_proto_event_decode(payload, h->length, &ev, fs,
						 HYPERVIVE_PROTO_FS_MAX))
			return -1;
		if (ev.event_seq > pr->max_event)
			pr->max_event = ev.event_seq;
	} else if (h->type == HYPERVIVE_PROTO_T_ERROR) {
		struct hypervive_proto_error e;

		if (!hypervive_proto_error_decode(payload, h->length, &e)) {
			pr->agent_error = (int)e.code;
			pr->agent_error_ref = e.ref_seq;
		}
	} else if (h->type == HYPERVIVE_PROTO_T_QUERY_REPLY) {
		pr->replies++;
	}
	return h->type;
}

static int send_raw(struct peer *pr, const void *buf, size_t n)
{
	return write(pr->fd, buf, n) == (ssize_t)n ? 0 : -1;
}

/* Seal @plen payload bytes at buf + HDR and send. */
static int send_frame(struct peer *pr, uint8_t *buf, uint16_t type, int plen)
{
	int n;

	if (plen < 0)
		return -1;
	n = hypervive_proto_frame_seal(&pr->st, buf, HYPERVIVE_PROTO_MAX_FRAME,
				       type, 0, (size_t)plen);
	return n < 0 ? -1 : send_raw(pr, buf, (size_t)n);
}

static int host_hello_payload(uint8_t *p, size_t cap, uint16_t ver)
{
	struct hypervive_proto_hello h;

	memset(&h, 0, sizeof(h));
	h.min_version = ver;
	h.max_version = ver;
	h.selected_version = ver;
	h.role = HYPERVIVE_PROTO_ROLE_HOST;
	h.capabilities = HYPERVIVE_PROTO_CAP_ALL;
	h.heartbeat_ms = 1000;
	strcpy(h.hostname, "fakehost");
	strcpy(h.release, "test");
	strcpy(h.sw_version, "hv-fakehost");
	return hypervive_proto_hello_encode(p, cap, &h);
}

/* Accept the agent and read its HELLO; -1 if it is not a valid one. */
static int greet(struct peer *pr, uint8_t *buf)
{
	struct hypervive_proto_hdr h;
	struct hypervive_proto_hello hello;
	int t;

	memset(pr, 0, sizeof(*pr));
	pr->fd = accept_one();
	if (pr->fd < 0)
		return -1;
	hypervive_proto_state_init(&pr->st, HYPERVIVE_PROTO_ROLE_HOST);
	t = read_frame(pr, &h, buf + HDR, timeout_ms);
	if (t != HYPERVIVE_PROTO_T_HELLO ||
	    hypervive_proto_hello_decode(buf + HDR, h.length, &hello) ||
	    hello.role != HYPERVIVE_PROTO_ROLE_GUEST) {
		printf("result=bad-guest-hello type=%d\n", t);
		return -1;
	}
	printf("guest-hello hostname=%s release=%s boot_id=%s sw=\"%s\" versions=%u..%u caps=0x%x heartbeat_ms=%u queue=%u\n",
	       hello.hostname, hello.release, hello.boot_id, hello.sw_version,
	       hello.min_version, hello.max_version, hello.capabilities,
	       hello.heartbeat_ms, hello.queue_capacity);
	return 0;
}

static int open_ok(struct peer *pr, uint8_t *buf)
{
	if (send_frame(pr, buf, HYPERVIVE_PROTO_T_HELLO,
		       host_hello_payload(buf + HDR, 1024, 1)))
		return -1;
	hypervive_proto_state_open(&pr->st, 1);
	return 0;
}

/* Read until EOF (returns 1), timeout (0) or an invalid frame (-1). */
static int until_closed(struct peer *pr, uint8_t *buf, int ms)
{
	struct hypervive_proto_hdr h;
	uint64_t end = now_ms() + ms;
	int t;

	for (;;) {
		int left = (int)(end - now_ms());

		if (left <= 0)
			return 0;
		t = read_frame(pr, &h, buf + HDR, left);
		if (t == 0)
			return 1;
		if (t == -2)
			return 0;
		if (t < 0) {
			/* after its ERROR the agent closes; bytes may be cut */
			return pr->agent_error ? 1 : -1;
		}
		if (t == HYPERVIVE_PROTO_T_ERROR)
			pr->st.phase = HYPERVIVE_PROTO_PHASE_CLOSED;
	}
}

static const char *const kinds[] = {
	"magic", "hdrsize", "version", "type", "direction", "hello-twice",
	"flags", "resent", "oversize", "length", "seq-skip", "seq-repeat",
	"ack-zero", "ack-ahead", "ack-short", "freeze-reserved",
	"freeze-zero", "freeze-timeout", "thaw-reserved", "query-length",
	"garbage",
};

/* Build malformed frame @kind at buf; returns its length or -1. */
static int make_bad(struct peer *pr, const char *kind, uint8_t *buf)
{
	struct hypervive_proto_freeze fr = { .checkpoint_id = 7 };
	struct hypervive_proto_thaw th = { 0 };
	int n, i;

	if (!strcmp(kind, "garbage")) {
		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)(i * 37 + 11);
		return 64;
	}
	if (!strcmp(kind, "hello-twice")) {
		/* a HELLO after OPEN, sealed by hand (the codec refuses) */
		n = host_hello_payload(buf + HDR, 1024, 1);
		pr->st.phase = HYPERVIVE_PROTO_PHASE_HELLO;
		n = hypervive_proto_frame_seal(&pr->st, buf, 4096,
					       HYPERVIVE_PROTO_T_HELLO, 0, n);
		hypervive_proto_put_u16(buf + 4, 1);
		pr->st.phase = HYPERVIVE_PROTO_PHASE_OPEN;
		return n;
	}
	if (!strcmp(kind, "direction")) {
		/* a HEARTBEAT is guest->host only */
		memset(buf + HDR, 0, HYPERVIVE_PROTO_HEARTBEAT_LEN);
		pr->st.role = HYPERVIVE_PROTO_ROLE_GUEST;
		n = hypervive_proto_frame_seal(&pr->st, buf, 4096,
					       HYPERVIVE_PROTO_T_HEARTBEAT, 0,
					       HYPERVIVE_PROTO_HEARTBEAT_LEN);
		pr->st.role = HYPERVIVE_PROTO_ROLE_HOST;
		return n;
	}
	if (!strncmp(kind, "freeze", 6)) {
		n = hypervive_proto_freeze_encode(buf + HDR, 64, &fr);
		if (!strcmp(kind, "freeze-reserved"))
			buf[HDR + 12] = 1;
		else if (!strcmp(kind, "freeze-zero"))
			memset(buf + HDR, 0, 8);
		else
			hypervive_proto_put_u32(buf + HDR + 8, 3600001);
		return hypervive_proto_frame_seal(&pr->st, buf, 4096,
						  HYPERVIVE_PROTO_T_FREEZE, 0, n);
	}
	if (!strcmp(kind, "thaw-reserved")) {
		n = hypervive_proto_thaw_encode(buf + HDR, 64, &th);
		buf[HDR + 15] = 0x80;
		return hypervive_proto_frame_seal(&pr->st, buf, 4096,
						  HYPERVIVE_PROTO_T_THAW, 0, n);
	}
	/* An ACK, valid unless the kind breaks it. */
	hypervive_proto_put_u64(buf + HDR, pr->max_event ? pr->max_event : 1);
	if (!strcmp(kind, "ack-zero"))
		hypervive_proto_put_u64(buf + HDR, 0);
	else if (!strcmp(kind, "ack-ahead"))
		hypervive_proto_put_u64(buf + HDR, pr->max_event + 1000);
	n = hypervive_proto_frame_seal(&pr->st, buf, 4096, HYPERVIVE_PROTO_T_ACK,
				       0, HYPERVIVE_PROTO_ACK_LEN);
	if (!strcmp(kind, "magic"))
		buf[0] ^= 0xff;
	else if (!strcmp(kind, "hdrsize"))
		hypervive_proto_put_u16(buf + 10, 32);
	else if (!strcmp(kind, "version"))
		hypervive_proto_put_u16(buf + 4, 2);
	else if (!strcmp(kind, "type"))
		hypervive_proto_put_u16(buf + 6, 99);
	else if (!strcmp(kind, "flags"))
		hypervive_proto_put_u16(buf + 8, 0x8000);
	else if (!strcmp(kind, "resent"))
		hypervive_proto_put_u16(buf + 8, HYPERVIVE_PROTO_F_RESENT);
	else if (!strcmp(kind, "oversize"))
		hypervive_proto_put_u32(buf + 12, 5000);
	else if (!strcmp(kind, "length"))
		hypervive_proto_put_u32(buf + 12, 16);
	else if (!strcmp(kind, "seq-skip"))
		hypervive_proto_put_u64(buf + 16, pr->st.tx_seq + 1);
	else if (!strcmp(kind, "seq-repeat"))
		hypervive_proto_put_u64(buf + 16, pr->st.tx_seq - 1);
	else if (!strcmp(kind, "ack-short"))
		return HDR + 4;	/* header promises 8, 4 come, then EOF */
	else if (!strcmp(kind, "query-length"))
		hypervive_proto_put_u16(buf + 6, HYPERVIVE_PROTO_T_QUERY);
	else if (strcmp(kind, "ack-zero") && strcmp(kind, "ack-ahead"))
		return -1;
	if (!strcmp(kind, "length"))
		return n + 8;
	return n;
}

static int mode_bad(const char *kind, uint8_t *buf)
{
	struct hypervive_proto_hdr h;
	struct peer pr;
	int n, closed;

	if (greet(&pr, buf) || open_ok(&pr, buf))
		return 1;
	/* wait for the first heartbeat: the agent is OPEN then */
	do {
		n = read_frame(&pr, &h, buf + HDR, timeout_ms);
	} while (n > 0 && n != HYPERVIVE_PROTO_T_HEARTBEAT);
	if (n != HYPERVIVE_PROTO_T_HEARTBEAT) {
		printf("result=no-heartbeat\n");
		return 1;
	}
	n = make_bad(&pr, kind, buf);
	if (n < 0) {
		fprintf(stderr, "hv-fakehost: unknown kind '%s'\n", kind);
		return 2;
	}
	send_raw(&pr, buf, (size_t)n);
	if (!strcmp(kind, "ack-short"))
		shutdown(pr.fd, SHUT_WR);
	closed = until_closed(&pr, buf, 5000);
	printf("kind=%s closed=%d agent_error=%d ref_seq=%llu\n", kind,
	       closed == 1, pr.agent_error,
	       (unsigned long long)pr.agent_error_ref);
	close(pr.fd);
	if (!strcmp(kind, "ack-short"))	/* a cut frame is a close, no ERROR */
		return closed == 1 ? 0 : 1;
	return closed == 1 && pr.agent_error == HYPERVIVE_PROTO_ERR_BAD_FRAME ?
	       0 : 1;
}

static int mode_frames(int ms, uint8_t *buf)
{
	struct hypervive_proto_hdr h;
	struct hypervive_proto_heartbeat hb;
	struct peer pr;
	uint64_t end;
	int t;

	if (greet(&pr, buf) || open_ok(&pr, buf))
		return 1;
	end = now_ms() + (uint64_t)ms;
	while (now_ms() < end) {
		t = read_frame(&pr, &h, buf + HDR, (int)(end - now_ms()));
		if (t == -2)
			break;
		if (t <= 0) {
			printf("result=closed-early t=%d\n", t);
			return 1;
		}
		printf("frame type=%s seq=%llu len=%u flags=%u", hypervive_proto_type_name(h.type),
		       (unsigned long long)h.seq, h.length, h.flags);
		if (t == HYPERVIVE_PROTO_T_HEARTBEAT &&
		    !hypervive_proto_heartbeat_decode(buf + HDR, h.length, &hb))
			printf(" counter=%llu uptime_ms=%llu queued=%u dropped=%u frozen=%u",
			       (unsigned long long)hb.counter,
			       (unsigned long long)(hb.uptime_ns / 1000000),
			       hb.queued_events, hb.dropped_events, hb.frozen_count);
		if (t == HYPERVIVE_PROTO_T_EVENT)
			printf(" event_seq=%llu event_id=%u",
			       (unsigned long long)hypervive_proto_get_u64(buf + HDR),
			       hypervive_proto_get_u32(buf + HDR + 16));
		printf(" t_ms=%llu\n", (unsigned long long)now_ms());
	}
	close(pr.fd);
	return 0;
}

static int mode_hello_reply(uint16_t ver, bool refuse, uint8_t *buf)
{
	struct hypervive_proto_error e = { .code = HYPERVIVE_PROTO_ERR_VERSION };
	struct peer pr;
	int closed;

	if (greet(&pr, buf))
		return 1;
	if (refuse) {
		strcpy(e.text, "host supports protocol versions 2..2");
		e.ref_seq = 1;
		send_frame(&pr, buf, HYPERVIVE_PROTO_T_ERROR,
			   hypervive_proto_error_encode(buf + HDR, 1024, &e));
		/* the agent closes without an answer */
	} else {
		send_frame(&pr, buf, HYPERVIVE_PROTO_T_HELLO,
			   host_hello_payload(buf + HDR, 1024, ver));
	}
	closed = until_closed(&pr, buf, 5000);
	printf("closed=%d agent_error=%d\n", closed == 1, pr.agent_error);
	close(pr.fd);
	if (refuse)
		return closed == 1 && !pr.agent_error ? 0 : 1;
	return closed == 1 && pr.agent_error == HYPERVIVE_PROTO_ERR_VERSION ? 0 : 1;
}

/* Valid frames to mutate: ACK, QUERY, THAW. */
static int valid_frame(struct peer *pr, uint8_t *buf, uint32_t r)
{
	struct hypervive_proto_thaw th = { 0 };

	switch (r % 3) {
	case 0:
		if (!pr->max_event)
			break;
		hypervive_proto_put_u64(buf + HDR, pr->max_event);
		return hypervive_proto_frame_seal(&pr->st, buf, 4096,
						  HYPERVIVE_PROTO_T_ACK, 0, 8);
	case 1:
		return hypervive_proto_frame_seal(&pr->st, buf, 4096,
						  HYPERVIVE_PROTO_T_THAW, 0,
						  hypervive_proto_thaw_encode(buf + HDR, 64, &th));
	}
	return hypervive_proto_frame_seal(&pr->st, buf, 4096,
					  HYPERVIVE_PROTO_T_QUERY, 0, 0);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int mode_random(unsigned int conns, uint32_t seed, uint8_t *buf)
{
	unsigned int i, k, flips, closed_err = 0, closed_other = 0, survived = 0;
	struct hypervive_proto_hdr h;
	struct peer pr;
	uint64_t end;
	int n, c;

	for (i = 0; i < conns; i++) {
		if (greet(&pr, buf) || open_ok(&pr, buf))
			return 1;
		/* take the first frames (HEARTBEAT, maybe EVENTs) for 300 ms */
		end = now_ms() + 300;
		while (now_ms() < end &&
		       read_frame(&pr, &h, buf + HDR, (int)(end - now_ms())) > 0)
			;
		n = valid_frame(&pr, buf, xorshift(&seed));
		flips = 1 + xorshift(&seed) % 4;
		for (k = 0; k < flips; k++)
			buf[xorshift(&seed) % (uint32_t)n] ^=
				(uint8_t)(1 + xorshift(&seed) % 255);
		if (xorshift(&seed) % 4 == 0)
			n = (int)(xorshift(&seed) % (uint32_t)n);	/* cut */
		send_raw(&pr, buf, (size_t)n);
		shutdown(pr.fd, SHUT_WR);
		c = until_closed(&pr, buf, 3000);
		if (c == 1 && pr.agent_error == HYPERVIVE_PROTO_ERR_BAD_FRAME)
			closed_err++;
		else if (c == 1)
			closed_other++;
		else
			survived++;
		close(pr.fd);
	}
	printf("random connections=%u bad_frame_errors=%u closed_otherwise=%u not_closed=%u\n",
	       conns, closed_err, closed_other, survived);
	return 0;
}

static int mode_flood(unsigned int n, uint8_t *buf)
{
	struct hypervive_proto_hdr h;
	unsigned int i, in_first_s = 0;
	uint64_t t0, first_s_end;
	struct peer pr;
	int t;

	if (greet(&pr, buf) || open_ok(&pr, buf))
		return 1;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		int len = hypervive_proto_frame_seal(&pr.st, buf, 4096,
						     HYPERVIVE_PROTO_T_QUERY, 0, 0);

		if (len < 0 || send_raw(&pr, buf, (size_t)len))
			return 1;
	}
	first_s_end = now_ms() + 1000;
	while (pr.replies < n) {
		t = read_frame(&pr, &h, buf + HDR, timeout_ms);
		if (t <= 0) {
			printf("result=flood-broken t=%d replies=%u\n", t, pr.replies);
			return 1;
		}
		if (t == HYPERVIVE_PROTO_T_QUERY_REPLY && now_ms() <= first_s_end)
			in_first_s++;
	}
	printf("flood queries=%u replies=%u replies_first_second=%u elapsed_ms=%llu\n",
	       n, pr.replies, in_first_s, (unsigned long long)(now_ms() - t0));
	close(pr.fd);
	return 0;
}

static int mode_freeze_bad(uint8_t *buf)
{
	struct hypervive_proto_freeze fr = { .checkpoint_id = 60, .timeout_ms = 600000 };
	struct hypervive_proto_report rep;
	struct hypervive_proto_hdr h;
	struct peer pr;
	int t, n, closed;

	if (greet(&pr, buf) || open_ok(&pr, buf))
		return 1;
	if (send_frame(&pr, buf, HYPERVIVE_PROTO_T_FREEZE,
		       hypervive_proto_freeze_encode(buf + HDR, 64, &fr)))
		return 1;
	do {
		t = read_frame(&pr, &h, buf + HDR, timeout_ms);
	} while (t > 0 && t != HYPERVIVE_PROTO_T_FREEZE_REPLY);
	if (t != HYPERVIVE_PROTO_T_FREEZE_REPLY ||
	    hypervive_proto_report_decode(buf + HDR, h.length, &rep, NULL, 0)) {
		printf("result=no-freeze-reply t=%d\n", t);
		return 1;
	}
	printf("freeze status=%d filesystems=%u\n", rep.status, rep.fs_count);
	fflush(stdout);
	n = make_bad(&pr, "garbage", buf);
	send_raw(&pr, buf, (size_t)n);
	closed = until_closed(&pr, buf, 5000);
	printf("closed=%d agent_error=%d\n", closed == 1, pr.agent_error);
	close(pr.fd);
	return closed == 1 && pr.agent_error == HYPERVIVE_PROTO_ERR_BAD_FRAME ? 0 : 1;
}

static int emit_hello(uint8_t *buf)
{
	struct peer pr;

	memset(&pr, 0, sizeof(pr));
	pr.fd = 1;
	hypervive_proto_state_init(&pr.st, HYPERVIVE_PROTO_ROLE_HOST);
	return send_frame(&pr, buf, HYPERVIVE_PROTO_T_HELLO,
			  host_hello_payload(buf + HDR, 1024, 1)) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[HYPERVIVE_PROTO_MAX_FRAME + 64];
	unsigned int i;
	int a = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (a + 1 < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "--port"))
			port = (unsigned int)strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--timeout-ms"))
			timeout_ms = atoi(argv[a + 1]);
		else
			break;
		a += 2;
	}
	if (a >= argc)
		goto usage;
	if (!strcmp(argv[a], "kinds")) {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			printf("%s\n", kinds[i]);
		return 0;
	}
	if (!strcmp(argv[a], "emit-hello"))
		return emit_hello(buf);
	lfd = listen_vsock();
	if (!strcmp(argv[a], "frames") && a + 1 < argc)
		return mode_frames(atoi(argv[a + 1]), buf);
	if (!strcmp(argv[a], "version"))
		return mode_hello_reply(2, false, buf);
	if (!strcmp(argv[a], "refuse"))
		return mode_hello_reply(1, true, buf);
	if (!strcmp(argv[a], "bad") && a + 1 < argc)
		return mode_bad(argv[a + 1], buf);
	if (!strcmp(argv[a], "random") && a + 2 < argc)
		return mode_random((unsigned int)atoi(argv[a + 1]),
				   (uint32_t)strtoul(argv[a + 2], NULL, 0), buf);
	if (!strcmp(argv[a], "freeze-bad"))
		return mode_freeze_bad(buf);
	if (!strcmp(argv[a], "flood") && a + 1 < argc)
		return mode_flood((unsigned int)atoi(argv[a + 1]), buf);
usage:
	fprintf(stderr, "usage: hv-fakehost [--port P] [--timeout-ms MS] frames MS|version|refuse|bad KIND|kinds|random N SEED|flood N|freeze-bad|emit-hello\n");
	return 2;
}

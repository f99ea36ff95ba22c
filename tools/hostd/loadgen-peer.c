// SPDX-License-Identifier: GPL-2.0
/*
 * Test peer of hostd-loadgen: malformed frames (one kind per connection)
 * and randomly mutated frames.  Blocking sockets with receive timeouts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "loadgen.h"

#define HDR HYPERVIVE_PROTO_HDR_SIZE

static uint8_t buf[2 * HYPERVIVE_PROTO_MAX_FRAME];
static uint8_t rbuf[HYPERVIVE_PROTO_MAX_FRAME];

static void set_timeout(int fd, unsigned int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r == 0)
			return 0;		/* EOF */
		if (r < 0)
			return -errno;		/* timeout: -EAGAIN */
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* Read one frame: 1 frame, 0 EOF, -errno on timeout or a bad frame. */
static int read_frame(int fd, struct hypervive_proto_state *st,
		      struct hypervive_proto_hdr *h)
{
	int ret = read_full(fd, rbuf, HDR);

	if (ret <= 0)
		return ret;
	hypervive_proto_hdr_decode(rbuf, HDR, h);
	if (hypervive_proto_hdr_validate(h, st))
		return -EBADMSG;
	ret = read_full(fd, rbuf + HDR, h->length);
	if (ret <= 0)
		return ret ? ret : 0;
	hypervive_proto_rx_accept(st, h);
	return 1;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int seal_send(int fd, struct hypervive_proto_state *st, uint16_t type,
		     uint16_t flags, int plen)
{
	int n;

	if (plen < 0)
		return plen;
	n = hypervive_proto_frame_seal(st, buf, sizeof(buf), type, flags, (size_t)plen);
	return n < 0 ? n : send_all(fd, buf, (size_t)n);
}

/* Connect and, if @hello, complete the HELLO exchange. */
static int peer_open(struct hypervive_proto_state *st, const char *host,
		     unsigned int idx, bool hello)
{
	struct hypervive_proto_hdr h;
	char boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];
	int fd = net_connect(&lg.addr), ret;

	if (fd < 0) {
		fprintf(stderr, "peer: connect: %s\n", strerror(-fd));
		return fd;
	}
	set_timeout(fd, 2000);
	hypervive_proto_state_init(st, HYPERVIVE_PROTO_ROLE_GUEST);
	if (!hello)
		return fd;
	lg_boot_id(idx, boot_id);
	ret = seal_send(fd, st, HYPERVIVE_PROTO_T_HELLO, 0,
			lg_hello(buf + HDR, sizeof(buf) - HDR, host, boot_id,
				 HYPERVIVE_PROTO_VERSION_MIN, HYPERVIVE_PROTO_VERSION_MAX));
	if (!ret && read_frame(fd, st, &h) == 1 && h.type == HYPERVIVE_PROTO_T_HELLO) {
		hypervive_proto_state_open(st, HYPERVIVE_PROTO_VERSION_MAX);
		return fd;
	}
	fprintf(stderr, "peer: HELLO exchange failed\n");
	close(fd);
	return -EPROTO;
}

/* Wait for the host to close: 1 closed (code of its ERROR, if any), 0 not. */
static int wait_closed(int fd, struct hypervive_proto_state *st, unsigned int ms,
		       uint32_t *code)
{
	struct hypervive_proto_hdr h;
	int ret;

	*code = 0;
	set_timeout(fd, ms);
	for (;;) {
		ret = read_frame(fd, st, &h);
		if (ret == 0)
			return 1;
		if (ret < 0)
			return ret == -EAGAIN || ret == -EWOULDBLOCK ? 0 : 1;
		if (h.type == HYPERVIVE_PROTO_T_ERROR)
			*code = hypervive_proto_get_u32(rbuf + HDR);
	}
}

static void patch16(size_t off, uint16_t v)
{
	hypervive_proto_put_u16(buf + off, v);
}

/* Build a valid frame of @type into buf (taking a sequence number). */
static int build(struct hypervive_proto_state *st, uint16_t type, uint64_t ev_seq)
{
	struct hypervive_proto_heartbeat hb = { .counter = 1 };
	struct hypervive_proto_report r = { .request_seq = 99 };
	int n;

	switch (type) {
	case HYPERVIVE_PROTO_T_EVENT:
		n = lg_event(buf + HDR, sizeof(buf) - HDR, ev_seq,
			     HYPERVIVE_PROTO_EV_AGENT_STARTED, 0, 0, "peer event");
		break;
	case HYPERVIVE_PROTO_T_QUERY_REPLY:
		n = hypervive_proto_report_encode(buf + HDR, sizeof(buf) - HDR, &r, NULL);
		break;
	default:
		n = hypervive_proto_heartbeat_encode(buf + HDR, sizeof(buf) - HDR, &hb);
		type = HYPERVIVE_PROTO_T_HEARTBEAT;
	}
	if (n < 0)
		return n;
	return hypervive_proto_frame_seal(st, buf, sizeof(buf), type, 0, (size_t)n);
}

static const char *const kinds[] = {
	"magic", "hdrsize", "version", "type", "direction", "oversize", "short",
	"seq", "flags", "badutf8", "control", "trailing", "reserved",
	"unsolicited", "hello-twice", "early", "badhello", "garbage", "fs-count",
};

/* Bytes of a malformed frame of @kind; the connection is open unless the
 * kind is about the HELLO phase. */
static int make_bad(const char *kind, struct hypervive_proto_state *st, size_t *len)
{
	int n;

	if (!strcmp(kind, "early")) {
		st->phase = HYPERVIVE_PROTO_PHASE_OPEN;	/* let seal do it */
		st->version = 1;
		n = build(st, HYPERVIVE_PROTO_T_HEARTBEAT, 0);
	} else if (!strcmp(kind, "badhello")) {
		char id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];

		lg_boot_id(7, id);
		n = lg_hello(buf + HDR, sizeof(buf) - HDR, "badhello", id, 1, 1);
		if (n > 0)
			n = hypervive_proto_frame_seal(st, buf, sizeof(buf),
						       HYPERVIVE_PROTO_T_HELLO, 0, (size_t)n);
		/* the boot ID is the third string; make one digit uppercase */
		if (n > 0) {
			uint8_t *p = memmem(buf, (size_t)n, id, strlen(id));

			if (p)
				p[0] = 'G';
		}
	} else if (!strcmp(kind, "garbage")) {
		uint32_t r = 12345;
		int i;

		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)lg_rand(&r);
		buf[0] = 0;
		n = 64;
	} else if (!strcmp(kind, "hello-twice")) {
		char id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];

		lg_boot_id(8, id);
		n = lg_hello(buf + HDR, sizeof(buf) - HDR, "twice", id, 1, 1);
		hypervive_proto_put_u32(buf + 12, (uint32_t)n);
		hypervive_proto_put_u32(buf, HYPERVIVE_PROTO_MAGIC);
		patch16(4, 1);
		patch16(6, HYPERVIVE_PROTO_T_HELLO);
		patch16(8, 0);
		patch16(10, HDR);
		hypervive_proto_put_u64(buf + 16, ++st->tx_seq);
		n += HDR;
	} else if (!strcmp(kind, "direction")) {
		n = hypervive_proto_ack_encode(buf + HDR, sizeof(buf) - HDR, 1);
		hypervive_proto_put_u32(buf + 12, (uint32_t)n);
		hypervive_proto_put_u32(buf, HYPERVIVE_PROTO_MAGIC);
		patch16(4, 1);
		patch16(6, HYPERVIVE_PROTO_T_ACK);
		patch16(8, 0);
		patch16(10, HDR);
		hypervive_proto_put_u64(buf + 16, ++st->tx_seq);
		n += HDR;
	} else if (!strcmp(kind, "badutf8") || !strcmp(kind, "control") ||
		   !strcmp(kind, "trailing") || !strcmp(kind, "fs-count")) {
		n = build(st, HYPERVIVE_PROTO_T_EVENT, 1);
		if (!strcmp(kind, "badutf8"))
			buf[n - 1] = 0xff;
		else if (!strcmp(kind, "control"))
			buf[n - 1] = '\n';
		else if (!strcmp(kind, "fs-count"))
			patch16(HDR + 22, HYPERVIVE_PROTO_FS_MAX + 1);
		else			/* "trailing": one byte too many */
			buf[n++] = 0;
		if (!strcmp(kind, "trailing"))
			hypervive_proto_put_u32(buf + 12, hypervive_proto_get_u32(buf + 12) + 1);
	} else if (!strcmp(kind, "reserved") || !strcmp(kind, "unsolicited")) {
		n = build(st, HYPERVIVE_PROTO_T_QUERY_REPLY, 0);
		if (!strcmp(kind, "reserved"))
			buf[HDR + 28] = 1;
	} else {
		n = build(st, HYPERVIVE_PROTO_T_HEARTBEAT, 0);
		if (!strcmp(kind, "magic"))
			buf[0] = 'X';
		else if (!strcmp(kind, "hdrsize"))
			patch16(10, 32);
		else if (!strcmp(kind, "version"))
			patch16(4, 2);
		else if (!strcmp(kind, "type"))
			patch16(6, 99);
		else if (!strcmp(kind, "oversize"))	/* header only */
			hypervive_proto_put_u32(buf + 12, HYPERVIVE_PROTO_MAX_PAYLOAD + 1);
		else if (!strcmp(kind, "short"))
			hypervive_proto_put_u32(buf + 12, 47);
		else if (!strcmp(kind, "seq"))
			hypervive_proto_put_u64(buf + 16, st->tx_seq - 1);
		else if (!strcmp(kind, "flags"))
			patch16(8, 0x8000);
		else
			return -EINVAL;
		if (!strcmp(kind, "oversize"))
			n = HDR;
		else if (!strcmp(kind, "short"))
			n--;
	}
	if (n < 0)
		return n;
	*len = (size_t)n;
	return 0;
}

static int one_malformed(const char *kind, unsigned int idx)
{
	struct hypervive_proto_state st;
	bool pre = !strcmp(kind, "early") || !strcmp(kind, "badhello") ||
		   !strcmp(kind, "garbage");
	char host[64];
	uint32_t code;
	size_t len;
	int fd, closed;

	snprintf(host, sizeof(host), "malformed-%s", kind);
	fd = peer_open(&st, host, 100 + idx, !pre);
	if (fd < 0)
		return -1;
	if (make_bad(kind, &st, &len)) {
		fprintf(stderr, "peer: unknown kind '%s'\n", kind);
		close(fd);
		return -1;
	}
	if (send_all(fd, buf, len))
		fprintf(stderr, "peer: %s: send failed (already closed?)\n", kind);
	closed = wait_closed(fd, &st, 3000, &code);
	printf("malformed %s: %s", kind, closed ? "closed by host" : "NOT closed");
	if (code)
		printf(" (ERROR code=%u %s)", code, hypervive_proto_error_name(code));
	printf("\n");
	close(fd);
	return closed ? 0 : 1;
}

int peer_malformed(const char *kind)
{
	unsigned int i, bad = 0;

	if (strcmp(kind, "all"))
		return one_malformed(kind, 0) ? 1 : 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (one_malformed(kinds[i], i))
			bad++;
	printf("malformed: %zu kinds, %u not closed\n",
	       sizeof(kinds) / sizeof(kinds[0]), bad);
	return bad ? 1 : 0;
}

int peer_random(unsigned int n)
{
	static const uint16_t types[] = {
		HYPERVIVE_PROTO_T_HEARTBEAT, HYPERVIVE_PROTO_T_EVENT,
		HYPERVIVE_PROTO_T_QUERY_REPLY,
	};
	unsigned int i, closed = 0, acked = 0, stalled = 0;
	uint32_t rs = lg.seed ? lg.seed : 1;
	struct hypervive_proto_state st;
	struct hypervive_proto_hdr h;
	char host[64];

	for (i = 0; i < n; i++) {
		int fd, len, k, flips, ret;

		snprintf(host, sizeof(host), "random-%u", i);
		fd = peer_open(&st, host, 1000 + i, true);
		if (fd < 0)
			return 1;
		len = build(&st, types[lg_rand(&rs) % 3], 1);
		if (len < 0) {
			close(fd);
			return 1;
		}
		if (lg_rand(&rs) % 8 == 0) {
			len = HDR + (int)(lg_rand(&rs) % 200);
			for (k = HDR; k < len; k++)
				buf[k] = (uint8_t)lg_rand(&rs);
		}
		flips = 1 + (int)(lg_rand(&rs) % 4);
		for (k = 0; k < flips; k++)
			buf[lg_rand(&rs) % (uint32_t)len] ^= (uint8_t)(1 + lg_rand(&rs) % 255);
		send_all(fd, buf, (size_t)len);
		/* probe: a valid event is ACKed if the connection survived */
		len = build(&st, HYPERVIVE_PROTO_T_EVENT, 1 + i);
		send_all(fd, buf, (size_t)len);
		set_timeout(fd, 300);
		for (;;) {
			ret = read_frame(fd, &st, &h);
			if (ret == 1 && h.type == HYPERVIVE_PROTO_T_ACK) {
				acked++;
				break;
			}
			if (ret == 1)
				continue;
			if (ret == -EAGAIN || ret == -EWOULDBLOCK)
				stalled++;
			else
				closed++;
			break;
		}
		close(fd);
	}
	printf("random: n=%u closed=%u acked=%u stalled=%u\n", n, closed, acked, stalled);
	return 0;
}

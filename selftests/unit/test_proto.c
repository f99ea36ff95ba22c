// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the agent protocol codec (lib/proto.c).
 *
 * Build:
 *   cc -std=gnu11 -g -O1 -fsanitize=address,undefined \
 *      -fno-sanitize-recover=all -I include -I . \
 *      -o test_proto selftests/unit/test_proto.c
 *
 * The golden frames below were written byte by byte from docs/PROTOCOL.md
 * (appendix "Example frames"), not produced by the encoder.
 */
#include "hypervive/proto.h"
#include "selftests/unit/unit.h"

#define HDR HYPERVIVE_PROTO_HDR_SIZE
#define BOOT_ID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

static u8 buf[HYPERVIVE_PROTO_MAX_FRAME + 64];
static u8 buf2[HYPERVIVE_PROTO_MAX_FRAME + 64];

/* ---- golden frames, from the spec ---------------------------------- */

static const u8 golden_heartbeat[] = {
	/* header: "HVAG", version 1, type 2, flags 0, hdr 24, len 48, seq 2 */
	0x48, 0x56, 0x41, 0x47, 0x01, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x18, 0x00, 0x30, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* counter 1 */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* uptime_ns 0x0000000102030405 */
	0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00,
	/* realtime_ns 0x1122334455667788 */
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	/* load 0.25 0.50 0.75 */
	0x19, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00,
	0x4b, 0x00, 0x00, 0x00,
	/* queued 3, dropped 0, frozen 0 */
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const u8 golden_ack[] = {
	0x48, 0x56, 0x41, 0x47, 0x01, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x18, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* event_seq 42 */
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const u8 golden_event[] = {
	/* header: type 3, flags RESENT, len 61, seq 3 */
	0x48, 0x56, 0x41, 0x47, 0x01, 0x00, 0x03, 0x00,
	0x01, 0x00, 0x18, 0x00, 0x3d, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* event_seq 7 */
	0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* timestamp 0x0102030405060708 */
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	/* event_id 4100, level 1, fs_count 1 */
	0x04, 0x10, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
	/* checkpoint_id 42 */
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* value 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* fs: dev 8:1, frozen, reason 0, error 0, "/", "ext4" */
	0x01, 0x00, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x2f, 0x04, 0x00, 0x65, 0x78, 0x74, 0x34,
	/* text "ok" */
	0x02, 0x00, 0x6f, 0x6b,
};

static const u8 golden_hello[] = {
	/* header: type 1, len 96, seq 1 */
	0x48, 0x56, 0x41, 0x47, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x18, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* min 1, max 1, selected 0, role guest */
	0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* caps 7, heartbeat 1000 ms */
	0x07, 0x00, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00,
	/* queue 256, reserved */
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* last_event_seq 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* "vm1" */
	0x03, 0x00, 0x76, 0x6d, 0x31,
	/* "6.1.0-56-amd64" */
	0x0e, 0x00, 0x36, 0x2e, 0x31, 0x2e, 0x30, 0x2d, 0x35, 0x36,
	0x2d, 0x61, 0x6d, 0x64, 0x36, 0x34,
	/* boot ID */
	0x24, 0x00,
	'0', 'f', '1', 'e', '2', 'd', '3', 'c', '-', '4', 'b', '5', 'a', '-',
	'6', '9', '7', '8', '-', '8', '7', '9', '6', '-', 'a', '5', 'b', '4',
	'c', '3', 'd', '2', 'e', '1', 'f', '0',
	/* "1.0" */
	0x03, 0x00, 0x31, 0x2e, 0x30,
};

/* ---- helpers --------------------------------------------------------- */

static void guest_hello(struct hypervive_proto_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->min_version = 1;
	h->max_version = 1;
	h->role = HYPERVIVE_PROTO_ROLE_GUEST;
	h->capabilities = HYPERVIVE_PROTO_CAP_ALL;
	h->heartbeat_ms = 1000;
	h->queue_capacity = 256;
	strcpy(h->hostname, "vm1");
	strcpy(h->release, "6.1.0-56-amd64");
	strcpy(h->boot_id, BOOT_ID);
	strcpy(h->sw_version, "1.0");
}

static void mk_fs(struct hypervive_proto_fs *f, const char *mnt, u8 state)
{
	memset(f, 0, sizeof(*f));
	f->dev = (8U << 20) | 1;
	f->state = state;
	if (state == HYPERVIVE_PROTO_FS_SKIPPED)
		f->reason = HYPERVIVE_PROTO_SKIP_READ_ONLY;
	if (state == HYPERVIVE_PROTO_FS_FAILED)
		f->error = 16;
	strcpy(f->mount, mnt);
	strcpy(f->fstype, "ext4");
}

/* A host-side state, already open, expecting @next as the next sequence. */
static void host_open(struct hypervive_proto_state *st, u64 next)
{
	hypervive_proto_state_init(st, HYPERVIVE_PROTO_ROLE_HOST);
	hypervive_proto_state_open(st, 1);
	st->rx_seq = next - 1;
}

static void guest_open(struct hypervive_proto_state *st, u64 next)
{
	hypervive_proto_state_init(st, HYPERVIVE_PROTO_ROLE_GUEST);
	hypervive_proto_state_open(st, 1);
	st->rx_seq = next - 1;
}

static struct hypervive_proto_hdr mk_hdr(u16 type, u32 len, u64 seq)
{
	struct hypervive_proto_hdr h = {
		.magic = HYPERVIVE_PROTO_MAGIC, .version = 1, .type = type,
		.flags = 0, .hdr_size = HDR, .length = len, .seq = seq,
	};
	return h;
}

/* Decode header bytes and validate them against @st. */
static int check_bytes(const u8 *b, size_t n, const struct hypervive_proto_state *st)
{
	struct hypervive_proto_hdr h;
	int ret = hypervive_proto_hdr_decode(b, n, &h);

	return ret ? ret : hypervive_proto_hdr_validate(&h, st);
}

/* ---- tests ----------------------------------------------------------- */

static void test_primitives(void)
{
	u8 b[8];

	hypervive_proto_put_u16(b, 0xa1b2);
	unit_check(b[0] == 0xb2 && b[1] == 0xa1, "put_u16 is little-endian");
	hypervive_proto_put_u32(b, 0x11223344);
	unit_check(b[0] == 0x44 && b[3] == 0x11, "put_u32 is little-endian");
	hypervive_proto_put_u64(b, 0x0102030405060708ULL);
	unit_check(b[0] == 0x08 && b[7] == 0x01 &&
		   hypervive_proto_get_u64(b) == 0x0102030405060708ULL,
		   "put_u64/get_u64 round trip, little-endian");
	memset(b, 0xff, sizeof(b));
	unit_check(hypervive_proto_get_u32(b) == 0xffffffffU &&
		   hypervive_proto_get_u16(b) == 0xffff,
		   "get_u32/get_u16 of all ones");
	/* unaligned access works (UBSan would flag a cast) */
	hypervive_proto_put_u64(buf + 3, 0xdeadbeefcafef00dULL);
	unit_check(hypervive_proto_get_u64(buf + 3) == 0xdeadbeefcafef00dULL,
		   "unaligned u64 round trip");
}

static void test_strings(void)
{
	unit_check(hypervive_proto_str_valid((const u8 *)"abc", 3), "ascii ok");
	unit_check(hypervive_proto_str_valid((const u8 *)"\xc3\xa9", 2),
		   "2-byte UTF-8 ok");
	unit_check(hypervive_proto_str_valid((const u8 *)"\xf0\x9f\x98\x80", 4),
		   "4-byte UTF-8 ok");
	unit_check(!hypervive_proto_str_valid((const u8 *)"a\nb", 3),
		   "newline refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"a\0b", 3),
		   "NUL refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\x7f", 1), "DEL refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xc0\xaf", 2),
		   "overlong 2-byte refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xe0\x80\xaf", 3),
		   "overlong 3-byte refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xed\xa0\x80", 3),
		   "surrogate refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xf4\x90\x80\x80", 4),
		   "above U+10FFFF refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xc3", 1),
		   "truncated sequence refused");
	unit_check(!hypervive_proto_str_valid((const u8 *)"\xc3\x41", 2),
		   "bad continuation refused");
	unit_check(hypervive_proto_boot_id_valid((const u8 *)BOOT_ID, 36),
		   "boot ID ok");
	unit_check(!hypervive_proto_boot_id_valid((const u8 *)
		   "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", 36),
		   "uppercase boot ID refused");
	unit_check(!hypervive_proto_boot_id_valid((const u8 *)
		   "0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0", 36),
		   "boot ID without dash refused");
	unit_check(!hypervive_proto_boot_id_valid((const u8 *)BOOT_ID, 35),
		   "short boot ID refused");
}

static void test_golden(void)
{
	struct hypervive_proto_state st;
	struct hypervive_proto_heartbeat hb = {
		.counter = 1, .uptime_ns = 0x0000000102030405ULL,
		.realtime_ns = 0x1122334455667788ULL,
		.load_x100 = { 25, 50, 75 }, .queued_events = 3,
	};
	struct hypervive_proto_event ev = {
		.event_seq = 7, .timestamp_ns = 0x0102030405060708ULL,
		.event_id = HYPERVIVE_PROTO_EV_FS_FROZEN,
		.level = HYPERVIVE_PROTO_LEVEL_INFO, .fs_count = 1,
		.checkpoint_id = 42, .value = 0, .text = "ok",
	};
	struct hypervive_proto_fs fs;
	struct hypervive_proto_hello hello;
	struct hypervive_proto_hdr h;
	int n;

	/* heartbeat: guest's second frame */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_GUEST);
	hypervive_proto_state_open(&st, 1);
	st.tx_seq = 1;
	n = hypervive_proto_heartbeat_encode(buf + HDR, sizeof(buf) - HDR, &hb);
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_HEARTBEAT, 0, n);
	unit_check(n == (int)sizeof(golden_heartbeat) &&
		   !memcmp(buf, golden_heartbeat, sizeof(golden_heartbeat)),
		   "golden HEARTBEAT frame is byte-exact");

	/* ack: host's fifth frame */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_HOST);
	hypervive_proto_state_open(&st, 1);
	st.tx_seq = 4;
	n = hypervive_proto_ack_encode(buf + HDR, sizeof(buf) - HDR, 42);
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_ACK, 0, n);
	unit_check(n == (int)sizeof(golden_ack) &&
		   !memcmp(buf, golden_ack, sizeof(golden_ack)),
		   "golden ACK frame is byte-exact");

	/* event, resent: guest's third frame */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_GUEST);
	hypervive_proto_state_open(&st, 1);
	st.tx_seq = 2;
	memset(&fs, 0, sizeof(fs));
	fs.dev = (8U << 20) | 1;
	fs.state = HYPERVIVE_PROTO_FS_FROZEN;
	strcpy(fs.mount, "/");
	strcpy(fs.fstype, "ext4");
	n = hypervive_proto_event_encode(buf + HDR, sizeof(buf) - HDR, &ev, &fs);
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_EVENT,
				       HYPERVIVE_PROTO_F_RESENT, n);
	unit_check(n == (int)sizeof(golden_event) &&
		   !memcmp(buf, golden_event, sizeof(golden_event)),
		   "golden EVENT frame is byte-exact");

	/* hello: guest's first frame */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_GUEST);
	guest_hello(&hello);
	n = hypervive_proto_hello_encode(buf + HDR, sizeof(buf) - HDR, &hello);
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_HELLO, 0, n);
	unit_check(n == (int)sizeof(golden_hello) &&
		   !memcmp(buf, golden_hello, sizeof(golden_hello)),
		   "golden HELLO frame is byte-exact");

	/* and the golden bytes decode back to the same values */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_HOST);
	unit_check(check_bytes(golden_hello, sizeof(golden_hello), &st) == 0,
		   "golden HELLO validates on a fresh host connection");
	memset(&hello, 0xaa, sizeof(hello));
	unit_check(hypervive_proto_hello_decode(golden_hello + HDR,
						sizeof(golden_hello) - HDR,
						&hello) == 0 &&
		   hello.heartbeat_ms == 1000 && hello.queue_capacity == 256 &&
		   !strcmp(hello.boot_id, BOOT_ID) &&
		   !strcmp(hello.release, "6.1.0-56-amd64"),
		   "golden HELLO decodes");
	hypervive_proto_hdr_decode(golden_event, sizeof(golden_event), &h);
	memset(&ev, 0, sizeof(ev));
	memset(&fs, 0, sizeof(fs));
	unit_check(h.flags == HYPERVIVE_PROTO_F_RESENT && h.seq == 3 &&
		   hypervive_proto_event_decode(golden_event + HDR, h.length,
						&ev, &fs, 1) == 0 &&
		   ev.event_seq == 7 && ev.checkpoint_id == 42 &&
		   fs.dev == 0x800001 && !strcmp(fs.fstype, "ext4") &&
		   !strcmp(ev.text, "ok"),
		   "golden EVENT decodes");
}

static void test_header_validation(void)
{
	struct hypervive_proto_state st;
	struct hypervive_proto_hdr h;

	host_open(&st, 5);
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "valid heartbeat header accepted");
	h.magic = 0x47415649;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EBADMSG,
		   "bad magic -> EBADMSG");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 5);
	h.hdr_size = 32;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EBADMSG,
		   "bad header size -> EBADMSG");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 5);
	h.version = 2;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "wrong version -> EPROTO");
	h = mk_hdr(0, 48, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "type 0 -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_COUNT, 8, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "unknown type -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_ACK, 8, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "ACK sent to the host (wrong direction) -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_HELLO, 40, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "second HELLO on an open connection -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, HYPERVIVE_PROTO_MAX_PAYLOAD + 1, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "payload 4097 -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, 0xffffffffU, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "payload 4 GiB -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, HYPERVIVE_PROTO_MAX_PAYLOAD, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "EVENT of exactly 4096 accepted by the header check");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 47, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "heartbeat of 47 bytes -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 49, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "heartbeat of 49 bytes -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, 41, 5);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "event below its minimum -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 4);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "repeated sequence -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 6);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "skipped sequence -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 5);
	h.flags = 0x8000;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "unknown flag -> EPROTO");
	h.flags = HYPERVIVE_PROTO_F_RESENT;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "RESENT on a heartbeat -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, 42, 5);
	h.flags = HYPERVIVE_PROTO_F_RESENT;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "RESENT on an event accepted");

	/* sequence wrap is refused */
	host_open(&st, 1);
	st.rx_seq = ~0ULL;
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 0);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "sequence wrap to 0 -> EPROTO");

	/* HELLO phase */
	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_HOST);
	h = mk_hdr(HYPERVIVE_PROTO_T_HEARTBEAT, 48, 1);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "heartbeat before HELLO -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_HELLO, 40, 1);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "HELLO as first frame accepted");
	h.version = 2;
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "HELLO with header version 2 -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_HELLO, 39, 1);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "HELLO below 40 bytes -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_HELLO, HYPERVIVE_PROTO_HELLO_MAX + 1, 1);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "HELLO above 1024 bytes -> EMSGSIZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_HELLO, 40, 2);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "first frame with sequence 2 -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_BYE, 8, 1);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "BYE before HELLO accepted");

	/* guest side */
	guest_open(&st, 3);
	h = mk_hdr(HYPERVIVE_PROTO_T_FREEZE, 16, 3);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "guest accepts FREEZE");
	h = mk_hdr(HYPERVIVE_PROTO_T_EVENT, 42, 3);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "guest refuses EVENT -> EPROTO");
	h = mk_hdr(HYPERVIVE_PROTO_T_QUERY, 0, 3);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == 0,
		   "guest accepts empty QUERY");
	h = mk_hdr(HYPERVIVE_PROTO_T_QUERY, 8, 3);
	unit_check(hypervive_proto_hdr_validate(&h, &st) == -EMSGSIZE,
		   "QUERY with payload -> EMSGSIZE");

	/* accept/close */
	h = mk_hdr(HYPERVIVE_PROTO_T_BYE, 8, 3);
	hypervive_proto_rx_accept(&st, &h);
	h = mk_hdr(HYPERVIVE_PROTO_T_ACK, 8, 4);
	unit_check(st.rx_seq == 3 && st.phase == HYPERVIVE_PROTO_PHASE_CLOSED &&
		   hypervive_proto_hdr_validate(&h, &st) == -EPROTO,
		   "nothing accepted after BYE");

	unit_check(hypervive_proto_hdr_decode(golden_ack, HDR - 1, &h) == -EBADMSG,
		   "23-byte header -> EBADMSG");
}

static void test_seal(void)
{
	struct hypervive_proto_state st;
	struct hypervive_proto_hdr h;
	int n;

	hypervive_proto_state_init(&st, HYPERVIVE_PROTO_ROLE_GUEST);
	unit_check(hypervive_proto_frame_seal(&st, buf, sizeof(buf),
					      HYPERVIVE_PROTO_T_HEARTBEAT, 0,
					      48) == -EPROTO,
		   "seal refuses a heartbeat before HELLO");
	unit_check(hypervive_proto_frame_seal(&st, buf, sizeof(buf),
					      HYPERVIVE_PROTO_T_ACK, 0, 8) == -EPROTO,
		   "seal refuses ACK from a guest");
	hypervive_proto_state_open(&st, 1);
	unit_check(hypervive_proto_frame_seal(&st, buf, sizeof(buf),
					      HYPERVIVE_PROTO_T_HELLO, 0, 40) == -EPROTO,
		   "seal refuses HELLO once open");
	unit_check(hypervive_proto_frame_seal(&st, buf, sizeof(buf),
					      HYPERVIVE_PROTO_T_HEARTBEAT, 0,
					      47) == -EMSGSIZE,
		   "seal refuses a wrong payload length");
	unit_check(hypervive_proto_frame_seal(&st, buf, 60,
					      HYPERVIVE_PROTO_T_HEARTBEAT, 0,
					      48) == -ENOSPC,
		   "seal refuses a short buffer");
	unit_check(hypervive_proto_frame_seal(&st, buf, sizeof(buf),
					      HYPERVIVE_PROTO_T_HEARTBEAT,
					      HYPERVIVE_PROTO_F_RESENT, 48) == -EINVAL,
		   "seal refuses RESENT on a heartbeat");
	unit_check(st.tx_seq == 0, "failed seals take no sequence number");
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_HEARTBEAT, 0, 48);
	hypervive_proto_hdr_decode(buf, n, &h);
	unit_check(n == 72 && h.seq == 1 && st.tx_seq == 1 && h.version == 1,
		   "seal numbers from 1");
	n = hypervive_proto_frame_seal(&st, buf, sizeof(buf),
				       HYPERVIVE_PROTO_T_HEARTBEAT, 0, 48);
	hypervive_proto_hdr_decode(buf, n, &h);
	unit_check(h.seq == 2, "seal increments the sequence");
}

static void test_negotiate(void)
{
	unit_check(hypervive_proto_negotiate(1, 1, 1, 1) == 1, "1..1 vs 1..1 -> 1");
	unit_check(hypervive_proto_negotiate(1, 3, 2, 5) == 3, "1..3 vs 2..5 -> 3");
	unit_check(hypervive_proto_negotiate(1, 1, 2, 3) == -EPROTO,
		   "1..1 vs 2..3 -> EPROTO");
	unit_check(hypervive_proto_negotiate(1, 1, 0, 1) == -EPROTO,
		   "min 0 -> EPROTO");
	unit_check(hypervive_proto_negotiate(1, 2, 3, 2) == -EPROTO,
		   "peer min > max -> EPROTO");
}

static void test_hello(void)
{
	struct hypervive_proto_hello a, b;
	int n;

	guest_hello(&a);
	n = hypervive_proto_hello_encode(buf, sizeof(buf), &a);
	memset(&b, 0x55, sizeof(b));
	unit_check(n == 96 && hypervive_proto_hello_decode(buf, n, &b) == 0 &&
		   !memcmp(&a, &b, sizeof(a)),
		   "guest HELLO round trip");
	/* extension bytes after the last string are ignored */
	buf[n] = 0x99;
	unit_check(hypervive_proto_hello_decode(buf, n + 1, &b) == 0 &&
		   b.heartbeat_ms == 1000, "HELLO extension bytes ignored");
	unit_check(hypervive_proto_hello_decode(buf, n - 1, &b) == -EBADMSG,
		   "HELLO truncated in its last string -> EBADMSG");
	unit_check(hypervive_proto_hello_decode(buf, 20, &b) == -EBADMSG,
		   "HELLO shorter than its fixed part -> EBADMSG");
	buf[20] = 1;
	unit_check(hypervive_proto_hello_decode(buf, n, &b) == -EBADMSG,
		   "HELLO reserved field non-zero -> EBADMSG");
	buf[20] = 0;
	/* hostname length 0xffff */
	buf[32] = 0xff;
	buf[33] = 0xff;
	unit_check(hypervive_proto_hello_decode(buf, n, &b) == -EBADMSG,
		   "HELLO string length 65535 -> EBADMSG");
	/* hostname length 65: above the bound but inside the buffer */
	memset(buf + 34, 'a', 200);
	buf[32] = 65;
	buf[33] = 0;
	unit_check(hypervive_proto_hello_decode(buf, 300, &b) == -EBADMSG,
		   "HELLO hostname of 65 bytes -> EBADMSG");

	/* host HELLO */
	memset(&a, 0, sizeof(a));
	a.min_version = 1;
	a.max_version = 1;
	a.selected_version = 1;
	a.role = HYPERVIVE_PROTO_ROLE_HOST;
	a.capabilities = HYPERVIVE_PROTO_CAP_ALL;
	a.heartbeat_ms = 1000;
	a.last_event_seq = 99;
	strcpy(a.hostname, "kvmhost");
	n = hypervive_proto_hello_encode(buf, sizeof(buf), &a);
	unit_check(n == 32 + 2 + 7 + 2 + 2 + 2 &&
		   hypervive_proto_hello_decode(buf, n, &b) == 0 &&
		   !memcmp(&a, &b, sizeof(a)),
		   "host HELLO without boot ID round trip");
	a.selected_version = 2;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "host HELLO selecting outside its range refused");
	a.selected_version = 1;
	hypervive_proto_put_u16(buf + 4, 2);
	unit_check(hypervive_proto_hello_decode(buf, n, &b) == -EBADMSG,
		   "decoded host HELLO selecting outside its range -> EBADMSG");

	guest_hello(&a);
	a.selected_version = 1;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "guest HELLO with selected version refused");
	guest_hello(&a);
	a.boot_id[8] = 'x';
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "guest HELLO with malformed boot ID refused");
	guest_hello(&a);
	a.boot_id[0] = '\0';
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "guest HELLO without boot ID refused");
	guest_hello(&a);
	a.heartbeat_ms = 99;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "heartbeat of 99 ms refused");
	a.heartbeat_ms = HYPERVIVE_PROTO_HB_MS_MAX + 1;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "heartbeat above the maximum refused");
	guest_hello(&a);
	a.role = 3;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "unknown role refused");
	guest_hello(&a);
	a.min_version = 2;
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "min > max refused");
	guest_hello(&a);
	memset(a.hostname, 'h', sizeof(a.hostname));	/* no NUL within bound */
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "unterminated hostname refused");
	guest_hello(&a);
	memset(a.hostname, 'h', HYPERVIVE_PROTO_HOSTNAME_MAX);
	a.hostname[HYPERVIVE_PROTO_HOSTNAME_MAX] = '\0';
	n = hypervive_proto_hello_encode(buf, sizeof(buf), &a);
	unit_check(n > 0 && hypervive_proto_hello_decode(buf, n, &b) == 0 &&
		   !strcmp(b.hostname, a.hostname),
		   "hostname of exactly 64 bytes round trip");
	strcpy(a.hostname, "bad\tname");
	unit_check(hypervive_proto_hello_encode(buf, sizeof(buf), &a) == -EINVAL,
		   "hostname with a tab refused");
	guest_hello(&a);
	unit_check(hypervive_proto_hello_encode(buf, 95, &a) == -ENOSPC,
		   "HELLO into a 95-byte buffer -> ENOSPC");
	unit_check(hypervive_proto_hello_encode(buf, 10, &a) == -ENOSPC,
		   "HELLO into a 10-byte buffer -> ENOSPC");
}

static void test_heartbeat(void)
{
	struct hypervive_proto_heartbeat a = {
		.counter = ~0ULL, .uptime_ns = 1, .realtime_ns = 2,
		.load_x100 = { 0xffffffffU, 0, 7 }, .queued_events = 9,
		.dropped_events = 10, .frozen_count = 11,
	}, b;
	int n;

	n = hypervive_proto_heartbeat_encode(buf, sizeof(buf), &a);
	memset(&b, 0, sizeof(b));
	unit_check(n == 48 && hypervive_proto_heartbeat_decode(buf, n, &b) == 0 &&
		   !memcmp(&a, &b, sizeof(a)), "HEARTBEAT round trip");
	unit_check(hypervive_proto_heartbeat_decode(buf, 47, &b) == -EBADMSG,
		   "HEARTBEAT truncated -> EBADMSG");
	unit_check(hypervive_proto_heartbeat_encode(buf, 47, &a) == -ENOSPC,
		   "HEARTBEAT into 47 bytes -> ENOSPC");
}

static void test_event(void)
{
	struct hypervive_proto_fs fs[HYPERVIVE_PROTO_FS_MAX + 1], out[HYPERVIVE_PROTO_FS_MAX];
	struct hypervive_proto_event a, b;
	unsigned int i;
	int n;

	memset(&a, 0, sizeof(a));
	a.event_seq = 1234;
	a.timestamp_ns = 1700000000000000000ULL;
	a.event_id = HYPERVIVE_PROTO_EV_CLOCK_JUMP;
	a.level = HYPERVIVE_PROTO_LEVEL_WARNING;
	a.value = -3600;
	strcpy(a.text, "clock jumped back by one hour \xc3\xa9");
	n = hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL);
	memset(&b, 0x77, sizeof(b));
	unit_check(n > 0 && hypervive_proto_event_decode(buf, n, &b, NULL, 0) == 0 &&
		   b.value == -3600 && !strcmp(a.text, b.text) &&
		   b.event_seq == 1234 && b.timestamp_ns == a.timestamp_ns,
		   "EVENT without filesystems round trip (negative value)");
	unit_check(hypervive_proto_event_decode(buf, n - 1, &b, NULL, 0) == -EBADMSG,
		   "EVENT truncated text -> EBADMSG");
	buf[n] = 0;
	unit_check(hypervive_proto_event_decode(buf, n + 1, &b, NULL, 0) == -EBADMSG,
		   "EVENT with a trailing byte -> EBADMSG");

	/* full filesystem list, longest strings */
	memset(&a, 0, sizeof(a));
	a.event_seq = 1;
	a.event_id = HYPERVIVE_PROTO_EV_FREEZE_FAILED;
	a.level = HYPERVIVE_PROTO_LEVEL_ERROR;
	a.checkpoint_id = 0xfeedfacecafebeefULL;
	a.value = -16;
	memset(a.text, 'x', HYPERVIVE_PROTO_TEXT_MAX);
	a.fs_count = HYPERVIVE_PROTO_FS_MAX;
	for (i = 0; i < HYPERVIVE_PROTO_FS_MAX + 1; i++) {
		mk_fs(&fs[i], "/", (u8)(1 + i % 5));
		memset(fs[i].mount, 'm', HYPERVIVE_PROTO_MOUNT_MAX);
		fs[i].mount[HYPERVIVE_PROTO_MOUNT_MAX] = '\0';
		memset(fs[i].fstype, 't', HYPERVIVE_PROTO_FSTYPE_MAX);
		fs[i].fstype[HYPERVIVE_PROTO_FSTYPE_MAX] = '\0';
		fs[i].dev = i;
	}
	n = hypervive_proto_event_encode(buf, sizeof(buf), &a, fs);
	memset(out, 0, sizeof(out));
	unit_check(n > 0 && n <= (int)HYPERVIVE_PROTO_MAX_PAYLOAD &&
		   hypervive_proto_event_decode(buf, n, &b, out,
						HYPERVIVE_PROTO_FS_MAX) == 0 &&
		   b.fs_count == HYPERVIVE_PROTO_FS_MAX &&
		   !memcmp(out, fs, sizeof(out)) && !strcmp(a.text, b.text),
		   "EVENT with the largest body round trip (%d bytes)", n);
	unit_check(hypervive_proto_event_decode(buf, n, &b, out, 3) == -ENOBUFS,
		   "EVENT into a 3-record array -> ENOBUFS");
	unit_check(hypervive_proto_event_decode(buf, n, &b, NULL, 0) == 0,
		   "EVENT validated without storing records");
	a.fs_count = HYPERVIVE_PROTO_FS_MAX + 1;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, fs) == -EINVAL,
		   "EVENT with 17 filesystems refused");
	a.fs_count = 1;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "EVENT with fs_count 1 and no records refused");
	a.fs_count = 0;
	hypervive_proto_put_u16(buf + 22, HYPERVIVE_PROTO_FS_MAX + 1);
	unit_check(hypervive_proto_event_decode(buf, n, &b, NULL, 0) == -EBADMSG,
		   "decoded fs_count 17 -> EBADMSG");

	memset(&a, 0, sizeof(a));
	a.event_seq = 1;
	a.event_id = HYPERVIVE_PROTO_EV_AGENT_STARTED;
	a.level = HYPERVIVE_PROTO_LEVEL_INFO;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == 42,
		   "smallest EVENT is 42 bytes");
	a.event_seq = 0;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "event sequence 0 refused");
	a.event_seq = 1;
	a.event_id = 4099;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "event ID 4099 refused");
	a.event_id = HYPERVIVE_PROTO_EV_GUEST_SILENT;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "host-only event ID refused on the wire");
	a.event_id = HYPERVIVE_PROTO_EV_AGENT_STARTED;
	a.level = HYPERVIVE_PROTO_LEVEL_ERROR;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "4200 with level Error (table says Information) refused");
	a.event_id = 4150;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == 42,
		   "unassigned ID 4150 in the guest range accepted with any level");
	a.event_id = HYPERVIVE_PROTO_EV_AGENT_STARTED;
	a.level = 4;
	unit_check(hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL) == -EINVAL,
		   "level 4 refused");
	a.level = HYPERVIVE_PROTO_LEVEL_INFO;
	n = hypervive_proto_event_encode(buf, sizeof(buf), &a, NULL);
	hypervive_proto_put_u32(buf + 16, 4300);
	unit_check(hypervive_proto_event_decode(buf, n, &b, NULL, 0) == -EBADMSG,
		   "decoded event ID 4300 -> EBADMSG");
	hypervive_proto_put_u32(buf + 16, 4200);
	hypervive_proto_put_u16(buf + 20, HYPERVIVE_PROTO_LEVEL_WARNING);
	unit_check(hypervive_proto_event_decode(buf, n, &b, NULL, 0) == -EBADMSG,
		   "decoded 4200 with level Warning -> EBADMSG");
	hypervive_proto_put_u16(buf + 20, 0);
	unit_check(hypervive_proto_event_decode(buf, n, &b, NULL, 0) == -EBADMSG,
		   "decoded level 0 -> EBADMSG");
	unit_check(hypervive_proto_event_decode(buf, 39, &b, NULL, 0) == -EBADMSG,
		   "EVENT shorter than its fixed part -> EBADMSG");
}

static void test_fs_rules(void)
{
	struct hypervive_proto_fs f, g;
	size_t off;

	mk_fs(&f, "/data", HYPERVIVE_PROTO_FS_SKIPPED);
	off = 0;
	unit_check(hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f) == 0 &&
		   off == 8 + 2 + 5 + 2 + 4, "skipped record encodes");
	off = 0;
	unit_check(hypervive_proto_fs_decode(buf, sizeof(buf), &off, &g) == 0 &&
		   !memcmp(&f, &g, offsetof(struct hypervive_proto_fs, mount)) &&
		   !strcmp(g.mount, "/data"), "skipped record decodes");
	f.reason = 0;
	off = 0;
	unit_check(hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f) == -EINVAL,
		   "skipped without reason refused");
	mk_fs(&f, "/", HYPERVIVE_PROTO_FS_FROZEN);
	f.reason = HYPERVIVE_PROTO_SKIP_READ_ONLY;
	off = 0;
	unit_check(hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f) == -EINVAL,
		   "reason on a frozen record refused");
	mk_fs(&f, "/", HYPERVIVE_PROTO_FS_FAILED);
	f.error = 0;
	off = 0;
	unit_check(hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f) == -EINVAL,
		   "failed without errno refused");
	mk_fs(&f, "/", HYPERVIVE_PROTO_FS_FROZEN);
	f.mount[0] = '\0';
	off = 0;
	unit_check(hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f) == -EINVAL,
		   "empty mount point refused");
	mk_fs(&f, "/", HYPERVIVE_PROTO_FS_FROZEN);
	off = 0;
	hypervive_proto_fs_encode(buf, sizeof(buf), &off, &f);
	buf[4] = 6;
	off = 0;
	unit_check(hypervive_proto_fs_decode(buf, sizeof(buf), &off, &g) == -EBADMSG,
		   "decoded state 6 -> EBADMSG");
	buf[4] = HYPERVIVE_PROTO_FS_SKIPPED;
	buf[5] = HYPERVIVE_PROTO_SKIP_MAX + 1;
	off = 0;
	unit_check(hypervive_proto_fs_decode(buf, sizeof(buf), &off, &g) == -EBADMSG,
		   "decoded skip reason 6 -> EBADMSG");
	off = 0;
	unit_check(hypervive_proto_fs_decode(buf, 7, &off, &g) == -EBADMSG,
		   "record shorter than 8 bytes -> EBADMSG");
}

static void test_small_messages(void)
{
	struct hypervive_proto_freeze fa = { .checkpoint_id = 5, .timeout_ms = 30000 }, fb;
	struct hypervive_proto_thaw ta = { .checkpoint_id = 0 }, tb;
	struct hypervive_proto_error ea = { .code = HYPERVIVE_PROTO_ERR_VERSION,
					    .ref_seq = 1, .text = "no common version" }, eb;
	struct hypervive_proto_bye ba = { .reason = HYPERVIVE_PROTO_BYE_UNLOAD }, bb;
	u64 ack;
	int n;

	n = hypervive_proto_freeze_encode(buf, sizeof(buf), &fa);
	unit_check(n == 16 && hypervive_proto_freeze_decode(buf, n, &fb) == 0 &&
		   fb.checkpoint_id == 5 && fb.timeout_ms == 30000,
		   "FREEZE round trip");
	buf[12] = 1;
	unit_check(hypervive_proto_freeze_decode(buf, n, &fb) == -EBADMSG,
		   "FREEZE reserved non-zero -> EBADMSG");
	fa.checkpoint_id = 0;
	unit_check(hypervive_proto_freeze_encode(buf, sizeof(buf), &fa) == -EINVAL,
		   "FREEZE with checkpoint 0 refused");
	fa.checkpoint_id = 1;
	fa.timeout_ms = HYPERVIVE_PROTO_FREEZE_MS_MAX + 1;
	unit_check(hypervive_proto_freeze_encode(buf, sizeof(buf), &fa) == -EINVAL,
		   "FREEZE timeout above one hour refused");
	fa.timeout_ms = 0;
	n = hypervive_proto_freeze_encode(buf, sizeof(buf), &fa);
	hypervive_proto_put_u32(buf + 8, HYPERVIVE_PROTO_FREEZE_MS_MAX + 1);
	unit_check(hypervive_proto_freeze_decode(buf, n, &fb) == -EBADMSG,
		   "decoded FREEZE timeout above one hour -> EBADMSG");
	unit_check(hypervive_proto_freeze_decode(buf, 15, &fb) == -EBADMSG,
		   "FREEZE of 15 bytes -> EBADMSG");

	n = hypervive_proto_thaw_encode(buf, sizeof(buf), &ta);
	tb.checkpoint_id = 9;
	unit_check(n == 16 && hypervive_proto_thaw_decode(buf, n, &tb) == 0 &&
		   tb.checkpoint_id == 0, "THAW round trip");
	buf[15] = 1;
	unit_check(hypervive_proto_thaw_decode(buf, n, &tb) == -EBADMSG,
		   "THAW reserved non-zero -> EBADMSG");

	unit_check(hypervive_proto_query_decode(buf, 0) == 0 &&
		   hypervive_proto_query_decode(buf, 1) == -EBADMSG,
		   "QUERY is empty");

	n = hypervive_proto_ack_encode(buf, sizeof(buf), 77);
	unit_check(n == 8 && hypervive_proto_ack_decode(buf, n, &ack) == 0 &&
		   ack == 77, "ACK round trip");
	unit_check(hypervive_proto_ack_encode(buf, sizeof(buf), 0) == -EINVAL,
		   "ACK of 0 refused");
	memset(buf, 0, 8);
	unit_check(hypervive_proto_ack_decode(buf, 8, &ack) == -EBADMSG,
		   "decoded ACK of 0 -> EBADMSG");

	n = hypervive_proto_error_encode(buf, sizeof(buf), &ea);
	memset(&eb, 0, sizeof(eb));
	unit_check(n == 16 + 2 + 17 && hypervive_proto_error_decode(buf, n, &eb) == 0 &&
		   eb.code == 1 && eb.ref_seq == 1 && !strcmp(eb.text, ea.text),
		   "ERROR round trip");
	buf[4] = 1;
	unit_check(hypervive_proto_error_decode(buf, n, &eb) == -EBADMSG,
		   "ERROR reserved non-zero -> EBADMSG");
	ea.code = 0;
	unit_check(hypervive_proto_error_encode(buf, sizeof(buf), &ea) == -EINVAL,
		   "ERROR code 0 refused");

	n = hypervive_proto_bye_encode(buf, sizeof(buf), &ba);
	unit_check(n == 8 && hypervive_proto_bye_decode(buf, n, &bb) == 0 &&
		   bb.reason == HYPERVIVE_PROTO_BYE_UNLOAD, "BYE round trip");
	buf[7] = 1;
	unit_check(hypervive_proto_bye_decode(buf, n, &bb) == -EBADMSG,
		   "BYE reserved non-zero -> EBADMSG");
}

static void test_report(void)
{
	struct hypervive_proto_report a = {
		.request_seq = 3, .checkpoint_id = 42, .status = -16,
		.remaining_ms = 0, .fs_count = 3,
	}, b;
	struct hypervive_proto_fs fs[3], out[3];
	int n;

	mk_fs(&fs[0], "/", HYPERVIVE_PROTO_FS_THAWED);
	mk_fs(&fs[1], "/var", HYPERVIVE_PROTO_FS_FAILED);
	mk_fs(&fs[2], "/boot", HYPERVIVE_PROTO_FS_FROZEN_OTHER);
	n = hypervive_proto_report_encode(buf, sizeof(buf), &a, fs);
	memset(out, 0, sizeof(out));
	unit_check(n > 32 && hypervive_proto_report_decode(buf, n, &b, out, 3) == 0 &&
		   b.status == -16 && b.fs_count == 3 && b.request_seq == 3 &&
		   !memcmp(out, fs, sizeof(fs)), "REPORT round trip, 3 records");
	unit_check(hypervive_proto_report_decode(buf, n - 1, &b, out, 3) == -EBADMSG,
		   "REPORT truncated -> EBADMSG");
	unit_check(hypervive_proto_report_decode(buf, n, &b, out, 2) == -ENOBUFS,
		   "REPORT into 2 records -> ENOBUFS");
	hypervive_proto_put_u16(buf + 24, 2);
	unit_check(hypervive_proto_report_decode(buf, n, &b, out, 3) == -EBADMSG,
		   "REPORT with fewer records than bytes -> EBADMSG");
	hypervive_proto_put_u16(buf + 24, 3);
	hypervive_proto_put_u32(buf + 16, 5);
	unit_check(hypervive_proto_report_decode(buf, n, &b, out, 3) == -EBADMSG,
		   "REPORT with positive status -> EBADMSG");
	hypervive_proto_put_u32(buf + 16, 0);
	buf[28] = 1;
	unit_check(hypervive_proto_report_decode(buf, n, &b, out, 3) == -EBADMSG,
		   "REPORT reserved non-zero -> EBADMSG");
	a.request_seq = 0;
	unit_check(hypervive_proto_report_encode(buf, sizeof(buf), &a, fs) == -EINVAL,
		   "REPORT for request 0 refused");
	a.request_seq = 1;
	a.status = -5000;
	unit_check(hypervive_proto_report_encode(buf, sizeof(buf), &a, fs) == -EINVAL,
		   "REPORT status -5000 refused");
	a.status = 0;
	unit_check(hypervive_proto_report_encode(buf, 40, &a, fs) == -ENOSPC,
		   "REPORT into 40 bytes -> ENOSPC");
}

/* Whole exchange through two states: hello, open, event, ack. */
static void test_exchange(void)
{
	struct hypervive_proto_state g, h;
	struct hypervive_proto_hello hello, reply;
	struct hypervive_proto_event ev = {
		.event_seq = 1, .event_id = HYPERVIVE_PROTO_EV_AGENT_STARTED,
		.level = HYPERVIVE_PROTO_LEVEL_INFO,
	};
	struct hypervive_proto_hdr hdr;
	int n, v, ok = 1;
	u64 ack;

	hypervive_proto_state_init(&g, HYPERVIVE_PROTO_ROLE_GUEST);
	hypervive_proto_state_init(&h, HYPERVIVE_PROTO_ROLE_HOST);
	guest_hello(&hello);
	n = hypervive_proto_hello_encode(buf + HDR, sizeof(buf) - HDR, &hello);
	n = hypervive_proto_frame_seal(&g, buf, sizeof(buf), HYPERVIVE_PROTO_T_HELLO, 0, n);
	ok &= hypervive_proto_hdr_decode(buf, n, &hdr) == 0;
	ok &= hypervive_proto_hdr_validate(&hdr, &h) == 0;
	hypervive_proto_rx_accept(&h, &hdr);
	ok &= hypervive_proto_hello_decode(buf + HDR, hdr.length, &reply) == 0;
	v = hypervive_proto_negotiate(1, 1, reply.min_version, reply.max_version);
	ok &= v == 1;
	memset(&reply, 0, sizeof(reply));
	reply.min_version = 1;
	reply.max_version = 1;
	reply.selected_version = (u16)v;
	reply.role = HYPERVIVE_PROTO_ROLE_HOST;
	reply.heartbeat_ms = 1000;
	n = hypervive_proto_hello_encode(buf2 + HDR, sizeof(buf2) - HDR, &reply);
	n = hypervive_proto_frame_seal(&h, buf2, sizeof(buf2), HYPERVIVE_PROTO_T_HELLO, 0, n);
	ok &= n > 0;
	hypervive_proto_state_open(&h, (u16)v);
	ok &= hypervive_proto_hdr_decode(buf2, n, &hdr) == 0;
	ok &= hypervive_proto_hdr_validate(&hdr, &g) == 0;
	hypervive_proto_rx_accept(&g, &hdr);
	hypervive_proto_state_open(&g, (u16)v);
	unit_check(ok, "HELLO exchange opens both sides");

	n = hypervive_proto_event_encode(buf + HDR, sizeof(buf) - HDR, &ev, NULL);
	n = hypervive_proto_frame_seal(&g, buf, sizeof(buf), HYPERVIVE_PROTO_T_EVENT, 0, n);
	ok = hypervive_proto_hdr_decode(buf, n, &hdr) == 0 &&
	     hypervive_proto_hdr_validate(&hdr, &h) == 0 && hdr.seq == 2;
	hypervive_proto_rx_accept(&h, &hdr);
	n = hypervive_proto_ack_encode(buf2 + HDR, sizeof(buf2) - HDR, 1);
	n = hypervive_proto_frame_seal(&h, buf2, sizeof(buf2), HYPERVIVE_PROTO_T_ACK, 0, n);
	ok &= hypervive_proto_hdr_decode(buf2, n, &hdr) == 0 &&
	      hypervive_proto_hdr_validate(&hdr, &g) == 0 && hdr.seq == 2 &&
	      hypervive_proto_ack_decode(buf2 + HDR, hdr.length, &ack) == 0 &&
	      ack == 1;
	unit_check(ok, "EVENT then ACK after the exchange");
	/* replaying the same frame is refused */
	ok = hypervive_proto_hdr_decode(buf, n, &hdr) == 0 &&
	     hypervive_proto_hdr_validate(&hdr, &h) == -EPROTO;
	unit_check(ok, "replayed frame refused by sequence");
}

static void test_names(void)
{
	u16 lv = 0;
	const char *s;

	s = hypervive_proto_event_name(HYPERVIVE_PROTO_EV_FREEZE_FAILED, &lv);
	unit_check(s && !strcmp(s, "FreezeFailed") &&
		   lv == HYPERVIVE_PROTO_LEVEL_ERROR, "4103 is FreezeFailed, Error");
	s = hypervive_proto_event_name(HYPERVIVE_PROTO_EV_GUEST_SILENT, &lv);
	unit_check(s && lv == HYPERVIVE_PROTO_LEVEL_WARNING, "4302 is a Warning");
	unit_check(!hypervive_proto_event_name(4150, &lv) && lv == 0,
		   "unassigned 4150 has no name");
	s = hypervive_proto_event_name(HYPERVIVE_PROTO_EV_TEST, &lv);
	unit_check(s && !strcmp(s, "TestEvent") && lv == HYPERVIVE_PROTO_LEVEL_INFO &&
		   HYPERVIVE_PROTO_EV_TEST == 4206, "4206 is TestEvent, Information");
	unit_check(!hypervive_proto_event_name(4207, &lv) && lv == 0,
		   "unassigned 4207 has no name");
	unit_check(!strcmp(hypervive_proto_type_name(HYPERVIVE_PROTO_T_QUERY_REPLY),
			   "QUERY_REPLY") &&
		   !strcmp(hypervive_proto_type_name(99), "UNKNOWN"),
		   "type names");
	unit_check(!strcmp(hypervive_proto_fs_state_name(5), "frozen-by-other") &&
		   !strcmp(hypervive_proto_fs_state_name(6), "invalid"),
		   "fs state names");
}

int main(void)
{
	unit_plan(165);
	test_primitives();
	test_strings();
	test_golden();
	test_header_validation();
	test_seal();
	test_negotiate();
	test_hello();
	test_heartbeat();
	test_event();
	test_fs_rules();
	test_small_messages();
	test_report();
	test_exchange();
	test_names();
	return unit_exit();
}

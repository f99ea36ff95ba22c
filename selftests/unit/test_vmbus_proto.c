// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hypervive_vmbus's pure code: message validation, the
 * version list, GUIDs, channel names, the hv_sock port template and the
 * probe sequence check, then a fuzz loop over the validator.  Expected
 * sizes, offsets and GUIDs are written out from linux/hyperv.h and the
 * TLFS by hand, not computed with the code under test.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "unit.h"
#include "../../hv_vmbus/vmbus_proto.h"

static struct hvv_message msg(u32 type, u32 size, u32 msgtype)
{
	struct hvv_message m;

	memset(&m, 0, sizeof(m));
	m.header.message_type = type;
	m.header.payload_size = size;
	memcpy(m.payload, &msgtype, 4);
	return m;
}

static void test_layouts(void)
{
	/* linux/hyperv.h: 16+16+8+8+2+2+120+2+2 = 176-byte offer. */
	unit_check(sizeof(struct hvv_message) == 256 &&
		   sizeof(struct hvv_msg_header) == 16, "hv_message is 16 + 240 bytes");
	unit_check(sizeof(struct hvv_offer) == 176, "vmbus_channel_offer is 176 bytes");
	unit_check(sizeof(struct hvv_offer_channel) == 196 &&
		   offsetof(struct hvv_offer_channel, child_relid) == 184 &&
		   offsetof(struct hvv_offer_channel, connection_id) == 192,
		   "offer_channel: 196 bytes, relid at 184, connection_id at 192");
	unit_check(sizeof(struct hvv_version_response) == 16 &&
		   offsetof(struct hvv_version_response, msg_conn_id) == 12,
		   "version_response: 16 bytes, msg_conn_id at 12");
	unit_check(sizeof(struct hvv_initiate_contact) == 40 &&
		   offsetof(struct hvv_initiate_contact, monitor_page2) == 32,
		   "initiate_contact: 40 bytes");
	unit_check(sizeof(struct hvv_rescind_offer) == 12, "rescind_offer: 12 bytes");
}

static void test_check(void)
{
	struct hvv_message m;
	u32 t = 0xdead;

	m = msg(HVV_MSGTYPE_VMBUS, 196, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK && t == 1, "offer of 196 bytes passes");
	m = msg(HVV_MSGTYPE_VMBUS, 195, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_SHORT, "offer of 195 bytes is short");
	m = msg(HVV_MSGTYPE_VMBUS, 240, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK, "240 bytes (the limit) passes");
	m = msg(HVV_MSGTYPE_VMBUS, 241, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_OVERSIZE, "241 bytes is oversize");
	m = msg(HVV_MSGTYPE_VMBUS, 255, 4);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_OVERSIZE, "255 bytes is oversize");
	m = msg(HVV_MSGTYPE_VMBUS, 7, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_SHORT,
		   "an offer of 7 bytes, not even its channel header, is short");
	m = msg(HVV_MSGTYPE_VMBUS, 8, 4);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK && t == 4,
		   "ALLOFFERS_DELIVERED: header only");
	m = msg(HVV_MSGTYPE_VMBUS, 8, 17);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK, "UNLOAD_RESPONSE: header only");
	/* The kernel's channel_message_table: min_payload_len 0 for these two. */
	m = msg(HVV_MSGTYPE_VMBUS, 4, 4);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK && t == 4,
		   "ALLOFFERS_DELIVERED of 4 bytes (its type alone) passes");
	m = msg(HVV_MSGTYPE_VMBUS, 0, 17);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK && t == 17,
		   "UNLOAD_RESPONSE of 0 bytes passes, as in the kernel");
	unit_check(hvv_chanmsg(HVV_CHANMSG_ALLOFFERS_DELIVERED)->taken &&
		   hvv_chanmsg(HVV_CHANMSG_ALLOFFERS_DELIVERED)->min_len == 0 &&
		   !hvv_chanmsg(HVV_CHANMSG_INITIATE_CONTACT)->taken &&
		   !hvv_chanmsg(HVV_CHANMSG_COUNT),
		   "the table: header-only messages taken at 0 bytes, a guest's own not taken, nothing past the end");
	m = msg(HVV_MSGTYPE_VMBUS, 15, 15);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_SHORT, "VERSION_RESPONSE needs 16");
	m = msg(HVV_MSGTYPE_VMBUS, 11, 2);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_SHORT, "RESCIND needs 12");
	m = msg(HVV_MSGTYPE_VMBUS, 12, 2);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_OK, "RESCIND of 12 passes");
	m = msg(HVV_MSGTYPE_VMBUS, 64, 25);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_UNKNOWN, "msgtype 25 is unknown");
	m = msg(HVV_MSGTYPE_VMBUS, 64, 0xffffffff);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_UNKNOWN, "msgtype 0xffffffff is unknown");
	m = msg(HVV_MSGTYPE_VMBUS, 64, 14);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_UNEXPECTED,
		   "INITIATE_CONTACT from the host is unexpected");
	m = msg(HVV_MSGTYPE_VMBUS, 64, 0);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_UNEXPECTED, "INVALID (0) is unexpected");
	m = msg(HVV_MSGTYPE_VMBUS, 64, 6);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_UNEXPECTED,
		   "OPENCHANNEL_RESULT without an open is unexpected");
	m = msg(0x80000010, 64, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_BAD_TYPE, "a timer message is not VMBus");
	m = msg(2, 196, 1);
	unit_check(hvv_check_vmbus(&m, &t) == HVV_DROP_BAD_TYPE, "hv_message type 2 is not VMBus");
	unit_check(!strcmp(hvv_chanmsg_name(15), "VERSION_RESPONSE") &&
		   !strcmp(hvv_chanmsg_name(99), "unknown"), "message type names");
	unit_check(!strcmp(hvv_verdict_name(HVV_DROP_SHORT), "short") &&
		   !strcmp(hvv_verdict_name(HVV_NR_VERDICTS), "?"), "verdict names");
}

static void put_offer(struct hvv_message *m, u32 relid, u8 monid, u8 monflags,
		      u16 flags, u32 conn)
{
	struct hvv_offer_channel o;

	memset(&o, 0, sizeof(o));
	o.header.msgtype = 1;
	o.child_relid = relid;
	o.monitorid = monid;
	o.monitor_flags = monflags;
	o.offer.chn_flags = flags;
	o.connection_id = conn;
	memset(m, 0, sizeof(*m));
	m->header.message_type = 1;
	m->header.payload_size = sizeof(o);
	memcpy(m->payload, &o, sizeof(o));
}

static void test_offer(void)
{
	struct hvv_offer_info info;
	struct hvv_message m;

	put_offer(&m, 5, 3, 1, 0x0400, 0x1234);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_OK && info.relid == 5 &&
		   info.monitor_id == 3 && info.monitor_allocated &&
		   info.connection_id == 0x1234 && info.flags == 0x0400 && !info.hvsock,
		   "a monitored offer parses");
	put_offer(&m, 0, 0, 0, 0, 0);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_DROP_INVALID,
		   "relid 0 is invalid");
	put_offer(&m, 2047, 0, 0, 0, 0);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_OK, "relid 2047 is the last");
	put_offer(&m, 2048, 0, 0, 0, 0);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_DROP_INVALID,
		   "relid 2048 has no event flag");
	put_offer(&m, 9, 128, 1, 0, 0);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_DROP_INVALID,
		   "monitor ID 128 is past the 4x32 trigger groups");
	put_offer(&m, 9, 200, 0, 0, 0);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_OK,
		   "an unallocated monitor ID is not checked");
	put_offer(&m, 9, 0, 0, 0, 0x1000000);
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_DROP_INVALID,
		   "a connection ID above 24 bits is invalid");
	put_offer(&m, 9, 0, 0, 0x2000, 0);
	m.payload[8 + 52 + 4] = 1;	/* offer.u.pipe.user_def[0]: after 52 + pipe_mode */
	unit_check(hvv_parse_offer(m.payload, 196, &info) == HVV_OK && info.hvsock &&
		   info.conn_from_host, "an hv_sock offer from the host");
	unit_check(hvv_parse_offer(m.payload, 195, &info) == HVV_DROP_SHORT,
		   "parse refuses a short buffer itself");
}

static void test_versions(void)
{
	/* linux/hyperv.h VERSION_WIN10_V5_3 ... VERSION_WIN8, newest first. */
	static const u32 want[] = { 0x50003, 0x50002, 0x50001, 0x50000,
				    0x40001, 0x40000, 0x30000, 0x20004 };
	unsigned int i, same = hvv_nr_versions == 8;

	for (i = 0; same && i < 8; i++)
		same = hvv_versions[i] == want[i];
	unit_check(same, "version list is the kernel's, newest first");
	unit_check(hvv_contact_conn_id(0x50000) == 4 && hvv_contact_conn_id(0x50003) == 4 &&
		   hvv_contact_conn_id(0x40001) == 1 && hvv_contact_conn_id(0x20004) == 1,
		   "INITIATE_CONTACT on connection 4 from 5.0, 1 before");
	unit_check(hvv_version_known(0x30000) && !hvv_version_known(0x10001) &&
		   !hvv_version_known(0x50004), "known versions");
}

static void test_guids(void)
{
	struct hvv_guid g, h;
	char s[HVV_GUID_STR_LEN];
	u32 port = 0;

	/* HV_HEART_BEAT_GUID {57164f39-9115-4e78-ab55-382f3bd5422d}. */
	unit_check(!hvv_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422d", &g) &&
		   g.b[0] == 0x39 && g.b[3] == 0x57 && g.b[4] == 0x15 && g.b[6] == 0x78 &&
		   g.b[8] == 0xab && g.b[15] == 0x2d, "GUID parse: mixed-endian bytes");
	unit_check(hvv_class_name(&g) && !strcmp(hvv_class_name(&g), "heartbeat"),
		   "heartbeat class name");
	hvv_guid_fmt(&g, s);
	unit_check(!strcmp(s, "57164f39-9115-4e78-ab55-382f3bd5422d"), "GUID format: %s", s);
	unit_check(!hvv_guid_parse("9527E630-D0AE-497B-ADCE-E80AB0175CAF", &h) &&
		   !strcmp(hvv_class_name(&h), "timesync"), "upper case parses (timesync)");
	unit_check(!hvv_guid_parse("0e0b6031-5213-4934-818b-38d90ced39db", &h) &&
		   !strcmp(hvv_class_name(&h), "shutdown"), "shutdown");
	unit_check(!hvv_guid_parse("a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", &h) &&
		   !strcmp(hvv_class_name(&h), "kvp"), "kvp");
	unit_check(!hvv_guid_parse("35fa2e29-ea23-4236-96ae-3a6ebacba440", &h) &&
		   !strcmp(hvv_class_name(&h), "vss"), "vss");
	unit_check(!hvv_guid_parse("34d14be3-dee4-41c8-9ae7-6b174977c192", &h) &&
		   !strcmp(hvv_class_name(&h), "fcopy"), "fcopy");
	unit_check(!hvv_guid_parse("11111111-2222-3333-4444-555555555555", &h) &&
		   !hvv_class_name(&h), "an unknown class has no name");
	unit_check(hvv_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422", &h) == -EINVAL &&
		   hvv_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422dd", &h) == -EINVAL &&
		   hvv_guid_parse("57164f39+9115-4e78-ab55-382f3bd5422d", &h) == -EINVAL &&
		   hvv_guid_parse("g7164f39-9115-4e78-ab55-382f3bd5422d", &h) == -EINVAL,
		   "malformed GUIDs are refused");

	/* Hyper-V sockets: port 0xAC9 = 2761 ("Make your own integration services"). */
	unit_check(!hvv_guid_parse("00000ac9-facb-11e6-bd58-64006a7986d3", &h) &&
		   hvv_hvsock_port(&h, &port) && port == 2761, "hv_sock port 2761");
	unit_check(!hvv_guid_parse("ffffffff-facb-11e6-bd58-64006a7986d3", &h) &&
		   hvv_hvsock_port(&h, &port) && port == 0xffffffff, "hv_sock port 0xffffffff");
	unit_check(!hvv_guid_parse("00000ac9-facb-11e6-bd58-64006a7986d4", &h) &&
		   !hvv_hvsock_port(&h, &port), "off-template GUID has no port");
}

static void probe(struct hvv_probe_state *p, u64 seq, u32 size)
{
	struct hvv_message m;

	memset(&m, 0, sizeof(m));
	m.header.message_type = HVV_MSGTYPE_PROBE;
	m.header.payload_size = size;
	memcpy(m.payload, &seq, 8);
	hvv_probe_account(p, &m);
}

static void test_probe(void)
{
	struct hvv_probe_state p = { 0 };

	probe(&p, 100, 8);
	probe(&p, 101, 8);
	probe(&p, 102, 16);
	unit_check(p.in_order == 3 && !p.gaps && !p.repeats && p.last == 102,
		   "first message sets the baseline, then +1");
	probe(&p, 104, 8);
	unit_check(p.gaps == 1 && p.last == 104, "a skipped number is a gap");
	probe(&p, 104, 8);
	probe(&p, 103, 8);
	unit_check(p.repeats == 2 && p.last == 104, "a repeat or a late one is counted");
	probe(&p, 105, 7);
	probe(&p, 105, 241);
	unit_check(p.bad == 2 && p.last == 104, "too short or oversize: bad");
}

/* xorshift64*: a fixed seed makes a failure reproducible. */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_fuzz(void)
{
	unsigned long counts[HVV_NR_VERDICTS] = { 0 }, wrong = 0, offers = 0;
	struct hvv_probe_state p = { 0 };
	struct hvv_offer_info info;
	struct hvv_message m;
	unsigned int i, j;
	u32 t;

	for (i = 0; i < 300000; i++) {
		enum hvv_verdict v;

		if (i & 1) {
			/* Mutate a valid offer: a few random bytes anywhere. */
			put_offer(&m, 1 + rnd() % 2047, rnd() % 128, 1, 0, 7);
			for (j = 0; j < 1 + rnd() % 4; j++)
				((u8 *)&m)[rnd() % sizeof(m)] = rnd();
		} else {
			for (j = 0; j < sizeof(m); j += 8) {
				u64 r = rnd();

				memcpy((u8 *)&m + j, &r, 8);
			}
			m.header.message_type = rnd() % 4 ? HVV_MSGTYPE_VMBUS : (u32)rnd();
			if (rnd() % 2)
				m.payload[0] = rnd() % 30;	/* mostly known types */
			memset(m.payload + 1, 0, 3);
		}
		t = 0;
		v = hvv_check_vmbus(&m, &t);
		counts[v]++;
		if (v == HVV_OK) {
			/* OK means: VMBus, within 240, known, long enough. */
			if (m.header.message_type != 1 || m.header.payload_size > 240 ||
			    t >= HVV_CHANMSG_COUNT || !hvv_chanmsg(t)->taken ||
			    m.header.payload_size < hvv_chanmsg(t)->min_len)
				wrong++;
			if (t == HVV_CHANMSG_OFFERCHANNEL) {
				offers++;
				v = hvv_parse_offer(m.payload, m.header.payload_size, &info);
				if (v == HVV_OK && (!info.relid || info.relid > 2047))
					wrong++;
				if (v != HVV_OK && v != HVV_DROP_INVALID)
					wrong++;
			}
		}
		hvv_probe_account(&p, &m);
	}
	unit_check(!wrong, "fuzz: 300000 messages, every verdict consistent (%lu wrong)", wrong);
	unit_check(counts[HVV_OK] && counts[HVV_DROP_SHORT] && counts[HVV_DROP_OVERSIZE] &&
		   counts[HVV_DROP_UNKNOWN] && counts[HVV_DROP_UNEXPECTED] &&
		   counts[HVV_DROP_BAD_TYPE] && offers,
		   "fuzz reached every verdict: ok %lu short %lu oversize %lu unknown %lu unexpected %lu bad_type %lu (offers %lu)",
		   counts[HVV_OK], counts[HVV_DROP_SHORT], counts[HVV_DROP_OVERSIZE],
		   counts[HVV_DROP_UNKNOWN], counts[HVV_DROP_UNEXPECTED],
		   counts[HVV_DROP_BAD_TYPE], offers);
}

int main(void)
{
	unit_plan(60);
	test_layouts();
	test_check();
	test_offer();
	test_versions();
	test_guids();
	test_probe();
	test_fuzz();
	return unit_exit();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Pure code of hypervive_vmbus (see vmbus_proto.h): message validation,
 * versions, GUIDs and channel names.  No kernel calls: the unit tests link
 * this file as it is.
 */
#include "vmbus_proto.h"

static const char * const verdict_names[HVV_NR_VERDICTS] = {
	[HVV_OK] = "ok",
	[HVV_DROP_BAD_TYPE] = "bad_type",
	[HVV_DROP_OVERSIZE] = "oversize",
	[HVV_DROP_SHORT] = "short",
	[HVV_DROP_UNKNOWN] = "unknown",
	[HVV_DROP_UNEXPECTED] = "unexpected",
	[HVV_DROP_INVALID] = "invalid",
	[HVV_DROP_STATE] = "state",
	[HVV_DROP_NOMEM] = "nomem",
};

const char *hvv_verdict_name(enum hvv_verdict v)
{
	return (unsigned int)v < HVV_NR_VERDICTS ? verdict_names[v] : "?";
}

static const char * const chanmsg_names[HVV_CHANMSG_COUNT] = {
	[HVV_CHANMSG_INVALID] = "INVALID",
	[HVV_CHANMSG_OFFERCHANNEL] = "OFFERCHANNEL",
	[HVV_CHANMSG_RESCIND_CHANNELOFFER] = "RESCIND_CHANNELOFFER",
	[HVV_CHANMSG_REQUESTOFFERS] = "REQUESTOFFERS",
	[HVV_CHANMSG_ALLOFFERS_DELIVERED] = "ALLOFFERS_DELIVERED",
	[HVV_CHANMSG_OPENCHANNEL] = "OPENCHANNEL",
	[HVV_CHANMSG_OPENCHANNEL_RESULT] = "OPENCHANNEL_RESULT",
	[HVV_CHANMSG_CLOSECHANNEL] = "CLOSECHANNEL",
	[HVV_CHANMSG_GPADL_HEADER] = "GPADL_HEADER",
	[HVV_CHANMSG_GPADL_BODY] = "GPADL_BODY",
	[HVV_CHANMSG_GPADL_CREATED] = "GPADL_CREATED",
	[HVV_CHANMSG_GPADL_TEARDOWN] = "GPADL_TEARDOWN",
	[HVV_CHANMSG_GPADL_TORNDOWN] = "GPADL_TORNDOWN",
	[HVV_CHANMSG_RELID_RELEASED] = "RELID_RELEASED",
	[HVV_CHANMSG_INITIATE_CONTACT] = "INITIATE_CONTACT",
	[HVV_CHANMSG_VERSION_RESPONSE] = "VERSION_RESPONSE",
	[HVV_CHANMSG_UNLOAD] = "UNLOAD",
	[HVV_CHANMSG_UNLOAD_RESPONSE] = "UNLOAD_RESPONSE",
	[18] = "CHANNELMSG_18",
	[19] = "CHANNELMSG_19",
	[20] = "CHANNELMSG_20",
	[HVV_CHANMSG_TL_CONNECT_REQUEST] = "TL_CONNECT_REQUEST",
	[HVV_CHANMSG_MODIFYCHANNEL] = "MODIFYCHANNEL",
	[HVV_CHANMSG_TL_CONNECT_RESULT] = "TL_CONNECT_RESULT",
	[HVV_CHANMSG_MODIFYCHANNEL_RESPONSE] = "MODIFYCHANNEL_RESPONSE",
};

const char *hvv_chanmsg_name(u32 msgtype)
{
	return msgtype < HVV_CHANMSG_COUNT ? chanmsg_names[msgtype] : "unknown";
}

/*
 * Host-to-guest messages this module takes, with the size of their
 * structure in linux/hyperv.h.  Unlike the kernel's table (0 for the
 * header-only types) every entry includes the 8-byte channel header: a
 * message too short to hold its own type is malformed.
 */
u32 hvv_min_len(u32 msgtype)
{
	switch (msgtype) {
	case HVV_CHANMSG_OFFERCHANNEL:
		return sizeof(struct hvv_offer_channel);
	case HVV_CHANMSG_RESCIND_CHANNELOFFER:
		return sizeof(struct hvv_rescind_offer);
	case HVV_CHANMSG_ALLOFFERS_DELIVERED:
	case HVV_CHANMSG_UNLOAD_RESPONSE:
		return sizeof(struct hvv_chan_hdr);
	case HVV_CHANMSG_VERSION_RESPONSE:
		return sizeof(struct hvv_version_response);
	default:
		return 0;
	}
}

enum hvv_verdict hvv_check_vmbus(const struct hvv_message *m, u32 *msgtype)
{
	u32 size = m->header.payload_size;
	struct hvv_chan_hdr hdr;
	u32 min;

	if (m->header.message_type != HVV_MSGTYPE_VMBUS)
		return HVV_DROP_BAD_TYPE;
	if (size > HVV_PAYLOAD_MAX)
		return HVV_DROP_OVERSIZE;
	if (size < sizeof(hdr))
		return HVV_DROP_SHORT;
	memcpy(&hdr, m->payload, sizeof(hdr));
	*msgtype = hdr.msgtype;
	if (hdr.msgtype >= HVV_CHANMSG_COUNT)
		return HVV_DROP_UNKNOWN;
	min = hvv_min_len(hdr.msgtype);
	if (!min)
		return HVV_DROP_UNEXPECTED;
	if (size < min)
		return HVV_DROP_SHORT;
	return HVV_OK;
}

enum hvv_verdict hvv_parse_offer(const void *payload, u32 len,
				 struct hvv_offer_info *info)
{
	struct hvv_offer_channel o;

	if (len < sizeof(o))
		return HVV_DROP_SHORT;
	memcpy(&o, payload, sizeof(o));
	memset(info, 0, sizeof(*info));
	if (!o.child_relid || o.child_relid > HVV_MAX_RELID)
		return HVV_DROP_INVALID;
	if ((o.monitor_flags & 1) && o.monitorid > HVV_MAX_MONITOR_ID)
		return HVV_DROP_INVALID;
	if (o.connection_id & ~HVV_CONN_ID_MASK)
		return HVV_DROP_INVALID;
	info->relid = o.child_relid;
	info->if_type = o.offer.if_type;
	info->if_instance = o.offer.if_instance;
	info->flags = o.offer.chn_flags;
	info->mmio_mb = o.offer.mmio_megabytes;
	info->sub_channel_index = o.offer.sub_channel_index;
	info->monitor_id = o.monitorid;
	info->monitor_allocated = o.monitor_flags & 1;
	info->dedicated_interrupt = o.interrupt_flags & 1;
	info->connection_id = o.connection_id;
	info->hvsock = o.offer.chn_flags & HVV_CHN_TLNPI_PROVIDER_OFFER;
	/*
	 * hv_sock keeps "connection from host" in the first pipe user byte,
	 * after the 4-byte pipe mode (offer.u.pipe.user_def[0]).
	 */
	info->conn_from_host = info->hvsock && o.offer.user_def[4];
	return HVV_OK;
}

const u32 hvv_versions[] = {
	HVV_VERSION(5, 3),	/* Windows Server 2022 */
	HVV_VERSION(5, 2),	/* Windows Server 2019 */
	HVV_VERSION(5, 1),	/* Windows 10 RS4 */
	HVV_VERSION(5, 0),	/* newer Windows 10 */
	HVV_VERSION(4, 1),	/* Windows 10 RS3 */
	HVV_VERSION(4, 0),	/* Windows 10 */
	HVV_VERSION(3, 0),	/* Windows Server 2012 R2 */
	HVV_VERSION(2, 4),	/* Windows Server 2012 */
};
const unsigned int hvv_nr_versions = ARRAY_SIZE(hvv_versions);

bool hvv_version_known(u32 version)
{
	unsigned int i;

	for (i = 0; i < hvv_nr_versions; i++)
		if (hvv_versions[i] == version)
			return true;
	return false;
}

u32 hvv_contact_conn_id(u32 version)
{
	return version >= HVV_VERSION_WIN10_V5 ? HVV_MESSAGE_CONNECTION_ID_4 :
						 HVV_MESSAGE_CONNECTION_ID;
}

/* GUIDs: data1..data3 little-endian, data4 as bytes (Microsoft layout). */
static const u8 guid_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

void hvv_guid_fmt(const struct hvv_guid *g, char out[HVV_GUID_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i, o = 0;

	for (i = 0; i < 16; i++) {
		u8 b = g->b[guid_order[i]];

		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b >> 4];
		out[o++] = hex[b & 15];
	}
	out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hvv_guid_parse(const char *s, struct hvv_guid *g)
{
	unsigned int i, p = 0;

	for (i = 0; i < 16; i++) {
		int hi, lo;

		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (s[p++] != '-')
				return -EINVAL;
		}
		hi = hexval(s[p]);
		lo = hi < 0 ? -1 : hexval(s[p + 1]);
		if (lo < 0)
			return -EINVAL;
		g->b[guid_order[i]] = hi << 4 | lo;
		p += 2;
	}
	return s[p] ? -EINVAL : 0;
}

bool hvv_guid_eq(const struct hvv_guid *a, const struct hvv_guid *b)
{
	return !memcmp(a->b, b->b, sizeof(a->b));
}

/* GUID_INIT() of linux/uuid.h, for our own struct. */
#define HVV_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)		\
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff,		\
	    ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff,		\
	    (c) & 0xff, ((c) >> 8) & 0xff,				\
	    (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) } }

/* The *_GUID definitions of linux/hyperv.h; vmbus_check.c compares them. */
const struct hvv_class hvv_classes[] = {
	{ "heartbeat", HVV_GUID(0x57164f39, 0x9115, 0x4e78, 0xab, 0x55,
				0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d) },
	{ "shutdown", HVV_GUID(0x0e0b6031, 0x5213, 0x4934, 0x81, 0x8b,
			       0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb) },
	{ "timesync", HVV_GUID(0x9527e630, 0xd0ae, 0x497b, 0xad, 0xce,
			       0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf) },
	{ "kvp", HVV_GUID(0xa9a0f4e7, 0x5a45, 0x4d96, 0xb8, 0x27,
			  0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6) },
	{ "vss", HVV_GUID(0x35fa2e29, 0xea23, 0x4236, 0x96, 0xae,
			  0x3a, 0x6e, 0xba, 0xcb, 0xa4, 0x40) },
	{ "fcopy", HVV_GUID(0x34d14be3, 0xdee4, 0x41c8, 0x9a, 0xe7,
			    0x6b, 0x17, 0x49, 0x77, 0xc1, 0x92) },
	{ "network", HVV_GUID(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f,
			      0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e) },
	{ "ide", HVV_GUID(0x32412632, 0x86cb, 0x44a2, 0x9b, 0x5c,
			  0x50, 0xd1, 0x41, 0x73, 0x54, 0xf5) },
	{ "scsi", HVV_GUID(0xba6163d9, 0x04a1, 0x4d29, 0xb6, 0x05,
			   0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f) },
	{ "dynamic_memory", HVV_GUID(0x525074dc, 0x8985, 0x46e2, 0x80, 0x57,
				     0xa3, 0x07, 0xdc, 0x18, 0xa5, 0x02) },
	{ "mouse", HVV_GUID(0xcfa8b69e, 0x5b4a, 0x4cc0, 0xb9, 0x8b,
			    0x8b, 0xa1, 0xa1, 0xf3, 0xf9, 0x5a) },
	{ "keyboard", HVV_GUID(0xf912ad6d, 0x2b17, 0x48ea, 0xbd, 0x65,
			       0xf9, 0x27, 0xa6, 0x1c, 0x76, 0x84) },
	{ "synthvid", HVV_GUID(0xda0a7802, 0xe377, 0x4aac, 0x8e, 0x77,
			       0x05, 0x58, 0xeb, 0x10, 0x73, 0xf8) },
	{ "synthfc", HVV_GUID(0x2f9bcc4a, 0x0069, 0x4af3, 0xb7, 0x6b,
			      0x6f, 0xd0, 0xbe, 0x52, 0x8c, 0xda) },
	{ "network_direct", HVV_GUID(0x8c2eaf3d, 0x32a7, 0x4b09, 0xab, 0x99,
				     0xbd, 0x1f, 0x1c, 0x86, 0xb5, 0x01) },
	{ "pcie", HVV_GUID(0x44c4f61d, 0x4444, 0x4400, 0x9d, 0x52,
			   0x80, 0x2e, 0x27, 0xed, 0xe1, 0x9f) },
	{ "avma1", HVV_GUID(0xf8e65716, 0x3cb3, 0x4a06, 0x9a, 0x60,
			    0x18, 0x89, 0xc5, 0xcc, 0xca, 0xb5) },
	{ "avma2", HVV_GUID(0x3375baf4, 0x9e15, 0x4b30, 0xb7, 0x65,
			    0x67, 0xac, 0xb1, 0x0d, 0x60, 0x7b) },
	{ "rdv", HVV_GUID(0x276aacf4, 0xac15, 0x426c, 0x98, 0xdd,
			  0x75, 0x21, 0xad, 0x3f, 0x01, 0xfe) },
	{ "imc", HVV_GUID(0xc376c1c3, 0xd276, 0x48d2, 0x90, 0xa9,
			  0xc0, 0x47, 0x48, 0x07, 0x2c, 0x60) },
};
const unsigned int hvv_nr_classes = ARRAY_SIZE(hvv_classes);

const char *hvv_class_name(const struct hvv_guid *g)
{
	unsigned int i;

	for (i = 0; i < hvv_nr_classes; i++)
		if (hvv_guid_eq(g, &hvv_classes[i].guid))
			return hvv_classes[i].name;
	return NULL;
}

static const struct hvv_guid hvsock_template =
	HVV_GUID(0x00000000, 0xfacb, 0x11e6, 0xbd, 0x58,
		 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3);

bool hvv_hvsock_port(const struct hvv_guid *g, u32 *port)
{
	if (memcmp(&g->b[4], &hvsock_template.b[4], 12))
		return false;
	*port = (u32)g->b[0] | (u32)g->b[1] << 8 | (u32)g->b[2] << 16 |
		(u32)g->b[3] << 24;
	return true;
}

void hvv_probe_account(struct hvv_probe_state *p, const struct hvv_message *m)
{
	u64 seq;

	if (m->header.payload_size < sizeof(seq) ||
	    m->header.payload_size > HVV_PAYLOAD_MAX) {
		p->bad++;
		return;
	}
	memcpy(&seq, m->payload, sizeof(seq));
	/* The first message of a load sets the baseline. */
	if (!p->last || seq == p->last + 1)
		p->in_order++;
	else if (seq > p->last + 1)
		p->gaps++;
	else
		p->repeats++;
	if (seq > p->last)
		p->last = seq;
}

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

/*
 * One row per channel message type of linux/hyperv.h.  The types the host
 * sends a guest and this module takes are "taken", with the least payload
 * they need: the kernel's channel_message_table min_payload_len, the size of
 * their structure there, and 0 for the header-only ALLOFFERS_DELIVERED and
 * UNLOAD_RESPONSE (their type is read from the 240-byte copy whatever the
 * size says).  What the connection does with each is connection.c's.
 */
static const struct hvv_chanmsg_info chanmsgs[HVV_CHANMSG_COUNT] = {
	[HVV_CHANMSG_INVALID] = { "INVALID", false, 0 },
	[HVV_CHANMSG_OFFERCHANNEL] = {
		"OFFERCHANNEL", true, sizeof(struct hvv_offer_channel) },
	[HVV_CHANMSG_RESCIND_CHANNELOFFER] = {
		"RESCIND_CHANNELOFFER", true, sizeof(struct hvv_rescind_offer) },
	[HVV_CHANMSG_REQUESTOFFERS] = { "REQUESTOFFERS", false, 0 },
	[HVV_CHANMSG_ALLOFFERS_DELIVERED] = { "ALLOFFERS_DELIVERED", true, 0 },
	[HVV_CHANMSG_OPENCHANNEL] = { "OPENCHANNEL", false, 0 },
	[HVV_CHANMSG_OPENCHANNEL_RESULT] = { "OPENCHANNEL_RESULT", false, 0 },
	[HVV_CHANMSG_CLOSECHANNEL] = { "CLOSECHANNEL", false, 0 },
	[HVV_CHANMSG_GPADL_HEADER] = { "GPADL_HEADER", false, 0 },
	[HVV_CHANMSG_GPADL_BODY] = { "GPADL_BODY", false, 0 },
	[HVV_CHANMSG_GPADL_CREATED] = { "GPADL_CREATED", false, 0 },
	[HVV_CHANMSG_GPADL_TEARDOWN] = { "GPADL_TEARDOWN", false, 0 },
	[HVV_CHANMSG_GPADL_TORNDOWN] = { "GPADL_TORNDOWN", false, 0 },
	[HVV_CHANMSG_RELID_RELEASED] = { "RELID_RELEASED", false, 0 },
	[HVV_CHANMSG_INITIATE_CONTACT] = { "INITIATE_CONTACT", false, 0 },
	[HVV_CHANMSG_VERSION_RESPONSE] = {
		"VERSION_RESPONSE", true, sizeof(struct hvv_version_response) },
	[HVV_CHANMSG_UNLOAD] = { "UNLOAD", false, 0 },
	[HVV_CHANMSG_UNLOAD_RESPONSE] = { "UNLOAD_RESPONSE", true, 0 },
	[18] = { "CHANNELMSG_18", false, 0 },
	[19] = { "CHANNELMSG_19", false, 0 },
	[20] = { "CHANNELMSG_20", false, 0 },
	[HVV_CHANMSG_TL_CONNECT_REQUEST] = { "TL_CONNECT_REQUEST", false, 0 },
	[HVV_CHANMSG_MODIFYCHANNEL] = { "MODIFYCHANNEL", false, 0 },
	[HVV_CHANMSG_TL_CONNECT_RESULT] = { "TL_CONNECT_RESULT", false, 0 },
	[HVV_CHANMSG_MODIFYCHANNEL_RESPONSE] = { "MODIFYCHANNEL_RESPONSE", false, 0 },
};

const struct hvv_chanmsg_info *hvv_chanmsg(u32 msgtype)
{
	return msgtype < HVV_CHANMSG_COUNT ? &chanmsgs[msgtype] : NULL;
}

const char *hvv_chanmsg_name(u32 msgtype)
{
	return msgtype < HVV_CHANMSG_COUNT ? chanmsgs[msgtype].name : "unknown";
}

enum hvv_verdict hvv_check_vmbus(const struct hvv_message *m, u32 *msgtype)
{
	u32 size = m->header.payload_size;
	const struct hvv_chanmsg_info *info;
	struct hvv_chan_hdr hdr;

	if (m->header.message_type != HVV_MSGTYPE_VMBUS)
		return HVV_DROP_BAD_TYPE;
	/* The copy always has 240 bytes: the type is there whatever the size. */
	memcpy(&hdr, m->payload, sizeof(hdr));
	*msgtype = hdr.msgtype;
	if (size > HVV_PAYLOAD_MAX)
		return HVV_DROP_OVERSIZE;
	info = hvv_chanmsg(hdr.msgtype);
	if (!info)
		return HVV_DROP_UNKNOWN;
	if (!info->taken)
		return HVV_DROP_UNEXPECTED;
	if (size < info->min_len)
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

/* The *_GUID definitions of linux/hyperv.h; vmbus_check.c compares them. */
const struct hvv_class hvv_classes[] = {
	{ "heartbeat", "57164f39-9115-4e78-ab55-382f3bd5422d" },
	{ "shutdown", "0e0b6031-5213-4934-818b-38d90ced39db" },
	{ "timesync", "9527e630-d0ae-497b-adce-e80ab0175caf" },
	{ "kvp", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6" },
	{ "vss", "35fa2e29-ea23-4236-96ae-3a6ebacba440" },
	{ "fcopy", "34d14be3-dee4-41c8-9ae7-6b174977c192" },
	{ "network", "f8615163-df3e-46c5-913f-f2d2f965ed0e" },
	{ "ide", "32412632-86cb-44a2-9b5c-50d1417354f5" },
	{ "scsi", "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f" },
	{ "dynamic_memory", "525074dc-8985-46e2-8057-a307dc18a502" },
	{ "mouse", "cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a" },
	{ "keyboard", "f912ad6d-2b17-48ea-bd65-f927a61c7684" },
	{ "synthvid", "da0a7802-e377-4aac-8e77-0558eb1073f8" },
	{ "synthfc", "2f9bcc4a-0069-4af3-b76b-6fd0be528cda" },
	{ "network_direct", "8c2eaf3d-32a7-4b09-ab99-bd1f1c86b501" },
	{ "pcie", "44c4f61d-4444-4400-9d52-802e27ede19f" },
	{ "avma1", "f8e65716-3cb3-4a06-9a60-1889c5cccab5" },
	{ "avma2", "3375baf4-9e15-4b30-b765-67acb10d607b" },
	{ "rdv", "276aacf4-ac15-426c-98dd-7521ad3f01fe" },
	{ "imc", "c376c1c3-d276-48d2-90a9-c04748072c60" },
};

const unsigned int hvv_nr_classes = ARRAY_SIZE(hvv_classes);

const char *hvv_class_name(const struct hvv_guid *g)
{
	char s[HVV_GUID_STR_LEN];
	unsigned int i;

	hvv_guid_fmt(g, s);
	for (i = 0; i < hvv_nr_classes; i++)
		if (!strcmp(s, hvv_classes[i].guid))
			return hvv_classes[i].name;
	return NULL;
}

/* The VSOCK template of "Make your own integration services". */
bool hvv_hvsock_port(const struct hvv_guid *g, u32 *port)
{
	char s[HVV_GUID_STR_LEN];

	hvv_guid_fmt(g, s);
	if (strcmp(s + 8, "-facb-11e6-bd58-64006a7986d3"))
		return false;
	/* data1 is the port, stored little-endian like every GUID's. */
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

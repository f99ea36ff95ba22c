/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure code of hypervive_vmbus: the SynIC message layout (asm-generic/
 * hyperv-tlfs.h) and the VMBus channel messages (linux/hyperv.h), their
 * validation, the version list, and the channel names.  Compiled both in
 * the module and in the user-space unit tests, so it has its own copies of
 * the layouts; vmbus_check.c proves them equal to the kernel's at build time.
 *
 * Everything here works on a private copy of a message: host memory is
 * untrusted and may change under us, so nothing reads the SIM slot itself.
 */
#ifndef HYPERVIVE_VMBUS_PROTO_H
#define HYPERVIVE_VMBUS_PROTO_H

#include <hypervive/types.h>

/* User space: the unit tests' Makefile defines __packed for this header. */

/* SynIC message: 16-byte header, 240 bytes of payload (TLFS HV_MESSAGE). */
#define HVV_MSG_SIZE		256
#define HVV_PAYLOAD_MAX		240
#define HVV_MSG_FLAG_PENDING	0x01	/* message_flags.msg_pending */

/* hv_message types: 0 is "none", bit 31 set means the hypervisor's own. */
#define HVV_MSGTYPE_NONE	0x00000000U
#define HVV_MSGTYPE_HYPERVISOR	0x80000000U
/* The type VMBus channel messages travel with (Linux posts them as 1). */
#define HVV_MSGTYPE_VMBUS	0x00000001U
/*
 * HyperVive's sequence probe: payload starts with a u64 sequence number.
 * Only counted (in order, gaps, repeats); used to prove the SynIC path
 * neither loses, duplicates nor reorders messages.  Never sent by Hyper-V.
 */
#define HVV_MSGTYPE_PROBE	0x48560001U

struct hvv_msg_header {
	u32 message_type;
	u8 payload_size;
	u8 message_flags;
	u8 reserved[2];
	u64 sender;
} __packed;

struct hvv_message {
	struct hvv_msg_header header;
	u8 payload[HVV_PAYLOAD_MAX];
} __packed;

/* VMBus channel message types (enum vmbus_channel_message_type). */
enum hvv_chanmsg {
	HVV_CHANMSG_INVALID = 0,
	HVV_CHANMSG_OFFERCHANNEL = 1,
	HVV_CHANMSG_RESCIND_CHANNELOFFER = 2,
	HVV_CHANMSG_REQUESTOFFERS = 3,
	HVV_CHANMSG_ALLOFFERS_DELIVERED = 4,
	HVV_CHANMSG_OPENCHANNEL = 5,
	HVV_CHANMSG_OPENCHANNEL_RESULT = 6,
	HVV_CHANMSG_CLOSECHANNEL = 7,
	HVV_CHANMSG_GPADL_HEADER = 8,
	HVV_CHANMSG_GPADL_BODY = 9,
	HVV_CHANMSG_GPADL_CREATED = 10,
	HVV_CHANMSG_GPADL_TEARDOWN = 11,
	HVV_CHANMSG_GPADL_TORNDOWN = 12,
	HVV_CHANMSG_RELID_RELEASED = 13,
	HVV_CHANMSG_INITIATE_CONTACT = 14,
	HVV_CHANMSG_VERSION_RESPONSE = 15,
	HVV_CHANMSG_UNLOAD = 16,
	HVV_CHANMSG_UNLOAD_RESPONSE = 17,
	HVV_CHANMSG_TL_CONNECT_REQUEST = 21,
	HVV_CHANMSG_MODIFYCHANNEL = 22,
	HVV_CHANMSG_TL_CONNECT_RESULT = 23,
	HVV_CHANMSG_MODIFYCHANNEL_RESPONSE = 24,
	HVV_CHANMSG_COUNT = 25,
};

struct hvv_guid {
	u8 b[16];
} __packed;

struct hvv_chan_hdr {
	u32 msgtype;
	u32 padding;
} __packed;

/* struct vmbus_channel_offer */
struct hvv_offer {
	struct hvv_guid if_type;
	struct hvv_guid if_instance;
	u64 reserved1;
	u64 reserved2;
	u16 chn_flags;
	u16 mmio_megabytes;
	u8 user_def[120];	/* pipe offers: u32 pipe_mode, then 116 bytes */
	u16 sub_channel_index;
	u16 reserved3;
} __packed;

/* struct vmbus_channel_offer_channel */
struct hvv_offer_channel {
	struct hvv_chan_hdr header;
	struct hvv_offer offer;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_flags;	/* bit 0: monitor_allocated */
	u16 interrupt_flags;	/* bit 0: is_dedicated_interrupt */
	u32 connection_id;
} __packed;

/* struct vmbus_channel_rescind_offer */
struct hvv_rescind_offer {
	struct hvv_chan_hdr header;
	u32 child_relid;
} __packed;

/* struct vmbus_channel_initiate_contact */
struct hvv_initiate_contact {
	struct hvv_chan_hdr header;
	u32 vmbus_version_requested;
	u32 target_vcpu;
	u64 interrupt_page;	/* 5.0 and later: byte 0 is msg_sint */
	u64 monitor_page1;
	u64 monitor_page2;
} __packed;

/* struct vmbus_channel_version_response */
struct hvv_version_response {
	struct hvv_chan_hdr header;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;
} __packed;

/* Offer flags (chn_flags) and field limits, linux/hyperv.h. */
#define HVV_CHN_ENUMERATE_DEVICE_INTERFACE	0x0001
#define HVV_CHN_NAMED_PIPE_MODE			0x0010
#define HVV_CHN_LOOPBACK_OFFER			0x0100
#define HVV_CHN_PARENT_OFFER			0x0200
#define HVV_CHN_REQUEST_MONITORED_NOTIFICATION	0x0400
#define HVV_CHN_TLNPI_PROVIDER_OFFER		0x2000	/* an hv_sock offer */

/* Relids 1..2047: one event flag each in the 2048-bit SIEF area of a SINT. */
#define HVV_MAX_RELID		2047
/* 4 trigger groups of 32 in the monitor page (struct hv_monitor_page). */
#define HVV_MAX_MONITOR_ID	127
/* Connection IDs are 24 bits (union hv_connection_id). */
#define HVV_CONN_ID_MASK	0x00ffffffU

/* Connection IDs of the VMBus message port (drivers/hv/hyperv_vmbus.h). */
#define HVV_MESSAGE_CONNECTION_ID	1
#define HVV_MESSAGE_CONNECTION_ID_4	4
#define HVV_EVENT_CONNECTION_ID		2
#define HVV_MESSAGE_SINT		2

/* Protocol versions, major << 16 | minor (VERSION_* in linux/hyperv.h). */
#define HVV_VERSION(maj, min)	((u32)(maj) << 16 | (min))
#define HVV_VERSION_WIN8	HVV_VERSION(2, 4)
#define HVV_VERSION_WIN8_1	HVV_VERSION(3, 0)
#define HVV_VERSION_WIN10_V5	HVV_VERSION(5, 0)
#define HVV_VERSION_NEWEST	HVV_VERSION(5, 3)

/* What happened to a message; every reason but OK is a drop with a counter. */
enum hvv_verdict {
	HVV_OK = 0,
	HVV_DROP_BAD_TYPE,	/* hv_message type we do not take */
	HVV_DROP_OVERSIZE,	/* payload_size above 240 */
	HVV_DROP_SHORT,		/* shorter than its type needs */
	HVV_DROP_UNKNOWN,	/* msgtype not in linux/hyperv.h */
	HVV_DROP_UNEXPECTED,	/* a type the host never sends to a guest */
	HVV_DROP_INVALID,	/* a field out of range (relid, monitor ID) */
	HVV_DROP_STATE,		/* not now: unsolicited reply, unknown relid */
	HVV_DROP_NOMEM,		/* no memory, or too many waiting */
	HVV_NR_VERDICTS,
};

const char *hvv_verdict_name(enum hvv_verdict v);

/* What a channel message type is (vmbus_proto.c's table). */
struct hvv_chanmsg_info {
	const char *name;
	bool taken;		/* the host sends it to a guest, and we take it */
	u32 min_len;		/* least payload_size when taken */
};

/* The row of @msgtype, NULL past the table (a type linux/hyperv.h lacks). */
const struct hvv_chanmsg_info *hvv_chanmsg(u32 msgtype);

/* Name of a channel message type, "unknown" past the table. */
const char *hvv_chanmsg_name(u32 msgtype);

/*
 * Check a copied SynIC message carrying a VMBus channel message: payload
 * size, message type, minimum length.  *msgtype is set to what the first
 * four payload bytes say whenever the hv_message type is VMBus's.
 */
enum hvv_verdict hvv_check_vmbus(const struct hvv_message *m, u32 *msgtype);

/* What an offer tells, validated (hvv_parse_offer). */
struct hvv_offer_info {
	u32 relid;
	struct hvv_guid if_type;
	struct hvv_guid if_instance;
	u16 flags;
	u16 mmio_mb;
	u16 sub_channel_index;
	u8 monitor_id;
	bool monitor_allocated;
	bool dedicated_interrupt;
	u32 connection_id;
	bool hvsock;
	bool conn_from_host;	/* hv_sock: the host connected to us */
};

/* Validate an OFFERCHANNEL payload of @len bytes (already min-length checked). */
enum hvv_verdict hvv_parse_offer(const void *payload, u32 len,
				 struct hvv_offer_info *info);

/* Versions the guest proposes, newest first (the kernel's vmbus_versions). */
extern const u32 hvv_versions[];
extern const unsigned int hvv_nr_versions;
bool hvv_version_known(u32 version);
/* Connection ID of INITIATE_CONTACT for @version: 4 from 5.0 on, else 1. */
u32 hvv_contact_conn_id(u32 version);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with the NUL). */
#define HVV_GUID_STR_LEN	37
void hvv_guid_fmt(const struct hvv_guid *g, char out[HVV_GUID_STR_LEN]);
/* Parse the same form (any case); 0 or -EINVAL. */
int hvv_guid_parse(const char *s, struct hvv_guid *g);
bool hvv_guid_eq(const struct hvv_guid *a, const struct hvv_guid *b);

/* Well-known device classes of linux/hyperv.h by name. */
struct hvv_class {
	const char *name;
	const char *guid;	/* as hvv_guid_fmt() writes it */
};

extern const struct hvv_class hvv_classes[];
extern const unsigned int hvv_nr_classes;
const char *hvv_class_name(const struct hvv_guid *g);

/*
 * hv_sock service IDs follow <port>-facb-11e6-bd58-64006a7986d3 (the first
 * 32 bits are the AF_VSOCK port).  True and *port set when @g does.
 */
bool hvv_hvsock_port(const struct hvv_guid *g, u32 *port);

/* Probe messages: the sequence check (see HVV_MSGTYPE_PROBE). */
struct hvv_probe_state {
	u64 last;		/* last sequence number seen, 0: none */
	u64 in_order;		/* seq == last + 1 */
	u64 gaps;		/* seq > last + 1: messages missing */
	u64 repeats;		/* seq <= last: duplicated or reordered */
	u64 bad;		/* too short to hold a sequence number */
};

void hvv_probe_account(struct hvv_probe_state *p, const struct hvv_message *m);

#endif /* HYPERVIVE_VMBUS_PROTO_H */

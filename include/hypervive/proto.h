/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HyperVive agent protocol: the wire format (constants, decoded forms, the
 * little-endian primitives) and the codec's API.  The codec is lib/proto.c,
 * pure code built into hypervive_agent.ko (guest), hypervive-hostd and
 * hostd-loadgen (host), the test fake host and the unit tests and fuzzer:
 * no allocation, no I/O, no libc beyond memcpy/memset/memcmp.  Every
 * multi-byte field is little-endian and is read and written byte by byte,
 * so wire buffers need no alignment.
 *
 * The specification is docs/PROTOCOL.md; offsets below follow it exactly.
 *
 * Return convention: encoders return the number of bytes written or a
 * negative errno; decoders and checks return 0 or a negative errno:
 *   -EBADMSG   malformed bytes (magic, header size, truncated or trailing
 *              payload, bad string, bad enum, non-zero reserved field)
 *   -EPROTO    valid bytes that break the rules (version, type, direction,
 *              state, flags, sequence)
 *   -EMSGSIZE  payload length above 4096 or outside the type's bounds
 *   -EINVAL    an encoder was given a value the wire cannot carry
 *   -ENOSPC    an encoder's output buffer is too small
 *   -ENOBUFS   a decoder's filesystem array is too small
 *
 * Receiving: as soon as HYPERVIVE_PROTO_HDR_SIZE bytes are in, decode the
 * header and check it with hypervive_proto_hdr_validate() (close on error,
 * before waiting for the payload); once `length` more bytes are in, call
 * hypervive_proto_rx_accept() and the payload decoder of the type.
 * Sending: encode the payload at buf + HYPERVIVE_PROTO_HDR_SIZE, then
 * hypervive_proto_frame_seal() writes the header and takes the sequence.
 * An array of HYPERVIVE_PROTO_FS_MAX filesystem records is 3.5 KiB: in the
 * kernel, allocate it rather than putting it on the stack.
 */
#ifndef HYPERVIVE_PROTO_H
#define HYPERVIVE_PROTO_H

#include "hypervive/types.h"

/* ---- Constants -------------------------------------------------------- */

#define HYPERVIVE_PROTO_MAGIC		0x47415648U	/* "HVAG" on the wire */
#define HYPERVIVE_PROTO_HDR_SIZE	24U
#define HYPERVIVE_PROTO_MAX_PAYLOAD	4096U
#define HYPERVIVE_PROTO_MAX_FRAME	(HYPERVIVE_PROTO_HDR_SIZE + \
					 HYPERVIVE_PROTO_MAX_PAYLOAD)
/* Header version of every frame sent before the HELLO exchange completes. */
#define HYPERVIVE_PROTO_HELLO_VERSION	1U
#define HYPERVIVE_PROTO_VERSION_MIN	1U
#define HYPERVIVE_PROTO_VERSION_MAX	1U

#define HYPERVIVE_PROTO_VSOCK_PORT	2761U		/* 0xAC9 */
#define HYPERVIVE_PROTO_HOST_CID	2U

/* Message types (header "type") */
#define HYPERVIVE_PROTO_T_HELLO		1U
#define HYPERVIVE_PROTO_T_HEARTBEAT	2U
#define HYPERVIVE_PROTO_T_EVENT		3U
#define HYPERVIVE_PROTO_T_ACK		4U
#define HYPERVIVE_PROTO_T_FREEZE	5U
#define HYPERVIVE_PROTO_T_FREEZE_REPLY	6U
#define HYPERVIVE_PROTO_T_THAW		7U
#define HYPERVIVE_PROTO_T_THAW_REPLY	8U
#define HYPERVIVE_PROTO_T_QUERY		9U
#define HYPERVIVE_PROTO_T_QUERY_REPLY	10U
#define HYPERVIVE_PROTO_T_ERROR		11U
#define HYPERVIVE_PROTO_T_BYE		12U
#define HYPERVIVE_PROTO_T_COUNT		13U	/* one past the last type */

/* Header flags */
#define HYPERVIVE_PROTO_F_RESENT	0x0001U	/* EVENT only: sent before */
#define HYPERVIVE_PROTO_F_ALL		HYPERVIVE_PROTO_F_RESENT

/* Roles (HELLO "role", and the local side of a connection state) */
#define HYPERVIVE_PROTO_ROLE_GUEST	1U
#define HYPERVIVE_PROTO_ROLE_HOST	2U

/* Connection phases */
#define HYPERVIVE_PROTO_PHASE_HELLO	0U	/* peer HELLO not yet received */
#define HYPERVIVE_PROTO_PHASE_OPEN	1U	/* version negotiated */
#define HYPERVIVE_PROTO_PHASE_CLOSED	2U	/* ERROR or BYE received */

/* Capability bits (HELLO "capabilities") */
#define HYPERVIVE_PROTO_CAP_EVENTS	0x00000001U
#define HYPERVIVE_PROTO_CAP_FREEZE	0x00000002U
#define HYPERVIVE_PROTO_CAP_QUERY	0x00000004U
#define HYPERVIVE_PROTO_CAP_ALL		0x00000007U

/* String bounds in bytes (UTF-8, length-prefixed, no NUL on the wire) */
#define HYPERVIVE_PROTO_HOSTNAME_MAX	64U
#define HYPERVIVE_PROTO_RELEASE_MAX	64U
#define HYPERVIVE_PROTO_BOOT_ID_LEN	36U
#define HYPERVIVE_PROTO_SWVER_MAX	32U
#define HYPERVIVE_PROTO_TEXT_MAX	256U
#define HYPERVIVE_PROTO_MOUNT_MAX	192U
#define HYPERVIVE_PROTO_FSTYPE_MAX	16U
#define HYPERVIVE_PROTO_FS_MAX		16U	/* filesystem records */

#define HYPERVIVE_PROTO_HB_MS_MIN	100U
#define HYPERVIVE_PROTO_HB_MS_MAX	600000U
#define HYPERVIVE_PROTO_FREEZE_MS_MAX	3600000U
#define HYPERVIVE_PROTO_SILENT_PERIODS	3U

/* Fixed payload parts and bounds */
#define HYPERVIVE_PROTO_HELLO_FIXED	32U
#define HYPERVIVE_PROTO_HELLO_MAX	1024U
#define HYPERVIVE_PROTO_HEARTBEAT_LEN	48U
#define HYPERVIVE_PROTO_EVENT_FIXED	40U
#define HYPERVIVE_PROTO_ACK_LEN		8U
#define HYPERVIVE_PROTO_FREEZE_LEN	16U
#define HYPERVIVE_PROTO_THAW_LEN	16U
#define HYPERVIVE_PROTO_QUERY_LEN	0U
#define HYPERVIVE_PROTO_REPORT_FIXED	32U
#define HYPERVIVE_PROTO_ERROR_FIXED	16U
#define HYPERVIVE_PROTO_BYE_LEN		8U
#define HYPERVIVE_PROTO_FS_FIXED	8U
#define HYPERVIVE_PROTO_FS_REC_MAX	(HYPERVIVE_PROTO_FS_FIXED + 4U + \
					 HYPERVIVE_PROTO_MOUNT_MAX + \
					 HYPERVIVE_PROTO_FSTYPE_MAX)

/* Event levels (EVENT "level"), as in the Windows event log */
#define HYPERVIVE_PROTO_LEVEL_INFO	1U
#define HYPERVIVE_PROTO_LEVEL_WARNING	2U
#define HYPERVIVE_PROTO_LEVEL_ERROR	3U

/* Event IDs: 4100-4199 guest checkpoint consistency */
#define HYPERVIVE_PROTO_EV_FS_FROZEN		4100U
#define HYPERVIVE_PROTO_EV_FS_THAWED		4101U
#define HYPERVIVE_PROTO_EV_THAW_TIMEOUT		4102U
#define HYPERVIVE_PROTO_EV_FREEZE_FAILED	4103U
#define HYPERVIVE_PROTO_EV_THAW_DISCONNECT	4104U
#define HYPERVIVE_PROTO_EV_THAW_UNLOAD		4105U
#define HYPERVIVE_PROTO_EV_FROZEN_BY_OTHER	4106U
#define HYPERVIVE_PROTO_EV_THAW_FAILED		4107U
/* 4200-4299 guest health */
#define HYPERVIVE_PROTO_EV_AGENT_STARTED	4200U
#define HYPERVIVE_PROTO_EV_RESTORED		4201U
#define HYPERVIVE_PROTO_EV_CLOCK_JUMP		4202U
#define HYPERVIVE_PROTO_EV_QUEUE_OVERFLOW	4203U
#define HYPERVIVE_PROTO_EV_AGENT_STOPPING	4204U
#define HYPERVIVE_PROTO_EV_RECONNECTED		4205U
#define HYPERVIVE_PROTO_EV_TEST			4206U
/* 4300-4399 host peer (logged by the host about a guest, never sent) */
#define HYPERVIVE_PROTO_EV_GUEST_CONNECTED	4300U
#define HYPERVIVE_PROTO_EV_GUEST_DISCONNECTED	4301U
#define HYPERVIVE_PROTO_EV_GUEST_SILENT		4302U
#define HYPERVIVE_PROTO_EV_GUEST_RETURNED	4303U
#define HYPERVIVE_PROTO_EV_BAD_FRAME		4304U
#define HYPERVIVE_PROTO_EV_VERSION_REFUSED	4305U
#define HYPERVIVE_PROTO_EV_DUPLICATE		4306U
#define HYPERVIVE_PROTO_EV_SEQ_GAP		4307U
#define HYPERVIVE_PROTO_EV_REQUEST_DONE		4308U
#define HYPERVIVE_PROTO_EV_REQUEST_FAILED	4309U
#define HYPERVIVE_PROTO_EV_GUEST_REPLACED	4310U
#define HYPERVIVE_PROTO_EV_CONN_REFUSED		4311U
#define HYPERVIVE_PROTO_EV_HOST_STARTED		4312U
#define HYPERVIVE_PROTO_EV_HOST_STOPPED		4313U
/* 4100-4299 may travel in EVENT frames */
#define HYPERVIVE_PROTO_EV_WIRE_MIN		4100U
#define HYPERVIVE_PROTO_EV_WIRE_MAX		4299U

/* Filesystem record states */
#define HYPERVIVE_PROTO_FS_FROZEN	1U	/* frozen by the agent */
#define HYPERVIVE_PROTO_FS_THAWED	2U	/* not frozen (or thawed now) */
#define HYPERVIVE_PROTO_FS_SKIPPED	3U	/* not touched, see reason */
#define HYPERVIVE_PROTO_FS_FAILED	4U	/* freeze or thaw failed: error */
#define HYPERVIVE_PROTO_FS_FROZEN_OTHER	5U	/* frozen by another freezer */
#define HYPERVIVE_PROTO_FS_STATE_MAX	5U

/* Reasons a filesystem was skipped (only with HYPERVIVE_PROTO_FS_SKIPPED) */
#define HYPERVIVE_PROTO_SKIP_NONE	0U
#define HYPERVIVE_PROTO_SKIP_NOT_MOUNTED 1U
#define HYPERVIVE_PROTO_SKIP_READ_ONLY	2U
#define HYPERVIVE_PROTO_SKIP_NO_FREEZE	3U	/* filesystem cannot freeze */
#define HYPERVIVE_PROTO_SKIP_OTHER	4U	/* already frozen by another */
#define HYPERVIVE_PROTO_SKIP_LIMIT	5U	/* more than FS_MAX configured */
#define HYPERVIVE_PROTO_SKIP_MAX	5U

/* ERROR codes */
#define HYPERVIVE_PROTO_ERR_VERSION	1U	/* no common version */
#define HYPERVIVE_PROTO_ERR_BAD_FRAME	2U	/* invalid header or payload */
#define HYPERVIVE_PROTO_ERR_STATE	3U	/* type not allowed now */
#define HYPERVIVE_PROTO_ERR_RATE	4U	/* peer exceeded input rate */
#define HYPERVIVE_PROTO_ERR_BUSY	5U	/* too many connections */
#define HYPERVIVE_PROTO_ERR_TIMEOUT	6U	/* HELLO not received in time */
#define HYPERVIVE_PROTO_ERR_INTERNAL	7U
#define HYPERVIVE_PROTO_ERR_MAX		7U

/* BYE reasons */
#define HYPERVIVE_PROTO_BYE_NORMAL	0U
#define HYPERVIVE_PROTO_BYE_SHUTDOWN	1U	/* host service stopping */
#define HYPERVIVE_PROTO_BYE_UNLOAD	2U	/* agent module unloading */
#define HYPERVIVE_PROTO_BYE_REPLACED	3U	/* same guest connected again */
#define HYPERVIVE_PROTO_BYE_MAX		3U

/* ---- Decoded forms ---------------------------------------------------- */

/* Decoded strings are NUL-terminated copies; encoders read them up to NUL. */

struct hypervive_proto_hdr {
	u32 magic;
	u16 version;
	u16 type;
	u16 flags;
	u16 hdr_size;
	u32 length;
	u64 seq;
};

struct hypervive_proto_state {
	u8 role;		/* local role: HYPERVIVE_PROTO_ROLE_* */
	u8 phase;		/* HYPERVIVE_PROTO_PHASE_* */
	u16 version;		/* negotiated version, 0 before */
	u64 rx_seq;		/* sequence of the last accepted frame */
	u64 tx_seq;		/* sequence of the last sealed frame */
};

struct hypervive_proto_hello {
	u16 min_version;
	u16 max_version;
	u16 selected_version;	/* guest: 0; host: the negotiated version */
	u16 role;
	u32 capabilities;
	u32 heartbeat_ms;
	u32 queue_capacity;	/* guest: event queue size; host: 0 */
	u64 last_event_seq;	/* guest: 0; host: highest seen for boot ID */
	char hostname[HYPERVIVE_PROTO_HOSTNAME_MAX + 1];
	char release[HYPERVIVE_PROTO_RELEASE_MAX + 1];
	char boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];
	char sw_version[HYPERVIVE_PROTO_SWVER_MAX + 1];
};

struct hypervive_proto_heartbeat {
	u64 counter;
	u64 uptime_ns;
	u64 realtime_ns;
	u32 load_x100[3];
	u32 queued_events;
	u32 dropped_events;
	u32 frozen_count;
};

struct hypervive_proto_fs {
	u32 dev;		/* (major << 20) | minor */
	u8 state;		/* HYPERVIVE_PROTO_FS_* */
	u8 reason;		/* HYPERVIVE_PROTO_SKIP_* */
	u16 error;		/* positive errno for FS_FAILED, else 0 */
	char mount[HYPERVIVE_PROTO_MOUNT_MAX + 1];
	char fstype[HYPERVIVE_PROTO_FSTYPE_MAX + 1];
};

struct hypervive_proto_event {
	u64 event_seq;
	u64 timestamp_ns;	/* CLOCK_REALTIME */
	u32 event_id;
	u16 level;
	u16 fs_count;
	u64 checkpoint_id;
	s64 value;
	char text[HYPERVIVE_PROTO_TEXT_MAX + 1];
};

struct hypervive_proto_freeze {
	u64 checkpoint_id;
	u32 timeout_ms;
};

struct hypervive_proto_thaw {
	u64 checkpoint_id;
};

/* FREEZE_REPLY, THAW_REPLY and QUERY_REPLY share this layout */
struct hypervive_proto_report {
	u64 request_seq;
	u64 checkpoint_id;
	s32 status;		/* 0 or a negative errno */
	u32 remaining_ms;	/* until the automatic thaw, 0 if not frozen */
	u16 fs_count;
};

struct hypervive_proto_error {
	u32 code;
	u64 ref_seq;
	char text[HYPERVIVE_PROTO_TEXT_MAX + 1];
};

struct hypervive_proto_bye {
	u32 reason;
};

/* ---- Little-endian primitives ---------------------------------------- */

static inline void hypervive_proto_put_u8(u8 *p, u8 v)
{
	p[0] = v;
}

static inline void hypervive_proto_put_u16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void hypervive_proto_put_u32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static inline void hypervive_proto_put_u64(u8 *p, u64 v)
{
	hypervive_proto_put_u32(p, (u32)v);
	hypervive_proto_put_u32(p + 4, (u32)(v >> 32));
}

static inline u16 hypervive_proto_get_u16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 hypervive_proto_get_u32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static inline u64 hypervive_proto_get_u64(const u8 *p)
{
	return (u64)hypervive_proto_get_u32(p) |
	       ((u64)hypervive_proto_get_u32(p + 4) << 32);
}

/*
 * A wire string is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF) without C0 controls or DEL, so a host can log it
 * on one line as it is.
 */
bool hypervive_proto_str_valid(const u8 *s, size_t len);

/* Boot ID: 8-4-4-4-12 lowercase hex digits, as /proc/.../boot_id. */
bool hypervive_proto_boot_id_valid(const u8 *s, size_t len);

/* ---- Message type table ---------------------------------------------- */

#define HYPERVIVE_PROTO_DIR_G2H		0x1U	/* guest may send it */
#define HYPERVIVE_PROTO_DIR_H2G		0x2U	/* host may send it */

const char *hypervive_proto_type_name(u16 type);

void hypervive_proto_state_init(struct hypervive_proto_state *st,
				u8 role);

/* Both HELLOs have been exchanged and @version agreed. */
void hypervive_proto_state_open(struct hypervive_proto_state *st,
				u16 version);

/*
 * Highest version both ranges contain, or -EPROTO.  Ranges with min > max
 * or min == 0 are invalid.
 */
int hypervive_proto_negotiate(u16 my_min, u16 my_max,
			      u16 peer_min, u16 peer_max);

int hypervive_proto_hdr_encode(u8 *buf, size_t cap,
			       const struct hypervive_proto_hdr *h);

/* Raw decode of the 24 header bytes; no checks beyond the length. */
int hypervive_proto_hdr_decode(const u8 *buf, size_t len,
			       struct hypervive_proto_hdr *h);

/*
 * May the holder of @st receive a frame with header @h?  Checks, in this
 * order: magic and header size (-EBADMSG), payload limit (-EMSGSIZE),
 * version, type, direction, phase, flags (-EPROTO), the type's payload
 * bounds (-EMSGSIZE), and that the sequence is exactly one more than the
 * last accepted one (-EPROTO).  Does not change @st.
 */
int hypervive_proto_hdr_validate(const struct hypervive_proto_hdr *h,
				 const struct hypervive_proto_state *st);

/* Record a validated frame as received. */
void hypervive_proto_rx_accept(struct hypervive_proto_state *st,
			       const struct hypervive_proto_hdr *h);

/*
 * Write the header of a frame whose @plen payload bytes are already at
 * buf + HYPERVIVE_PROTO_HDR_SIZE, taking the next sequence number.  Refuses
 * (-EPROTO) a type the local role may not send in the current phase.
 * Returns the frame length.
 */
int hypervive_proto_frame_seal(struct hypervive_proto_state *st,
			       u8 *buf, size_t cap, u16 type,
			       u16 flags, size_t plen);

/* Name and level of an event ID from the table in docs/PROTOCOL.md. */
const char *hypervive_proto_event_name(u32 id, u16 *level);

const char *hypervive_proto_level_name(u16 level);

const char *hypervive_proto_fs_state_name(u8 state);

const char *hypervive_proto_skip_name(u8 reason);

const char *hypervive_proto_error_name(u32 code);

int hypervive_proto_hello_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_hello *m);

/*
 * Bytes after the last string are an extension area: version 1 ignores
 * them (the HELLO layout only ever grows at its end).
 */
int hypervive_proto_hello_decode(const u8 *p, size_t len,
				 struct hypervive_proto_hello *m);

int hypervive_proto_heartbeat_encode(u8 *buf, size_t cap,
				     const struct hypervive_proto_heartbeat *m);

int hypervive_proto_heartbeat_decode(const u8 *p, size_t len,
				     struct hypervive_proto_heartbeat *m);

int hypervive_proto_fs_encode(u8 *buf, size_t cap, size_t *off,
			      const struct hypervive_proto_fs *f);

/* Decode one record into @f (may be NULL: check only). */
int hypervive_proto_fs_decode(const u8 *p, size_t len,
			      size_t *off,
			      struct hypervive_proto_fs *f);

int hypervive_proto_event_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_event *m,
				 const struct hypervive_proto_fs *fs);

int hypervive_proto_event_decode(const u8 *p, size_t len,
				 struct hypervive_proto_event *m,
				 struct hypervive_proto_fs *fs,
				 unsigned int fs_cap);

int hypervive_proto_ack_encode(u8 *buf, size_t cap, u64 event_seq);

int hypervive_proto_ack_decode(const u8 *p, size_t len,
			       u64 *event_seq);

int hypervive_proto_freeze_encode(u8 *buf, size_t cap,
				  const struct hypervive_proto_freeze *m);

int hypervive_proto_freeze_decode(const u8 *p, size_t len,
				  struct hypervive_proto_freeze *m);

int hypervive_proto_thaw_encode(u8 *buf, size_t cap,
				const struct hypervive_proto_thaw *m);

int hypervive_proto_thaw_decode(const u8 *p, size_t len,
				struct hypervive_proto_thaw *m);

/* QUERY has an empty payload: nothing to encode, only the length to check. */
int hypervive_proto_query_decode(const u8 *p, size_t len);

int hypervive_proto_report_encode(u8 *buf, size_t cap,
				  const struct hypervive_proto_report *m,
				  const struct hypervive_proto_fs *fs);

int hypervive_proto_report_decode(const u8 *p, size_t len,
				  struct hypervive_proto_report *m,
				  struct hypervive_proto_fs *fs,
				  unsigned int fs_cap);

int hypervive_proto_error_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_error *m);

int hypervive_proto_error_decode(const u8 *p, size_t len,
				 struct hypervive_proto_error *m);

int hypervive_proto_bye_encode(u8 *buf, size_t cap,
			       const struct hypervive_proto_bye *m);

int hypervive_proto_bye_decode(const u8 *p, size_t len,
			       struct hypervive_proto_bye *m);

#endif /* HYPERVIVE_PROTO_H */

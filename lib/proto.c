// SPDX-License-Identifier: GPL-2.0
/*
 * HyperVive agent protocol codec (docs/PROTOCOL.md; the API and the
 * conventions are in include/hypervive/proto.h).  Built into the agent
 * module and into every user-space peer and test, so it is pure code.
 */
#include "hypervive/proto.h"

/* ---- Strings ---------------------------------------------------------- */

/* Length of a NUL-terminated string, or max + 1 if no NUL within max. */
static size_t hypervive_proto_strlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n])
		n++;
	return n;
}

/*
 * A wire string is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF) without C0 controls or DEL, so a host can log it
 * on one line as it is.
 */
bool hypervive_proto_str_valid(const u8 *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		u8 c = s[i];
		u32 cp;
		size_t n, k;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Boot ID: 8-4-4-4-12 lowercase hex digits, as /proc/.../boot_id. */
bool hypervive_proto_boot_id_valid(const u8 *s, size_t len)
{
	size_t i;

	if (len != HYPERVIVE_PROTO_BOOT_ID_LEN)
		return false;
	for (i = 0; i < len; i++) {
		u8 c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

/* Append a length-prefixed string; *off advances. */
static int hypervive_proto_put_str(u8 *buf, size_t cap, size_t *off,
				   const char *s, size_t min, size_t max)
{
	size_t len = hypervive_proto_strlen(s, max);

	if (len > max || len < min ||
	    !hypervive_proto_str_valid((const u8 *)s, len))
		return -EINVAL;
	if (cap - *off < 2 + len)
		return -ENOSPC;
	hypervive_proto_put_u16(buf + *off, (u16)len);
	memcpy(buf + *off + 2, s, len);
	*off += 2 + len;
	return 0;
}

/* Read a length-prefixed string into out[max + 1]; *off advances. */
static int hypervive_proto_get_str(const u8 *p, size_t len,
				   size_t *off, char *out,
				   size_t min, size_t max)
{
	size_t n;

	if (len - *off < 2)
		return -EBADMSG;
	n = hypervive_proto_get_u16(p + *off);
	if (n < min || n > max || len - *off - 2 < n ||
	    !hypervive_proto_str_valid(p + *off + 2, n))
		return -EBADMSG;
	memcpy(out, p + *off + 2, n);
	out[n] = '\0';
	*off += 2 + n;
	return 0;
}

#define FS_LIST_MAX	(HYPERVIVE_PROTO_FS_MAX * HYPERVIVE_PROTO_FS_REC_MAX)
#define G2H		HYPERVIVE_PROTO_DIR_G2H
#define H2G		HYPERVIVE_PROTO_DIR_H2G

/*
 * One row per message type (docs/PROTOCOL.md 4): its name, the payload
 * bounds and who may send it.  Nothing about a type's framing is anywhere
 * else; what a peer does with it is the peer's own table.
 */
static const struct {
	const char *name;
	u32 min, max;
	u32 dir;
} types[HYPERVIVE_PROTO_T_COUNT] = {
	[HYPERVIVE_PROTO_T_HELLO] = { "HELLO", HYPERVIVE_PROTO_HELLO_FIXED + 8,
				      HYPERVIVE_PROTO_HELLO_MAX, G2H | H2G },
	[HYPERVIVE_PROTO_T_HEARTBEAT] = { "HEARTBEAT", HYPERVIVE_PROTO_HEARTBEAT_LEN,
					  HYPERVIVE_PROTO_HEARTBEAT_LEN, G2H },
	[HYPERVIVE_PROTO_T_EVENT] = { "EVENT", HYPERVIVE_PROTO_EVENT_FIXED + 2,
				      HYPERVIVE_PROTO_MAX_PAYLOAD, G2H },
	[HYPERVIVE_PROTO_T_ACK] = { "ACK", HYPERVIVE_PROTO_ACK_LEN, HYPERVIVE_PROTO_ACK_LEN,
				    H2G },
	[HYPERVIVE_PROTO_T_FREEZE] = { "FREEZE", HYPERVIVE_PROTO_FREEZE_LEN,
				       HYPERVIVE_PROTO_FREEZE_LEN, H2G },
	[HYPERVIVE_PROTO_T_FREEZE_REPLY] = { "FREEZE_REPLY", HYPERVIVE_PROTO_REPORT_FIXED,
					     HYPERVIVE_PROTO_REPORT_FIXED + FS_LIST_MAX, G2H },
	[HYPERVIVE_PROTO_T_THAW] = { "THAW", HYPERVIVE_PROTO_THAW_LEN,
				     HYPERVIVE_PROTO_THAW_LEN, H2G },
	[HYPERVIVE_PROTO_T_THAW_REPLY] = { "THAW_REPLY", HYPERVIVE_PROTO_REPORT_FIXED,
					   HYPERVIVE_PROTO_REPORT_FIXED + FS_LIST_MAX, G2H },
	[HYPERVIVE_PROTO_T_QUERY] = { "QUERY", HYPERVIVE_PROTO_QUERY_LEN,
				      HYPERVIVE_PROTO_QUERY_LEN, H2G },
	[HYPERVIVE_PROTO_T_QUERY_REPLY] = { "QUERY_REPLY", HYPERVIVE_PROTO_REPORT_FIXED,
					    HYPERVIVE_PROTO_REPORT_FIXED + FS_LIST_MAX, G2H },
	[HYPERVIVE_PROTO_T_ERROR] = { "ERROR", HYPERVIVE_PROTO_ERROR_FIXED + 2,
				      HYPERVIVE_PROTO_ERROR_FIXED + 2 + HYPERVIVE_PROTO_TEXT_MAX,
				      G2H | H2G },
	[HYPERVIVE_PROTO_T_BYE] = { "BYE", HYPERVIVE_PROTO_BYE_LEN, HYPERVIVE_PROTO_BYE_LEN,
				    G2H | H2G },
};

/* Payload bounds and directions of a type; false for an unknown type. */
static bool hypervive_proto_type_info(u16 type, u32 *min, u32 *max, u32 *dir)
{
	if (type >= HYPERVIVE_PROTO_T_COUNT || !types[type].name)
		return false;
	*min = types[type].min;
	*max = types[type].max;
	*dir = types[type].dir;
	return true;
}

const char *hypervive_proto_type_name(u16 type)
{
	if (!type)
		return "INVALID";
	return type < HYPERVIVE_PROTO_T_COUNT ? types[type].name : "UNKNOWN";
}

/* ---- Connection state and header ------------------------------------- */

void hypervive_proto_state_init(struct hypervive_proto_state *st,
				u8 role)
{
	memset(st, 0, sizeof(*st));
	st->role = role;
	st->phase = HYPERVIVE_PROTO_PHASE_HELLO;
}

/* Both HELLOs have been exchanged and @version agreed. */
void hypervive_proto_state_open(struct hypervive_proto_state *st,
				u16 version)
{
	st->version = version;
	st->phase = HYPERVIVE_PROTO_PHASE_OPEN;
}

/* Version on the wire: 1 until the HELLO exchange, then the agreed one. */
static u16 hypervive_proto_wire_version(const struct hypervive_proto_state *st)
{
	return st->phase == HYPERVIVE_PROTO_PHASE_OPEN ?
	       st->version : HYPERVIVE_PROTO_HELLO_VERSION;
}

/*
 * Highest version both ranges contain, or -EPROTO.  Ranges with min > max
 * or min == 0 are invalid.
 */
int hypervive_proto_negotiate(u16 my_min, u16 my_max,
			      u16 peer_min, u16 peer_max)
{
	u16 lo = my_min > peer_min ? my_min : peer_min;
	u16 hi = my_max < peer_max ? my_max : peer_max;

	if (!my_min || !peer_min || my_min > my_max || peer_min > peer_max ||
	    lo > hi)
		return -EPROTO;
	return hi;
}

int hypervive_proto_hdr_encode(u8 *buf, size_t cap,
			       const struct hypervive_proto_hdr *h)
{
	if (cap < HYPERVIVE_PROTO_HDR_SIZE)
		return -ENOSPC;
	hypervive_proto_put_u32(buf + 0, h->magic);
	hypervive_proto_put_u16(buf + 4, h->version);
	hypervive_proto_put_u16(buf + 6, h->type);
	hypervive_proto_put_u16(buf + 8, h->flags);
	hypervive_proto_put_u16(buf + 10, h->hdr_size);
	hypervive_proto_put_u32(buf + 12, h->length);
	hypervive_proto_put_u64(buf + 16, h->seq);
	return HYPERVIVE_PROTO_HDR_SIZE;
}

/* Raw decode of the 24 header bytes; no checks beyond the length. */
int hypervive_proto_hdr_decode(const u8 *buf, size_t len,
			       struct hypervive_proto_hdr *h)
{
	if (len < HYPERVIVE_PROTO_HDR_SIZE)
		return -EBADMSG;
	h->magic = hypervive_proto_get_u32(buf + 0);
	h->version = hypervive_proto_get_u16(buf + 4);
	h->type = hypervive_proto_get_u16(buf + 6);
	h->flags = hypervive_proto_get_u16(buf + 8);
	h->hdr_size = hypervive_proto_get_u16(buf + 10);
	h->length = hypervive_proto_get_u32(buf + 12);
	h->seq = hypervive_proto_get_u64(buf + 16);
	return 0;
}

/*
 * May the holder of @st receive a frame with header @h?  Checks, in this
 * order: magic and header size (-EBADMSG), payload limit (-EMSGSIZE),
 * version, type, direction, phase, flags (-EPROTO), the type's payload
 * bounds (-EMSGSIZE), and that the sequence is exactly one more than the
 * last accepted one (-EPROTO).  Does not change @st.
 */
int hypervive_proto_hdr_validate(const struct hypervive_proto_hdr *h,
				 const struct hypervive_proto_state *st)
{
	u32 min, max, dir, from;

	if (h->magic != HYPERVIVE_PROTO_MAGIC ||
	    h->hdr_size != HYPERVIVE_PROTO_HDR_SIZE)
		return -EBADMSG;
	if (h->length > HYPERVIVE_PROTO_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (st->phase == HYPERVIVE_PROTO_PHASE_CLOSED)
		return -EPROTO;
	if (h->version != hypervive_proto_wire_version(st))
		return -EPROTO;
	if (!hypervive_proto_type_info(h->type, &min, &max, &dir))
		return -EPROTO;
	from = st->role == HYPERVIVE_PROTO_ROLE_HOST ?
	       HYPERVIVE_PROTO_DIR_G2H : HYPERVIVE_PROTO_DIR_H2G;
	if (!(dir & from))
		return -EPROTO;
	if (st->phase == HYPERVIVE_PROTO_PHASE_HELLO) {
		if (h->type != HYPERVIVE_PROTO_T_HELLO &&
		    h->type != HYPERVIVE_PROTO_T_ERROR &&
		    h->type != HYPERVIVE_PROTO_T_BYE)
			return -EPROTO;
	} else if (h->type == HYPERVIVE_PROTO_T_HELLO) {
		return -EPROTO;
	}
	if (h->flags & ~HYPERVIVE_PROTO_F_ALL)
		return -EPROTO;
	if ((h->flags & HYPERVIVE_PROTO_F_RESENT) &&
	    h->type != HYPERVIVE_PROTO_T_EVENT)
		return -EPROTO;
	if (h->length < min || h->length > max)
		return -EMSGSIZE;
	if (h->seq != st->rx_seq + 1 || h->seq == 0)
		return -EPROTO;
	return 0;
}

/* Record a validated frame as received. */
void hypervive_proto_rx_accept(struct hypervive_proto_state *st,
			       const struct hypervive_proto_hdr *h)
{
	st->rx_seq = h->seq;
	if (h->type == HYPERVIVE_PROTO_T_ERROR || h->type == HYPERVIVE_PROTO_T_BYE)
		st->phase = HYPERVIVE_PROTO_PHASE_CLOSED;
}

/*
 * Write the header of a frame whose @plen payload bytes are already at
 * buf + HYPERVIVE_PROTO_HDR_SIZE, taking the next sequence number.  Refuses
 * (-EPROTO) a type the local role may not send in the current phase.
 * Returns the frame length.
 */
int hypervive_proto_frame_seal(struct hypervive_proto_state *st,
			       u8 *buf, size_t cap, u16 type,
			       u16 flags, size_t plen)
{
	struct hypervive_proto_hdr h;
	u32 min, max, dir, mine;
	bool in_hello, is_hello;

	if (!hypervive_proto_type_info(type, &min, &max, &dir))
		return -EINVAL;
	mine = st->role == HYPERVIVE_PROTO_ROLE_HOST ?
	       HYPERVIVE_PROTO_DIR_H2G : HYPERVIVE_PROTO_DIR_G2H;
	if (!(dir & mine) || st->phase == HYPERVIVE_PROTO_PHASE_CLOSED)
		return -EPROTO;
	in_hello = st->phase == HYPERVIVE_PROTO_PHASE_HELLO;
	is_hello = type == HYPERVIVE_PROTO_T_HELLO;
	if (in_hello != is_hello && type != HYPERVIVE_PROTO_T_ERROR &&
	    type != HYPERVIVE_PROTO_T_BYE)
		return -EPROTO;
	if ((flags & ~HYPERVIVE_PROTO_F_ALL) ||
	    ((flags & HYPERVIVE_PROTO_F_RESENT) &&
	     type != HYPERVIVE_PROTO_T_EVENT))
		return -EINVAL;
	if (plen < min || plen > max)
		return -EMSGSIZE;
	if (cap < HYPERVIVE_PROTO_HDR_SIZE + plen)
		return -ENOSPC;
	h.magic = HYPERVIVE_PROTO_MAGIC;
	h.version = hypervive_proto_wire_version(st);
	h.type = type;
	h.flags = flags;
	h.hdr_size = HYPERVIVE_PROTO_HDR_SIZE;
	h.length = (u32)plen;
	h.seq = st->tx_seq + 1;
	hypervive_proto_hdr_encode(buf, cap, &h);
	st->tx_seq++;
	return (int)(HYPERVIVE_PROTO_HDR_SIZE + plen);
}

/* ---- Names ------------------------------------------------------------ */

/* Name and level of an event ID from the table in docs/PROTOCOL.md. */
const char *hypervive_proto_event_name(u32 id, u16 *level)
{
	u16 lv = HYPERVIVE_PROTO_LEVEL_INFO;
	const char *name;

	switch (id) {
	case HYPERVIVE_PROTO_EV_FS_FROZEN:
		name = "FilesystemsFrozen";
		break;
	case HYPERVIVE_PROTO_EV_FS_THAWED:
		name = "FilesystemsThawed";
		break;
	case HYPERVIVE_PROTO_EV_THAW_TIMEOUT:
		name = "ThawedByTimeout";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_FREEZE_FAILED:
		name = "FreezeFailed";
		lv = HYPERVIVE_PROTO_LEVEL_ERROR;
		break;
	case HYPERVIVE_PROTO_EV_THAW_DISCONNECT:
		name = "ThawedOnDisconnect";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_THAW_UNLOAD:
		name = "ThawedOnUnload";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_FROZEN_BY_OTHER:
		name = "FrozenByOther";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_THAW_FAILED:
		name = "ThawFailed";
		lv = HYPERVIVE_PROTO_LEVEL_ERROR;
		break;
	case HYPERVIVE_PROTO_EV_AGENT_STARTED:
		name = "AgentStarted";
		break;
	case HYPERVIVE_PROTO_EV_RESTORED:
		name = "RestoredFromCheckpoint";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_CLOCK_JUMP:
		name = "ClockJumped";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_QUEUE_OVERFLOW:
		name = "EventQueueOverflow";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_AGENT_STOPPING:
		name = "AgentStopping";
		break;
	case HYPERVIVE_PROTO_EV_RECONNECTED:
		name = "Reconnected";
		break;
	case HYPERVIVE_PROTO_EV_TEST:
		name = "TestEvent";
		break;
	case HYPERVIVE_PROTO_EV_GUEST_CONNECTED:
		name = "GuestConnected";
		break;
	case HYPERVIVE_PROTO_EV_GUEST_DISCONNECTED:
		name = "GuestDisconnected";
		break;
	case HYPERVIVE_PROTO_EV_GUEST_SILENT:
		name = "GuestSilent";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_GUEST_RETURNED:
		name = "GuestReturned";
		break;
	case HYPERVIVE_PROTO_EV_BAD_FRAME:
		name = "BadFrame";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_VERSION_REFUSED:
		name = "VersionRefused";
		lv = HYPERVIVE_PROTO_LEVEL_ERROR;
		break;
	case HYPERVIVE_PROTO_EV_DUPLICATE:
		name = "DuplicateEvent";
		break;
	case HYPERVIVE_PROTO_EV_SEQ_GAP:
		name = "EventSequenceGap";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_REQUEST_DONE:
		name = "RequestCompleted";
		break;
	case HYPERVIVE_PROTO_EV_REQUEST_FAILED:
		name = "RequestFailed";
		lv = HYPERVIVE_PROTO_LEVEL_ERROR;
		break;
	case HYPERVIVE_PROTO_EV_GUEST_REPLACED:
		name = "GuestReplaced";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_CONN_REFUSED:
		name = "ConnectionRefused";
		lv = HYPERVIVE_PROTO_LEVEL_WARNING;
		break;
	case HYPERVIVE_PROTO_EV_HOST_STARTED:
		name = "HostStarted";
		break;
	case HYPERVIVE_PROTO_EV_HOST_STOPPED:
		name = "HostStopped";
		break;
	default:
		name = NULL;
		lv = 0;
		break;
	}
	if (level)
		*level = lv;
	return name;
}

const char *hypervive_proto_level_name(u16 level)
{
	switch (level) {
	case HYPERVIVE_PROTO_LEVEL_INFO:
		return "Information";
	case HYPERVIVE_PROTO_LEVEL_WARNING:
		return "Warning";
	case HYPERVIVE_PROTO_LEVEL_ERROR:
		return "Error";
	default:
		return "Unknown";
	}
}

const char *hypervive_proto_fs_state_name(u8 state)
{
	static const char * const names[] = {
		"invalid", "frozen", "thawed", "skipped", "failed",
		"frozen-by-other",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "invalid";
}

const char *hypervive_proto_skip_name(u8 reason)
{
	static const char * const names[] = {
		"none", "not-mounted", "read-only", "no-freeze-support",
		"frozen-by-other", "limit",
	};

	return reason < ARRAY_SIZE(names) ? names[reason] : "invalid";
}

const char *hypervive_proto_error_name(u32 code)
{
	static const char * const names[] = {
		"none", "version", "bad-frame", "state", "rate", "busy",
		"timeout", "internal",
	};

	return code < ARRAY_SIZE(names) ? names[code] : "unknown";
}

/* ---- HELLO ------------------------------------------------------------ */

/* Rules on HELLO fields that both the encoder and the decoder enforce. */
static int hypervive_proto_hello_check(const struct hypervive_proto_hello *m)
{
	size_t idlen = hypervive_proto_strlen(m->boot_id,
					      HYPERVIVE_PROTO_BOOT_ID_LEN);

	if (!m->min_version || m->min_version > m->max_version)
		return -EINVAL;
	if (m->heartbeat_ms < HYPERVIVE_PROTO_HB_MS_MIN ||
	    m->heartbeat_ms > HYPERVIVE_PROTO_HB_MS_MAX)
		return -EINVAL;
	if (m->role == HYPERVIVE_PROTO_ROLE_GUEST) {
		if (m->selected_version || m->last_event_seq ||
		    !m->queue_capacity)
			return -EINVAL;
	} else if (m->role == HYPERVIVE_PROTO_ROLE_HOST) {
		if (m->selected_version < m->min_version ||
		    m->selected_version > m->max_version || m->queue_capacity)
			return -EINVAL;
		if (!idlen)
			return 0;
	} else {
		return -EINVAL;
	}
	if (!hypervive_proto_boot_id_valid((const u8 *)m->boot_id, idlen))
		return -EINVAL;
	return 0;
}

int hypervive_proto_hello_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_hello *m)
{
	size_t off = HYPERVIVE_PROTO_HELLO_FIXED;
	int ret;

	if (hypervive_proto_hello_check(m))
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_HELLO_FIXED)
		return -ENOSPC;
	hypervive_proto_put_u16(buf + 0, m->min_version);
	hypervive_proto_put_u16(buf + 2, m->max_version);
	hypervive_proto_put_u16(buf + 4, m->selected_version);
	hypervive_proto_put_u16(buf + 6, m->role);
	hypervive_proto_put_u32(buf + 8, m->capabilities);
	hypervive_proto_put_u32(buf + 12, m->heartbeat_ms);
	hypervive_proto_put_u32(buf + 16, m->queue_capacity);
	hypervive_proto_put_u32(buf + 20, 0);
	hypervive_proto_put_u64(buf + 24, m->last_event_seq);
	ret = hypervive_proto_put_str(buf, cap, &off, m->hostname, 0,
				      HYPERVIVE_PROTO_HOSTNAME_MAX);
	if (!ret)
		ret = hypervive_proto_put_str(buf, cap, &off, m->release, 0,
					      HYPERVIVE_PROTO_RELEASE_MAX);
	if (!ret)
		ret = hypervive_proto_put_str(buf, cap, &off, m->boot_id, 0,
					      HYPERVIVE_PROTO_BOOT_ID_LEN);
	if (!ret)
		ret = hypervive_proto_put_str(buf, cap, &off, m->sw_version, 0,
					      HYPERVIVE_PROTO_SWVER_MAX);
	return ret ? ret : (int)off;
}

/*
 * Bytes after the last string are an extension area: version 1 ignores
 * them (the HELLO layout only ever grows at its end).
 */
int hypervive_proto_hello_decode(const u8 *p, size_t len,
				 struct hypervive_proto_hello *m)
{
	size_t off = HYPERVIVE_PROTO_HELLO_FIXED;
	int ret;

	memset(m, 0, sizeof(*m));
	if (len < HYPERVIVE_PROTO_HELLO_FIXED || len > HYPERVIVE_PROTO_HELLO_MAX)
		return -EBADMSG;
	m->min_version = hypervive_proto_get_u16(p + 0);
	m->max_version = hypervive_proto_get_u16(p + 2);
	m->selected_version = hypervive_proto_get_u16(p + 4);
	m->role = hypervive_proto_get_u16(p + 6);
	m->capabilities = hypervive_proto_get_u32(p + 8);
	m->heartbeat_ms = hypervive_proto_get_u32(p + 12);
	m->queue_capacity = hypervive_proto_get_u32(p + 16);
	if (hypervive_proto_get_u32(p + 20))
		return -EBADMSG;
	m->last_event_seq = hypervive_proto_get_u64(p + 24);
	ret = hypervive_proto_get_str(p, len, &off, m->hostname, 0,
				      HYPERVIVE_PROTO_HOSTNAME_MAX);
	if (!ret)
		ret = hypervive_proto_get_str(p, len, &off, m->release, 0,
					      HYPERVIVE_PROTO_RELEASE_MAX);
	if (!ret)
		ret = hypervive_proto_get_str(p, len, &off, m->boot_id, 0,
					      HYPERVIVE_PROTO_BOOT_ID_LEN);
	if (!ret)
		ret = hypervive_proto_get_str(p, len, &off, m->sw_version, 0,
					      HYPERVIVE_PROTO_SWVER_MAX);
	if (ret)
		return ret;
	return hypervive_proto_hello_check(m) ? -EBADMSG : 0;
}

/* ---- HEARTBEAT -------------------------------------------------------- */

int hypervive_proto_heartbeat_encode(u8 *buf, size_t cap,
				     const struct hypervive_proto_heartbeat *m)
{
	if (cap < HYPERVIVE_PROTO_HEARTBEAT_LEN)
		return -ENOSPC;
	hypervive_proto_put_u64(buf + 0, m->counter);
	hypervive_proto_put_u64(buf + 8, m->uptime_ns);
	hypervive_proto_put_u64(buf + 16, m->realtime_ns);
	hypervive_proto_put_u32(buf + 24, m->load_x100[0]);
	hypervive_proto_put_u32(buf + 28, m->load_x100[1]);
	hypervive_proto_put_u32(buf + 32, m->load_x100[2]);
	hypervive_proto_put_u32(buf + 36, m->queued_events);
	hypervive_proto_put_u32(buf + 40, m->dropped_events);
	hypervive_proto_put_u32(buf + 44, m->frozen_count);
	return HYPERVIVE_PROTO_HEARTBEAT_LEN;
}

int hypervive_proto_heartbeat_decode(const u8 *p, size_t len,
				     struct hypervive_proto_heartbeat *m)
{
	if (len != HYPERVIVE_PROTO_HEARTBEAT_LEN)
		return -EBADMSG;
	m->counter = hypervive_proto_get_u64(p + 0);
	m->uptime_ns = hypervive_proto_get_u64(p + 8);
	m->realtime_ns = hypervive_proto_get_u64(p + 16);
	m->load_x100[0] = hypervive_proto_get_u32(p + 24);
	m->load_x100[1] = hypervive_proto_get_u32(p + 28);
	m->load_x100[2] = hypervive_proto_get_u32(p + 32);
	m->queued_events = hypervive_proto_get_u32(p + 36);
	m->dropped_events = hypervive_proto_get_u32(p + 40);
	m->frozen_count = hypervive_proto_get_u32(p + 44);
	return 0;
}

/* ---- Filesystem records ----------------------------------------------- */

static int hypervive_proto_fs_check(const struct hypervive_proto_fs *f)
{
	bool skipped = f->state == HYPERVIVE_PROTO_FS_SKIPPED;
	bool failed = f->state == HYPERVIVE_PROTO_FS_FAILED;
	bool has_reason = f->reason != HYPERVIVE_PROTO_SKIP_NONE;
	bool has_error = f->error != 0;

	if (!f->state || f->state > HYPERVIVE_PROTO_FS_STATE_MAX)
		return -EINVAL;
	if (skipped != has_reason || f->reason > HYPERVIVE_PROTO_SKIP_MAX)
		return -EINVAL;
	if (failed != has_error)
		return -EINVAL;
	return 0;
}

int hypervive_proto_fs_encode(u8 *buf, size_t cap, size_t *off,
			      const struct hypervive_proto_fs *f)
{
	int ret;

	if (hypervive_proto_fs_check(f))
		return -EINVAL;
	if (cap - *off < HYPERVIVE_PROTO_FS_FIXED)
		return -ENOSPC;
	hypervive_proto_put_u32(buf + *off, f->dev);
	hypervive_proto_put_u8(buf + *off + 4, f->state);
	hypervive_proto_put_u8(buf + *off + 5, f->reason);
	hypervive_proto_put_u16(buf + *off + 6, f->error);
	*off += HYPERVIVE_PROTO_FS_FIXED;
	ret = hypervive_proto_put_str(buf, cap, off, f->mount, 1,
				      HYPERVIVE_PROTO_MOUNT_MAX);
	if (!ret)
		ret = hypervive_proto_put_str(buf, cap, off, f->fstype, 0,
					      HYPERVIVE_PROTO_FSTYPE_MAX);
	return ret;
}

/* Decode one record into @f (may be NULL: check only). */
int hypervive_proto_fs_decode(const u8 *p, size_t len,
			      size_t *off,
			      struct hypervive_proto_fs *f)
{
	struct hypervive_proto_fs tmp;
	struct hypervive_proto_fs *o = f ? f : &tmp;
	int ret;

	if (len - *off < HYPERVIVE_PROTO_FS_FIXED)
		return -EBADMSG;
	o->dev = hypervive_proto_get_u32(p + *off);
	o->state = p[*off + 4];
	o->reason = p[*off + 5];
	o->error = hypervive_proto_get_u16(p + *off + 6);
	*off += HYPERVIVE_PROTO_FS_FIXED;
	ret = hypervive_proto_get_str(p, len, off, o->mount, 1,
				      HYPERVIVE_PROTO_MOUNT_MAX);
	if (!ret)
		ret = hypervive_proto_get_str(p, len, off, o->fstype, 0,
					      HYPERVIVE_PROTO_FSTYPE_MAX);
	if (ret)
		return ret;
	return hypervive_proto_fs_check(o) ? -EBADMSG : 0;
}

/* Decode @count records; @fs may be NULL, else it must hold @count. */
static int hypervive_proto_fs_list_decode(const u8 *p, size_t len,
					  size_t *off, u16 count,
					  struct hypervive_proto_fs *fs,
					  unsigned int fs_cap)
{
	unsigned int i;
	int ret;

	if (count > HYPERVIVE_PROTO_FS_MAX)
		return -EBADMSG;
	if (fs && count > fs_cap)
		return -ENOBUFS;
	for (i = 0; i < count; i++) {
		ret = hypervive_proto_fs_decode(p, len, off, fs ? &fs[i] : NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static int hypervive_proto_fs_list_encode(u8 *buf, size_t cap,
					  size_t *off, u16 count,
					  const struct hypervive_proto_fs *fs)
{
	unsigned int i;
	int ret;

	if (count > HYPERVIVE_PROTO_FS_MAX || (count && !fs))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		ret = hypervive_proto_fs_encode(buf, cap, off, &fs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- EVENT ------------------------------------------------------------ */

/*
 * Sequence from 1, an ID of the guest ranges, a valid level, and for an ID
 * of the table in docs/PROTOCOL.md, the level of the table.
 */
static bool hypervive_proto_event_ok(const struct hypervive_proto_event *m)
{
	u16 lv;

	if (!m->event_seq || m->event_id < HYPERVIVE_PROTO_EV_WIRE_MIN ||
	    m->event_id > HYPERVIVE_PROTO_EV_WIRE_MAX ||
	    !m->level || m->level > HYPERVIVE_PROTO_LEVEL_ERROR)
		return false;
	if (hypervive_proto_event_name(m->event_id, &lv) && lv != m->level)
		return false;
	return true;
}

int hypervive_proto_event_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_event *m,
				 const struct hypervive_proto_fs *fs)
{
	size_t off = HYPERVIVE_PROTO_EVENT_FIXED;
	int ret;

	if (!hypervive_proto_event_ok(m))
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_EVENT_FIXED)
		return -ENOSPC;
	hypervive_proto_put_u64(buf + 0, m->event_seq);
	hypervive_proto_put_u64(buf + 8, m->timestamp_ns);
	hypervive_proto_put_u32(buf + 16, m->event_id);
	hypervive_proto_put_u16(buf + 20, m->level);
	hypervive_proto_put_u16(buf + 22, m->fs_count);
	hypervive_proto_put_u64(buf + 24, m->checkpoint_id);
	hypervive_proto_put_u64(buf + 32, (u64)m->value);
	ret = hypervive_proto_fs_list_encode(buf, cap, &off, m->fs_count, fs);
	if (!ret)
		ret = hypervive_proto_put_str(buf, cap, &off, m->text, 0,
					      HYPERVIVE_PROTO_TEXT_MAX);
	return ret ? ret : (int)off;
}

int hypervive_proto_event_decode(const u8 *p, size_t len,
				 struct hypervive_proto_event *m,
				 struct hypervive_proto_fs *fs,
				 unsigned int fs_cap)
{
	size_t off = HYPERVIVE_PROTO_EVENT_FIXED;
	int ret;

	if (len < HYPERVIVE_PROTO_EVENT_FIXED || len > HYPERVIVE_PROTO_MAX_PAYLOAD)
		return -EBADMSG;
	m->event_seq = hypervive_proto_get_u64(p + 0);
	m->timestamp_ns = hypervive_proto_get_u64(p + 8);
	m->event_id = hypervive_proto_get_u32(p + 16);
	m->level = hypervive_proto_get_u16(p + 20);
	m->fs_count = hypervive_proto_get_u16(p + 22);
	m->checkpoint_id = hypervive_proto_get_u64(p + 24);
	m->value = (s64)hypervive_proto_get_u64(p + 32);
	m->text[0] = '\0';
	if (!hypervive_proto_event_ok(m))
		return -EBADMSG;
	ret = hypervive_proto_fs_list_decode(p, len, &off, m->fs_count, fs,
					     fs_cap);
	if (!ret)
		ret = hypervive_proto_get_str(p, len, &off, m->text, 0,
					      HYPERVIVE_PROTO_TEXT_MAX);
	if (ret)
		return ret;
	return off == len ? 0 : -EBADMSG;
}

/* ---- ACK -------------------------------------------------------------- */

int hypervive_proto_ack_encode(u8 *buf, size_t cap, u64 event_seq)
{
	if (!event_seq)
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_ACK_LEN)
		return -ENOSPC;
	hypervive_proto_put_u64(buf, event_seq);
	return HYPERVIVE_PROTO_ACK_LEN;
}

int hypervive_proto_ack_decode(const u8 *p, size_t len,
			       u64 *event_seq)
{
	if (len != HYPERVIVE_PROTO_ACK_LEN)
		return -EBADMSG;
	*event_seq = hypervive_proto_get_u64(p);
	return *event_seq ? 0 : -EBADMSG;
}

/* ---- FREEZE, THAW, QUERY ---------------------------------------------- */

int hypervive_proto_freeze_encode(u8 *buf, size_t cap,
				  const struct hypervive_proto_freeze *m)
{
	if (!m->checkpoint_id || m->timeout_ms > HYPERVIVE_PROTO_FREEZE_MS_MAX)
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_FREEZE_LEN)
		return -ENOSPC;
	hypervive_proto_put_u64(buf + 0, m->checkpoint_id);
	hypervive_proto_put_u32(buf + 8, m->timeout_ms);
	hypervive_proto_put_u32(buf + 12, 0);
	return HYPERVIVE_PROTO_FREEZE_LEN;
}

int hypervive_proto_freeze_decode(const u8 *p, size_t len,
				  struct hypervive_proto_freeze *m)
{
	if (len != HYPERVIVE_PROTO_FREEZE_LEN)
		return -EBADMSG;
	m->checkpoint_id = hypervive_proto_get_u64(p + 0);
	m->timeout_ms = hypervive_proto_get_u32(p + 8);
	if (!m->checkpoint_id || m->timeout_ms > HYPERVIVE_PROTO_FREEZE_MS_MAX ||
	    hypervive_proto_get_u32(p + 12))
		return -EBADMSG;
	return 0;
}

int hypervive_proto_thaw_encode(u8 *buf, size_t cap,
				const struct hypervive_proto_thaw *m)
{
	if (cap < HYPERVIVE_PROTO_THAW_LEN)
		return -ENOSPC;
	hypervive_proto_put_u64(buf + 0, m->checkpoint_id);
	hypervive_proto_put_u64(buf + 8, 0);
	return HYPERVIVE_PROTO_THAW_LEN;
}

int hypervive_proto_thaw_decode(const u8 *p, size_t len,
				struct hypervive_proto_thaw *m)
{
	if (len != HYPERVIVE_PROTO_THAW_LEN)
		return -EBADMSG;
	m->checkpoint_id = hypervive_proto_get_u64(p + 0);
	return hypervive_proto_get_u64(p + 8) ? -EBADMSG : 0;
}

/* QUERY has an empty payload: nothing to encode, only the length to check. */
int hypervive_proto_query_decode(const u8 *p, size_t len)
{
	(void)p;
	return len == HYPERVIVE_PROTO_QUERY_LEN ? 0 : -EBADMSG;
}

/* ---- FREEZE_REPLY, THAW_REPLY, QUERY_REPLY ---------------------------- */

static bool hypervive_proto_report_ok(const struct hypervive_proto_report *m)
{
	return m->request_seq && m->status <= 0 && m->status >= -4095 &&
	       m->remaining_ms <= HYPERVIVE_PROTO_FREEZE_MS_MAX &&
	       m->fs_count <= HYPERVIVE_PROTO_FS_MAX;
}

int hypervive_proto_report_encode(u8 *buf, size_t cap,
				  const struct hypervive_proto_report *m,
				  const struct hypervive_proto_fs *fs)
{
	size_t off = HYPERVIVE_PROTO_REPORT_FIXED;
	int ret;

	if (!hypervive_proto_report_ok(m))
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_REPORT_FIXED)
		return -ENOSPC;
	hypervive_proto_put_u64(buf + 0, m->request_seq);
	hypervive_proto_put_u64(buf + 8, m->checkpoint_id);
	hypervive_proto_put_u32(buf + 16, (u32)m->status);
	hypervive_proto_put_u32(buf + 20, m->remaining_ms);
	hypervive_proto_put_u16(buf + 24, m->fs_count);
	hypervive_proto_put_u16(buf + 26, 0);
	hypervive_proto_put_u32(buf + 28, 0);
	ret = hypervive_proto_fs_list_encode(buf, cap, &off, m->fs_count, fs);
	return ret ? ret : (int)off;
}

int hypervive_proto_report_decode(const u8 *p, size_t len,
				  struct hypervive_proto_report *m,
				  struct hypervive_proto_fs *fs,
				  unsigned int fs_cap)
{
	size_t off = HYPERVIVE_PROTO_REPORT_FIXED;
	int ret;

	if (len < HYPERVIVE_PROTO_REPORT_FIXED || len > HYPERVIVE_PROTO_MAX_PAYLOAD)
		return -EBADMSG;
	m->request_seq = hypervive_proto_get_u64(p + 0);
	m->checkpoint_id = hypervive_proto_get_u64(p + 8);
	m->status = (s32)hypervive_proto_get_u32(p + 16);
	m->remaining_ms = hypervive_proto_get_u32(p + 20);
	m->fs_count = hypervive_proto_get_u16(p + 24);
	if (hypervive_proto_get_u16(p + 26) || hypervive_proto_get_u32(p + 28) ||
	    !hypervive_proto_report_ok(m))
		return -EBADMSG;
	ret = hypervive_proto_fs_list_decode(p, len, &off, m->fs_count, fs,
					     fs_cap);
	if (ret)
		return ret;
	return off == len ? 0 : -EBADMSG;
}

/* ---- ERROR, BYE ------------------------------------------------------- */

int hypervive_proto_error_encode(u8 *buf, size_t cap,
				 const struct hypervive_proto_error *m)
{
	size_t off = HYPERVIVE_PROTO_ERROR_FIXED;
	int ret;

	if (!m->code)
		return -EINVAL;
	if (cap < HYPERVIVE_PROTO_ERROR_FIXED)
		return -ENOSPC;
	hypervive_proto_put_u32(buf + 0, m->code);
	hypervive_proto_put_u32(buf + 4, 0);
	hypervive_proto_put_u64(buf + 8, m->ref_seq);
	ret = hypervive_proto_put_str(buf, cap, &off, m->text, 0,
				      HYPERVIVE_PROTO_TEXT_MAX);
	return ret ? ret : (int)off;
}

int hypervive_proto_error_decode(const u8 *p, size_t len,
				 struct hypervive_proto_error *m)
{
	size_t off = HYPERVIVE_PROTO_ERROR_FIXED;
	int ret;

	if (len < HYPERVIVE_PROTO_ERROR_FIXED || len > HYPERVIVE_PROTO_MAX_PAYLOAD)
		return -EBADMSG;
	m->code = hypervive_proto_get_u32(p + 0);
	m->ref_seq = hypervive_proto_get_u64(p + 8);
	m->text[0] = '\0';
	if (!m->code || hypervive_proto_get_u32(p + 4))
		return -EBADMSG;
	ret = hypervive_proto_get_str(p, len, &off, m->text, 0,
				      HYPERVIVE_PROTO_TEXT_MAX);
	if (ret)
		return ret;
	return off == len ? 0 : -EBADMSG;
}

int hypervive_proto_bye_encode(u8 *buf, size_t cap,
			       const struct hypervive_proto_bye *m)
{
	if (cap < HYPERVIVE_PROTO_BYE_LEN)
		return -ENOSPC;
	hypervive_proto_put_u32(buf + 0, m->reason);
	hypervive_proto_put_u32(buf + 4, 0);
	return HYPERVIVE_PROTO_BYE_LEN;
}

int hypervive_proto_bye_decode(const u8 *p, size_t len,
			       struct hypervive_proto_bye *m)
{
	if (len != HYPERVIVE_PROTO_BYE_LEN)
		return -EBADMSG;
	m->reason = hypervive_proto_get_u32(p + 0);
	return hypervive_proto_get_u32(p + 4) ? -EBADMSG : 0;
}

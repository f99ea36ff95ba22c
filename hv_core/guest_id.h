/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest OS identity for open-source operating systems (TLFS "Guest OS
 * Identity MSR for Open Source Operating Systems"):
 *   63     open source (1)
 *   62:56  OS type (Linux = 0x1)
 *   55:48  OS ID, additional vendor information
 *   47:16  upstream kernel version
 *   15:0   build number
 * Pure code, shared with the user-space unit tests.
 */
#ifndef HYPERVIVE_GUEST_ID_H
#define HYPERVIVE_GUEST_ID_H

#include <hypervive/types.h>

#define HYPERVIVE_GUEST_ID_OPEN_SOURCE	BIT_ULL(63)
#define HYPERVIVE_GUEST_OS_TYPE_LINUX	0x1

struct hypervive_guest_id {
	bool open_source;
	u8 os_type;		/* 7 bits */
	u8 os_id;
	u32 version;		/* LINUX_VERSION_CODE layout: a << 16 | b << 8 | c */
	u16 build;
};

static inline u64 hypervive_guest_id_encode(const struct hypervive_guest_id *id)
{
	return (id->open_source ? HYPERVIVE_GUEST_ID_OPEN_SOURCE : 0) |
	       ((u64)(id->os_type & 0x7f) << 56) |
	       ((u64)id->os_id << 48) |
	       ((u64)id->version << 16) |
	       id->build;
}

static inline void hypervive_guest_id_decode(u64 raw, struct hypervive_guest_id *id)
{
	id->open_source = !!(raw & HYPERVIVE_GUEST_ID_OPEN_SOURCE);
	id->os_type = (raw >> 56) & 0x7f;
	id->os_id = (raw >> 48) & 0xff;
	id->version = (raw >> 16) & 0xffffffff;
	id->build = raw & 0xffff;
}

/* The identity this suite reports: Linux, the running kernel's version. */
static inline u64 hypervive_guest_id_linux(u32 linux_version_code, u16 build)
{
	struct hypervive_guest_id id = {
		.open_source = true,
		.os_type = HYPERVIVE_GUEST_OS_TYPE_LINUX,
		.version = linux_version_code,
		.build = build,
	};

	return hypervive_guest_id_encode(&id);
}

static inline const char *hypervive_guest_os_type_name(u8 os_type)
{
	switch (os_type) {
	case 0x1:
		return "Linux";
	case 0x2:
		return "FreeBSD";
	case 0x3:
		return "Xen";
	case 0x4:
		return "Illumos";
	default:
		return "unknown";
	}
}

#endif /* HYPERVIVE_GUEST_ID_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for the bits of the Hyper-V CPUID leaves (TLFS "Feature and
 * Interface Discovery").  Pure code: built into hypervive_core and into the
 * user-space unit tests, so the tables are tested where they are used.
 */
#ifndef HYPERVIVE_TLFS_DECODE_H
#define HYPERVIVE_TLFS_DECODE_H

#include <hypervive/types.h>

struct hypervive_bit_name {
	u8 bit;
	const char *name;
};

struct hypervive_bit_table {
	const char *what;
	const struct hypervive_bit_name *bits;
	unsigned int count;
};

/* Which table decodes which register. */
extern const struct hypervive_bit_table hypervive_tbl_privileges;	/* 0x40000003 EBX:EAX */
extern const struct hypervive_bit_table hypervive_tbl_features_ecx;	/* 0x40000003 ECX */
extern const struct hypervive_bit_table hypervive_tbl_features_edx;	/* 0x40000003 EDX */
extern const struct hypervive_bit_table hypervive_tbl_recommendations;	/* 0x40000004 EAX */
extern const struct hypervive_bit_table hypervive_tbl_hw_features;	/* 0x40000006 EAX */
extern const struct hypervive_bit_table hypervive_tbl_cpu_mgmt;	/* 0x40000007 EAX */
extern const struct hypervive_bit_table hypervive_tbl_nested_eax;	/* 0x40000009 EAX */
extern const struct hypervive_bit_table hypervive_tbl_nested_edx;	/* 0x40000009 EDX */
extern const struct hypervive_bit_table hypervive_tbl_nested_feat_eax;	/* 0x4000000A EAX */
extern const struct hypervive_bit_table hypervive_tbl_nested_feat_ebx;	/* 0x4000000A EBX */
extern const struct hypervive_bit_table hypervive_tbl_isolation_eax;	/* 0x4000000C EAX */

/*
 * Write the names of the bits set in @value, separated by spaces, into
 * @buf (always NUL-terminated when @len > 0).  Bits in @ignore_mask are not
 * flags (multi-bit fields) and are skipped.  A set bit the table does not
 * know is written as "bitN", so nothing the hypervisor reports is hidden.
 * Returns the length written, excluding the NUL.
 */
size_t hypervive_decode_bits(const struct hypervive_bit_table *tbl, u64 value,
			     u64 ignore_mask, char *buf, size_t len);

/* "Hv#1" and vendor signatures are four ASCII bytes per register. */
void hypervive_regs_to_ascii(const u32 *regs, unsigned int nregs, char *out);

/* Isolation type names for 0x4000000C EBX[3:0]. */
const char *hypervive_isolation_type_name(unsigned int type);

#endif /* HYPERVIVE_TLFS_DECODE_H */

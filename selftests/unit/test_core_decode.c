// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hypervive_core's pure code: the CPUID bit decoders, the
 * guest OS identity encoder, the HV_STATUS table and the IBT check.
 * Expected values are written out from the TLFS by hand, not computed
 * with the code under test.
 */
#include <string.h>
#include "unit.h"
#include "../../hv_core/tlfs_decode.h"
#include "../../hv_core/guest_id.h"
#include "../../hv_core/hv_status.h"
#include "../../hv_core/hcpage_check.h"

static void test_decode(void)
{
	char buf[512];
	size_t n;

	/* TLFS: EAX bit 5 AccessHypercallMsrs, bit 9 AccessPartitionReferenceTsc. */
	n = hypervive_decode_bits(&hypervive_tbl_privileges, (1ULL << 5) | (1ULL << 9),
				  0, buf, sizeof(buf));
	unit_check(!strcmp(buf, "AccessHypercallMsrs AccessPartitionReferenceTsc") &&
		   n == strlen(buf), "privileges EAX bits 5,9 -> '%s'", buf);

	/* EBX bit 4 is PostMessages: bit 36 of the 64-bit mask. */
	hypervive_decode_bits(&hypervive_tbl_privileges, 1ULL << 36, 0, buf, sizeof(buf));
	unit_check(!strcmp(buf, "PostMessages"), "privileges bit 36 -> '%s'", buf);

	hypervive_decode_bits(&hypervive_tbl_features_edx, 1u << 10, 0, buf, sizeof(buf));
	unit_check(!strcmp(buf, "GuestCrashMsrs"), "features EDX bit 10 -> '%s'", buf);

	hypervive_decode_bits(&hypervive_tbl_recommendations, 1u << 9, 0, buf, sizeof(buf));
	unit_check(!strcmp(buf, "DeprecateAutoEoi"), "recommendation bit 9 -> '%s'", buf);

	/* Reserved bits are shown, not hidden. */
	hypervive_decode_bits(&hypervive_tbl_features_edx, (1u << 16) | (1u << 2), 0,
			      buf, sizeof(buf));
	unit_check(!strcmp(buf, "PerfMonitor bit16"), "unknown bit -> '%s'", buf);
	hypervive_decode_bits(&hypervive_tbl_features_ecx, 1u << 3, 0, buf, sizeof(buf));
	unit_check(!strcmp(buf, "bit3"), "single-digit unknown bit -> '%s'", buf);

	/* Multi-bit fields are masked out: nesting level 13:10. */
	hypervive_decode_bits(&hypervive_tbl_hw_features, (0xfu << 10) | 1u, 0xfu << 10,
			      buf, sizeof(buf));
	unit_check(!strcmp(buf, "ApicOverlayAssist"), "masked nesting level -> '%s'", buf);

	n = hypervive_decode_bits(&hypervive_tbl_features_edx, 0, 0, buf, sizeof(buf));
	unit_check(n == 0 && buf[0] == '\0', "no bits -> empty string");

	/* Truncation keeps the buffer terminated and reports what fits. */
	n = hypervive_decode_bits(&hypervive_tbl_features_edx, 0xffffffff, 0, buf, 8);
	unit_check(n == 7 && strlen(buf) == 7, "truncated to 7 chars: '%s'", buf);
}

static void test_ascii(void)
{
	/* "Microsoft Hv" as CPUID reports it in EBX, ECX, EDX. */
	u32 regs[3] = { 0x7263694D, 0x666F736F, 0x76482074 };
	u32 hv1 = 0x31237648, odd = 0x00410A42;
	char out[13];

	hypervive_regs_to_ascii(regs, 3, out);
	unit_check(!strcmp(out, "Microsoft Hv"), "vendor signature -> '%s'", out);
	hypervive_regs_to_ascii(&hv1, 1, out);
	unit_check(!strcmp(out, "Hv#1"), "interface signature -> '%s'", out);
	hypervive_regs_to_ascii(&odd, 1, out);
	unit_check(!strcmp(out, "B.A."), "unprintable bytes become '.' -> '%s'", out);
}

static void test_guest_id(void)
{
	struct hypervive_guest_id id;
	u64 raw;

	/* Linux 6.1.192, build 0: bit 63, OS type 1 at 62:56, 0x0601c0 at 47:16. */
	raw = hypervive_guest_id_linux((6 << 16) | (1 << 8) | 192, 0);
	unit_check(raw == 0x8100000601c00000ULL, "Linux 6.1.192 -> 0x%016llx",
		   (unsigned long long)raw);
	/* The kernel's own encoding: HV_LINUX_VENDOR_ID 0x8100 in 63:48. */
	unit_check((raw >> 48) == 0x8100, "matches HV_LINUX_VENDOR_ID 0x8100");

	hypervive_guest_id_decode(0x8123abcd12345678ULL, &id);
	unit_check(id.open_source && id.os_type == 0x01 && id.os_id == 0x23 &&
		   id.version == 0xabcd1234 && id.build == 0x5678,
		   "decode splits every field");
	unit_check(hypervive_guest_id_encode(&id) == 0x8123abcd12345678ULL,
		   "encode(decode(x)) == x");
	id.os_type = 0xff;	/* only 7 bits exist */
	unit_check((hypervive_guest_id_encode(&id) >> 56) == 0xff,
		   "os_type is masked to 7 bits, bit 63 stays the open-source flag");
	id.open_source = false;
	unit_check(!(hypervive_guest_id_encode(&id) >> 63), "closed source clears bit 63");
	unit_check(!strcmp(hypervive_guest_os_type_name(2), "FreeBSD") &&
		   !strcmp(hypervive_guest_os_type_name(9), "unknown"),
		   "OS type names");
}

static void test_status(void)
{
	unit_check(hypervive_hv_status_to_errno(0) == 0 &&
		   !strcmp(hypervive_hv_status_name(0), "HV_STATUS_SUCCESS"),
		   "success is 0");
	unit_check(!strcmp(hypervive_hv_status_name(2), "HV_STATUS_INVALID_HYPERCALL_CODE"),
		   "0x2 name");
	unit_check(!strcmp(hypervive_hv_status_name(3), "HV_STATUS_INVALID_HYPERCALL_INPUT"),
		   "0x3 name");
	unit_check(!strcmp(hypervive_hv_status_name(4), "HV_STATUS_INVALID_ALIGNMENT") &&
		   hypervive_hv_status_to_errno(4) == -EFAULT, "0x4 name and errno");
	unit_check(hypervive_hv_status_to_errno(0x12) == -ENOENT &&
		   !strcmp(hypervive_hv_status_name(0x12), "HV_STATUS_INVALID_CONNECTION_ID"),
		   "0x12 invalid connection id");
	unit_check(hypervive_hv_status_to_errno(0x13) == -EAGAIN,
		   "0x13 insufficient buffers is retryable");
	unit_check(hypervive_hv_status_to_errno(0xB) == -ENOMEM, "0xB insufficient memory");
	unit_check(hypervive_hv_status_to_errno(6) == -EACCES, "0x6 access denied");
	unit_check(hypervive_hv_status_to_errno(0x7777) == -EIO &&
		   !strcmp(hypervive_hv_status_name(0x7777), "HV_STATUS_UNKNOWN"),
		   "unknown status -> -EIO");
	{
		int code, bad = 0;

		/* Every non-success code maps to a negative errno. */
		for (code = 1; code <= 0xffff; code++)
			if (hypervive_hv_status_to_errno(code) >= 0)
				bad++;
		unit_check(!bad, "all 65535 failure codes map to an errno (%d do not)", bad);
	}
}

static void test_ibt(void)
{
	u8 endbr[8] = { 0xf3, 0x0f, 0x1e, 0xfa, 0xc3 };
	u8 int3[8] = { 0xcc, 0xcc, 0xcc, 0xcc };
	u8 vmcall[8] = { 0x0f, 0x01, 0xc1, 0xc3 };

	unit_check(hypervive_hcpage_callable(false, int3), "no IBT: any page is callable");
	unit_check(hypervive_hcpage_callable(true, endbr), "IBT + ENDBR64: callable");
	unit_check(!hypervive_hcpage_callable(true, vmcall), "IBT without ENDBR64: refused");
}

int main(void)
{
	unit_plan(32);
	test_decode();
	test_ascii();
	test_guest_id();
	test_status();
	test_ibt();
	return unit_exit();
}

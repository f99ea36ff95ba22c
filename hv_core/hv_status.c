// SPDX-License-Identifier: GPL-2.0
/*
 * HV_STATUS table.  Codes and names follow the TLFS "Hypercall Status
 * Codes" appendix and the kernel's hyperv-tlfs.h (6.1 defines a subset;
 * later kernels add the codes above 0x20).  The codes the modules name are
 * in include/hypervive/tlfs.h, which hv_core/tlfs_check.c holds against
 * the kernel's header at build time.
 */
#include "hv_status.h"

struct hv_status_desc {
	u16 code;
	int err;
	const char *name;
};

#define S(c, e, n) { .code = (c), .err = (e), .name = "HV_STATUS_" n }

static const struct hv_status_desc hv_statuses[] = {
	S(0x0000, 0, "SUCCESS"),
	S(0x0002, -EOPNOTSUPP, "INVALID_HYPERCALL_CODE"),
	S(0x0003, -EINVAL, "INVALID_HYPERCALL_INPUT"),
	S(0x0004, -EFAULT, "INVALID_ALIGNMENT"),
	S(0x0005, -EINVAL, "INVALID_PARAMETER"),
	S(0x0006, -EACCES, "ACCESS_DENIED"),
	S(0x0007, -EBUSY, "INVALID_PARTITION_STATE"),
	S(0x0008, -EPERM, "OPERATION_DENIED"),
	S(0x0009, -EINVAL, "UNKNOWN_PROPERTY"),
	S(0x000A, -ERANGE, "PROPERTY_VALUE_OUT_OF_RANGE"),
	S(0x000B, -ENOMEM, "INSUFFICIENT_MEMORY"),
	S(0x000C, -EINVAL, "PARTITION_TOO_DEEP"),
	S(0x000D, -EINVAL, "INVALID_PARTITION_ID"),
	S(0x000E, -EINVAL, "INVALID_VP_INDEX"),
	S(0x0011, -EINVAL, "INVALID_PORT_ID"),
	S(0x0012, -ENOENT, "INVALID_CONNECTION_ID"),
	S(0x0013, -EAGAIN, "INSUFFICIENT_BUFFERS"),
	S(0x0014, -EAGAIN, "NOT_ACKNOWLEDGED"),
	S(0x0015, -EINVAL, "INVALID_VP_STATE"),
	S(0x0016, -EALREADY, "ACKNOWLEDGED"),
	S(0x0017, -EINVAL, "INVALID_SAVE_RESTORE_STATE"),
	S(0x0018, -EINVAL, "INVALID_SYNIC_STATE"),
	S(0x0019, -EBUSY, "OBJECT_IN_USE"),
	S(0x001A, -EINVAL, "INVALID_PROXIMITY_DOMAIN_INFO"),
	S(0x001B, -ENODATA, "NO_DATA"),
	S(0x001C, -EAGAIN, "INACTIVE"),
	S(0x001D, -ENOSPC, "NO_RESOURCES"),
	S(0x001E, -EOPNOTSUPP, "FEATURE_UNAVAILABLE"),
	S(0x001F, -EAGAIN, "PARTIAL_PACKET"),
	S(0x0020, -EOPNOTSUPP, "PROCESSOR_FEATURE_NOT_SUPPORTED"),
	S(0x0041, -EINVAL, "INVALID_LP_INDEX"),
	S(0x0050, -EINVAL, "INVALID_REGISTER_VALUE"),
	S(0x0071, -EIO, "OPERATION_FAILED"),
	S(0x0078, -ETIMEDOUT, "TIME_OUT"),
	S(0x0079, -EINPROGRESS, "CALL_PENDING"),
	S(0x0086, -EPERM, "VTL_ALREADY_ENABLED"),
};

static const struct hv_status_desc *find(u16 status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_statuses); i++)
		if (hv_statuses[i].code == status)
			return &hv_statuses[i];
	return NULL;
}

const char *hypervive_hv_status_name(u16 status)
{
	const struct hv_status_desc *d = find(status);

	return d ? d->name : "HV_STATUS_UNKNOWN";
}

int hypervive_hv_status_to_errno(u16 status)
{
	const struct hv_status_desc *d = find(status);

	return d ? d->err : -EIO;
}

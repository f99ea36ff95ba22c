/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HV_STATUS codes: names for logs and sysfs, and the errno a caller of the
 * hypercall API gets.  Pure code, unit-tested in user space.
 */
#ifndef HYPERVIVE_HV_STATUS_H
#define HYPERVIVE_HV_STATUS_H

#include <hypervive/types.h>

/* Name of an HV_STATUS code, "HV_STATUS_UNKNOWN" for codes not in the TLFS. */
const char *hypervive_hv_status_name(u16 status);

/* 0 for HV_STATUS_SUCCESS, a negative errno otherwise (-EIO if unknown). */
int hypervive_hv_status_to_errno(u16 status);

#endif /* HYPERVIVE_HV_STATUS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * May we call into the hypercall page?  With Indirect Branch Tracking
 * enforced, an indirect call must land on ENDBR64, so a hypercall page that
 * does not start with one would fault on the first hypercall.  Pure code,
 * unit-tested in user space.
 */
#ifndef HYPERVIVE_HCPAGE_CHECK_H
#define HYPERVIVE_HCPAGE_CHECK_H

#include <hypervive/types.h>

static const u8 hypervive_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

static inline bool hypervive_hcpage_callable(bool ibt_enforced, const u8 *page)
{
	return !ibt_enforced || !memcmp(page, hypervive_endbr64, 4);
}

#endif /* HYPERVIVE_HCPAGE_CHECK_H */

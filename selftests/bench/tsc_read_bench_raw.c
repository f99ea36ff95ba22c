// SPDX-License-Identifier: GPL-2.0
/*
 * The same page read as tsc_read_bench.c, compiled with a raw (unordered)
 * RDTSC: what the read protocol and the 128-bit arithmetic cost on top of
 * the TSC read itself.  Not a usable clock (see tsc_page_read.h): a
 * measurement only.
 */
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

#define HYPERVIVE_TSC_RDTSC() __rdtsc()
#include "../../hv_core/tsc_page_read.h"
#include "tsc_read_bench.h"

double bench_page_raw(const struct hypervive_tsc_page *page, long n, u64 *sink)
{
	struct timespec a, b;
	u64 acc = 0, v = 0;
	long i;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	for (i = 0; i < n; i++) {
		if (!hypervive_tsc_page_read(page, &v))
			abort();
		acc += v;
	}
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	*sink = acc;
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

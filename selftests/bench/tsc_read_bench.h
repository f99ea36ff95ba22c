/* SPDX-License-Identifier: GPL-2.0 */
/* tsc_read_bench_raw.c: the page read built with a raw RDTSC. */
#ifndef TSC_READ_BENCH_H
#define TSC_READ_BENCH_H

double bench_page_raw(const struct hypervive_tsc_page *page, long n, u64 *sink);

#endif

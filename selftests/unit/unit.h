/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP emitter for the user-space unit tests.
 *
 * Each unit test is a standalone program built with AddressSanitizer and
 * UBSan.  It prints one KTAP line per check and exits non-zero if any check
 * failed, so both the line count and the exit code can fail the run.
 */
#ifndef HYPERVIVE_UNIT_H
#define HYPERVIVE_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_n;
static int unit_failed;

static inline void unit_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
}

/* Record one check; returns cond so callers can stop early on failure. */
static inline int unit_check(int cond, const char *fmt, ...)
{
	va_list ap;

	unit_n++;
	printf("%s %d ", cond ? "ok" : "not ok", unit_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		unit_failed++;
	return cond;
}

/* Diagnostic line, ignored by the counters. */
#define unit_diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

static inline int unit_exit(void)
{
	fflush(stdout);
	return unit_failed ? 1 : 0;
}

#endif /* HYPERVIVE_UNIT_H */

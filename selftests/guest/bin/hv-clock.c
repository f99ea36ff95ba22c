// SPDX-License-Identifier: GPL-2.0
/*
 * hv-clock: clock checks for the in-guest tests (static, no libc extras).
 *
 *   hv-clock mono THREADS SECONDS
 *	THREADS threads read CLOCK_MONOTONIC for SECONDS.  Each checks its own
 *	reads, and all of them a shared maximum: a thread loads the maximum
 *	published so far, then reads the clock; the clock must not be below
 *	it (that value was published before our read began).  Prints
 *	"reads=N backwards=N worst_ns=N"; exit 1 if time went backwards.
 *   hv-clock rate SECONDS TSC_KHZ
 *	CLOCK_MONOTONIC_RAW against the TSC over SECONDS, the TSC converted
 *	with TSC_KHZ (what the kernel's tsc clocksource uses).  Each end is a
 *	(tsc, clock, tsc) bracket, the narrowest of 20; prints
 *	"clock_ns=N tsc_ns=N ppm=N bracket_ns=N".
 *   hv-clock bench N
 *	ns per clock_gettime(CLOCK_MONOTONIC) through the syscall and through
 *	the vDSO (libc), N calls each: "syscall_ns=N.N vdso_ns=N.N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static long long ns_of(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ns_of(&ts);
}

static long long now_syscall(clockid_t c)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, c, &ts);
	return ns_of(&ts);
}

/* ---- mono ---------------------------------------------------------------- */

static long long gmax;
static long long seconds;

struct mono_res {
	unsigned long long reads, backwards;
	long long worst;
};

static void *mono_thread(void *arg)
{
	struct mono_res *r = arg;
	long long end = now(CLOCK_MONOTONIC) + seconds * 1000000000LL;
	long long prev = 0, g, t;

	for (;;) {
		g = __atomic_load_n(&gmax, __ATOMIC_ACQUIRE);
		t = now(CLOCK_MONOTONIC);
		r->reads++;
		if (t < g || t < prev) {
			long long back = (t < g ? g : prev) - t;

			r->backwards++;
			if (back > r->worst)
				r->worst = back;
		}
		prev = t;
		while (g < t && !__atomic_compare_exchange_n(&gmax, &g, t, true, __ATOMIC_RELEASE,
							     __ATOMIC_ACQUIRE))
			;
		if (t >= end)
			break;
	}
	return NULL;
}

static int mono(int threads, int secs)
{
	pthread_t tid[64];
	struct mono_res res[64];
	unsigned long long reads = 0, back = 0;
	long long worst = 0;
	int i;

	if (threads < 1 || threads > 64 || secs < 1)
		return 2;
	seconds = secs;
	memset(res, 0, sizeof(res));
	/* If the clock stalls, the threads would never see the end: a watchdog. */
	alarm(secs * 10 + 30);
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, mono_thread, &res[i]))
			return 2;
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		reads += res[i].reads;
		back += res[i].backwards;
		if (res[i].worst > worst)
			worst = res[i].worst;
	}
	printf("reads=%llu backwards=%llu worst_ns=%lld\n", (unsigned long long)reads,
	       (unsigned long long)back, (long long)worst);
	return back ? 1 : 0;
}

/* ---- rate ---------------------------------------------------------------- */

struct sample {
	unsigned long long tsc;		/* middle of the bracket */
	long long clock;
	unsigned long long width;		/* bracket, TSC cycles */
};

static struct sample sample(void)
{
	struct sample best = { .width = ~0ULL };
	int i;

	for (i = 0; i < 20; i++) {
		unsigned long long a, b;
		long long c;

		_mm_lfence();
		a = __rdtsc();
		_mm_lfence();
		c = now(CLOCK_MONOTONIC_RAW);
		_mm_lfence();
		b = __rdtsc();
		if (b - a < best.width) {
			best.width = b - a;
			best.tsc = a + (b - a) / 2;
			best.clock = c;
		}
	}
	return best;
}

static int rate(int secs, unsigned long long khz)
{
	struct sample s0, s1;
	double clock_ns, tsc_ns;

	if (secs < 1 || !khz)
		return 2;
	s0 = sample();
	sleep(secs);
	s1 = sample();
	clock_ns = (double)(s1.clock - s0.clock);
	tsc_ns = (double)(s1.tsc - s0.tsc) * 1e6 / (double)khz;
	printf("clock_ns=%.0f tsc_ns=%.0f ppm=%.0f bracket_ns=%.0f\n", clock_ns, tsc_ns,
	       (clock_ns - tsc_ns) / tsc_ns * 1e6,
	       (double)(s0.width > s1.width ? s0.width : s1.width) * 1e6 / (double)khz);
	return 0;
}

/* ---- bench --------------------------------------------------------------- */

static int bench(long n)
{
	long long t0, t1, t2;
	long i;

	if (n < 1)
		return 2;
	t0 = now(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++)
		now_syscall(CLOCK_MONOTONIC);
	t1 = now(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++)
		now(CLOCK_MONOTONIC);
	t2 = now(CLOCK_MONOTONIC);
	printf("syscall_ns=%.1f vdso_ns=%.1f\n", (double)(t1 - t0) / n, (double)(t2 - t1) / n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "mono"))
		return mono(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "rate"))
		return rate(atoi(argv[2]), strtoull(argv[3], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "bench"))
		return bench(atol(argv[2]));
	fprintf(stderr, "usage: hv-clock mono THREADS SECONDS | rate SECONDS TSC_KHZ | bench N\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reference TSC page read (hv_core/tsc_page_read.h): the
 * TLFS arithmetic against 128-bit reference values computed outside this
 * code (Python integers, written out below), a random cross-check against
 * an independent 16-bit-limb multiply, and the read protocol (sequence 0,
 * a page updated in the middle of a read) with a fake TSC.
 */
#include <stddef.h>
#include <string.h>
#include <hypervive/types.h>
#include "unit.h"

/* The fake TSC: returns fake_tsc, and may change the page as a hypervisor would. */
static u64 fake_tsc;
static int rdtsc_calls;
static void (*on_rdtsc)(int call);

static u64 fake_rdtsc(void)
{
	rdtsc_calls++;
	if (on_rdtsc)
		on_rdtsc(rdtsc_calls);
	return fake_tsc;
}

#define HYPERVIVE_TSC_RDTSC() fake_rdtsc()
#include "../../hv_core/tsc_page_read.h"

struct vec {
	u64 tsc, scale;
	s64 offset;
	u64 want;
	const char *what;
};

/*
 * want = (((tsc * scale) >> 64) + offset) mod 2^64, computed with Python's
 * arbitrary-precision integers.  0x010bff22502dc0f3 is the scale of a
 * 2.445404 GHz TSC: floor(2^64 * 10^7 / 2445404000).
 */
static const struct vec vecs[] = {
	{ 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0LL, 0x0000000000000000ULL,
	  "zero" },
	{ 0x0000000000003039ULL, 0x0000000000000000ULL, -0x7LL, 0xfffffffffffffff9ULL,
	  "scale 0: the offset alone, wrapped below zero" },
	{ 0xffffffffffffffffULL, 0xffffffffffffffffULL, 0x0LL, 0xfffffffffffffffeULL,
	  "tsc and scale at 2^64-1" },
	{ 0xffffffffffffffffULL, 0x8000000000000000ULL, 0x0LL, 0x7fffffffffffffffULL,
	  "scale 2^63 halves the tsc" },
	{ 0xfffffffffffff000ULL, 0x010bff22502dc0f3ULL, 0x0LL, 0x010bff22502dc0e2ULL,
	  "tsc near 2^64 at 2.445404 GHz" },
	{ 0x00000801b6c5b600ULL, 0x010bff22502dc0f3ULL, 0x0LL, 0x0000000861c467ffULL,
	  "one hour at 2.445404 GHz" },
	{ 0x00000801b6c5b600ULL, 0x010bff22502dc0f3ULL, -0x861c46800LL, 0xffffffffffffffffULL,
	  "one hour, offset minus one hour: wraps" },
	{ 0x0000000000000064ULL, 0x010bff22502dc0f3ULL, -0x1LL, 0xffffffffffffffffULL,
	  "100 cycles are 0 ticks, offset -1 wraps" },
	{ 0xffffffffffffffffULL, 0xffffffffffffffffULL, 0x7fffffffffffffffLL, 0x7ffffffffffffffdULL,
	  "max product plus INT64_MAX wraps above 2^64" },
	{ 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, -0x1122334455667788LL,
	  0x00fd6cc68216fc9aULL,
	  "mixed bits, negative offset" },
	{ 0xdeadbeefcafebabeULL, 0x8000000000000001ULL, 0x7fffffffffffffffLL, 0xef56df77e57f5d5eULL,
	  "scale 2^63+1, offset INT64_MAX" },
	{ 0x00000000ffffffffULL, 0xffffffff00000000ULL, 0x0LL, 0x00000000fffffffeULL,
	  "32-bit halves carry" },
	{ 0xffffffff00000001ULL, 0xffffffff00000001ULL, -0x7fffffffffffffffLL - 1,
	  0x7ffffffe00000002ULL,
	  "offset INT64_MIN" },
};

/* Independent reference: schoolbook multiply in 16-bit limbs, high 64 bits. */
static u64 ref_mul_hi64(u64 a, u64 b)
{
	u32 r[8] = { 0 };
	int i, j;

	for (i = 0; i < 4; i++) {
		u32 carry = 0;

		for (j = 0; j < 4; j++) {
			u32 t = (u32)((a >> (16 * i)) & 0xffff) * (u32)((b >> (16 * j)) & 0xffff);
			u64 s = (u64)r[i + j] + (t & 0xffff) + carry;

			r[i + j] = s & 0xffff;
			carry = (u32)(s >> 16) + (t >> 16);
		}
		for (j = i + 4; carry && j < 8; j++) {
			u32 s = r[j] + carry;

			r[j] = s & 0xffff;
			carry = s >> 16;
		}
	}
	return (u64)r[4] | (u64)r[5] << 16 | (u64)r[6] << 32 | (u64)r[7] << 48;
}

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_vectors(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vecs); i++) {
		const struct vec *v = &vecs[i];
		u64 got = hypervive_ref_time(v->tsc, v->scale, v->offset);
		u64 port = hypervive_mul_hi64_portable(v->tsc, v->scale) + (u64)v->offset;

		unit_check(got == v->want && port == v->want,
			   "ref_time %s: got 0x%016llx portable 0x%016llx want 0x%016llx",
			   v->what, (unsigned long long)got, (unsigned long long)port,
			   (unsigned long long)v->want);
	}
}

static void test_random(void)
{
	u64 seed = 0x9e3779b97f4a7c15ULL, a, b;
	int i, bad_i128 = 0, bad_port = 0, bad_ref = 0;

	/* The reference multiply itself, on hand values: (2^32+1)^2 = 2^64 + 2^33 + 1. */
	unit_check(ref_mul_hi64(0x100000001ULL, 0x100000001ULL) == 1 &&
		   ref_mul_hi64(~0ULL, ~0ULL) == ~1ULL,
		   "the 16-bit-limb reference multiply agrees with hand values");
	for (i = 0; i < 200000; i++) {
		a = xorshift(&seed);
		b = xorshift(&seed);
		/* Bias a quarter of the cases to the edges: top bits all set. */
		if ((i & 3) == 1)
			a |= 0xffffffff00000000ULL;
		if ((i & 3) == 2)
			b |= 0xffffffff00000000ULL;
		if (hypervive_mul_hi64(a, b) != ref_mul_hi64(a, b))
			bad_i128++;
		if (hypervive_mul_hi64_portable(a, b) != ref_mul_hi64(a, b))
			bad_port++;
		if (ref_mul_hi64(a, b) != ref_mul_hi64(b, a))
			bad_ref++;
	}
	unit_check(!bad_i128, "mul_hi64 matches the limb reference on 200000 random pairs (%d bad)",
		   bad_i128);
	unit_check(!bad_port, "portable mul_hi64 matches the limb reference (%d bad)", bad_port);
	unit_check(!bad_ref, "the reference multiply commutes (%d bad)", bad_ref);
}

static struct hypervive_tsc_page page;

static void reset(u32 seq, u64 scale, s64 offset, u64 tsc)
{
	memset(&page, 0, sizeof(page));
	page.sequence = seq;
	page.scale = scale;
	page.offset = offset;
	fake_tsc = tsc;
	rdtsc_calls = 0;
	on_rdtsc = NULL;
}

/* A hypervisor updating the page between our first sequence read and the second. */
static void migrate_once(int call)
{
	if (call == 1) {
		page.sequence = 0;
		page.scale = 0x8000000000000000ULL;
		page.offset = 1000;
		page.sequence = 8;
	}
}

static void invalidate_once(int call)
{
	if (call == 1)
		page.sequence = 0;
}

static void test_read_protocol(void)
{
	u64 t = 0x5a5a5a5a5a5a5a5aULL;
	u32 seq;
	u64 scale;
	s64 offset;
	bool ok;

	unit_check(offsetof(struct hypervive_tsc_page, sequence) == 0 &&
		   offsetof(struct hypervive_tsc_page, scale) == 8 &&
		   offsetof(struct hypervive_tsc_page, offset) == 16 &&
		   sizeof(struct hypervive_tsc_page) == 4096,
		   "page layout: sequence@0 scale@8 offset@16, 4096 bytes (TLFS)");

	reset(0, 0x010bff22502dc0f3ULL, 5, 1000000);
	ok = hypervive_tsc_page_read(&page, &t);
	unit_check(!ok && t == 0x5a5a5a5a5a5a5a5aULL && rdtsc_calls == 0,
		   "sequence 0: no time, result untouched, no TSC read (ok=%d calls=%d)",
		   ok, rdtsc_calls);

	reset(7, 0x010bff22502dc0f3ULL, -0x861c46800LL, 0x00000801b6c5b600ULL);
	ok = hypervive_tsc_page_read(&page, &t);
	unit_check(ok && t == 0xffffffffffffffffULL && rdtsc_calls == 1,
		   "valid page: the formula with one TSC read (0x%016llx, calls=%d)",
		   (unsigned long long)t, rdtsc_calls);

	reset(0xffffffff, 0x8000000000000000ULL, 0, 10);
	ok = hypervive_tsc_page_read(&page, &t);
	unit_check(ok && t == 5, "sequence 0xffffffff is valid (old TLFS texts called it invalid)");

	reset(7, 0x010bff22502dc0f3ULL, 0, 3000);
	on_rdtsc = migrate_once;
	ok = hypervive_tsc_page_read(&page, &t);
	unit_check(ok && rdtsc_calls == 2 && t == 3000 / 2 + 1000,
		   "page changed during the read: retried with the new scale/offset (t=%llu calls=%d)",
		   (unsigned long long)t, rdtsc_calls);

	reset(7, 0x010bff22502dc0f3ULL, 0, 2000);
	on_rdtsc = invalidate_once;
	t = 42;
	ok = hypervive_tsc_page_read(&page, &t);
	unit_check(!ok && t == 42 && rdtsc_calls == 1,
		   "page invalidated during the read: falls back (ok=%d calls=%d)",
		   ok, rdtsc_calls);

	reset(9, 0x1234, -77, 0);
	hypervive_tsc_page_snapshot(&page, &seq, &scale, &offset);
	unit_check(seq == 9 && scale == 0x1234 && offset == -77,
		   "snapshot copies sequence, scale and offset");
}

int main(void)
{
	unit_plan((int)ARRAY_SIZE(vecs) + 4 + 7);
	test_vectors();
	test_random();
	test_read_protocol();
	return unit_exit();
}

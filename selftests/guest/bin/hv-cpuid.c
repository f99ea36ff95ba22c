// SPDX-License-Identifier: GPL-2.0
/*
 * hv-cpuid [LEAF [SUBLEAF]]: print CPUID LEAF (hex, default 0x40000000;
 * SUBLEAF hex, default 0) as
 * "eax ebx ecx edx", the ASCII of eax (an interface signature such as
 * "Hv#1"), then the ASCII of ebx, ecx, edx (a vendor signature, which may
 * contain spaces, so it comes last).  Lets the in-guest tests tell a real
 * Hyper-V guest from QEMU's emulation.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ascii(unsigned int v, char *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)(v >> (8 * i));

		out[i] = (c >= 0x20 && c < 0x7f) ? c : '.';
	}
}

int main(int argc, char **argv)
{
	unsigned int leaf = argc > 1 ? strtoul(argv[1], NULL, 16) : 0x40000000;
	unsigned int subleaf = argc > 2 ? strtoul(argv[2], NULL, 16) : 0;
	unsigned int a, b, c, d;
	char vendor[13] = "", iface[5] = "";

	__cpuid_count(leaf, subleaf, a, b, c, d);
	ascii(b, vendor);
	ascii(c, vendor + 4);
	ascii(d, vendor + 8);
	ascii(a, iface);
	printf("0x%08x 0x%08x 0x%08x 0x%08x %s %s\n", a, b, c, d, iface, vendor);
	return 0;
}

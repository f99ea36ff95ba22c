/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercall page: one page-aligned 4 KiB block of this module's text.
 *
 * 6.1 exports no way for a module to allocate an executable page, and a
 * vmap()ed page is always NX.  The module loader maps our text executable,
 * so we give the hypervisor the frame of this block (vmalloc_to_pfn) and it
 * overlays its hypercall code there (TLFS "Establishing the Hypercall
 * Interface", steps 6-8).  Until it does, the block is int3: a call into a
 * page that was never overlaid traps instead of running on.
 *
 * IBT: we call the page indirectly, so with IBT enforced its first
 * instruction must be ENDBR64.  Our int3 block has none; the hypervisor's
 * code replaces it, and Hyper-V's has ENDBR64 (Linux's hv_init.c relies on
 * it and turns IBT off for the hosts whose page lacks it).  hypercall.c
 * refuses hypercalls when IBT is enforced and the overlaid page does not
 * begin with ENDBR64, instead of taking the #CP.  ANNOTATE_NOENDBR tells
 * objtool the missing ENDBR here is deliberate ("relocation to !ENDBR").
 */
#include <linux/objtool.h>

	.section .text.hypervive_hcpage, "ax"
	.balign 4096
	.globl hypervive_hcpage
	.type hypervive_hcpage, @object
hypervive_hcpage:
	ANNOTATE_NOENDBR
	.fill 4096, 1, 0xcc
	.size hypervive_hcpage, 4096

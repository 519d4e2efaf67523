/* SPDX-License-Identifier: MIT */
/*
 * The SMI entry stub: real x86 code, copied to SMBASE+0x8000 of every SMBASE
 * tile. Assembled with GNU as at build time and embedded as a flat binary.
 *
 * Path of one SMI (CS base = SMBASE, IP = 0x8000, real mode on entry):
 *   entry16  o32 lgdt, CR0.PE, far jump through the parameter block
 *   pm32     flat data segments, CR3, CR4.PAE, EFER.LME, CR0.PG, far jump
 *   lm64     per-CPU SMRAM stack, call the host entry vector (a trap page the
 *            CPU model hooks: the host runs the Foundation there), then RSM.
 * No stack use before lm64 and no self-modifying code: everything that differs
 * per CPU comes from the parameter block at SMBASE+0x9000 (CS:0x9000 in
 * real mode, %ebx/%rbx once in protected mode).
 *
 * The parameter block below mirrors struct mm_stub_params in emu/stub.h;
 * the info table at STUB_INFO lets the C side check that both agree.
 */

/* Parameter block offsets: mirror struct mm_stub_params (emu/stub.h). */
	.equ	P_STACK_TOP, 0x00
	.equ	P_STACK_SIZE, 0x08
	.equ	P_CR3, 0x10
	.equ	P_GDT, 0x18		/* limit (2 bytes), base (4 bytes) */
	.equ	P_PM32, 0x20		/* far pointer m16:32 to pm32 */
	.equ	P_LM64, 0x28		/* far pointer m16:32 to lm64 */
	.equ	P_HOST_ENTRY, 0x30
	.equ	P_CPU_INDEX, 0x38
	.equ	P_CANARY, 0x40
	.equ	P_SELF, 0x48		/* linear address of the block */
	.equ	P_SETUP, 0x50		/* far pointer m16:32 to setup16 */
	.equ	P_RELOC_FIELD, 0x56	/* save-state offset of SMBASE, from SMBASE */
	.equ	P_RELOC_SMBASE, 0x58	/* the SMBASE to relocate to */
	.equ	P_SIZE, 0x60

	.equ	PARAMS16, 0x9000	/* the block, relative to SMBASE (CS base) */
	.equ	STUB_INFO, 0x800	/* info table, relative to the stub start */

	.equ	SEL_CODE32, 0x08	/* GDT built by emu/stub.c */
	.equ	SEL_DATA, 0x10
	.equ	SEL_CODE64, 0x18

	.equ	CR0_PE, 0x00000001
	.equ	CR0_PG, 0x80000000
	.equ	CR4_PAE, 0x00000020
	.equ	MSR_EFER, 0xC0000080
	.equ	EFER_LME, 0x00000100

	.text
	.globl	_start
_start:
	.code16
entry16:
	lgdtl	%cs:(PARAMS16 + P_GDT)
	movl	%cs:(PARAMS16 + P_SELF), %ebx
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*%cs:(PARAMS16 + P_PM32)

	.code32
pm32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	P_CR3(%ebx), %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmpl	*P_LM64(%ebx)

	.code64
lm64:
	movq	P_STACK_TOP(%rbx), %rsp
	movq	P_CPU_INDEX(%rbx), %rcx
	subq	$0x28, %rsp		/* shadow space, 16-byte alignment at the call */
	callq	*P_HOST_ENTRY(%rbx)
after_call:
	addq	$0x28, %rsp
	rsm

/*
 * Setup routine (run once per CPU and SMBASE by emu/stub.c, never on an
 * SMI): from the engine's 64-bit reset state, jump to a 16-bit code
 * descriptor whose base is SMBASE, clear CR0.PE (the hidden CS base
 * survives) and halt. The context left behind is the CPU's SMM entry state.
 */
	.code64
setup64:
	ljmpl	*P_SETUP(%rbx)
	.code16
setup16:
	movl	%cr0, %eax
	andl	$~CR0_PE, %eax
	movl	%eax, %cr0
	hlt

/*
 * SMBASE relocation handler, run at the default SMBASE: writes the new
 * SMBASE into the save-state map and resumes. RSM makes it take effect.
 */
	.code16
reloc16:
	movl	%cs:(PARAMS16 + P_RELOC_SMBASE), %eax
	movw	%cs:(PARAMS16 + P_RELOC_FIELD), %si
	movl	%eax, %cs:(%si)
	rsm
stub_end:

/* Info table: mirrors struct mm_stub_info (emu/stub.h). */
	.org	STUB_INFO
	.ascii	"MMSTUB01"
	.long	stub_end - _start
	.long	pm32 - _start
	.long	lm64 - _start
	.long	after_call - _start
	.long	setup64 - _start
	.long	setup16 - _start
	.long	reloc16 - _start
	.long	PARAMS16
	.long	P_STACK_TOP, P_STACK_SIZE, P_CR3, P_GDT, P_PM32, P_LM64, P_HOST_ENTRY
	.long	P_CPU_INDEX, P_CANARY, P_SELF, P_SETUP, P_RELOC_FIELD, P_RELOC_SMBASE, P_SIZE
	.section .note.GNU-stack,"",@progbits

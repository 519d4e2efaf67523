/* SPDX-License-Identifier: MIT */
/* Shared by the thunk and guest-call tests: guest code placed in SMRAM. */
#ifndef TESTS_EMU_GUEST_SUPPORT_H
#define TESTS_EMU_GUEST_SUPPORT_H

#include <string.h>

#include "core/image.h"
#include "core/page.h"
#include "emu/guest.h"
#include "emu-support.h"

/*
 * Copies code (len bytes) to a fresh SMRAM page registered as an emulated
 * image named name; returns its guest address.
 */
static inline uint64_t guest_code(struct mm_machine *m, const char *name, const void *code,
				  size_t len)
{
	uint64_t addr = 0;

	if (mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode, 1, &addr, true))
		fail_msg("no SMRAM page: %s", mm_machine_error(m));
	memset((void *)(uintptr_t)addr, 0xCC, EFI_PAGE_SIZE);
	memcpy((void *)(uintptr_t)addr, code, len);
	if (!mm_image_add(m, name, NULL, addr, EFI_PAGE_SIZE, MM_ENGINE_EMULATED))
		fail_msg("mm_image_add failed");
	return addr;
}

/* mov rax,rcx; mov rcx,rdx; mov rdx,r8; mov r8,r9; sub rsp,0x28; call rax; add rsp,0x28; ret */
static const uint8_t guest_trampoline[] = { 0x48, 0x89, 0xC8, 0x48, 0x89, 0xD1, 0x4C, 0x89,
					    0xC2, 0x4D, 0x89, 0xC8, 0x48, 0x83, 0xEC, 0x28,
					    0xFF, 0xD0, 0x48, 0x83, 0xC4, 0x28, 0xC3 };

#endif /* TESTS_EMU_GUEST_SUPPORT_H */

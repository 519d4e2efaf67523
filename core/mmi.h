/* SPDX-License-Identifier: MIT */
/*
 * MMI handlers (PI 1.8 vol. 4, sections 4.2 MmiManage / MmiHandlerRegister /
 * MmiHandlerUnRegister).
 *
 * Dispatch rules, as implemented and tested (tests/core/mmi-test.c):
 *  - handlers of one type run in registration order;
 *  - for a GUID type: EFI_SUCCESS ends the dispatch and MmiManage returns
 *    EFI_SUCCESS; EFI_INTERRUPT_PENDING ends it and is returned (even after
 *    an earlier EFI_WARN_INTERRUPT_SOURCE_QUIESCED: PI 1.8 vol. 4, Manage());
 *    EFI_WARN_INTERRUPT_SOURCE_QUIESCED and _PENDING and errors let the next
 *    handler run;
 *  - for the root type (NULL): every handler runs; EFI_INTERRUPT_PENDING is
 *    remembered but does not stop the others;
 *  - the result is EFI_SUCCESS when some handler returned EFI_SUCCESS or
 *    EFI_WARN_INTERRUPT_SOURCE_QUIESCED, EFI_INTERRUPT_PENDING when one
 *    returned that and none succeeded, EFI_WARN_INTERRUPT_SOURCE_PENDING when
 *    that was the best result, else EFI_NOT_FOUND (also when no handler is
 *    registered for the type);
 *  - MmiHandlerUnRegister during a dispatch marks the entry and removes it
 *    when the outermost MmiManage returns; a marked handler is not called;
 *    a handler registered during a dispatch of its type runs from the next
 *    dispatch on;
 *  - a handler whose call fails (no engine for it) counts as an error
 *    status; when the guest stops, the dispatch ends with EFI_ABORTED;
 *  - MmiManage may nest (a handler can call it); the depth is tracked and
 *    bounded (MM_MMI_MAX_DEPTH), deeper calls return EFI_ABORTED.
 */
#ifndef CORE_MMI_H
#define CORE_MMI_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/error.h>
#include <pi/mm-system-table.h>

struct mm_machine;
struct mm_mmi_entry;
struct mm_mmi_handler;

#define MM_MMI_MAX_DEPTH 16

struct mm_mmi {
	struct mm_mmi_entry *entries; /* one per handler type (NULL GUID = root) */
	unsigned depth;               /* current MmiManage nesting */
	unsigned max_depth;           /* deepest nesting seen */
	bool pending_removal;         /* some handler was unregistered during dispatch */
	uint64_t dispatch_count;      /* handlers called, for reports */
	uint64_t gen;                 /* bumps on every (un)registration (snapshots) */
};

void mm_mmi_fini(struct mm_machine *m);

/*
 * Registers handler for type (NULL: root) and stores its dispatch handle in
 * *dispatch_handle. Registration after ReadyToLock works and is logged.
 * Returns MM_OK, MM_ERR_INVALID (NULL handler or dispatch_handle), MM_ERR_NOMEM.
 */
enum mm_err mm_mmi_register(struct mm_machine *m, uint64_t handler, const EFI_GUID *type,
			    EFI_HANDLE *dispatch_handle);
/* Unregisters (deferred during dispatch). MM_OK or MM_ERR_INVALID (unknown handle). */
enum mm_err mm_mmi_unregister(struct mm_machine *m, EFI_HANDLE dispatch_handle);
/* Runs the handlers of type by the rules above; returns their combined status. */
EFI_STATUS mm_mmi_manage(struct mm_machine *m, const EFI_GUID *type, const void *context,
			 void *comm_buffer, UINTN *comm_size);
/*
 * The address of the first live handler registered for type (NULL: root), or
 * 0 when there is none (the debugger's "break at this handler").
 */
uint64_t mm_mmi_first_handler(const struct mm_machine *m, const EFI_GUID *type);
/* Unregisters every handler whose code lies in [base, base+size). Returns the count. */
unsigned mm_mmi_purge_range(struct mm_machine *m, uint64_t base, uint64_t size);

EFI_STATUS EFIAPI MmiManage(CONST EFI_GUID *HandlerType, CONST VOID *Context, VOID *CommBuffer,
			    UINTN *CommBufferSize);
EFI_STATUS EFIAPI MmiHandlerRegister(EFI_MM_HANDLER_ENTRY_POINT Handler,
				     CONST EFI_GUID *HandlerType, EFI_HANDLE *DispatchHandle);
EFI_STATUS EFIAPI MmiHandlerUnRegister(EFI_HANDLE DispatchHandle);

#endif /* CORE_MMI_H */

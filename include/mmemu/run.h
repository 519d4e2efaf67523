/* SPDX-License-Identifier: MIT */
/* Driving MM at runtime: SMIs, MM communicate, the end of initialization. */
#ifndef MMEMU_RUN_H
#define MMEMU_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/*
 * Raises a software SMI the way software does: writes data to the APM status
 * port 0xB3, then value to the APM control port 0xB2, on CPU cpu. When the
 * chipset has SMIs enabled every CPU enters MM, the root MMI handlers run and
 * the SW child dispatcher calls the handler registered for value.
 * Returns MM_OK (the SMI ran, or was masked by the chipset), MM_ERR_INVALID
 * (no such CPU) or MM_ERR_STOPPED (the guest stopped: see the stop record).
 */
enum mm_err mm_sw_smi(struct mm_machine *m, unsigned cpu, uint8_t value, uint8_t data);

/*
 * MM communicate with an EFI_MM_COMMUNICATE_HEADER already in guest memory at
 * buffer (outside SMRAM), *size bytes long. The header is validated, the
 * handlers registered for its HeaderGuid run on the message, and the
 * header's MessageLength is updated. *size is updated to header plus the new
 * message length. *status receives the EFI_STATUS of MmiManage (or of the
 * validation: EFI_INVALID_PARAMETER, EFI_ACCESS_DENIED, EFI_BAD_BUFFER_SIZE).
 * Returns MM_OK when the request reached MM or was refused by validation
 * (see *status), MM_ERR_STOPPED when the guest stopped.
 */
enum mm_err mm_communicate(struct mm_machine *m, uint64_t buffer, uint64_t *size,
			   uint64_t *status);

/*
 * Convenience form of mm_communicate: builds the header for guid (16 bytes,
 * EFI_GUID layout) and the len bytes of msg in a normal-world buffer of
 * buf_size bytes (0: header plus len) it allocates, communicates, copies the
 * returned message (at most *reply_len bytes) to reply and stores its length in
 * *reply_len. reply may be NULL. Returns as mm_communicate, or MM_ERR_INVALID
 * / MM_ERR_NOMEM.
 */
enum mm_err mm_communicate_msg(struct mm_machine *m, const uint8_t guid[16], const void *msg,
			       uint64_t len, uint64_t buf_size, void *reply, uint64_t *reply_len,
			       uint64_t *status);

/* Signals the end of DXE: installs the MM EndOfDxe protocol (notifies run). */
enum mm_err mm_end_of_dxe(struct mm_machine *m);
/*
 * Signals ReadyToLock: installs the MM ReadyToLock protocol (notifies run),
 * then closes and locks SMRAM. Implies EndOfDxe when that has not happened.
 */
enum mm_err mm_ready_to_lock(struct mm_machine *m);

enum mm_smram_state {
	MM_SMRAM_OPEN,   /* visible to code outside SMM */
	MM_SMRAM_CLOSED, /* hidden from code outside SMM, can be reopened */
	MM_SMRAM_LOCKED, /* closed until reset */
};
/* Returns the SMRAM state of m. */
enum mm_smram_state mm_smram_state(const struct mm_machine *m);
/*
 * Opens, closes or locks SMRAM as the chipset register would. Returns MM_OK or
 * MM_ERR_DENIED (opening after lock).
 */
enum mm_err mm_smram_set_state(struct mm_machine *m, enum mm_smram_state state);

#endif /* MMEMU_RUN_H */

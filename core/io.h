/* SPDX-License-Identifier: MIT */
/*
 * Port and MMIO buses. Devices (devices/) register ranges with callbacks;
 * the CPU model, EFI_MM_CPU_IO_PROTOCOL and the public API all reach devices
 * through mm_io_read/mm_io_write. An access no device claims reads as all ones
 * and its writes are dropped (logged under "io").
 */
#ifndef CORE_IO_H
#define CORE_IO_H

#include <stdbool.h>
#include <stdint.h>

#include <pi/mm-cpu-io.h>

struct mm_machine;

enum mm_io_space { MM_IO_PORT, MM_IO_MMIO };

/* size is 1, 2, 4 or 8 bytes; addr is the absolute port or physical address. */
typedef uint64_t (*mm_io_read_fn)(struct mm_machine *m, void *user, uint64_t addr,
				  unsigned size);
typedef void (*mm_io_write_fn)(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			       uint64_t value);

struct mm_io_range {
	uint64_t base;
	uint64_t len;
	mm_io_read_fn read;
	mm_io_write_fn write;
	void *user;
	const char *name;
};

struct mm_io {
	struct mm_io_range *ranges[2]; /* per space, sorted by base */
	unsigned count[2];
	unsigned cap[2];
};

/*
 * Claims [base, base+len) of space for a device. Returns MM_OK,
 * MM_ERR_EXISTS (overlaps a claimed range), MM_ERR_INVALID, MM_ERR_NOMEM.
 */
enum mm_err mm_io_add(struct mm_machine *m, enum mm_io_space space, uint64_t base, uint64_t len,
		      mm_io_read_fn read, mm_io_write_fn write, void *user, const char *name);
/*
 * Releases the range of space that starts at base (a device moving or
 * disarming its decode). Returns MM_OK or MM_ERR_NOT_FOUND (no range starts
 * there). Not from inside that range's own callback.
 */
enum mm_err mm_io_remove(struct mm_machine *m, enum mm_io_space space, uint64_t base);
uint64_t mm_io_read(struct mm_machine *m, enum mm_io_space space, uint64_t addr, unsigned size);
void mm_io_write(struct mm_machine *m, enum mm_io_space space, uint64_t addr, unsigned size,
		 uint64_t value);
void mm_io_fini(struct mm_machine *m);

/* EFI_MM_CPU_IO_PROTOCOL members for the MMST's MmIo (PI 1.8 vol. 4, 7.2). */
EFI_STATUS EFIAPI MmMemRead(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			    UINT64 Address, UINTN Count, VOID *Buffer);
EFI_STATUS EFIAPI MmMemWrite(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			     UINT64 Address, UINTN Count, VOID *Buffer);
EFI_STATUS EFIAPI MmIoRead(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			   UINT64 Address, UINTN Count, VOID *Buffer);
EFI_STATUS EFIAPI MmIoWrite(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			    UINT64 Address, UINTN Count, VOID *Buffer);

#endif /* CORE_IO_H */

/* SPDX-License-Identifier: MIT */
/*
 * The Foundation's view of the CPUs: how many, which one executes, the
 * save-state interface and the CPU-model interface.
 *
 * The CPU model (emu/) implements struct mm_cpu_ops and a save-state layout
 * (struct mm_save_state_ops) and registers them with mm_cpus_set_model().
 * Until one is registered, a host-side store serves native runs: each CPU's
 * outside registers are plain values, and the SMI path (core/smi.c) runs the
 * Foundation directly on the host.
 */
#ifndef CORE_CPU_H
#define CORE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/cpu.h>
#include <pi/mm-cpu.h>
#include <pi/mm-system-table.h>

struct mm_machine;

/* A save-state map layout: how the registers of a CPU in SMM are read and written. */
struct mm_save_state_ops {
	const char *name;
	uint32_t revision; /* the SMM revision identifier the layout reports */
	/* Reads width bytes of reg of cpu into buf. MM_OK, MM_ERR_NOT_FOUND
	 * (register not in this layout / no I/O info), MM_ERR_INVALID (width). */
	enum mm_err (*get_reg)(struct mm_machine *m, unsigned cpu,
			       EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, void *buf);
	/* Writes width bytes of buf to reg of cpu; takes effect at RSM. */
	enum mm_err (*set_reg)(struct mm_machine *m, unsigned cpu,
			       EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, const void *buf);
	/* Describes the I/O instruction that caused the SMI on cpu. */
	enum mm_err (*io_info)(struct mm_machine *m, unsigned cpu,
			       EFI_MM_SAVE_STATE_IO_INFO *info);
};

/* The CPU model: calls into emulated code and SMI delivery. */
struct mm_cpu_ops {
	/* Calls emulated fn on the executing CPU (see mm_call). */
	enum mm_err (*call)(struct mm_machine *m, unsigned cpu, uint64_t fn, unsigned nargs,
			    const uint64_t *args, uint64_t *ret);
	/* Delivers the pending SMI to every CPU; source_cpu executed the trigger. */
	enum mm_err (*smi)(struct mm_machine *m, unsigned source_cpu);
	/* Runs procedure(arg) on AP cpu (MmStartupThisAp). */
	enum mm_err (*startup_ap)(struct mm_machine *m, unsigned cpu, uint64_t procedure,
				  uint64_t arg);
	/* Outside-SMM register access for the public API. */
	enum mm_err (*get_reg)(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t *v);
	enum mm_err (*set_reg)(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t v);
	/*
	 * Optional: CPU cpu executes OUT 0xB3 (data) and OUT 0xB2 (value) in its
	 * outside state, takes the SMI that follows and returns after RSM
	 * (mm_sw_smi). NULL: core writes the ports itself.
	 */
	enum mm_err (*sw_smi)(struct mm_machine *m, unsigned cpu, uint8_t value, uint8_t data);
};

/* Host-side store of one CPU (no CPU model). */
struct mm_cpu_host {
	uint64_t reg[MM_REG_COUNT];
	EFI_MM_SAVE_STATE_IO_INFO io;
	bool io_valid;
};

struct mm_cpus {
	unsigned count;
	unsigned executing;  /* CPU running Foundation code now */
	unsigned bsp;        /* monarch of the current SMI */
	bool in_smm;
	const struct mm_save_state_ops *save_state;
	const struct mm_cpu_ops *model; /* NULL: host path */
	void *model_data;
	struct mm_cpu_host *host;       /* count entries */
	UINTN *save_state_size;         /* SMRAM arrays the MMST points to */
	VOID **save_state_ptr;
	EFI_MM_CPU_PROTOCOL *protocol;  /* in SMRAM */
};

/* Sets up count CPUs with the host store and installs EFI_MM_CPU_PROTOCOL. */
enum mm_err mm_cpus_init(struct mm_machine *m, unsigned count);
void mm_cpus_fini(struct mm_machine *m);
/* Registers the CPU model and its save-state layout (emu/ calls this). */
void mm_cpus_set_model(struct mm_machine *m, const struct mm_cpu_ops *ops,
		       const struct mm_save_state_ops *ss, void *data);
/* The host store's save-state ops (registers of struct mm_cpu_host). */
extern const struct mm_save_state_ops mm_save_state_host;

/* EFI_MM_CPU_PROTOCOL (PI 1.8 vol. 4, 7.1) and MmStartupThisAp. */
EFI_STATUS EFIAPI MmReadSaveState(CONST EFI_MM_CPU_PROTOCOL *This, UINTN Width,
				  EFI_MM_SAVE_STATE_REGISTER Register, UINTN CpuIndex,
				  VOID *Buffer);
EFI_STATUS EFIAPI MmWriteSaveState(CONST EFI_MM_CPU_PROTOCOL *This, UINTN Width,
				   EFI_MM_SAVE_STATE_REGISTER Register, UINTN CpuIndex,
				   CONST VOID *Buffer);
EFI_STATUS EFIAPI MmStartupThisAp(EFI_AP_PROCEDURE Procedure, UINTN CpuNumber,
				  VOID *ProcArguments);

#endif /* CORE_CPU_H */

/* SPDX-License-Identifier: MIT */
/*
 * The CPUs as the Foundation sees them: the host-side register store used
 * when no CPU model is registered, EFI_MM_CPU_PROTOCOL (PI 1.8 vol. 4, 7.1)
 * over the registered save-state layout, and MmStartupThisAp.
 *
 * On the host path a CPU's outside registers and its save state are the same
 * values (struct mm_cpu_host): a write to the save state during an SMI is
 * what the interrupted code sees after the (implicit) RSM.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "handle.h"
#include "machine.h"

/* Bytes of the per-CPU SMRAM block CpuSaveState[i] points to on the host path. */
#define MM_HOST_SAVE_STATE_SIZE 0x400

/* Where an EFI save-state register lives in the host store, and how wide it is. */
struct host_reg {
	EFI_MM_SAVE_STATE_REGISTER efi;
	enum mm_reg reg;
	uint8_t width;    /* largest access in bytes */
	bool writable;    /* writes take effect at RSM (EDK2 allows GPRs, RIP, RFLAGS) */
};

/* PI register numbers (include/pi/mm-cpu.h) to the host store. */
static const struct host_reg host_regs[] = {
	{ EFI_MM_SAVE_STATE_REGISTER_GDTBASE, MM_REG_GDTR_BASE, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_IDTBASE, MM_REG_IDTR_BASE, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_GDTLIMIT, MM_REG_GDTR_LIMIT, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_IDTLIMIT, MM_REG_IDTR_LIMIT, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_ES, MM_REG_ES, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CS, MM_REG_CS, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_SS, MM_REG_SS, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DS, MM_REG_DS, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_FS, MM_REG_FS, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_GS, MM_REG_GS, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_LDTR_SEL, MM_REG_LDTR, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_TR_SEL, MM_REG_TR, 4, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DR7, MM_REG_DR7, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DR6, MM_REG_DR6, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_R8, MM_REG_R8, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R9, MM_REG_R9, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R10, MM_REG_R10, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R11, MM_REG_R11, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R12, MM_REG_R12, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R13, MM_REG_R13, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R14, MM_REG_R14, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R15, MM_REG_R15, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RAX, MM_REG_RAX, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RBX, MM_REG_RBX, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RCX, MM_REG_RCX, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RDX, MM_REG_RDX, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RSP, MM_REG_RSP, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RBP, MM_REG_RBP, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RSI, MM_REG_RSI, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RDI, MM_REG_RDI, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RIP, MM_REG_RIP, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RFLAGS, MM_REG_RFLAGS, 8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_CR0, MM_REG_CR0, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CR3, MM_REG_CR3, 8, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CR4, MM_REG_CR4, 8, false },
};

static const char *const reg_names[MM_REG_COUNT] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags", "cr0", "cr3", "cr4", "efer",
	"cs", "ds", "es", "fs", "gs", "ss",
	"gdtr_base", "gdtr_limit", "idtr_base", "idtr_limit",
	"ldtr", "tr", "dr6", "dr7",
};

const char *mm_reg_name(enum mm_reg reg)
{
	return (unsigned)reg < MM_REG_COUNT ? reg_names[reg] : NULL;
}

unsigned mm_cpu_count(const struct mm_machine *m)
{
	return m->cpus.count;
}

static const struct host_reg *host_reg_find(EFI_MM_SAVE_STATE_REGISTER reg)
{
	for (size_t i = 0; i < sizeof(host_regs) / sizeof(host_regs[0]); i++)
		if (host_regs[i].efi == reg)
			return &host_regs[i];
	return NULL;
}

static bool width_ok(UINTN width, UINTN max)
{
	return (width == 1 || width == 2 || width == 4 || width == 8) && width <= max;
}

/*
 * The host layout's register read: the low width bytes of the stored value.
 * LMA reads as 64-bit (the host path models a CPU interrupted in long mode).
 */
static enum mm_err host_get_reg(struct mm_machine *m, unsigned cpu,
				EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, void *buf)
{
	const struct host_reg *r;
	uint64_t v;

	if (reg == EFI_MM_SAVE_STATE_REGISTER_LMA) {
		if (width != 1 && width != 4 && width != 8)
			return MM_ERR_INVALID;
		v = EFI_MM_SAVE_STATE_REGISTER_LMA_64BIT;
		memcpy(buf, &v, width);
		return MM_OK;
	}
	r = host_reg_find(reg);
	if (!r)
		return MM_ERR_NOT_FOUND;
	if (!width_ok(width, r->width))
		return MM_ERR_INVALID;
	v = m->cpus.host[cpu].reg[r->reg];
	memcpy(buf, &v, width); /* little-endian: the low bytes */
	return MM_OK;
}

/* The host layout's register write: replaces the low width bytes. */
static enum mm_err host_set_reg(struct mm_machine *m, unsigned cpu,
				EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, const void *buf)
{
	const struct host_reg *r = host_reg_find(reg);
	uint64_t v;

	if (!r)
		return MM_ERR_NOT_FOUND;
	if (!width_ok(width, r->width))
		return MM_ERR_INVALID;
	if (!r->writable)
		return MM_ERR_UNSUPPORTED;
	v = m->cpus.host[cpu].reg[r->reg];
	memcpy(&v, buf, width);
	m->cpus.host[cpu].reg[r->reg] = v;
	return MM_OK;
}

static enum mm_err host_io_info(struct mm_machine *m, unsigned cpu,
				EFI_MM_SAVE_STATE_IO_INFO *info)
{
	const struct mm_cpu_host *h = &m->cpus.host[cpu];

	if (!h->io_valid)
		return MM_ERR_NOT_FOUND;
	*info = h->io;
	return MM_OK;
}

const struct mm_save_state_ops mm_save_state_host = {
	.name = "host",
	.revision = 0x30064, /* what Intel64 CPUs report; the host store has no map */
	.get_reg = host_get_reg,
	.set_reg = host_set_reg,
	.io_info = host_io_info,
};

/* Outside-SMM state a CPU plausibly has when an OS runs: 64-bit long mode. */
static void host_defaults(struct mm_cpu_host *h)
{
	h->reg[MM_REG_RFLAGS] = 0x2;
	h->reg[MM_REG_CR0] = 0x80050033; /* PG WP AM NE ET MP PE */
	h->reg[MM_REG_CR4] = 0x668;      /* OSXMMEXCPT OSFXSR MCE PAE DE */
	h->reg[MM_REG_EFER] = 0xd00;     /* NXE LMA LME */
	h->reg[MM_REG_CS] = 0x38;
	h->reg[MM_REG_DS] = h->reg[MM_REG_ES] = h->reg[MM_REG_SS] = 0x30;
	h->reg[MM_REG_FS] = h->reg[MM_REG_GS] = 0x30;
	h->reg[MM_REG_DR6] = 0xffff0ff0;
	h->reg[MM_REG_DR7] = 0x400;
}

/* Allocates the SMRAM arrays the MMST points to and the per-CPU blocks. */
static enum mm_err alloc_save_state(struct mm_machine *m, unsigned count)
{
	uint8_t *blocks;

	m->cpus.save_state_size = mm_pool_zalloc(m, EfiRuntimeServicesData,
						 count * sizeof(UINTN), true);
	m->cpus.save_state_ptr = mm_pool_zalloc(m, EfiRuntimeServicesData,
						count * sizeof(VOID *), true);
	blocks = mm_pool_zalloc(m, EfiRuntimeServicesData,
				(uint64_t)count * MM_HOST_SAVE_STATE_SIZE, true);
	if (!m->cpus.save_state_size || !m->cpus.save_state_ptr || !blocks)
		return mm_fail(m, MM_ERR_NOMEM, "CPU save-state arrays for %u CPUs: out of SMRAM",
			       count);
	for (unsigned i = 0; i < count; i++) {
		m->cpus.save_state_size[i] = MM_HOST_SAVE_STATE_SIZE;
		m->cpus.save_state_ptr[i] = blocks + (size_t)i * MM_HOST_SAVE_STATE_SIZE;
	}
	return MM_OK;
}

static enum mm_err install_protocol(struct mm_machine *m)
{
	EFI_HANDLE handle = NULL;

	m->cpus.protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(EFI_MM_CPU_PROTOCOL),
					  true);
	if (!m->cpus.protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_CPU_PROTOCOL: out of SMRAM");
	m->cpus.protocol->ReadSaveState = MmReadSaveState;
	m->cpus.protocol->WriteSaveState = MmWriteSaveState;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmCpuProtocolGuid,
				   m->cpus.protocol);
}

enum mm_err mm_cpus_init(struct mm_machine *m, unsigned count)
{
	enum mm_err err;

	if (count == 0 || count > MM_MAX_CPUS)
		return mm_fail(m, MM_ERR_INVALID, "CPU count %u (1..%d allowed)", count,
			       MM_MAX_CPUS);
	m->cpus.host = calloc(count, sizeof(*m->cpus.host));
	if (!m->cpus.host)
		return mm_fail(m, MM_ERR_NOMEM, "host store for %u CPUs: out of memory", count);
	m->cpus.count = count;
	m->cpus.save_state = &mm_save_state_host;
	for (unsigned i = 0; i < count; i++)
		host_defaults(&m->cpus.host[i]);
	err = alloc_save_state(m, count);
	if (!err)
		err = install_protocol(m);
	if (err)
		return err;
	if (m->mmst) {
		m->mmst->NumberOfCpus = count;
		m->mmst->CpuSaveStateSize = m->cpus.save_state_size;
		m->mmst->CpuSaveState = m->cpus.save_state_ptr;
	}
	return MM_OK;
}

void mm_cpus_fini(struct mm_machine *m)
{
	/* The SMRAM arrays and the protocol go with the pool. */
	free(m->cpus.host);
	m->cpus.host = NULL;
	m->cpus.count = 0;
}

void mm_cpus_set_model(struct mm_machine *m, const struct mm_cpu_ops *ops,
		       const struct mm_save_state_ops *ss, void *data)
{
	m->cpus.model = ops;
	m->cpus.save_state = ss ? ss : &mm_save_state_host;
	m->cpus.model_data = data;
}

/*
 * The checks both save-state services share (PI 1.8 vol. 4, 7.1): a machine
 * to work on, an existing CPU, a buffer the caller may hand us.
 */
static EFI_STATUS save_state_args(struct mm_machine *m, const char *service, UINTN width,
				  EFI_MM_SAVE_STATE_REGISTER reg, UINTN cpu, const void *buf)
{
	if (cpu >= m->cpus.count || !buf || width == 0 || !mm_caller_ptr_ok(m, buf, width)) {
		mm_log(m, MM_LOG_WARN, "%s by %s: register %d, width %llu, CPU %llu of %u, "
		       "buffer %p refused", service, mm_executing_name(m), (int)reg,
		       (unsigned long long)width, (unsigned long long)cpu, m->cpus.count, buf);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* The pseudo-register PROCESSOR_ID: the APIC id, which is the CPU index here. */
static EFI_STATUS read_processor_id(UINTN width, UINTN cpu, VOID *buf)
{
	uint64_t id = cpu;

	if (width != sizeof(id))
		return EFI_INVALID_PARAMETER;
	memcpy(buf, &id, sizeof(id));
	return EFI_SUCCESS;
}

/* The pseudo-register IO: the I/O instruction that caused the SMI, if one did. */
static EFI_STATUS read_io_info(struct mm_machine *m, UINTN width, UINTN cpu, VOID *buf)
{
	EFI_MM_SAVE_STATE_IO_INFO info;
	enum mm_err err;

	if (width < sizeof(info))
		return EFI_INVALID_PARAMETER;
	memset(&info, 0, sizeof(info));
	if (!m->cpus.save_state->io_info)
		return EFI_NOT_FOUND;
	err = m->cpus.save_state->io_info(m, (unsigned)cpu, &info);
	if (err)
		return mm_err_to_efi(err);
	memcpy(buf, &info, sizeof(info));
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI MmReadSaveState(CONST EFI_MM_CPU_PROTOCOL *This, UINTN Width,
				  EFI_MM_SAVE_STATE_REGISTER Register, UINTN CpuIndex,
				  VOID *Buffer)
{
	struct mm_machine *m = mm_current();
	EFI_STATUS status;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	status = save_state_args(m, "ReadSaveState", Width, Register, CpuIndex, Buffer);
	if (status)
		return status;
	if (Register == EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID)
		status = read_processor_id(Width, CpuIndex, Buffer);
	else if (Register == EFI_MM_SAVE_STATE_REGISTER_IO)
		status = read_io_info(m, Width, CpuIndex, Buffer);
	else
		status = mm_err_to_efi(m->cpus.save_state->get_reg(m, (unsigned)CpuIndex,
								    Register, Width, Buffer));
	mm_log(m, MM_LOG_CPU, "ReadSaveState(register %d, width %llu, CPU %llu) by %s: 0x%llx",
	       (int)Register, (unsigned long long)Width, (unsigned long long)CpuIndex,
	       mm_executing_name(m), (unsigned long long)status);
	return status;
}

EFI_STATUS EFIAPI MmWriteSaveState(CONST EFI_MM_CPU_PROTOCOL *This, UINTN Width,
				   EFI_MM_SAVE_STATE_REGISTER Register, UINTN CpuIndex,
				   CONST VOID *Buffer)
{
	struct mm_machine *m = mm_current();
	EFI_STATUS status;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	status = save_state_args(m, "WriteSaveState", Width, Register, CpuIndex, Buffer);
	if (status)
		return status;
	switch (Register) {
	case EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID:
		status = EFI_INVALID_PARAMETER; /* read-only by definition */
		break;
	case EFI_MM_SAVE_STATE_REGISTER_LMA:
		status = EFI_SUCCESS; /* the mode is not changed by a save-state write: ignored */
		break;
	case EFI_MM_SAVE_STATE_REGISTER_IO:
		status = EFI_NOT_FOUND;
		break;
	default:
		status = mm_err_to_efi(m->cpus.save_state->set_reg(m, (unsigned)CpuIndex,
								    Register, Width, Buffer));
	}
	mm_log(m, MM_LOG_CPU, "WriteSaveState(register %d, width %llu, CPU %llu) by %s: 0x%llx",
	       (int)Register, (unsigned long long)Width, (unsigned long long)CpuIndex,
	       mm_executing_name(m), (unsigned long long)status);
	return status;
}

/* Runs procedure(arg) with cpu as the executing CPU, then returns to the caller's CPU. */
static enum mm_err startup_host(struct mm_machine *m, unsigned cpu, uint64_t procedure,
				uint64_t arg)
{
	unsigned prev = m->cpus.executing;
	enum mm_err err;

	m->cpus.executing = cpu;
	err = mm_call(m, procedure, 1, &arg, NULL);
	m->cpus.executing = prev;
	return err;
}

EFI_STATUS EFIAPI MmStartupThisAp(EFI_AP_PROCEDURE Procedure, UINTN CpuNumber,
				  VOID *ProcArguments)
{
	struct mm_machine *m = mm_current();
	uint64_t proc = (uint64_t)(uintptr_t)Procedure;
	uint64_t arg = (uint64_t)(uintptr_t)ProcArguments;
	enum mm_err err;

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Procedure || CpuNumber >= m->cpus.count || CpuNumber == m->cpus.executing ||
	    !m->cpus.in_smm) {
		mm_log(m, MM_LOG_WARN,
		       "MmStartupThisAp(%s, CPU %llu) by %s on CPU %u%s: refused",
		       MM_ADDR(m, proc), (unsigned long long)CpuNumber,
		       mm_executing_name(m), m->cpus.executing,
		       m->cpus.in_smm ? "" : " outside an SMI");
		return EFI_INVALID_PARAMETER;
	}
	mm_log(m, MM_LOG_CPU, "MmStartupThisAp: %s(0x%llx) on CPU %llu for %s",
	       MM_ADDR(m, proc), (unsigned long long)arg, (unsigned long long)CpuNumber,
	       mm_executing_name(m));
	if (m->cpus.model && m->cpus.model->startup_ap)
		err = m->cpus.model->startup_ap(m, (unsigned)CpuNumber, proc, arg);
	else
		err = startup_host(m, (unsigned)CpuNumber, proc, arg);
	return mm_err_to_efi(err);
}

static enum mm_err reg_args(struct mm_machine *m, unsigned cpu, enum mm_reg reg)
{
	if (cpu >= m->cpus.count)
		return mm_fail(m, MM_ERR_INVALID, "CPU %u: the machine has %u", cpu, m->cpus.count);
	if ((unsigned)reg >= MM_REG_COUNT)
		return mm_fail(m, MM_ERR_INVALID, "register %d: no such register", (int)reg);
	return MM_OK;
}

enum mm_err mm_cpu_set_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t value)
{
	enum mm_err err = reg_args(m, cpu, reg);

	if (err)
		return err;
	if (m->cpus.model && m->cpus.model->set_reg)
		return m->cpus.model->set_reg(m, cpu, reg, value);
	m->cpus.host[cpu].reg[reg] = value;
	return MM_OK;
}

enum mm_err mm_cpu_get_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t *value)
{
	enum mm_err err = reg_args(m, cpu, reg);

	if (err)
		return err;
	if (!value)
		return mm_fail(m, MM_ERR_INVALID, "mm_cpu_get_reg: NULL value");
	if (m->cpus.model && m->cpus.model->get_reg)
		return m->cpus.model->get_reg(m, cpu, reg, value);
	*value = m->cpus.host[cpu].reg[reg];
	return MM_OK;
}

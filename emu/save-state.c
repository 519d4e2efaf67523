/* SPDX-License-Identifier: MIT */
/*
 * The two save-state map layouts behind one ops table.
 *
 * Offsets are from SMBASE; the map occupies SMBASE+0xFC00..SMBASE+0xFFFF.
 *  - Intel 64: Intel SDM vol. 3C, table "SMRAM State Save Map for Intel 64
 *    Architecture" (offsets there are from SMBASE+0x8000: 7FF8h CR0 is
 *    SMBASE+0xFFF8 here), as EDK2 MdePkg/Include/Register/Intel/
 *    SmramSaveStateMap.h (SMRAM_SAVE_STATE_MAP64) spells it.
 *  - AMD64: AMD APM vol. 2, table 10-2 "AMD64 Architecture SMM State-Save
 *    Area" (SMBASE+0xFE00..), as EDK2 MdePkg/Include/Register/Amd/
 *    SmramSaveStateMap.h (AMD_SMRAM_SAVE_STATE_MAP64) and QEMU's
 *    target/i386/smm_helper.c use it.
 * I/O information: Intel IO_MISC (bit 0 valid, bits 1-3 length, bits 4-7
 * type, bits 16-31 port); AMD IO_DWord at 0xFEC0 (bit 0 input, bit 1 valid,
 * bits 4-6 size 8/16/32, bits 16-31 port). The data of the access is AL/AX/
 * EAX of the save state, as EDK2's MmSaveStateLib reads it.
 */
#include <string.h>

#include "emu/model.h"

#define MAP(smbase_off) ((smbase_off) - MM_SAVE_STATE_MAP)

struct ss_field {
	uint16_t off;    /* from SMBASE; 0: not in this layout */
	uint8_t width;   /* bytes at off */
	uint16_t hi_off; /* upper 32 bits stored apart (Intel descriptor bases) */
};

struct ss_layout {
	struct ss_field reg[MM_REG_COUNT];
	uint16_t smbase, revision, io, io_rip;
	bool amd;
};

/* Intel 64 (SDM vol. 3C; EDK2 SMRAM_SAVE_STATE_MAP64). */
static const struct ss_layout intel64 = {
	.reg = {
		[MM_REG_R15] = { 0xFF1C, 8, 0 }, [MM_REG_R14] = { 0xFF24, 8, 0 },
		[MM_REG_R13] = { 0xFF2C, 8, 0 }, [MM_REG_R12] = { 0xFF34, 8, 0 },
		[MM_REG_R11] = { 0xFF3C, 8, 0 }, [MM_REG_R10] = { 0xFF44, 8, 0 },
		[MM_REG_R9] = { 0xFF4C, 8, 0 },  [MM_REG_R8] = { 0xFF54, 8, 0 },
		[MM_REG_RAX] = { 0xFF5C, 8, 0 }, [MM_REG_RCX] = { 0xFF64, 8, 0 },
		[MM_REG_RDX] = { 0xFF6C, 8, 0 }, [MM_REG_RBX] = { 0xFF74, 8, 0 },
		[MM_REG_RSP] = { 0xFF7C, 8, 0 }, [MM_REG_RBP] = { 0xFF84, 8, 0 },
		[MM_REG_RSI] = { 0xFF8C, 8, 0 }, [MM_REG_RDI] = { 0xFF94, 8, 0 },
		[MM_REG_ES] = { 0xFFA8, 4, 0 },  [MM_REG_CS] = { 0xFFAC, 4, 0 },
		[MM_REG_SS] = { 0xFFB0, 4, 0 },  [MM_REG_DS] = { 0xFFB4, 4, 0 },
		[MM_REG_FS] = { 0xFFB8, 4, 0 },  [MM_REG_GS] = { 0xFFBC, 4, 0 },
		[MM_REG_LDTR] = { 0xFFC0, 4, 0 }, [MM_REG_TR] = { 0xFFC4, 4, 0 },
		[MM_REG_DR7] = { 0xFFC8, 8, 0 }, [MM_REG_DR6] = { 0xFFD0, 8, 0 },
		[MM_REG_RIP] = { 0xFFD8, 8, 0 }, [MM_REG_EFER] = { 0xFFE0, 8, 0 },
		[MM_REG_RFLAGS] = { 0xFFE8, 8, 0 }, [MM_REG_CR3] = { 0xFFF0, 8, 0 },
		[MM_REG_CR0] = { 0xFFF8, 8, 0 }, [MM_REG_CR4] = { 0xFE40, 4, 0 },
		[MM_REG_GDTR_BASE] = { 0xFE8C, 4, 0xFDD0 },
		[MM_REG_IDTR_BASE] = { 0xFE94, 4, 0xFDD8 },
	},
	.smbase = 0xFEF8, .revision = 0xFEFC, .io = 0xFFA4, .io_rip = 0xFDE8,
};

/* AMD64 (APM vol. 2 table 10-2; EDK2 AMD_SMRAM_SAVE_STATE_MAP64). */
static const struct ss_layout amd64 = {
	.reg = {
		[MM_REG_ES] = { 0xFE00, 2, 0 }, [MM_REG_CS] = { 0xFE10, 2, 0 },
		[MM_REG_SS] = { 0xFE20, 2, 0 }, [MM_REG_DS] = { 0xFE30, 2, 0 },
		[MM_REG_FS] = { 0xFE40, 2, 0 }, [MM_REG_GS] = { 0xFE50, 2, 0 },
		[MM_REG_GDTR_LIMIT] = { 0xFE64, 2, 0 }, [MM_REG_GDTR_BASE] = { 0xFE68, 8, 0 },
		[MM_REG_LDTR] = { 0xFE70, 2, 0 },
		[MM_REG_IDTR_LIMIT] = { 0xFE84, 2, 0 }, [MM_REG_IDTR_BASE] = { 0xFE88, 8, 0 },
		[MM_REG_TR] = { 0xFE90, 2, 0 }, [MM_REG_EFER] = { 0xFED0, 8, 0 },
		[MM_REG_CR4] = { 0xFF48, 8, 0 }, [MM_REG_CR3] = { 0xFF50, 8, 0 },
		[MM_REG_CR0] = { 0xFF58, 8, 0 }, [MM_REG_DR7] = { 0xFF60, 8, 0 },
		[MM_REG_DR6] = { 0xFF68, 8, 0 }, [MM_REG_RFLAGS] = { 0xFF70, 8, 0 },
		[MM_REG_RIP] = { 0xFF78, 8, 0 }, [MM_REG_R15] = { 0xFF80, 8, 0 },
		[MM_REG_R14] = { 0xFF88, 8, 0 }, [MM_REG_R13] = { 0xFF90, 8, 0 },
		[MM_REG_R12] = { 0xFF98, 8, 0 }, [MM_REG_R11] = { 0xFFA0, 8, 0 },
		[MM_REG_R10] = { 0xFFA8, 8, 0 }, [MM_REG_R9] = { 0xFFB0, 8, 0 },
		[MM_REG_R8] = { 0xFFB8, 8, 0 },  [MM_REG_RDI] = { 0xFFC0, 8, 0 },
		[MM_REG_RSI] = { 0xFFC8, 8, 0 }, [MM_REG_RBP] = { 0xFFD0, 8, 0 },
		[MM_REG_RSP] = { 0xFFD8, 8, 0 }, [MM_REG_RBX] = { 0xFFE0, 8, 0 },
		[MM_REG_RDX] = { 0xFFE8, 8, 0 }, [MM_REG_RCX] = { 0xFFF0, 8, 0 },
		[MM_REG_RAX] = { 0xFFF8, 8, 0 },
	},
	.smbase = 0xFF00, .revision = 0xFEFC, .io = 0xFEC0, .io_rip = 0xFEA0, .amd = true,
};

#define SMM_REVISION 0x30064 /* 64-bit map with I/O information (both vendors) */

/* EFI_MM_SAVE_STATE_REGISTER -> our register, and whether handlers may write it. */
static const struct {
	EFI_MM_SAVE_STATE_REGISTER efi;
	enum mm_reg reg;
	bool writable;
} efi_regs[] = {
	{ EFI_MM_SAVE_STATE_REGISTER_GDTBASE, MM_REG_GDTR_BASE, false },
	{ EFI_MM_SAVE_STATE_REGISTER_IDTBASE, MM_REG_IDTR_BASE, false },
	{ EFI_MM_SAVE_STATE_REGISTER_GDTLIMIT, MM_REG_GDTR_LIMIT, false },
	{ EFI_MM_SAVE_STATE_REGISTER_IDTLIMIT, MM_REG_IDTR_LIMIT, false },
	{ EFI_MM_SAVE_STATE_REGISTER_ES, MM_REG_ES, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CS, MM_REG_CS, false },
	{ EFI_MM_SAVE_STATE_REGISTER_SS, MM_REG_SS, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DS, MM_REG_DS, false },
	{ EFI_MM_SAVE_STATE_REGISTER_FS, MM_REG_FS, false },
	{ EFI_MM_SAVE_STATE_REGISTER_GS, MM_REG_GS, false },
	{ EFI_MM_SAVE_STATE_REGISTER_LDTR_SEL, MM_REG_LDTR, false },
	{ EFI_MM_SAVE_STATE_REGISTER_TR_SEL, MM_REG_TR, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DR7, MM_REG_DR7, false },
	{ EFI_MM_SAVE_STATE_REGISTER_DR6, MM_REG_DR6, false },
	{ EFI_MM_SAVE_STATE_REGISTER_R8, MM_REG_R8, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R9, MM_REG_R9, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R10, MM_REG_R10, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R11, MM_REG_R11, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R12, MM_REG_R12, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R13, MM_REG_R13, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R14, MM_REG_R14, true },
	{ EFI_MM_SAVE_STATE_REGISTER_R15, MM_REG_R15, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RAX, MM_REG_RAX, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RBX, MM_REG_RBX, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RCX, MM_REG_RCX, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RDX, MM_REG_RDX, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RSP, MM_REG_RSP, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RBP, MM_REG_RBP, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RSI, MM_REG_RSI, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RDI, MM_REG_RDI, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RIP, MM_REG_RIP, true },
	{ EFI_MM_SAVE_STATE_REGISTER_RFLAGS, MM_REG_RFLAGS, true },
	{ EFI_MM_SAVE_STATE_REGISTER_CR0, MM_REG_CR0, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CR3, MM_REG_CR3, false },
	{ EFI_MM_SAVE_STATE_REGISTER_CR4, MM_REG_CR4, false },
};

/*
 * Fixed-size accesses: a memcpy of variable size becomes `rep movs`, whose
 * start-up cost made the map the most expensive part of an SMI.
 */
static uint64_t load(const uint8_t *map, uint16_t off, unsigned width)
{
	const uint8_t *p = map + MAP(off);
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (width) { /* little endian host, as the guest */
	case 8:
		memcpy(&v8, p, 8);
		return v8;
	case 4:
		memcpy(&v4, p, 4);
		return v4;
	case 2:
		memcpy(&v2, p, 2);
		return v2;
	default:
		return *p;
	}
}

static void store(uint8_t *map, uint16_t off, unsigned width, uint64_t v)
{
	uint8_t *p = map + MAP(off);
	uint32_t v4 = (uint32_t)v;
	uint16_t v2 = (uint16_t)v;

	switch (width) {
	case 8:
		memcpy(p, &v, 8);
		break;
	case 4:
		memcpy(p, &v4, 4);
		break;
	case 2:
		memcpy(p, &v2, 2);
		break;
	default:
		*p = (uint8_t)v;
		break;
	}
}

static uint64_t field_get(const struct ss_field *f, const uint8_t *map)
{
	uint64_t v = load(map, f->off, f->width);

	if (f->hi_off)
		v |= load(map, f->hi_off, 4) << 32;
	return v;
}

static void field_set(const struct ss_field *f, uint8_t *map, uint64_t v)
{
	store(map, f->off, f->width, v);
	if (f->hi_off)
		store(map, f->hi_off, 4, v >> 32);
}

/* Encodes the I/O access of the triggering instruction in the layout's field. */
static uint32_t io_encode(const struct ss_layout *l, const EFI_MM_SAVE_STATE_IO_INFO *io)
{
	uint32_t bytes = 1u << (io->IoWidth & 3);
	bool in = io->IoType & EFI_MM_SAVE_STATE_IO_TYPE_INPUT;

	if (bytes > 4)
		bytes = 4;
	if (l->amd) /* bit 0 input, bit 1 valid, bits 4-6 size, 16-31 port */
		return (uint32_t)io->IoPort << 16 | (bytes == 1 ? 0x10 : bytes == 2 ? 0x20 : 0x40) |
		       0x2 | (in ? 1 : 0);
	/* SmiFlag, length, type (IN/OUT immediate: 9/8), port */
	return (uint32_t)io->IoPort << 16 | (in ? 0x9u : 0x8u) << 4 | bytes << 1 | 1;
}

static void write_map(const struct ss_layout *l, struct mm_emu *e, unsigned cpu, uint8_t *map,
		      bool with_io)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	const struct mm_cpu_host *h = e->m->cpus.host ? &e->m->cpus.host[cpu] : NULL;
	uint32_t io = 0;

	if (with_io && h && h->io_valid) {
		unsigned bytes = 1u << (h->io.IoWidth & 3);
		uint64_t mask = bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;

		/* The OUT that raised the SMI had its data in AL/AX/EAX. */
		c->reg[MM_REG_RAX] = (c->reg[MM_REG_RAX] & ~mask) | (h->io.IoData & mask);
		io = io_encode(l, &h->io);
	}
	for (unsigned r = 0; r < MM_REG_COUNT; r++)
		if (l->reg[r].off)
			field_set(&l->reg[r], map, c->reg[r]);
	store(map, l->smbase, 4, c->smbase);
	store(map, l->revision, 4, SMM_REVISION);
	store(map, l->io, 4, io);
	store(map, l->io_rip, 8, io ? c->reg[MM_REG_RIP] : 0);
}

static uint64_t restore_map(const struct ss_layout *l, struct mm_emu *e, unsigned cpu,
			    const uint8_t *map)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];

	for (unsigned r = 0; r < MM_REG_COUNT; r++)
		if (l->reg[r].off)
			c->reg[r] = field_get(&l->reg[r], map);
	return load(map, l->smbase, 4);
}

/* The host pointer of cpu's map, while it is in SMM or at any time after relocation. */
static uint8_t *map_of(struct mm_machine *m, unsigned cpu, struct mm_emu **out)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e || cpu >= e->ncpus)
		return NULL;
	*out = e;
	return mm_emu_ptr(e, e->cpu[cpu].smbase + MM_SAVE_STATE_MAP, 0x10000 - MM_SAVE_STATE_MAP);
}

static bool width_ok(UINTN width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

static enum mm_err get_reg(const struct ss_layout *l, struct mm_machine *m, unsigned cpu,
			   EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, void *buf)
{
	struct mm_emu *e;
	uint8_t *map = map_of(m, cpu, &e);
	uint64_t v;

	if (!map || !buf)
		return MM_ERR_INVALID;
	if (reg == EFI_MM_SAVE_STATE_REGISTER_LMA) {
		if (width != 1)
			return MM_ERR_INVALID;
		v = load(map, l->reg[MM_REG_EFER].off, 8) & 0x400 ? 64 : 32;
		*(uint8_t *)buf = (uint8_t)v;
		return MM_OK;
	}
	if (reg == EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID) {
		if (width < 8)
			return MM_ERR_INVALID;
		v = cpu; /* APIC ID: CPU index on this platform */
		memcpy(buf, &v, 8);
		return MM_OK;
	}
	for (size_t i = 0; i < sizeof(efi_regs) / sizeof(efi_regs[0]); i++) {
		if (efi_regs[i].efi != reg)
			continue;
		if (!l->reg[efi_regs[i].reg].off)
			return MM_ERR_NOT_FOUND;
		if (!width_ok(width))
			return MM_ERR_INVALID;
		v = field_get(&l->reg[efi_regs[i].reg], map);
		memcpy(buf, &v, width);
		return MM_OK;
	}
	return MM_ERR_NOT_FOUND;
}

static enum mm_err set_reg(const struct ss_layout *l, struct mm_machine *m, unsigned cpu,
			   EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, const void *buf)
{
	struct mm_emu *e;
	uint8_t *map = map_of(m, cpu, &e);

	if (!map || !buf)
		return MM_ERR_INVALID;
	if (reg == EFI_MM_SAVE_STATE_REGISTER_LMA)
		return MM_OK; /* ignored, as EDK2 does */
	for (size_t i = 0; i < sizeof(efi_regs) / sizeof(efi_regs[0]); i++) {
		const struct ss_field *f = &l->reg[efi_regs[i].reg];
		uint64_t v, mask, nv = 0;

		if (efi_regs[i].efi != reg)
			continue;
		if (!f->off)
			return MM_ERR_NOT_FOUND;
		if (!efi_regs[i].writable)
			return MM_ERR_UNSUPPORTED;
		if (!width_ok(width))
			return MM_ERR_INVALID;
		mask = width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
		memcpy(&nv, buf, width);
		v = (field_get(f, map) & ~mask) | (nv & mask);
		field_set(f, map, v);
		return MM_OK;
	}
	return MM_ERR_NOT_FOUND;
}

static enum mm_err io_info(const struct ss_layout *l, struct mm_machine *m, unsigned cpu,
			   EFI_MM_SAVE_STATE_IO_INFO *info)
{
	struct mm_emu *e;
	uint8_t *map = map_of(m, cpu, &e);
	uint32_t io, bytes;
	bool in;

	if (!map || !info)
		return MM_ERR_INVALID;
	io = (uint32_t)load(map, l->io, 4);
	if (l->amd) {
		if (!(io & 0x2))
			return MM_ERR_NOT_FOUND;
		bytes = io & 0x10 ? 1 : io & 0x20 ? 2 : 4;
		in = io & 1;
	} else {
		uint32_t type = io >> 4 & 0xF;

		if (!(io & 1) || (type != 0 && type != 1 && type != 8 && type != 9))
			return MM_ERR_NOT_FOUND;
		bytes = io >> 1 & 7;
		if (bytes != 1 && bytes != 2 && bytes != 4)
			return MM_ERR_NOT_FOUND;
		in = type & 1;
	}
	memset(info, 0, sizeof(*info));
	info->IoPort = (UINT16)(io >> 16);
	info->IoWidth = bytes == 1 ? EFI_MM_SAVE_STATE_IO_WIDTH_UINT8
			: bytes == 2 ? EFI_MM_SAVE_STATE_IO_WIDTH_UINT16
				     : EFI_MM_SAVE_STATE_IO_WIDTH_UINT32;
	info->IoType = in ? EFI_MM_SAVE_STATE_IO_TYPE_INPUT : EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT;
	info->IoData = load(map, l->reg[MM_REG_RAX].off, bytes);
	return MM_OK;
}

/* The ops tables: one set of thin wrappers per layout. */
#define LAYOUT_OPS(name, l, smbase_off)                                                                \
	static enum mm_err name##_get(struct mm_machine *m, unsigned cpu,                    \
				      EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, void *buf) \
	{                                                                                    \
		return get_reg(&l, m, cpu, reg, width, buf);                                 \
	}                                                                                    \
	static enum mm_err name##_set(struct mm_machine *m, unsigned cpu,                    \
				      EFI_MM_SAVE_STATE_REGISTER reg, UINTN width,           \
				      const void *buf)                                       \
	{                                                                                    \
		return set_reg(&l, m, cpu, reg, width, buf);                                 \
	}                                                                                    \
	static enum mm_err name##_io(struct mm_machine *m, unsigned cpu,                     \
				     EFI_MM_SAVE_STATE_IO_INFO *info)                        \
	{                                                                                    \
		return io_info(&l, m, cpu, info);                                            \
	}                                                                                    \
	static void name##_write(struct mm_emu *e, unsigned cpu, uint8_t *map, bool with_io) \
	{                                                                                    \
		write_map(&l, e, cpu, map, with_io);                                         \
	}                                                                                    \
	static uint64_t name##_restore(struct mm_emu *e, unsigned cpu, const uint8_t *map)   \
	{                                                                                    \
		return restore_map(&l, e, cpu, map);                                         \
	}                                                                                    \
	static const struct mm_save_state_ops name##_ops = {                                 \
		#name, SMM_REVISION, name##_get, name##_set, name##_io,                      \
	};                                                                                   \
	static const struct mm_emu_layout name##_layout = {                                  \
		&name##_ops, SMM_REVISION, smbase_off, name##_write, name##_restore,           \
	};

LAYOUT_OPS(intel64, intel64, 0xFEF8)
LAYOUT_OPS(amd64, amd64, 0xFF00)

const struct mm_emu_layout *mm_emu_layout(enum mm_save_state_layout which)
{
	return which == MM_SAVE_STATE_AMD64 ? &amd64_layout : &intel64_layout;
}

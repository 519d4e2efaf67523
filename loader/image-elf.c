/* SPDX-License-Identifier: MIT */
/*
 * ELF x86-64 driver images for the emulated CPU (not the native drivers of
 * native.c, which the host dlopens): validation with libelf of a whole file
 * held in memory, placing the PT_LOAD segments into a zeroed copy and
 * applying R_X86_64_RELATIVE relocations from the dynamic segment.
 *
 * Only self-contained images are accepted: no DT_NEEDED, no symbol
 * relocations, no PLT. That is what `clang -nostdlib -shared -fpie` with
 * hidden visibility (or -static-pie) produces.
 */
#include <elf.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "loader/image.h"
#include "loader/pe.h"

#define PAGE 4096u
#define PHDR_SIZE sizeof(Elf64_Phdr)

/* The parse in progress. */
struct elf_ctx {
	const uint8_t *buf;
	size_t len;
	struct mm_elf_info *info;
	char *err;
	size_t errlen;
	uint64_t phoff;
	uint64_t dyn_off, dyn_size; /* the PT_DYNAMIC bytes in the file; size 0: none */
};

/* Writes "offset 0x..: reason" into the context's buffer; returns MM_ERR_FORMAT. */
__attribute__((format(printf, 3, 4)))
static enum mm_err bad(const struct elf_ctx *c, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return MM_ERR_FORMAT;
	n = snprintf(c->err, c->errlen, "offset 0x%" PRIx64 ": ", off);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MM_ERR_FORMAT;
}

static bool in_file(const struct elf_ctx *c, uint64_t off, uint64_t n)
{
	return off <= c->len && n <= c->len - off;
}

/* Checks the ELF header: ELF64 little-endian x86-64, ET_DYN or ET_EXEC. */
static enum mm_err check_ehdr(struct elf_ctx *c, Elf *e, GElf_Ehdr *eh)
{
	if (elf_kind(e) != ELF_K_ELF || c->len < sizeof(Elf64_Ehdr))
		return bad(c, 0, "not an ELF file");
	if (gelf_getclass(e) != ELFCLASS64)
		return bad(c, EI_CLASS, "not a 64-bit ELF file");
	if (!gelf_getehdr(e, eh))
		return bad(c, 0, "bad ELF header: %s", elf_errmsg(-1));
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad(c, EI_DATA, "not a little-endian ELF file");
	if (eh->e_type != ET_DYN && eh->e_type != ET_EXEC)
		return bad(c, offsetof(Elf64_Ehdr, e_type), "ELF type %u is neither ET_DYN nor ET_EXEC",
			   eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return bad(c, offsetof(Elf64_Ehdr, e_machine), "ELF machine %u is not x86-64",
			   eh->e_machine);
	if (!eh->e_phnum || eh->e_phnum == PN_XNUM)
		return bad(c, offsetof(Elf64_Ehdr, e_phnum), "%u program headers", eh->e_phnum);
	if (eh->e_phentsize != PHDR_SIZE)
		return bad(c, offsetof(Elf64_Ehdr, e_phentsize), "program header size %u, expected %zu",
			   eh->e_phentsize, PHDR_SIZE);
	if (!in_file(c, eh->e_phoff, (uint64_t)eh->e_phnum * PHDR_SIZE))
		return bad(c, offsetof(Elf64_Ehdr, e_phoff), "program headers 0x%" PRIx64 " (%u) past the end of the file",
			   (uint64_t)eh->e_phoff, eh->e_phnum);
	c->phoff = eh->e_phoff;
	c->info->type = eh->e_type;
	c->info->machine = eh->e_machine;
	c->info->entry = eh->e_entry;
	return MM_OK;
}

/* Checks one PT_LOAD header (at file offset off) and appends it. */
static enum mm_err add_load(struct elf_ctx *c, const GElf_Phdr *ph, uint64_t off)
{
	struct mm_elf_info *info = c->info;
	struct mm_elf_segment *prev = info->nsegs ? &info->segs[info->nsegs - 1] : NULL;

	if (info->nsegs == MM_ELF_MAX_SEGMENTS)
		return bad(c, off, "more than %u PT_LOAD segments", MM_ELF_MAX_SEGMENTS);
	if (ph->p_filesz > ph->p_memsz)
		return bad(c, off + offsetof(Elf64_Phdr, p_filesz), "file size 0x%" PRIx64 " above memory size 0x%" PRIx64,
			   (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (ph->p_memsz > PE_MAX_IMAGE_SIZE || ph->p_vaddr > UINT64_MAX - 2 * PE_MAX_IMAGE_SIZE)
		return bad(c, off + offsetof(Elf64_Phdr, p_memsz), "segment 0x%" PRIx64 "+0x%" PRIx64 " absurd",
			   (uint64_t)ph->p_vaddr, (uint64_t)ph->p_memsz);
	if (!in_file(c, ph->p_offset, ph->p_filesz))
		return bad(c, off + offsetof(Elf64_Phdr, p_offset), "segment data 0x%" PRIx64 "+0x%" PRIx64 " past the end of the file",
			   (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz);
	if (ph->p_align > 1 && ((ph->p_align & (ph->p_align - 1)) ||
				(ph->p_vaddr - ph->p_offset) % ph->p_align))
		return bad(c, off + offsetof(Elf64_Phdr, p_align), "alignment 0x%" PRIx64 " not a power of two or not matching vaddr/offset",
			   (uint64_t)ph->p_align);
	if (prev && ph->p_vaddr < prev->vaddr + prev->memsz)
		return bad(c, off + offsetof(Elf64_Phdr, p_vaddr), "segment at 0x%" PRIx64 " overlaps or precedes the previous one",
			   (uint64_t)ph->p_vaddr);
	info->segs[info->nsegs++] = (struct mm_elf_segment){ ph->p_vaddr, ph->p_memsz, ph->p_offset,
							     ph->p_filesz, ph->p_flags };
	return MM_OK;
}

/* Reads the program headers: PT_LOAD segments and the PT_DYNAMIC range. */
static enum mm_err read_phdrs(struct elf_ctx *c, Elf *e, unsigned phnum)
{
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t off = c->phoff + (uint64_t)i * PHDR_SIZE;
		GElf_Phdr ph;
		enum mm_err err;

		if (!gelf_getphdr(e, (int)i, &ph))
			return bad(c, off, "bad program header %u: %s", i, elf_errmsg(-1));
		if (ph.p_type == PT_INTERP)
			return bad(c, off, "needs a program interpreter");
		if (ph.p_type == PT_TLS && ph.p_memsz)
			return bad(c, off, "thread-local storage not supported");
		if (ph.p_type == PT_DYNAMIC) {
			if (!in_file(c, ph.p_offset, ph.p_filesz))
				return bad(c, off + offsetof(Elf64_Phdr, p_offset), "dynamic segment past the end of the file");
			c->dyn_off = ph.p_offset;
			c->dyn_size = ph.p_filesz;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		err = add_load(c, &ph, off);
		if (err)
			return err;
	}
	if (!c->info->nsegs)
		return bad(c, c->phoff, "no PT_LOAD segment");
	return MM_OK;
}

/* Computes the page-rounded span and checks it and the entry point. */
static enum mm_err check_span(struct elf_ctx *c)
{
	struct mm_elf_info *info = c->info;
	const struct mm_elf_segment *last = &info->segs[info->nsegs - 1];
	bool entry_ok = false;

	info->lo = info->segs[0].vaddr & ~(uint64_t)(PAGE - 1);
	info->hi = (last->vaddr + last->memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	if (info->hi - info->lo > PE_MAX_IMAGE_SIZE)
		return bad(c, c->phoff, "segments span 0x%" PRIx64 " bytes, above 0x%llx",
			   info->hi - info->lo, PE_MAX_IMAGE_SIZE);
	for (unsigned i = 0; i < info->nsegs; i++)
		if (info->entry >= info->segs[i].vaddr &&
		    info->entry - info->segs[i].vaddr < info->segs[i].memsz)
			entry_ok = true;
	if (!entry_ok)
		return bad(c, offsetof(Elf64_Ehdr, e_entry), "entry point 0x%" PRIx64 " not inside a PT_LOAD segment",
			   info->entry);
	return MM_OK;
}

/* File offset of [vaddr, vaddr+n) when the file backs it in one segment. */
static bool vaddr_to_off(const struct mm_elf_info *info, uint64_t vaddr, uint64_t n, uint64_t *off)
{
	for (unsigned i = 0; i < info->nsegs; i++) {
		const struct mm_elf_segment *s = &info->segs[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz &&
		    n <= s->filesz - (vaddr - s->vaddr)) {
			*off = s->offset + (vaddr - s->vaddr);
			return true;
		}
	}
	return false;
}

/* What the dynamic segment says about relocations. */
struct elf_dyn {
	uint64_t rela, relasz, relaent;
	bool has_rela;
};

/* Reads the dynamic segment, refusing what needs a dynamic linker. */
static enum mm_err read_dynamic(struct elf_ctx *c, struct elf_dyn *d)
{
	memset(d, 0, sizeof(*d));
	d->relaent = sizeof(Elf64_Rela);
	for (uint64_t pos = 0; pos + sizeof(Elf64_Dyn) <= c->dyn_size; pos += sizeof(Elf64_Dyn)) {
		uint64_t off = c->dyn_off + pos;
		Elf64_Dyn dyn;

		memcpy(&dyn, c->buf + off, sizeof(dyn));
		switch (dyn.d_tag) {
		case DT_NULL:
			return MM_OK;
		case DT_NEEDED:
			return bad(c, off, "needs a shared library (DT_NEEDED)");
		case DT_RELA:
			d->rela = dyn.d_un.d_ptr;
			d->has_rela = true;
			break;
		case DT_RELASZ:
			d->relasz = dyn.d_un.d_val;
			break;
		case DT_RELAENT:
			d->relaent = dyn.d_un.d_val;
			break;
		case DT_RELSZ:
		case DT_PLTRELSZ:
		case DT_RELRSZ:
			if (dyn.d_un.d_val)
				return bad(c, off, "REL, RELR or PLT relocations (tag %" PRId64 ") not supported",
					   (int64_t)dyn.d_tag);
			break;
		default:
			break;
		}
	}
	return MM_OK;
}

/* Validates the RELA table: RELATIVE or NONE entries inside the image. */
static enum mm_err check_relocs(struct elf_ctx *c)
{
	struct mm_elf_info *info = c->info;
	struct elf_dyn d;
	enum mm_err e = read_dynamic(c, &d);

	if (e || !d.has_rela || !d.relasz)
		return e;
	if (d.relaent != sizeof(Elf64_Rela) || d.relasz % sizeof(Elf64_Rela))
		return bad(c, c->dyn_off, "RELA entry size 0x%" PRIx64 " / table size 0x%" PRIx64 " invalid",
			   d.relaent, d.relasz);
	if (!vaddr_to_off(info, d.rela, d.relasz, &info->rela_off))
		return bad(c, c->dyn_off, "RELA table 0x%" PRIx64 "+0x%" PRIx64 " not in the file",
			   d.rela, d.relasz);
	info->rela_count = d.relasz / sizeof(Elf64_Rela);
	for (uint64_t i = 0; i < info->rela_count; i++) {
		uint64_t off = info->rela_off + i * sizeof(Elf64_Rela);
		Elf64_Rela r;

		memcpy(&r, c->buf + off, sizeof(r));
		if (ELF64_R_TYPE(r.r_info) == R_X86_64_NONE) {
			info->reloc_none++;
			continue;
		}
		if (ELF64_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
			return bad(c, off, "relocation type %u not supported (only R_X86_64_RELATIVE)",
				   (unsigned)ELF64_R_TYPE(r.r_info));
		if (r.r_offset < info->lo || r.r_offset > info->hi - 8)
			return bad(c, off, "relocation at 0x%" PRIx64 " outside the image",
				   (uint64_t)r.r_offset);
		info->reloc_relative++;
	}
	return MM_OK;
}

/* The checks in order, on an open libelf descriptor. */
static enum mm_err parse_elf(struct elf_ctx *c, Elf *e)
{
	GElf_Ehdr eh;
	enum mm_err err = check_ehdr(c, e, &eh);

	if (!err)
		err = read_phdrs(c, e, eh.e_phnum);
	if (!err)
		err = check_span(c);
	if (!err)
		err = check_relocs(c);
	return err;
}

enum mm_err mm_elf_parse(const uint8_t *buf, size_t len, struct mm_elf_info *info, char *err,
			 size_t errlen)
{
	struct elf_ctx c = { buf, len, info, err, errlen, 0, 0, 0 };
	enum mm_err e;
	char *copy;
	Elf *elf;

	memset(info, 0, sizeof(*info));
	if (err && errlen)
		err[0] = '\0';
	if (len < sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG))
		return bad(&c, 0, "not an ELF file");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bad(&c, 0, "libelf: %s", elf_errmsg(-1));
	/* libelf wants a writable buffer; it must never touch the caller's. */
	copy = malloc(len);
	if (!copy)
		return bad(&c, 0, "out of host memory for a 0x%zx-byte file", len);
	memcpy(copy, buf, len);
	elf = elf_memory(copy, len);
	if (!elf) {
		free(copy);
		return bad(&c, 0, "libelf: %s", elf_errmsg(-1));
	}
	e = parse_elf(&c, elf);
	elf_end(elf);
	free(copy);
	return e;
}

void mm_elf_place(const uint8_t *buf, const struct mm_elf_info *info, uint8_t *image)
{
	uint64_t bias = (uint64_t)(uintptr_t)image - info->lo;

	memset(image, 0, info->hi - info->lo);
	for (unsigned i = 0; i < info->nsegs; i++) {
		const struct mm_elf_segment *s = &info->segs[i];

		memcpy(image + (s->vaddr - info->lo), buf + s->offset, s->filesz);
	}
	for (uint64_t i = 0; i < info->rela_count; i++) {
		Elf64_Rela r;
		uint64_t v;

		memcpy(&r, buf + info->rela_off + i * sizeof(r), sizeof(r));
		if (ELF64_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
			continue;
		v = bias + (uint64_t)r.r_addend;
		memcpy(image + (r.r_offset - info->lo), &v, sizeof(v));
	}
}

void mm_elf_print(const struct mm_elf_info *info, FILE *out)
{
	fprintf(out, "format:        ELF\n");
	fprintf(out, "type:          %s\n", info->type == ET_DYN ? "ET_DYN (relocatable)" : "ET_EXEC (fixed address)");
	fprintf(out, "machine:       %u (x86-64)\n", info->machine);
	fprintf(out, "image base:    0x%" PRIx64 "\n", info->lo);
	fprintf(out, "image size:    0x%" PRIx64 "\n", info->hi - info->lo);
	fprintf(out, "entry point:   RVA 0x%" PRIx64 "\n", info->entry - info->lo);
	fprintf(out, "segments:      %u\n", info->nsegs);
	fprintf(out, "  %-18s  %-10s  %-10s  %-10s  %s\n", "vaddr", "memsz", "filesz", "offset",
		"flags");
	for (unsigned i = 0; i < info->nsegs; i++) {
		const struct mm_elf_segment *s = &info->segs[i];

		fprintf(out, "  0x%016" PRIx64 "  0x%08" PRIx64 "  0x%08" PRIx64 "  0x%08" PRIx64 "  %c%c%c\n",
			s->vaddr, s->memsz, s->filesz, s->offset, (s->flags & PF_R) ? 'r' : '-',
			(s->flags & PF_W) ? 'w' : '-', (s->flags & PF_X) ? 'x' : '-');
	}
	fprintf(out, "relocations:   R_X86_64_RELATIVE %" PRIu64 ", R_X86_64_NONE %" PRIu64 "\n",
		info->reloc_relative, info->reloc_none);
}

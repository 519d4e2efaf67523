/* SPDX-License-Identifier: MIT */
/*
 * PE32+ and TE images: validation of a whole image held in memory, placing
 * it into a zeroed copy, base relocation and description. Nothing here needs
 * a machine, so the CLI and the fuzzers share it with the loader.
 *
 * Every read is bounds-checked against the file length first; every failure
 * names the file offset of the field or structure that is wrong.
 */
#include "loader/pe.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#define PAGE 4096u
#define TE_HDR ((uint32_t)sizeof(struct pe_te_header))
#define SEC_HDR ((uint32_t)sizeof(struct pe_section_header))
#define DEBUG_ENTRIES_MAX 16

/* The parse in progress. */
struct pe_ctx {
	const uint8_t *buf;
	size_t len;
	struct mm_pe_info *info;
	char *err;
	size_t errlen;
	uint64_t entry_field;   /* file offset of AddressOfEntryPoint */
	uint64_t sec_table;     /* file offset of the section table */
	uint64_t dir_field;     /* file offset of the relocation directory entry */
};

/* Writes "offset 0x..: reason" into the context's buffer; returns MM_ERR_FORMAT. */
__attribute__((format(printf, 3, 4)))
static enum mm_err bad(const struct pe_ctx *c, uint64_t off, const char *fmt, ...)
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

/* True when [off, off+n) lies inside the file. */
static bool in_file(const struct pe_ctx *c, uint64_t off, uint64_t n)
{
	return off <= c->len && n <= c->len - off;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Maps [rva, rva+size) of the image to the file offset of its bytes: inside
 * the headers copied from the file or inside one section's copied raw data.
 * Returns false when the range is not backed by the file in one piece.
 */
static bool rva_to_off(const struct mm_pe_info *info, uint64_t rva, uint64_t size, uint64_t *off)
{
	uint64_t h = info->hdr_rva;

	if (rva >= h && rva - h <= info->size_of_headers && size <= info->size_of_headers - (rva - h)) {
		*off = rva - h;
		return true;
	}
	for (unsigned i = 0; i < info->nsections; i++) {
		const struct mm_pe_section *s = &info->sections[i];

		if (rva >= s->rva && rva - s->rva <= s->copy_size &&
		    size <= s->copy_size - (rva - s->rva)) {
			*off = s->file_off + (rva - s->rva);
			return true;
		}
	}
	return false;
}

/* Checks one section header against the file, the headers and its predecessor. */
static enum mm_err check_section(struct pe_ctx *c, unsigned i, uint64_t limit)
{
	struct mm_pe_info *info = c->info;
	struct mm_pe_section *s = &info->sections[i];
	uint64_t off = c->sec_table + (uint64_t)i * SEC_HDR;
	uint64_t hdr_end = (uint64_t)info->hdr_rva + info->size_of_headers;
	struct pe_section_header sh;

	memcpy(&sh, c->buf + off, sizeof(sh));
	memcpy(s->name, sh.Name, 8);
	s->name[8] = '\0';
	s->rva = sh.VirtualAddress;
	s->vsize = sh.VirtualSize ? sh.VirtualSize : sh.SizeOfRawData;
	s->raw_size = sh.SizeOfRawData;
	s->copy_size = sh.SizeOfRawData < s->vsize ? sh.SizeOfRawData : s->vsize;
	s->characteristics = sh.Characteristics;
	if (info->format == MM_IMAGE_PE32PLUS && s->rva % info->section_alignment)
		return bad(c, off + 12, "section %u (%s) RVA 0x%x not aligned to 0x%x", i, s->name,
			   s->rva, info->section_alignment);
	if (s->rva < hdr_end)
		return bad(c, off + 12, "section %u (%s) at RVA 0x%x overlaps the headers (end 0x%" PRIx64 ")",
			   i, s->name, s->rva, hdr_end);
	if ((uint64_t)s->rva + s->vsize > limit)
		return bad(c, off + 8, "section %u (%s) 0x%x+0x%x ends past the image size 0x%" PRIx64,
			   i, s->name, s->rva, s->vsize, limit);
	if (i > 0) {
		const struct mm_pe_section *p = &info->sections[i - 1];

		if (s->rva < (uint64_t)p->rva + p->vsize)
			return bad(c, off + 12, "section %u (%s) at RVA 0x%x overlaps or precedes section %u (%s) 0x%x+0x%x",
				   i, s->name, s->rva, i - 1, p->name, p->rva, p->vsize);
	}
	if (!s->copy_size) {
		s->file_off = 0;
		return MM_OK;
	}
	if (sh.PointerToRawData < (uint64_t)info->te_adjust + info->size_of_headers)
		return bad(c, off + 20, "section %u (%s) raw data at 0x%x lies in the headers", i,
			   s->name, sh.PointerToRawData);
	s->file_off = sh.PointerToRawData - info->te_adjust;
	if (!in_file(c, s->file_off, s->copy_size))
		return bad(c, off + 16, "section %u (%s) raw data 0x%x+0x%x past the end of the file (0x%zx bytes)",
			   i, s->name, s->file_off, s->copy_size, c->len);
	return MM_OK;
}

/* Checks the section table; limit bounds every section's end. */
static enum mm_err check_sections(struct pe_ctx *c, uint64_t limit)
{
	enum mm_err e;

	if (!in_file(c, c->sec_table, (uint64_t)c->info->nsections * SEC_HDR))
		return bad(c, c->sec_table, "section table (%u entries) past the end of the file",
			   c->info->nsections);
	for (unsigned i = 0; i < c->info->nsections; i++) {
		e = check_section(c, i, limit);
		if (e)
			return e;
	}
	return MM_OK;
}

/* Checks the entry point lies inside a section. */
static enum mm_err check_entry(struct pe_ctx *c)
{
	const struct mm_pe_info *info = c->info;

	for (unsigned i = 0; i < info->nsections; i++) {
		const struct mm_pe_section *s = &info->sections[i];

		if (info->entry_rva >= s->rva && info->entry_rva - s->rva < s->vsize)
			return MM_OK;
	}
	return bad(c, c->entry_field, "entry point RVA 0x%x is not inside any section",
		   info->entry_rva);
}

/*
 * Walks the base relocation blocks. With image NULL it validates them and
 * counts entries by type; otherwise (after a successful parse) it adds delta
 * to every DIR64 target of image.
 */
static enum mm_err walk_relocs(struct pe_ctx *c, uint8_t *image, uint64_t delta)
{
	struct mm_pe_info *info = c->info;
	uint64_t base, pos = 0, size = info->reloc_dir.Size;

	if (!rva_to_off(info, info->reloc_dir.VirtualAddress, size, &base))
		return bad(c, c->dir_field, "relocation directory RVA 0x%x+0x%x is not in the file",
			   info->reloc_dir.VirtualAddress, info->reloc_dir.Size);
	while (pos < size) {
		const uint8_t *b = c->buf + base + pos;
		uint32_t page, bsize;

		if (size - pos < 8)
			return bad(c, base + pos, "truncated relocation block");
		page = rd32(b);
		bsize = rd32(b + 4);
		if (bsize < 8 || bsize > size - pos || bsize % 2)
			return bad(c, base + pos + 4, "relocation block size 0x%x invalid", bsize);
		for (uint32_t k = 8; k + 2 <= bsize; k += 2) {
			uint16_t ent = rd16(b + k);
			unsigned type = ent >> 12;
			uint64_t target = (uint64_t)page + (ent & 0xFFF);

			if (type == PE_REL_BASED_ABSOLUTE) {
				info->reloc_count[type] += !image;
				continue;
			}
			if (type != PE_REL_BASED_DIR64)
				return bad(c, base + pos + k, "relocation type %u not supported (only DIR64, ABSOLUTE)",
					   type);
			if (target + 8 > info->size_of_image)
				return bad(c, base + pos + k, "DIR64 relocation at RVA 0x%" PRIx64 " outside the image (0x%x bytes)",
					   target, info->size_of_image);
			if (image) {
				uint64_t v;

				memcpy(&v, image + target, 8);
				v += delta;
				memcpy(image + target, &v, 8);
			} else {
				info->reloc_count[type]++;
			}
		}
		pos += bsize;
	}
	return MM_OK;
}

/* Copies the printable path of a CodeView record at file offset off (n bytes). */
static void read_codeview(struct pe_ctx *c, uint64_t off, uint64_t n)
{
	struct mm_pe_info *info = c->info;
	const uint8_t *p = c->buf + off;
	uint64_t skip;
	size_t k = 0;

	if (n >= 24 && !memcmp(p, "RSDS", 4))
		skip = 24;
	else if (n >= 16 && !memcmp(p, "NB10", 4))
		skip = 16;
	else
		return;
	memcpy(info->debug_kind, p, 4);
	info->debug_kind[4] = '\0';
	for (uint64_t i = skip; i < n && p[i] && k + 1 < sizeof(info->debug_path); i++)
		info->debug_path[k++] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
	info->debug_path[k] = '\0';
}

/*
 * Reads the debug directory: it must lie in the file; a CodeView entry whose
 * data cannot be found is ignored (it only serves symbol lookup).
 */
static enum mm_err read_debug(struct pe_ctx *c)
{
	struct mm_pe_info *info = c->info;
	uint64_t off, n = info->debug_dir.Size / sizeof(struct pe_debug_dir);

	if (!info->debug_dir.Size)
		return MM_OK;
	if (!rva_to_off(info, info->debug_dir.VirtualAddress, info->debug_dir.Size, &off))
		return bad(c, c->dir_field + 8, "debug directory RVA 0x%x+0x%x is not in the file",
			   info->debug_dir.VirtualAddress, info->debug_dir.Size);
	for (uint64_t i = 0; i < n && i < DEBUG_ENTRIES_MAX; i++) {
		struct pe_debug_dir d;
		uint64_t data;

		memcpy(&d, c->buf + off + i * sizeof(d), sizeof(d));
		if (d.Type != PE_DEBUG_TYPE_CODEVIEW)
			continue;
		if (d.AddressOfRawData) {
			if (!rva_to_off(info, d.AddressOfRawData, d.SizeOfData, &data))
				continue;
		} else {
			if (d.PointerToRawData < info->te_adjust)
				continue;
			data = d.PointerToRawData - info->te_adjust;
			if (!in_file(c, data, d.SizeOfData))
				continue;
		}
		read_codeview(c, data, d.SizeOfData);
		break;
	}
	return MM_OK;
}

/* Reads the relocation and debug directories and checks the entry point. */
static enum mm_err check_directories(struct pe_ctx *c)
{
	enum mm_err e = check_entry(c);

	if (e)
		return e;
	c->info->has_relocs = c->info->reloc_dir.Size != 0;
	if (c->info->format == MM_IMAGE_TE)
		c->info->relocatable = c->info->reloc_dir.Size || c->info->reloc_dir.VirtualAddress;
	else
		c->info->relocatable = !(c->info->characteristics & PE_FILE_RELOCS_STRIPPED);
	if (c->info->has_relocs) {
		e = walk_relocs(c, NULL, 0);
		if (e)
			return e;
	}
	return read_debug(c);
}

/* Checks the COFF file header of a PE image at file offset off. */
static enum mm_err check_file_header(struct pe_ctx *c, uint64_t off, struct pe_file_header *fh)
{
	if (!in_file(c, off, sizeof(*fh)))
		return bad(c, off, "COFF file header past the end of the file");
	memcpy(fh, c->buf + off, sizeof(*fh));
	if (fh->Machine != PE_MACHINE_X64)
		return bad(c, off, "machine 0x%x is not x86-64 (0x8664)", fh->Machine);
	if (!fh->NumberOfSections || fh->NumberOfSections > PE_MAX_SECTIONS)
		return bad(c, off + 2, "section count %u not in 1..%u", fh->NumberOfSections,
			   PE_MAX_SECTIONS);
	if (fh->SizeOfOptionalHeader < offsetof(struct pe_optional_header64, DataDirectory))
		return bad(c, off + 16, "optional header size 0x%x too small for PE32+",
			   fh->SizeOfOptionalHeader);
	if (!(fh->Characteristics & PE_FILE_EXECUTABLE_IMAGE))
		return bad(c, off + 18, "not an executable image (characteristics 0x%x)",
			   fh->Characteristics);
	return MM_OK;
}

/* Checks the PE32+ optional header at file offset off (size bytes long). */
static enum mm_err check_optional_header(struct pe_ctx *c, uint64_t off, uint32_t size,
					 struct pe_optional_header64 *oh)
{
	const uint64_t dirs = offsetof(struct pe_optional_header64, DataDirectory);

	if (!in_file(c, off, size))
		return bad(c, off, "optional header past the end of the file");
	memset(oh, 0, sizeof(*oh));
	memcpy(oh, c->buf + off, size < sizeof(*oh) ? size : sizeof(*oh));
	if (oh->Magic != PE_OPT_MAGIC_PE32PLUS)
		return bad(c, off, "optional header magic 0x%x is not PE32+ (0x20b)", oh->Magic);
	if (oh->NumberOfRvaAndSizes > PE_DIR_COUNT ||
	    dirs + 8ull * oh->NumberOfRvaAndSizes > size)
		return bad(c, off + 108, "%u data directories do not fit the optional header",
			   oh->NumberOfRvaAndSizes);
	for (unsigned i = oh->NumberOfRvaAndSizes; i < PE_DIR_COUNT; i++)
		oh->DataDirectory[i] = (struct pe_data_dir){ 0, 0 };
	if (!pow2(oh->SectionAlignment) || oh->SectionAlignment > PE_MAX_SECTION_ALIGN)
		return bad(c, off + 32, "section alignment 0x%x not a power of two up to 0x%x",
			   oh->SectionAlignment, PE_MAX_SECTION_ALIGN);
	if (!pow2(oh->FileAlignment) || oh->FileAlignment > oh->SectionAlignment)
		return bad(c, off + 36, "file alignment 0x%x not a power of two up to the section alignment",
			   oh->FileAlignment);
	if (!oh->SizeOfImage || oh->SizeOfImage > PE_MAX_IMAGE_SIZE)
		return bad(c, off + 56, "image size 0x%x not in 1..0x%llx", oh->SizeOfImage,
			   PE_MAX_IMAGE_SIZE);
	if (!oh->AddressOfEntryPoint)
		return bad(c, off + 16, "no entry point");
	return MM_OK;
}

/* Fills info from the validated PE headers. */
static void pe_fill(struct mm_pe_info *info, const struct pe_file_header *fh,
		    const struct pe_optional_header64 *oh, uint64_t opt_off)
{
	info->format = MM_IMAGE_PE32PLUS;
	info->machine = fh->Machine;
	info->characteristics = fh->Characteristics;
	info->nsections = fh->NumberOfSections;
	info->subsystem = oh->Subsystem;
	info->image_base = oh->ImageBase;
	info->size_of_image = oh->SizeOfImage;
	info->size_of_headers = oh->SizeOfHeaders;
	info->hdr_rva = 0;
	info->image_base_off = (uint32_t)opt_off + offsetof(struct pe_optional_header64, ImageBase);
	info->entry_rva = oh->AddressOfEntryPoint;
	info->section_alignment = oh->SectionAlignment;
	info->file_alignment = oh->FileAlignment;
	info->te_adjust = 0;
	info->reloc_dir = oh->DataDirectory[PE_DIR_BASERELOC];
	info->debug_dir = oh->DataDirectory[PE_DIR_DEBUG];
}

/* Parses a PE32+ image (the file starts with "MZ"). */
static enum mm_err parse_pe(struct pe_ctx *c)
{
	struct pe_dos_header dos;
	struct pe_file_header fh;
	struct pe_optional_header64 oh;
	uint64_t fh_off, opt_off;
	enum mm_err e;

	if (!in_file(c, 0, sizeof(dos)))
		return bad(c, 0, "file too short for a DOS header (0x%zx bytes)", c->len);
	memcpy(&dos, c->buf, sizeof(dos));
	if (!in_file(c, dos.e_lfanew, 4))
		return bad(c, offsetof(struct pe_dos_header, e_lfanew),
			   "e_lfanew 0x%x points past the end of the file", dos.e_lfanew);
	if (rd32(c->buf + dos.e_lfanew) != PE_SIGNATURE)
		return bad(c, dos.e_lfanew, "no PE signature");
	fh_off = (uint64_t)dos.e_lfanew + 4;
	e = check_file_header(c, fh_off, &fh);
	if (e)
		return e;
	opt_off = fh_off + sizeof(fh);
	e = check_optional_header(c, opt_off, fh.SizeOfOptionalHeader, &oh);
	if (e)
		return e;
	pe_fill(c->info, &fh, &oh, opt_off);
	c->entry_field = opt_off + offsetof(struct pe_optional_header64, AddressOfEntryPoint);
	c->sec_table = opt_off + fh.SizeOfOptionalHeader;
	c->dir_field = opt_off + offsetof(struct pe_optional_header64, DataDirectory) +
		       PE_DIR_BASERELOC * sizeof(struct pe_data_dir);
	if (oh.SizeOfHeaders < c->sec_table + (uint64_t)fh.NumberOfSections * SEC_HDR ||
	    oh.SizeOfHeaders > c->len || oh.SizeOfHeaders > oh.SizeOfImage)
		return bad(c, opt_off + 60, "headers size 0x%x does not cover the section table or exceeds the file/image",
			   oh.SizeOfHeaders);
	e = check_sections(c, oh.SizeOfImage);
	return e ? e : check_directories(c);
}

/* Largest power of two dividing every section RVA, at most one page. */
static uint32_t te_alignment(const struct mm_pe_info *info)
{
	uint32_t bits = PAGE;

	for (unsigned i = 0; i < info->nsections; i++)
		bits |= info->sections[i].rva;
	return bits & -bits;
}

/* Parses a TE image (the file starts with "VZ"). */
static enum mm_err parse_te(struct pe_ctx *c)
{
	struct mm_pe_info *info = c->info;
	struct pe_te_header te;
	uint64_t end;
	enum mm_err e;

	if (!in_file(c, 0, TE_HDR))
		return bad(c, 0, "file too short for a TE header (0x%zx bytes)", c->len);
	memcpy(&te, c->buf, sizeof(te));
	if (te.Machine != PE_MACHINE_X64)
		return bad(c, 2, "machine 0x%x is not x86-64 (0x8664)", te.Machine);
	if (!te.NumberOfSections || te.NumberOfSections > PE_MAX_SECTIONS)
		return bad(c, 4, "section count %u not in 1..%u", te.NumberOfSections, PE_MAX_SECTIONS);
	if (te.StrippedSize < TE_HDR)
		return bad(c, 6, "stripped size 0x%x smaller than the TE header", te.StrippedSize);
	if (!te.AddressOfEntryPoint)
		return bad(c, 8, "no entry point");
	info->format = MM_IMAGE_TE;
	info->machine = te.Machine;
	info->subsystem = te.Subsystem;
	info->nsections = te.NumberOfSections;
	info->image_base = te.ImageBase;
	info->te_adjust = te.StrippedSize - TE_HDR;
	info->hdr_rva = info->te_adjust;
	info->size_of_headers = TE_HDR + info->nsections * SEC_HDR;
	info->image_base_off = offsetof(struct pe_te_header, ImageBase);
	info->entry_rva = te.AddressOfEntryPoint;
	info->reloc_dir = te.DataDirectory[0];
	info->debug_dir = te.DataDirectory[1];
	c->entry_field = offsetof(struct pe_te_header, AddressOfEntryPoint);
	c->sec_table = TE_HDR;
	c->dir_field = offsetof(struct pe_te_header, DataDirectory);
	e = check_sections(c, PE_MAX_IMAGE_SIZE);
	if (e)
		return e;
	end = (uint64_t)info->hdr_rva + info->size_of_headers;
	for (unsigned i = 0; i < info->nsections; i++)
		if ((uint64_t)info->sections[i].rva + info->sections[i].vsize > end)
			end = (uint64_t)info->sections[i].rva + info->sections[i].vsize;
	end = (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	if (end > PE_MAX_IMAGE_SIZE)
		return bad(c, c->sec_table, "image size 0x%" PRIx64 " above 0x%llx", end, PE_MAX_IMAGE_SIZE);
	info->size_of_image = (uint32_t)end;
	info->section_alignment = te_alignment(info);
	return check_directories(c);
}

enum mm_err mm_pe_parse(const uint8_t *buf, size_t len, struct mm_pe_info *info, char *err,
			size_t errlen)
{
	struct pe_ctx c = { buf, len, info, err, errlen, 0, 0, 0 };

	memset(info, 0, sizeof(*info));
	if (err && errlen)
		err[0] = '\0';
	if (len >= 2 && rd16(buf) == PE_DOS_MAGIC)
		return parse_pe(&c);
	if (len >= 2 && rd16(buf) == PE_TE_SIGNATURE)
		return parse_te(&c);
	return bad(&c, 0, "neither a PE (MZ) nor a TE (VZ) image");
}

void mm_pe_place(const uint8_t *buf, const struct mm_pe_info *info, uint8_t *image)
{
	memset(image, 0, info->size_of_image);
	memcpy(image + info->hdr_rva, buf, info->size_of_headers);
	for (unsigned i = 0; i < info->nsections; i++) {
		const struct mm_pe_section *s = &info->sections[i];

		if (s->copy_size)
			memcpy(image + s->rva, buf + s->file_off, s->copy_size);
	}
}

void mm_pe_relocate(const uint8_t *buf, size_t len, const struct mm_pe_info *info,
		    uint8_t *image, uint64_t delta)
{
	struct pe_ctx c = { buf, len, (struct mm_pe_info *)info, NULL, 0, 0, 0, 0 };
	uint64_t base = info->image_base + delta;

	if (info->has_relocs && delta)
		walk_relocs(&c, image, delta);
	/* Like a firmware loader, record the new base in the loaded headers. */
	memcpy(image + info->hdr_rva + info->image_base_off, &base, sizeof(base));
}

bool mm_pe_code_data_apart(const struct mm_pe_info *info)
{
	for (unsigned i = 0; i + 1 < info->nsections; i++) {
		const struct mm_pe_section *a = &info->sections[i], *b = &info->sections[i + 1];
		bool ca = a->characteristics & (PE_SCN_CNT_CODE | PE_SCN_MEM_EXECUTE);
		bool cb = b->characteristics & (PE_SCN_CNT_CODE | PE_SCN_MEM_EXECUTE);

		if (ca != cb && a->vsize && (a->rva + a->vsize - 1) / PAGE == b->rva / PAGE)
			return false;
	}
	return true;
}

/* Short flags of a section: r, w, x, and code. */
static void section_flags(uint32_t ch, char out[5])
{
	out[0] = (ch & 0x40000000u) ? 'r' : '-';
	out[1] = (ch & PE_SCN_MEM_WRITE) ? 'w' : '-';
	out[2] = (ch & PE_SCN_MEM_EXECUTE) ? 'x' : '-';
	out[3] = (ch & PE_SCN_CNT_CODE) ? 'c' : '-';
	out[4] = '\0';
}

void mm_pe_print(const struct mm_pe_info *info, FILE *out)
{
	char fl[5];

	fprintf(out, "format:        %s\n", mm_image_format_name(info->format));
	fprintf(out, "machine:       0x%x (x86-64)\n", info->machine);
	fprintf(out, "image base:    0x%" PRIx64 "\n", info->image_base);
	fprintf(out, "image size:    0x%x\n", info->size_of_image);
	fprintf(out, "entry point:   RVA 0x%x\n", info->entry_rva);
	fprintf(out, "subsystem:     %u\n", info->subsystem);
	fprintf(out, "alignment:     section 0x%x%s, file 0x%x\n", info->section_alignment,
		info->format == MM_IMAGE_TE ? " (inferred)" : "", info->file_alignment);
	if (info->format == MM_IMAGE_TE)
		fprintf(out, "stripped size: 0x%x\n", info->te_adjust + TE_HDR);
	fprintf(out, "sections:      %u\n", info->nsections);
	fprintf(out, "  %-8s  %-10s  %-10s  %-10s  %-10s\n", "name", "rva", "vsize", "raw size",
		"flags");
	for (unsigned i = 0; i < info->nsections; i++) {
		const struct mm_pe_section *s = &info->sections[i];

		section_flags(s->characteristics, fl);
		fprintf(out, "  %-8s  0x%08x  0x%08x  0x%08x  0x%08x %s\n", s->name, s->rva, s->vsize,
			s->raw_size, s->characteristics, fl);
	}
	if (!info->has_relocs)
		fprintf(out, "relocations:   none (%s)\n",
			info->relocatable ? "none needed: loads anywhere"
					  : "stripped: loads only at its image base");
	else
		fprintf(out, "relocations:   DIR64 %u, ABSOLUTE %u\n",
			info->reloc_count[PE_REL_BASED_DIR64], info->reloc_count[PE_REL_BASED_ABSOLUTE]);
	if (info->debug_kind[0])
		fprintf(out, "debug:         CodeView %s %s\n", info->debug_kind, info->debug_path);
	else
		fprintf(out, "debug:         none\n");
}

/* SPDX-License-Identifier: MIT */
/*
 * PE32+ and TE images: the on-disk structures and a pure parser that
 * validates a whole image held in memory, with no machine (the CLI and the
 * fuzzers use it; the loader builds on it).
 *
 * Layouts are from the Microsoft PE/COFF specification (rev. 11: MS-DOS stub,
 * COFF file header, PE32+ optional header, section table, .reloc and debug
 * directories) and from PI 1.8 vol. 1, section 15.2 (EFI_TE_IMAGE_HEADER).
 * All fields are little-endian; the host is x86-64, so structures are read
 * by memcpy from the file bytes.
 */
#ifndef LOADER_PE_H
#define LOADER_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mmemu/error.h>
#include <mmemu/image.h>

#define PE_DOS_MAGIC 0x5A4D        /* "MZ" */
#define PE_SIGNATURE 0x00004550u   /* "PE\0\0" */
#define PE_TE_SIGNATURE 0x5A56     /* "VZ" */
#define PE_MACHINE_X64 0x8664
#define PE_OPT_MAGIC_PE32PLUS 0x20B
#define PE_FILE_RELOCS_STRIPPED 0x0001
#define PE_FILE_EXECUTABLE_IMAGE 0x0002
#define PE_SCN_CNT_CODE 0x00000020u
#define PE_SCN_MEM_EXECUTE 0x20000000u
#define PE_SCN_MEM_WRITE 0x80000000u

/* Data directory indexes (PE/COFF 3.4.3). */
enum {
	PE_DIR_EXPORT = 0,
	PE_DIR_IMPORT = 1,
	PE_DIR_BASERELOC = 5,
	PE_DIR_DEBUG = 6,
	PE_DIR_COUNT = 16,
};

/* Base relocation types (PE/COFF 6.6.2); the only two an x64 image needs. */
#define PE_REL_BASED_ABSOLUTE 0
#define PE_REL_BASED_DIR64 10
#define PE_REL_TYPES 16

#define PE_DEBUG_TYPE_CODEVIEW 2

/* Limits we hold images to. */
#define PE_MAX_SECTIONS 96                  /* PE/COFF: the loader limit */
#define PE_MAX_IMAGE_SIZE (64ull << 20)     /* SizeOfImage */
#define PE_MAX_SECTION_ALIGN (2u << 20)
#define PE_DEBUG_PATH_MAX 256

struct pe_dos_header {
	uint16_t e_magic;
	uint16_t e_unused[29];
	uint32_t e_lfanew;   /* file offset of the PE signature */
};

struct pe_file_header {      /* COFF file header, after "PE\0\0" */
	uint16_t Machine;
	uint16_t NumberOfSections;
	uint32_t TimeDateStamp;
	uint32_t PointerToSymbolTable;
	uint32_t NumberOfSymbols;
	uint16_t SizeOfOptionalHeader;
	uint16_t Characteristics;
};

struct pe_data_dir {
	uint32_t VirtualAddress;
	uint32_t Size;
};

struct pe_optional_header64 {
	uint16_t Magic;
	uint8_t MajorLinkerVersion;
	uint8_t MinorLinkerVersion;
	uint32_t SizeOfCode;
	uint32_t SizeOfInitializedData;
	uint32_t SizeOfUninitializedData;
	uint32_t AddressOfEntryPoint;
	uint32_t BaseOfCode;
	uint64_t ImageBase;
	uint32_t SectionAlignment;
	uint32_t FileAlignment;
	uint16_t MajorOperatingSystemVersion;
	uint16_t MinorOperatingSystemVersion;
	uint16_t MajorImageVersion;
	uint16_t MinorImageVersion;
	uint16_t MajorSubsystemVersion;
	uint16_t MinorSubsystemVersion;
	uint32_t Win32VersionValue;
	uint32_t SizeOfImage;
	uint32_t SizeOfHeaders;
	uint32_t CheckSum;
	uint16_t Subsystem;
	uint16_t DllCharacteristics;
	uint64_t SizeOfStackReserve;
	uint64_t SizeOfStackCommit;
	uint64_t SizeOfHeapReserve;
	uint64_t SizeOfHeapCommit;
	uint32_t LoaderFlags;
	uint32_t NumberOfRvaAndSizes;
	struct pe_data_dir DataDirectory[PE_DIR_COUNT];
};

struct pe_section_header {
	char Name[8];
	uint32_t VirtualSize;
	uint32_t VirtualAddress;
	uint32_t SizeOfRawData;
	uint32_t PointerToRawData;
	uint32_t PointerToRelocations;
	uint32_t PointerToLinenumbers;
	uint16_t NumberOfRelocations;
	uint16_t NumberOfLinenumbers;
	uint32_t Characteristics;
};

/*
 * EFI_TE_IMAGE_HEADER (PI vol. 1, 15.2). A TE image is a PE image whose
 * first StrippedSize bytes (DOS stub, PE headers) were replaced by this
 * header; the section table follows it. Every RVA, every section's
 * PointerToRawData and ImageBase still refer to the original PE, so a file
 * offset in the TE file is (original offset - StrippedSize + sizeof(header)).
 */
struct pe_te_header {
	uint16_t Signature;
	uint16_t Machine;
	uint8_t NumberOfSections;
	uint8_t Subsystem;
	uint16_t StrippedSize;
	uint32_t AddressOfEntryPoint;
	uint32_t BaseOfCode;
	uint64_t ImageBase;
	struct pe_data_dir DataDirectory[2]; /* 0: base relocations, 1: debug */
};

struct pe_debug_dir {        /* IMAGE_DEBUG_DIRECTORY, PE/COFF 6.1.1 */
	uint32_t Characteristics;
	uint32_t TimeDateStamp;
	uint16_t MajorVersion;
	uint16_t MinorVersion;
	uint32_t Type;
	uint32_t SizeOfData;
	uint32_t AddressOfRawData;
	uint32_t PointerToRawData;
};

_Static_assert(sizeof(struct pe_dos_header) == 64, "DOS header layout");
_Static_assert(sizeof(struct pe_file_header) == 20, "COFF header layout");
_Static_assert(sizeof(struct pe_optional_header64) == 240, "PE32+ optional header layout");
_Static_assert(sizeof(struct pe_section_header) == 40, "section header layout");
_Static_assert(sizeof(struct pe_te_header) == 40, "TE header layout");
_Static_assert(sizeof(struct pe_debug_dir) == 28, "debug directory layout");

/* One section, validated: where it goes and where its bytes come from. */
struct mm_pe_section {
	char name[9];
	uint32_t rva;
	uint32_t vsize;      /* bytes in memory (VirtualSize, or raw size when 0) */
	uint32_t raw_size;   /* SizeOfRawData as in the header */
	uint32_t copy_size;  /* bytes copied from the file: min(raw, vsize) */
	uint32_t file_off;   /* offset of the bytes in THIS file (TE-adjusted) */
	uint32_t characteristics;
};

/* What mm_pe_parse learned about an image. */
struct mm_pe_info {
	enum mm_image_format format;   /* MM_IMAGE_PE32PLUS or MM_IMAGE_TE */
	uint16_t machine;
	uint16_t subsystem;
	uint16_t characteristics;      /* COFF characteristics (0 for TE) */
	uint64_t image_base;           /* preferred address of RVA 0 */
	uint32_t size_of_image;        /* TE: end of the last section, page-rounded */
	uint32_t size_of_headers;      /* bytes of file copied at hdr_rva */
	uint32_t hdr_rva;              /* RVA of the headers (TE: StrippedSize - 40) */
	uint32_t image_base_off;       /* offset of the ImageBase field from hdr_rva */
	uint32_t entry_rva;
	uint32_t section_alignment;    /* TE: inferred from section RVAs (<= 4 KiB) */
	uint32_t file_alignment;       /* TE: 0 (not recorded) */
	uint32_t te_adjust;            /* StrippedSize - sizeof(TE header); PE: 0 */
	unsigned nsections;
	struct mm_pe_section sections[PE_MAX_SECTIONS];
	struct pe_data_dir reloc_dir;
	struct pe_data_dir debug_dir;
	bool has_relocs;               /* a relocation directory is present */
	/*
	 * It may load anywhere: PE without IMAGE_FILE_RELOCS_STRIPPED, TE with
	 * a relocation directory entry (EDK2's BasePeCoffLib rule). A
	 * relocatable image without relocations (all its code RIP-relative, as
	 * GenFw leaves many EDK2 drivers) needs no fix-ups.
	 */
	bool relocatable;
	uint32_t reloc_count[PE_REL_TYPES]; /* entries by type */
	char debug_kind[5];            /* "RSDS", "NB10" or "" */
	char debug_path[PE_DEBUG_PATH_MAX];
};

/*
 * Validates the PE32+ or TE image in buf[0..len) and describes it in *info:
 * headers (signatures, machine x86-64, PE32+ magic, sizes, alignments powers
 * of two), section table and raw data inside the file, sections in order and
 * not overlapping inside SizeOfImage (<= 64 MiB), entry point inside a
 * section, every base relocation DIR64 or ABSOLUTE and inside the image.
 *   err   receives "offset 0x..: reason" on failure (the file offset)
 * Returns MM_OK or MM_ERR_FORMAT. Never reads outside buf.
 */
enum mm_err mm_pe_parse(const uint8_t *buf, size_t len, struct mm_pe_info *info, char *err,
			size_t errlen);

/*
 * Applies the base relocations of the image parsed into *info from buf to
 * its copy at image (info->size_of_image bytes) for a load address of
 * info->image_base + delta. The image must have passed mm_pe_parse.
 */
void mm_pe_relocate(const uint8_t *buf, size_t len, const struct mm_pe_info *info,
		    uint8_t *image, uint64_t delta);

/*
 * Copies the image parsed into *info from buf into image (size_of_image
 * bytes, zeroed first): headers at hdr_rva, sections by RVA, .bss zero.
 */
void mm_pe_place(const uint8_t *buf, const struct mm_pe_info *info, uint8_t *image);

/*
 * True when no page of the image holds both code and data (always so with a
 * section alignment of 4 KiB or more).
 */
bool mm_pe_code_data_apart(const struct mm_pe_info *info);

/* Prints the description of a parsed image (the body of `mmemu image`). */
void mm_pe_print(const struct mm_pe_info *info, FILE *out);

#endif /* LOADER_PE_H */

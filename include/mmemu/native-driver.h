/* SPDX-License-Identifier: MIT */
/*
 * Native MM drivers: MM drivers written in C against <pi/...>, built for the
 * host as ELF shared objects (cmake: mmemu_add_native_driver), loaded by
 * mm_driver_load_native() with dlopen.
 *
 * A driver describes itself once, at file scope, with MMEMU_MODULE():
 *
 *   #include <mmemu/native-driver.h>
 *   #include <pi/mm-system-table.h>
 *
 *   #define MY_FILE_GUID { 0x2b5e9c11, 0x7d4a, 0x4c3e, \
 *                          { 0x9f, 0x02, 0x61, 0xd8, 0x3a, 0x5c, 0x77, 0x10 } }
 *
 *   static EFI_STATUS EFIAPI MyEntry(EFI_HANDLE ImageHandle,
 *                                    EFI_MM_SYSTEM_TABLE *MmSystemTable)
 *   {
 *           ...
 *   }
 *
 *   MMEMU_MODULE("MyDriver", MY_FILE_GUID, MM_MODULE_STANDALONE,
 *                "gEfiMmCpuProtocolGuid AND gEfiMmSwDispatchProtocolGuid", MyEntry);
 *
 * The arguments:
 *   name   a string literal of at most MMEMU_MODULE_NAME_MAX - 1 characters;
 *   guid   the FFS file GUID as an EFI_GUID initializer: a macro that expands
 *          to one, or the braces written in place ({ d1, d2, d3, { 8 bytes } });
 *   type   MM_MODULE_STANDALONE, MM_MODULE_TRADITIONAL or MM_MODULE_COMBINED
 *          (<mmemu/driver.h>);
 *   depex  an EDK2 INF-style [Depex] expression as a string literal ("TRUE",
 *          "gA AND (gB OR NOT gC)", "BEFORE gX", "SOR gX"; GUIDs by their
 *          gEfi...Guid name or in registry format), compiled when the driver
 *          is loaded; "" for a driver without DEPEX (dispatched as TRUE);
 *   entry  the entry point, of type MMEMU_ENTRY_POINT; it may be static.
 *
 * A driver whose DEPEX is already encoded (PI 1.8 vol. 2, chapter 10) gives
 * the bytes instead, after the entry point; the GUID must then be a single
 * macro argument (a macro name, not braces written in place):
 *
 *   MMEMU_MODULE_DEPEX_BYTES("MyDriver", MY_FILE_GUID, MM_MODULE_STANDALONE, MyEntry,
 *                            0x06, 0x08);   // TRUE END
 *
 * Either macro emits one struct mmemu_module into the ELF section
 * ".mmemu_module", which the loader reads from the file with libelf before
 * the object is ever dlopened, and exports the entry point through the
 * pointer variable mmemu_module_entry (drivers are built with
 * -fvisibility=hidden; this one symbol is made visible). Exactly one
 * MMEMU_MODULE per shared object.
 *
 * The record has a fixed, versioned layout (below, offsets checked by static
 * asserts): every string is stored in place and NUL-terminated, so the
 * section needs no relocation and reads the same in the file and in memory.
 */
#ifndef MMEMU_NATIVE_DRIVER_H
#define MMEMU_NATIVE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <mmemu/driver.h>
#include <pi/base.h>
#include <pi/mm-system-table.h>

/* The ELF section holding the record, and the symbol exporting the entry. */
#define MMEMU_MODULE_SECTION ".mmemu_module"
#define MMEMU_MODULE_ENTRY_SYMBOL "mmemu_module_entry"

#define MMEMU_MODULE_MAGIC "MMEMUMOD" /* 8 bytes, no terminator stored */
#define MMEMU_MODULE_MAGIC_SIZE 8
#define MMEMU_MODULE_VERSION 1

#define MMEMU_MODULE_NAME_MAX 64   /* with the terminating NUL */
#define MMEMU_MODULE_ENTRY_MAX 64  /* with the terminating NUL */
#define MMEMU_MODULE_DEPEX_MAX 1024 /* text with its NUL, or raw bytes */

/* How the DEPEX is given (field depex_kind). */
enum mmemu_depex_kind {
	MMEMU_DEPEX_NONE = 0,       /* no DEPEX: treated as TRUE */
	MMEMU_DEPEX_EXPRESSION = 1, /* depex.text: an INF-style expression */
	MMEMU_DEPEX_BYTES = 2,      /* depex.bytes[0..depex_len): encoded opcodes */
};

/* The entry point of an MM driver (PI 1.8 vol. 4, MM_IMAGE_ENTRY_POINT). */
typedef EFI_STATUS(EFIAPI *MMEMU_ENTRY_POINT)(EFI_HANDLE ImageHandle,
					      EFI_MM_SYSTEM_TABLE *MmSystemTable);

/*
 * The record, version 1. Layout (offsets in bytes, little-endian):
 *
 *   0x000  magic[8]        "MMEMUMOD"
 *   0x008  version         MMEMU_MODULE_VERSION
 *   0x00C  size            sizeof(struct mmemu_module) of this version (0x4B0)
 *   0x010  file_guid       EFI_GUID
 *   0x020  module_type     enum mm_module_type
 *   0x024  depex_kind      enum mmemu_depex_kind
 *   0x028  depex_len       NONE: 0; EXPRESSION: strlen(text); BYTES: byte count
 *   0x02C  reserved        0
 *   0x030  name[64]        NUL-terminated
 *   0x070  entry[64]       NUL-terminated name of the entry function (reports)
 *   0x0B0  depex[1024]     text (NUL-terminated) or bytes
 *   0x4B0  end
 */
struct mmemu_module {
	char magic[MMEMU_MODULE_MAGIC_SIZE];
	uint32_t version;
	uint32_t size;
	EFI_GUID file_guid;
	uint32_t module_type;
	uint32_t depex_kind;
	uint32_t depex_len;
	uint32_t reserved;
	char name[MMEMU_MODULE_NAME_MAX];
	char entry[MMEMU_MODULE_ENTRY_MAX];
	union {
		char text[MMEMU_MODULE_DEPEX_MAX];
		uint8_t bytes[MMEMU_MODULE_DEPEX_MAX];
	} depex;
};

_Static_assert(offsetof(struct mmemu_module, version) == 0x08, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, size) == 0x0C, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, file_guid) == 0x10, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, module_type) == 0x20, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, depex_kind) == 0x24, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, depex_len) == 0x28, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, name) == 0x30, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, entry) == 0x70, "mmemu_module layout");
_Static_assert(offsetof(struct mmemu_module, depex) == 0xB0, "mmemu_module layout");
_Static_assert(sizeof(struct mmemu_module) == 0x4B0, "mmemu_module layout");

/* ---- implementation of the macros; drivers use only the two below ---- */

/*
 * Clang's AddressSanitizer would pad the record with a redzone, changing the
 * section's size; GCC leaves globals in named sections alone.
 */
#if defined(__clang__)
#define MMEMU__NO_ASAN __attribute__((no_sanitize("address")))
#else
#define MMEMU__NO_ASAN
#endif
#define MMEMU__SECTION_ATTR                                                                \
	__attribute__((used, section(MMEMU_MODULE_SECTION), aligned(8))) MMEMU__NO_ASAN
#define MMEMU__EXPORT_ATTR __attribute__((used, visibility("default")))

/* The fields every form shares (designated, so their order does not matter). */
#define MMEMU__HEAD(name_, type_, entry_)                                                  \
	.magic = MMEMU_MODULE_MAGIC, .version = MMEMU_MODULE_VERSION,                      \
	.size = (uint32_t)sizeof(struct mmemu_module), .module_type = (uint32_t)(type_),    \
	.name = name_, .entry = #entry_

/* Exports entry_ and checks its type and the length of the strings. */
#define MMEMU__ENTRY(name_, entry_)                                                        \
	_Static_assert(sizeof(name_) <= MMEMU_MODULE_NAME_MAX, "MMEMU_MODULE: name too long"); \
	_Static_assert(sizeof(#entry_) <= MMEMU_MODULE_ENTRY_MAX,                           \
		       "MMEMU_MODULE: entry name too long");                                 \
	MMEMU__EXPORT_ATTR const MMEMU_ENTRY_POINT mmemu_module_entry = entry_

/*
 * The GUID comes last and variadic so that braces written in place survive.
 * depex_ must be a string literal (`"" depex_` refuses anything else); ""
 * means no DEPEX.
 */
#define MMEMU__MODULE_EXPR(name_, type_, depex_, entry_, ...)                              \
	MMEMU__ENTRY(name_, entry_);                                                       \
	_Static_assert(sizeof("" depex_) <= MMEMU_MODULE_DEPEX_MAX,                         \
		       "MMEMU_MODULE: DEPEX expression too long");                           \
	static const struct mmemu_module mmemu__module MMEMU__SECTION_ATTR = {             \
		MMEMU__HEAD(name_, type_, entry_),                                         \
		.depex_kind = sizeof("" depex_) > 1 ? MMEMU_DEPEX_EXPRESSION : MMEMU_DEPEX_NONE, \
		.depex_len = (uint32_t)(sizeof("" depex_) - 1),                            \
		.depex = { .text = "" depex_ },                                            \
		.file_guid = __VA_ARGS__,                                                  \
	}

/* Picks the implementation by argument count: 4 = GUID as one argument, 14 = braces. */
#define MMEMU__NARGS(...) MMEMU__NARGS_(__VA_ARGS__, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define MMEMU__NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, n, ...) n
#define MMEMU__CAT(a, b) MMEMU__CAT_(a, b)
#define MMEMU__CAT_(a, b) a##b
#define MMEMU__MODULE_4(name_, guid_, type_, depex_, entry_)                               \
	MMEMU__MODULE_EXPR(name_, type_, depex_, entry_, guid_)
#define MMEMU__MODULE_14(name_, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, type_, depex_, \
			 entry_)                                                           \
	MMEMU__MODULE_EXPR(name_, type_, depex_, entry_, g1, g2, g3, g4, g5, g6, g7, g8, g9, \
			   g10, g11)

/*
 * MMEMU_MODULE(name, guid, type, depex, entry): describes the driver of this
 * shared object. See the head of this file.
 */
#define MMEMU_MODULE(name_, ...)                                                           \
	MMEMU__CAT(MMEMU__MODULE_, MMEMU__NARGS(__VA_ARGS__))(name_, __VA_ARGS__)

/*
 * MMEMU_MODULE_DEPEX_BYTES(name, guid, type, entry, byte...): as MMEMU_MODULE
 * with an already encoded DEPEX given as its bytes. guid must be one macro
 * argument here.
 */
#define MMEMU_MODULE_DEPEX_BYTES(name_, guid_, type_, entry_, ...)                         \
	MMEMU__ENTRY(name_, entry_);                                                       \
	_Static_assert(sizeof((const uint8_t[]){ __VA_ARGS__ }) <= MMEMU_MODULE_DEPEX_MAX,  \
		       "MMEMU_MODULE_DEPEX_BYTES: DEPEX too long");                          \
	static const struct mmemu_module mmemu__module MMEMU__SECTION_ATTR = {             \
		MMEMU__HEAD(name_, type_, entry_),                                         \
		.file_guid = guid_,                                                        \
		.depex_kind = MMEMU_DEPEX_BYTES,                                           \
		.depex_len = (uint32_t)sizeof((const uint8_t[]){ __VA_ARGS__ }),           \
		.depex = { .bytes = { __VA_ARGS__ } },                                     \
	}

#endif /* MMEMU_NATIVE_DRIVER_H */

/* SPDX-License-Identifier: MIT */
/*
 * Firmware volumes, firmware files and sections (PI 1.8 vol. 3, chapters 2
 * and 3): a pure parser over a byte buffer. It finds the volumes of an image,
 * walks their files and each file's sections, descends into firmware-volume
 * image sections and into the GUID-defined sections it can decode (EDK2's
 * LZMA, CRC32, or data not needing processing), and calls back once per volume,
 * per file and per problem. Nothing here allocates guest memory or needs a
 * machine: the dispatcher and `mmemu fv list` are its clients.
 *
 *   image ── volume (header, block map, ext header) ── file, file, ...
 *                                                        └─ sections
 *                                                            ├─ PE32 / TE / DEPEX / UI
 *                                                            ├─ FV image ─► volume ...
 *                                                            └─ GUID-defined (LZMA)
 *                                                                 └─ decompressed sections
 */
#ifndef LOADER_FV_H
#define LOADER_FV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/error.h>
#include <pi/base.h>

/* FFS file types, PI 1.8 vol. 3, section 2.1.4.1 (EFI_FV_FILETYPE_*). */
enum mm_ffs_type {
	MM_FFS_RAW = 0x01,
	MM_FFS_FREEFORM = 0x02,
	MM_FFS_SECURITY_CORE = 0x03,
	MM_FFS_PEI_CORE = 0x04,
	MM_FFS_DXE_CORE = 0x05,
	MM_FFS_PEIM = 0x06,
	MM_FFS_DRIVER = 0x07,
	MM_FFS_COMBINED_PEIM_DRIVER = 0x08,
	MM_FFS_APPLICATION = 0x09,
	MM_FFS_MM = 0x0A,
	MM_FFS_FIRMWARE_VOLUME_IMAGE = 0x0B,
	MM_FFS_COMBINED_MM_DXE = 0x0C,
	MM_FFS_MM_CORE = 0x0D,
	MM_FFS_MM_STANDALONE = 0x0E,
	MM_FFS_MM_CORE_STANDALONE = 0x0F,
	MM_FFS_PAD = 0xF0,
};

/* Section types, PI 1.8 vol. 3, section 2.1.5.1 (EFI_SECTION_*). */
enum mm_section_type {
	MM_SEC_COMPRESSION = 0x01,
	MM_SEC_GUID_DEFINED = 0x02,
	MM_SEC_DISPOSABLE = 0x03,
	MM_SEC_PE32 = 0x10,
	MM_SEC_PIC = 0x11,
	MM_SEC_TE = 0x12,
	MM_SEC_DXE_DEPEX = 0x13,
	MM_SEC_VERSION = 0x14,
	MM_SEC_USER_INTERFACE = 0x15,
	MM_SEC_COMPATIBILITY16 = 0x16,
	MM_SEC_FIRMWARE_VOLUME_IMAGE = 0x17,
	MM_SEC_FREEFORM_SUBTYPE_GUID = 0x18,
	MM_SEC_RAW = 0x19,
	MM_SEC_PEI_DEPEX = 0x1B,
	MM_SEC_MM_DEPEX = 0x1C,
};

/* What went wrong, for callers that react to a class (tests, fuzzers). */
enum mm_fv_problem_kind {
	MM_FVP_VOLUME_HEADER,    /* bad signature use, header length, checksum */
	MM_FVP_VOLUME_LENGTH,    /* volume or extended header past the end */
	MM_FVP_FILE_HEADER,      /* file header checksum or size field wrong */
	MM_FVP_FILE_LENGTH,      /* file past the end of its volume */
	MM_FVP_FILE_OVERLAP,     /* file overlaps the next one or another volume */
	MM_FVP_FILE_CHECKSUM,    /* file data checksum wrong */
	MM_FVP_FILE_STATE,       /* state bits of an unfinished or odd file */
	MM_FVP_SECTION,          /* section header or length wrong */
	MM_FVP_DECOMPRESS,       /* compressed data that does not decode */
	MM_FVP_BOMB,             /* decompressed size over the limits */
	MM_FVP_UNSUPPORTED,      /* a valid encoding we do not decode (Tiano, ...) */
	MM_FVP_DEPEX,            /* a DEPEX section that is malformed */
	MM_FVP_LIMIT,            /* nesting too deep, too many volumes */
};

/*
 * Where a byte is. Offsets in the image itself are exact; bytes inside a
 * decompressed buffer are described by the image offset of the outermost
 * section that was decompressed (image_offset) plus the path of
 * decompressed-buffer offsets (where, e.g. "0x84078>0x1d0") and the offset in
 * the innermost buffer (offset).
 */
struct mm_fv_where {
	uint64_t image_offset; /* in the input buffer */
	uint64_t offset;       /* in the innermost buffer (== image_offset at depth 0) */
	unsigned buffer_depth; /* 0: the input buffer, n: n decompressions deep */
	const char *path;      /* "" at depth 0, else "0xA>0xB>" prefixes */
};

struct mm_fv_problem {
	enum mm_fv_problem_kind kind;
	struct mm_fv_where at;
	const char *reason; /* "file header checksum 0x12 (expected 0)", ... */
};

/* One volume, reported before its files. */
struct mm_fv_volume {
	struct mm_fv_where at;
	unsigned depth;      /* nesting: 0 for volumes of the image */
	EFI_GUID fs_guid;    /* file system */
	int ffs_version;     /* 2, 3, or 0 for a file system we do not walk */
	uint64_t length;     /* FvLength */
	uint32_t attributes; /* EFI_FVB2_* */
	bool erase_polarity; /* EFI_FVB2_ERASE_POLARITY */
	bool has_name;       /* an extended header gave the volume a name */
	EFI_GUID name;
};

/* A section's bytes (after its header); data NULL when absent. */
struct mm_fv_blob {
	const uint8_t *data;
	size_t len;
};

/*
 * One file. Byte pointers point into the input buffer or into decompressed
 * buffers, valid until mm_fv_parse returns.
 */
struct mm_fv_file {
	struct mm_fv_where at; /* of the file header */
	unsigned depth;        /* volume nesting depth */
	EFI_GUID name;
	uint8_t type;          /* enum mm_ffs_type */
	uint8_t attributes;    /* FFS_ATTRIB_* */
	uint8_t state;         /* state byte with erase polarity applied (1 = set) */
	bool header_ok;        /* header checksum */
	bool data_ok;          /* file checksum (or 0xAA when not checksummed) */
	uint64_t size;         /* whole file, header included */
	size_t header_size;    /* 24, or 32 for a large file */
	char ui_name[128];     /* USER_INTERFACE section, non-ASCII as '?' */
	struct mm_fv_blob pe32, te, pic;
	struct mm_fv_blob mm_depex, dxe_depex, pei_depex; /* validated; else NULL */
	struct mm_fv_blob data; /* the file's bytes after its header */
	unsigned nsections;    /* sections seen, encapsulated ones included */
};

/* Callbacks; any may be NULL. */
struct mm_fv_visitor {
	void (*volume)(void *user, const struct mm_fv_volume *v);
	void (*file)(void *user, const struct mm_fv_file *f);
	void (*problem)(void *user, const struct mm_fv_problem *p);
};

/* Limits (decompression-bomb guards and nesting). */
#define MM_FV_MAX_SECTION_OUTPUT (256ull << 20) /* one decompressed section */
#define MM_FV_MAX_TOTAL_OUTPUT (512ull << 20)   /* all of one walk */
#define MM_FV_MAX_DEPTH 8                       /* nested volumes/encapsulations */

/*
 * Scans buf[0..len) for firmware volumes (the '_FVH' signature at offset 40
 * of an 8-byte aligned header) and walks each: files, sections, nested
 * volumes, decodable GUID-defined sections. visit's callbacks receive each
 * volume, each file (container files before the files they hold) and each
 * problem; a problem skips the object it concerns and the walk goes on.
 * user is passed to the callbacks. Returns MM_OK when the walk completed
 * (problems or not), MM_ERR_NOT_FOUND when no volume header was found,
 * MM_ERR_NOMEM when host memory ran out, MM_ERR_INVALID for a NULL buf with
 * len > 0 or a NULL visit; details go to err (errlen bytes, may be 0).
 */
enum mm_err mm_fv_parse(const uint8_t *buf, size_t len, const struct mm_fv_visitor *visit,
			void *user, char *err, size_t errlen);

/* Returns the PI name of an FFS file type ("MM", "DRIVER", "FV_IMAGE", "0x42"). */
const char *mm_ffs_type_name(uint8_t type, char buf[8]);

/* Returns whether an FFS type holds an MM driver (MM, COMBINED_MM_DXE, MM_STANDALONE). */
bool mm_ffs_is_mm_driver(uint8_t type);

/* ---- shared by fv.c and section.c (not for other clients) ---- */

/* The buffer the walk is in: the input, or a decompressed section. */
struct mm_fv_buffer {
	const uint8_t *base;
	size_t len;
	uint64_t origin; /* image offset of the outermost decompressed section */
	unsigned depth;  /* decompressions deep */
	char path[128];  /* "0xA>0xB>" */
};

/* A firmware-volume image found in a file's sections, walked after the file. */
struct mm_fv_nested {
	const uint8_t *p;
	size_t len;
	struct mm_fv_buffer buf;
};

#define MM_FV_MAX_NESTED 8

/* A file being walked: what the callback gets, and the volumes it holds. */
struct mm_fv_filectx {
	struct mm_fv_file file;
	struct mm_fv_nested nested[MM_FV_MAX_NESTED];
	unsigned nnested;
};

/* The state of one mm_fv_parse call. */
struct mm_fv_walk {
	const struct mm_fv_visitor *visit;
	void *user;
	struct mm_fv_buffer buf; /* current */
	uint8_t **owned;         /* decompressed buffers, freed when the walk ends */
	size_t nowned, capowned;
	uint64_t total_out;      /* bytes decompressed so far */
	unsigned nvolumes;
};

/* Fills *at with where p (inside the current buffer) is. */
void mm_fv_where_of(const struct mm_fv_walk *w, const uint8_t *p, struct mm_fv_where *at);

/* Reports a problem at p (inside the current buffer). */
void mm_fv_problem(struct mm_fv_walk *w, const uint8_t *p, enum mm_fv_problem_kind kind,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keeps a decompressed buffer until the walk ends. Returns MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_fv_own(struct mm_fv_walk *w, uint8_t *buf);

/*
 * Walks the volume at p (len bytes available, from the current buffer) at
 * nesting depth: header checks, then files. Stores the volume's length in
 * *fvlen, or 0 when its header was unusable. Problems are reported; returns
 * MM_OK, or MM_ERR_NOMEM which stops the walk.
 */
enum mm_err mm_fv_volume_walk(struct mm_fv_walk *w, const uint8_t *p, size_t len, unsigned depth,
			      uint64_t *fvlen);

/*
 * section.c: walks the section stream data[0..len) of the file in fc
 * (sections 4-byte aligned from data), filling the file's blobs and UI name,
 * descending into encapsulation sections (level counts them) and queuing
 * firmware-volume images in fc->nested. Returns MM_OK or MM_ERR_NOMEM.
 */
enum mm_err mm_fv_sections(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *data,
			   size_t len, unsigned level);

/*
 * Decodes EDK2's LZMA section payload (13-byte "alone" header: properties,
 * dictionary size, 64-bit uncompressed size, then the stream) from
 * in[0..inlen). On success stores a malloc'd buffer in *out and its size in
 * *outlen (the size the header gives, at most max). Returns MM_OK,
 * MM_ERR_RANGE (size over max, unknown, or data going on past it: a bomb),
 * MM_ERR_FORMAT (not a valid stream, or shorter than announced), MM_ERR_NOMEM;
 * the reason goes to err.
 */
enum mm_err mm_lzma_section_decode(const uint8_t *in, size_t inlen, uint64_t max, uint8_t **out,
				   size_t *outlen, char *err, size_t errlen);

#endif /* LOADER_FV_H */

/* SPDX-License-Identifier: MIT */
/* Loading drivers and running the MM dispatcher. */
#ifndef MMEMU_DRIVER_H
#define MMEMU_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/* Module types, named after the FFS file types of PI 1.8 volume 3, 2.1.4.1. */
enum mm_module_type {
	MM_MODULE_TRADITIONAL = 0x0A, /* EFI_FV_FILETYPE_MM (DXE_SMM_DRIVER) */
	MM_MODULE_COMBINED = 0x0C,    /* EFI_FV_FILETYPE_COMBINED_MM_DXE */
	MM_MODULE_STANDALONE = 0x0E,  /* EFI_FV_FILETYPE_MM_STANDALONE */
};

enum mm_driver_state {
	MM_DRIVER_PENDING,        /* loaded, DEPEX not yet satisfied */
	MM_DRIVER_UNREQUESTED,    /* DEPEX starts with SOR: waits for mm_driver_schedule() */
	MM_DRIVER_DISPATCHED,     /* entry point returned a success code */
	MM_DRIVER_FAILED,         /* entry point returned an error; image unloaded */
	MM_DRIVER_NOT_DISPATCHED, /* dispatch ended with its DEPEX unsatisfied */
	MM_DRIVER_BAD_DEPEX,      /* DEPEX malformed: never dispatched */
};

struct mm_driver_info {
	const char *name;
	uint8_t file_guid[16]; /* EFI_GUID layout */
	enum mm_module_type type;
	enum mm_driver_state state;
	uint64_t entry_status; /* EFI_STATUS the entry point returned */
	const char *reason;    /* why not dispatched: the unresolved GUID, the DEPEX error */
	unsigned dispatch_order; /* 1-based position in dispatch order, 0 if not dispatched */
	uint64_t image_base;
	uint64_t image_size;
};

/*
 * Loads the native driver (ELF shared object built with
 * mmemu_add_native_driver) at path into m and queues it for dispatch. Its
 * index is stored in *index when index is not NULL.
 * Returns MM_OK, MM_ERR_IO (unreadable), MM_ERR_FORMAT (not a native driver:
 * no or bad .mmemu_module section, malformed DEPEX expression), MM_ERR_NOMEM.
 */
enum mm_err mm_driver_load_native(struct mm_machine *m, const char *path, unsigned *index);

/*
 * Loads the PE32+, TE or ELF x86-64 driver image at path into SMRAM (it runs
 * on the emulated CPU: the machine needs the Unicorn model) and queues it for
 * dispatch. Its DEPEX is depex_expr (INF-style, as in MMEMU_MODULE) when not
 * NULL or empty, else the binary DEPEX section in "<path without
 * extension>.depex" when that file exists, else the DEPEX of an MMEMU_MODULE
 * record found in the image (a native driver's source built as PE), else
 * TRUE. Such a record also gives the driver its name, file GUID and module
 * type; otherwise the name is the file's base name and the type standalone.
 * Its index is stored in *index when index is not NULL. Returns MM_OK,
 * MM_ERR_IO, MM_ERR_FORMAT (bad image or DEPEX expression), MM_ERR_NOMEM,
 * MM_ERR_UNSUPPORTED (no CPU model attached).
 */
enum mm_err mm_driver_load_image(struct mm_machine *m, const char *path, const char *depex_expr,
				 unsigned *index);

/*
 * mm_driver_load_image with the module type (MM_MODULE_TRADITIONAL: boot
 * services at entry); 0 takes it from the image's record, else standalone.
 */
enum mm_err mm_driver_load_image_type(struct mm_machine *m, const char *path,
				      const char *depex_expr, enum mm_module_type type,
				      unsigned *index);

/*
 * Loads the MM drivers of the firmware image at path (a flash image or a
 * bare firmware volume) into m: every file of every (nested, decompressed)
 * volume whose FFS type is MM, COMBINED_MM_DXE or MM_STANDALONE becomes an
 * emulated driver (its PE32 or TE section loaded into SMRAM and relocated),
 * named by its UI section, with the file GUID as its GUID, the module type
 * of its FFS type and its MM_DEPEX section as DEPEX (none: TRUE). The
 * machine needs the Unicorn model.
 *   modules   NULL or nmodules entries, each a UI name or a file GUID in
 *             registry format: only the drivers that match one are loaded
 *             (NULL or 0: all of them)
 *   count     when not NULL, receives the number of drivers loaded
 * Problems of the volume (bad checksums, undecodable sections, a driver file
 * without a PE32/TE section) are logged under MM_LOG_WARN and the files
 * concerned skipped. Returns MM_OK; MM_ERR_IO (unreadable); MM_ERR_FORMAT
 * (no firmware volume, an image that does not load); MM_ERR_NOT_FOUND (a
 * modules entry matched no MM driver: the message names it); MM_ERR_NOMEM;
 * MM_ERR_UNSUPPORTED (no CPU model attached). On failure, the drivers loaded
 * by this call stay loaded.
 */
enum mm_err mm_driver_load_fv(struct mm_machine *m, const char *path,
			      const char *const *modules, size_t nmodules, unsigned *count);

/*
 * Runs the dispatcher: evaluates DEPEX of every pending driver, calls the
 * entry points of those that are satisfied, and repeats until no more can be
 * dispatched. Returns MM_OK (even when some drivers stay undispatched: see
 * mm_driver_info) or MM_ERR_STOPPED when the guest stopped.
 */
enum mm_err mm_dispatch(struct mm_machine *m);

/* Returns the number of drivers loaded into m. */
unsigned mm_driver_count(const struct mm_machine *m);

/*
 * Describes driver index of m in *out; the strings stay valid until m is
 * destroyed. Returns MM_OK or MM_ERR_NOT_FOUND.
 */
enum mm_err mm_driver_get_info(const struct mm_machine *m, unsigned index,
			       struct mm_driver_info *out);

/*
 * Clears the Schedule On Request state of the driver whose file GUID is
 * file_guid (16 bytes, EFI_GUID layout). Returns MM_OK, MM_ERR_NOT_FOUND or
 * MM_ERR_STATE (the driver is not waiting for a request).
 */
enum mm_err mm_driver_schedule(struct mm_machine *m, const uint8_t file_guid[16]);

/* Returns a static name for a driver state ("dispatched", ...). */
const char *mm_driver_state_name(enum mm_driver_state state);

#endif /* MMEMU_DRIVER_H */

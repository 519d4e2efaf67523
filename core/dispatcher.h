/* SPDX-License-Identifier: MIT */
/*
 * The MM driver dispatcher (PI 1.8 vol. 4, section 2 "MM Driver Execution"):
 * driver records, DEPEX-ordered dispatch, and the reason each driver that was
 * never dispatched stayed behind.
 */
#ifndef CORE_DISPATCHER_H
#define CORE_DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/driver.h>
#include <pi/base.h>

#include "depex.h"

struct mm_machine;
struct mm_image;

struct mm_driver_desc {
	const char *name;
	EFI_GUID guid;
	enum mm_module_type type;
	const uint8_t *depex; /* NULL: no DEPEX section, treated as TRUE (logged) */
	size_t depex_len;
	uint64_t entry;       /* entry point address */
	struct mm_image *image;
};

struct mm_driver {
	char *name;
	EFI_GUID guid;
	enum mm_module_type type;
	uint8_t *depex;
	size_t depex_len;
	struct mm_depex_shape shape;
	enum mm_driver_state state;
	EFI_STATUS entry_status;
	char reason[192];
	unsigned order;
	uint64_t entry;
	struct mm_image *image;      /* NULL once unloaded */
	uint64_t image_base;         /* kept for reports after an unload */
	uint64_t image_size;
	EFI_HANDLE image_handle;
	void *loaded_image;          /* EFI_LOADED_IMAGE_PROTOCOL in SMRAM */
	bool has_depex;
	bool scheduled;              /* taken by the running pass (BEFORE/AFTER recursion) */
	struct mm_driver *next;
};

struct mm_dispatcher {
	struct mm_driver *drivers; /* in load order */
	struct mm_driver **tail;
	unsigned count;
	unsigned dispatched;
	bool running;              /* re-entrant mm_dispatch calls are refused */
};

/*
 * Adds a driver record from d (strings and DEPEX are copied). A malformed
 * DEPEX leaves the driver in MM_DRIVER_BAD_DEPEX with the reason.
 * Returns MM_OK or MM_ERR_NOMEM.
 */
enum mm_err mm_driver_add(struct mm_machine *m, const struct mm_driver_desc *d,
			  struct mm_driver **out);
/* Frees every record (machine teardown; images are the registry's). */
void mm_dispatcher_fini(struct mm_machine *m);
/* Returns driver number index (load order), or NULL. */
struct mm_driver *mm_driver_at(const struct mm_machine *m, unsigned index);

#endif /* CORE_DISPATCHER_H */

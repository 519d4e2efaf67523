/* SPDX-License-Identifier: MIT */
/*
 * The image registry: every driver image with its address range and the
 * engine that runs it, so that any address (a fault, a callback, a handler)
 * can be attributed to image+offset and called on the right engine.
 */
#ifndef CORE_IMAGE_H
#define CORE_IMAGE_H

#include <stdint.h>

#include <pi/base.h>

struct mm_machine;

enum mm_engine {
	MM_ENGINE_NATIVE,   /* host code: an ELF shared object we dlopened */
	MM_ENGINE_EMULATED, /* guest code run on the Unicorn CPU model */
};

struct mm_image {
	char *name;
	EFI_GUID guid;
	uint64_t base;
	uint64_t size;
	enum mm_engine engine;
	/*
	 * Where its symbols are (emu/symbols.c, the gdb stub): the file it was
	 * loaded from and the PDB/.dll path its PE CodeView debug entry names
	 * (each NULL when unknown), and the address it was linked for base, so
	 * that base + x is x + link_base in its debug file.
	 */
	char *path;
	char *codeview;
	uint64_t link_base;
	/* Called when the image is removed (entry failed, machine destroyed). */
	void (*unload)(struct mm_machine *m, struct mm_image *img);
	void *loader_data;
	struct mm_image *next;
};

struct mm_images {
	struct mm_image *list;
	unsigned count;
};

/*
 * Registers an image of [base, base+size) run by engine. name is copied.
 * Returns the new record or NULL (out of memory, logged).
 */
struct mm_image *mm_image_add(struct mm_machine *m, const char *name, const EFI_GUID *guid,
			      uint64_t base, uint64_t size, enum mm_engine engine);
/* Unregisters img, calling its unload hook first. */
void mm_image_remove(struct mm_machine *m, struct mm_image *img);
/* Returns the image containing addr, or NULL. */
struct mm_image *mm_image_find(const struct mm_machine *m, uint64_t addr);
/*
 * Writes addr as "Name+0xoff" when an image owns it, else as "0x..." to buf
 * (MM_ADDR_TEXT bytes) and returns buf. Log lines name code and data this way,
 * so that they do not depend on where the host loaded a native driver.
 */
#define MM_ADDR_TEXT 96
const char *mm_addr_text(const struct mm_machine *m, uint64_t addr, char *buf);
/* mm_addr_text with a buffer that lives until the end of the enclosing statement. */
#define MM_ADDR(m, a) mm_addr_text((m), (uint64_t)(uintptr_t)(a), (char[MM_ADDR_TEXT]){ 0 })

/* Removes every image (machine teardown). */
void mm_images_fini(struct mm_machine *m);

#endif /* CORE_IMAGE_H */

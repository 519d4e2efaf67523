/* SPDX-License-Identifier: MIT */
/* The image registry: address ranges, engines and unload hooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

struct mm_image *mm_image_add(struct mm_machine *m, const char *name, const EFI_GUID *guid,
			      uint64_t base, uint64_t size, enum mm_engine engine)
{
	struct mm_image *img = calloc(1, sizeof(*img));

	if (!img || !(img->name = strdup(name ? name : "?"))) {
		free(img);
		mm_fail(m, MM_ERR_NOMEM, "image %s: out of memory", name ? name : "?");
		return NULL;
	}
	if (guid)
		img->guid = *guid;
	img->base = base;
	img->size = size;
	img->engine = engine;
	img->next = m->images.list;
	m->images.list = img;
	m->images.count++;
	return img;
}

void mm_image_remove(struct mm_machine *m, struct mm_image *img)
{
	for (struct mm_image **pp = &m->images.list; *pp; pp = &(*pp)->next) {
		if (*pp != img)
			continue;
		*pp = img->next;
		m->images.count--;
		for (unsigned i = 0; i < m->exec_depth; i++)
			if (m->exec_stack[i] == img)
				m->exec_stack[i] = NULL;
		if (img->unload)
			img->unload(m, img);
		free(img->name);
		free(img->path);
		free(img->codeview);
		free(img);
		return;
	}
}

struct mm_image *mm_image_find(const struct mm_machine *m, uint64_t addr)
{
	for (struct mm_image *img = m->images.list; img; img = img->next)
		if (addr >= img->base && addr - img->base < img->size)
			return img;
	return NULL;
}

void mm_images_fini(struct mm_machine *m)
{
	while (m->images.list)
		mm_image_remove(m, m->images.list);
}

const char *mm_addr_text(const struct mm_machine *m, uint64_t addr, char *buf)
{
	const struct mm_image *img = mm_image_find(m, addr);

	if (img)
		snprintf(buf, MM_ADDR_TEXT, "%.63s+0x%llx", img->name,
			 (unsigned long long)(addr - img->base));
	else
		snprintf(buf, MM_ADDR_TEXT, "0x%llx", (unsigned long long)addr);
	return buf;
}

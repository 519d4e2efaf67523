/* SPDX-License-Identifier: MIT */
/*
 * Basic-block coverage of emulated code (include/mmemu/debug.h).
 *
 * mm_coverage_enable installs a UC_HOOK_BLOCK and flushes the translation
 * cache so that every block translated from then on reports to it; without
 * it no hook exists and coverage costs nothing. A block is recorded once:
 * an open-addressing set keyed by its start address, each new block
 * attributed to the image holding it at that moment (an image can be
 * unloaded later). The drcov writer emits DynamoRIO's version 2 layout:
 *
 *   DRCOV VERSION: 2
 *   DRCOV FLAVOR: mmemu
 *   Module Table: version 2, count N
 *   Columns: id, base, end, entry, checksum, timestamp, path
 *    0, 0x..., 0x..., 0x0000000000000000, 0x00000000, 0x00000000, Name
 *   BB Table: M bbs
 *   M x { uint32 start (offset in module); uint16 size; uint16 module id } (little endian)
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/debug.h>

#include "core/image.h"
#include "emu/debug-info.h"
#include "emu/model.h"

#define COVER_MAX_MODULES 4096

struct cover_module {
	char *name;
	uint64_t base, end;
};

struct cover_block {
	uint64_t addr;     /* 0: empty slot */
	uint32_t offset;
	uint16_t size;
	int32_t module;    /* -1: outside every image */
};

struct cover {
	struct mm_machine *m;
	struct cover_block *set;
	size_t cap, count; /* cap: power of two */
	struct cover_module *mod;
	size_t nmod, modcap;
	bool failed;       /* out of memory once: blocks are missing */
};

static void cover_fini(struct mm_machine *m, void *data)
{
	struct cover *c = data;

	(void)m;
	for (size_t i = 0; i < c->nmod; i++)
		free(c->mod[i].name);
	free(c->mod);
	free(c->set);
	free(c);
}

/* Module index of img (added on first sight); -1 when none or no memory. */
static int32_t module_of(struct cover *c, const struct mm_image *img)
{
	for (size_t i = 0; i < c->nmod; i++)
		if (c->mod[i].base == img->base && !strcmp(c->mod[i].name, img->name))
			return (int32_t)i;
	if (c->nmod == COVER_MAX_MODULES)
		return -1;
	if (c->nmod == c->modcap) {
		size_t cap = c->modcap ? c->modcap * 2 : 16;
		struct cover_module *v = realloc(c->mod, cap * sizeof(*v));

		if (!v)
			return -1;
		c->mod = v;
		c->modcap = cap;
	}
	c->mod[c->nmod].name = strdup(img->name ? img->name : "?");
	if (!c->mod[c->nmod].name)
		return -1;
	c->mod[c->nmod].base = img->base;
	c->mod[c->nmod].end = img->base + img->size;
	return (int32_t)c->nmod++;
}

static size_t slot_of(const struct cover *c, uint64_t addr)
{
	size_t h = (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 17);

	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1))
		if (c->set[i].addr == addr || !c->set[i].addr)
			return i;
}

/* Doubles the set (keeping it at most half full); false when out of memory. */
static bool grow(struct cover *c)
{
	size_t cap = c->cap ? c->cap * 2 : 4096;
	struct cover_block *old = c->set;
	size_t oldcap = c->cap;

	c->set = calloc(cap, sizeof(*c->set));
	if (!c->set) {
		c->set = old;
		return false;
	}
	c->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].addr)
			c->set[slot_of(c, old[i].addr)] = old[i];
	free(old);
	return true;
}

/* Records the block at addr the first time it runs. */
static void record(struct cover *c, uint64_t addr, uint32_t size)
{
	const struct mm_image *img;
	struct cover_block *b;

	if (!addr || c->failed)
		return;
	if (c->count * 2 >= c->cap && !grow(c)) {
		c->failed = true;
		return;
	}
	b = &c->set[slot_of(c, addr)];
	if (b->addr)
		return;
	img = mm_image_find(c->m, addr);
	*b = (struct cover_block){ .addr = addr, .size = (uint16_t)(size > 0xFFFF ? 0xFFFF : size),
				   .module = img ? module_of(c, img) : -1 };
	if (img)
		b->offset = (uint32_t)(addr - img->base);
	c->count++;
}

/* Block hook. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	(void)uc;
	record(user, addr, size); /* user: freed only with the machine, after the engine */
}

void mm_cover_record(struct mm_machine *m, uint64_t addr, uint32_t size)
{
	struct cover *c = mm_extension_get(m, "cover");

	if (c)
		record(c, addr, size);
}

static int by_offset(const void *a, const void *b)
{
	const struct mm_cover_range *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int mm_cover_ranges(const struct mm_machine *m, const char *name, struct mm_cover_range **out,
		    size_t *n)
{
	const struct cover *c = mm_extension_get(m, "cover");
	struct mm_cover_range *v;

	*out = NULL;
	*n = 0;
	if (!c)
		return -1;
	v = malloc((c->count ? c->count : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < c->cap; i++) {
		const struct cover_block *b = &c->set[i];

		if (b->addr && b->module >= 0 && !strcmp(c->mod[b->module].name, name))
			v[(*n)++] = (struct mm_cover_range){ b->offset, b->size };
	}
	qsort(v, *n, sizeof(*v), by_offset);
	*out = v;
	return 0;
}

enum mm_err mm_coverage_enable(struct mm_machine *m)
{
	struct mm_emu *e = mm_emu_get(m);
	struct cover *c;
	uc_hook h;
	uc_err u;

	if (!MMEMU_DEBUG_FEATURES)
		return mm_fail(m, MM_ERR_UNSUPPORTED, "coverage: " MM_NO_DEBUG_FEATURES_TEXT);
	if (!e)
		return mm_fail(m, MM_ERR_STATE, "coverage: no CPU model attached");
	if (mm_extension_get(m, "cover"))
		return MM_OK;
	c = calloc(1, sizeof(*c));
	if (!c || !grow(c) || mm_extension_add(m, "cover", cover_fini, c)) {
		if (c)
			free(c->set);
		free(c);
		return mm_fail(m, MM_ERR_NOMEM, "coverage: out of memory");
	}
	c->m = m;
	u = uc_hook_add(e->uc, &h, UC_HOOK_BLOCK, on_block, c, 1, 0);
	if (u)
		return mm_fail(m, MM_ERR_NOMEM, "coverage: uc_hook_add: %s", uc_strerror(u));
	/* blocks translated before the hook existed would never report */
	mm_emu_drop_translations(e);
	return MM_OK;
}

size_t mm_coverage_blocks(const struct mm_machine *m)
{
	const struct cover *c = mm_extension_get(m, "cover");

	return c ? c->count : 0;
}

/* Writes the drcov header and module table for nmod modules. */
static void write_modules(FILE *f, const struct cover_module *mod, size_t nmod)
{
	fprintf(f, "DRCOV VERSION: 2\nDRCOV FLAVOR: mmemu\n");
	fprintf(f, "Module Table: version 2, count %zu\n", nmod);
	fprintf(f, "Columns: id, base, end, entry, checksum, timestamp, path\n");
	for (size_t i = 0; i < nmod; i++)
		fprintf(f, "%3zu, 0x%016llx, 0x%016llx, 0x0000000000000000, 0x00000000, 0x00000000, %s\n",
			i, (unsigned long long)mod[i].base, (unsigned long long)mod[i].end,
			mod[i].name);
}

/* One drcov bb entry, little endian whatever the host. */
static void write_bb(FILE *f, uint32_t start, uint16_t size, uint16_t id)
{
	uint8_t b[8] = { start, start >> 8, start >> 16, start >> 24, size, size >> 8, id, id >> 8 };

	fwrite(b, 1, sizeof(b), f);
}

static int by_module_offset(const void *a, const void *b)
{
	const struct cover_block *x = a, *y = b;

	if (x->module != y->module)
		return x->module < y->module ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

enum mm_err mm_coverage_write_drcov(struct mm_machine *m, const char *path)
{
	struct cover *c = mm_extension_get(m, "cover");
	struct cover_block *v;
	size_t n = 0;
	FILE *f;

	if (!c)
		return mm_fail(m, MM_ERR_STATE, "coverage: not enabled");
	v = malloc((c->count ? c->count : 1) * sizeof(*v));
	if (!v)
		return mm_fail(m, MM_ERR_NOMEM, "coverage: out of memory");
	for (size_t i = 0; i < c->cap; i++)
		if (c->set[i].addr && c->set[i].module >= 0)
			v[n++] = c->set[i];
	qsort(v, n, sizeof(*v), by_module_offset); /* the same run writes the same bytes */
	f = fopen(path, "wb");
	if (!f) {
		free(v);
		return mm_fail(m, MM_ERR_IO, "coverage: cannot write '%s'", path);
	}
	write_modules(f, c->mod, c->nmod);
	fprintf(f, "BB Table: %zu bbs\n", n);
	for (size_t i = 0; i < n; i++)
		write_bb(f, v[i].offset, v[i].size, (uint16_t)v[i].module);
	free(v);
	if (fclose(f))
		return mm_fail(m, MM_ERR_IO, "coverage: cannot write '%s'", path);
	return MM_OK;
}
